// The computational graph and backpropagation on a tiny expression: y = sum(sigmoid(w·x + b)).
import * as tg from 'tsgrad';

const x = tg.tensor([
  [1, 2],
  [3, 4],
  [5, 6],
]);
const w = tg.tensor([[0.1], [-0.2]], { requiresGrad: true });
const b = tg.tensor([0.05], { requiresGrad: true });
w.name = 'w';
b.name = 'b';

const y = x.matmul(w).add(b).sigmoid().sum();
y.backward();

console.log('y      =', y.item().toFixed(6));
console.log('dy/dw  =', w.grad?.toArray());
console.log('dy/db  =', b.grad?.toArray());
// Exact against central differences, in float64:
const check = tg.gradcheck((w, b) => x.matmul(w).add(b).sigmoid().sum(), [w, b]);
console.log('gradcheck ok:', check.ok, 'max error', check.maxAbsError.toExponential(2));
// The graph in Graphviz DOT (render it with `tsgrad viz graph` or any Graphviz):
console.log(tg.toDot(y));
if (!check.ok) process.exit(1);
