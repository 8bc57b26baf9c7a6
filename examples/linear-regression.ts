// "Consider 4 genes": multiple linear regression by gradient descent, against the closed form.
import * as tg from 'tsgrad';

const data = tg.syntheticGenes({ n: 300, noise: 0.1, seed: 11 });
const result = tg.fitGenes(data, { epochs: 300, onEpoch: (e, loss) => console.log(`epoch ${e}  mse ${loss.toFixed(5)}`) });
console.log(
  'gradient descent:',
  result.coefficients.map((c) => c.toFixed(3)),
  'intercept',
  result.intercept.toFixed(3),
);
console.log(
  'closed form:     ',
  result.closedFormCoefficients.map((c) => c.toFixed(3)),
  'intercept',
  result.closedFormIntercept.toFixed(3),
);
console.log('R² =', result.r2.toFixed(4));
