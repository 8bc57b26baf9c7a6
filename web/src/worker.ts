/**
 * The page's one module Worker: everything that runs the library. The API is synchronous, so
 * training here keeps the page's main thread free to draw; the wasm kernels load here (a
 * document may not make their synchronous request), on all cores when the page is
 * cross-origin isolated. Long jobs run in slices and return to the event loop between them,
 * so that Pause, a new drawing or a new filter are heard at once.
 */
import * as tg from 'tsgrad/browser';
import { FilterAscent } from './filters/ascent.js';
import { loadDigitModel } from './digits/model.js';
import { GRID, PlaygroundTrainer, UNIT_GRID } from './playground/trainer.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** The part of a DedicatedWorkerGlobalScope used here (the project's types are the DOM's). */
const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Milliseconds of training between two frames sent to the page. */
const SLICE_MS = 40;

let trainer: PlaygroundTrainer | null = null;
let playing = false;
let looping = false;

let digitModel: Promise<tg.nn.Sequential> | null = null;
let ascentId = 0;

function sendFrame(msPerEpoch = 0): void {
  if (!trainer) return;
  const { train, test } = trainer.losses();
  const map = trainer.decisionMap();
  const units = trainer.unitMaps();
  const frame = { kind: 'pg-frame', epoch: trainer.epoch, trainLoss: train, testLoss: test, map, units, msPerEpoch } as const;
  post(frame, [map.buffer, ...units.map((u) => u.buffer)]);
}

/** Trains while playing, one slice per turn of the event loop. */
async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  try {
    while (playing && trainer) {
      const t0 = performance.now();
      const e0 = trainer.epoch;
      do trainer.step();
      while (performance.now() - t0 < SLICE_MS);
      sendFrame((performance.now() - t0) / (trainer.epoch - e0));
      await nextTurn();
    }
  } catch (e) {
    playing = false;
    post({ kind: 'pg-error', message: `training failed: ${messageOf(e)}` });
  } finally {
    looping = false;
  }
}

function classify(id: number, pixels: Float32Array, width: number, height: number): void {
  const start = performance.now();
  if (!digitModel) return post({ kind: 'digits-error', id, message: 'no model is loaded' });
  void digitModel.then(
    (model) => {
      // Made into an MNIST digit as MNIST's were (20 × 20 box, centre of mass at the centre).
      const input = tg.mnistDigit(tg.tensor(pixels, { shape: [height, width] })).data() as Float32Array;
      const x = tg.tensor(input, { shape: [1, 1, 28, 28] });
      const probs = Array.from(tg.noGrad(() => model.forward(x).softmax(1)).data());
      const top = probs.indexOf(Math.max(...probs));
      // Saliency (Simonyan et al. 2014): how much each pixel moves the winning class's score.
      const saliency = tg.saliency(model, x, top).map.data() as Float32Array;
      post({ kind: 'classified', id, input, probs, saliency, ms: performance.now() - start }, [input.buffer, saliency.buffer]);
    },
    (e) => post({ kind: 'digits-error', id, message: messageOf(e) }),
  );
}

async function ascend(msg: Extract<ToWorker, { kind: 'ascend' }>): Promise<void> {
  const id = (ascentId = msg.id);
  try {
    if (!digitModel) throw new Error('no model is loaded');
    const model = await digitModel;
    const ascent = new FilterAscent(model, msg);
    const send = () => {
      const image = ascent.image.slice();
      post({ kind: 'ascend-step', id, step: ascent.step, steps: msg.steps, image, trace: ascent.trace.slice() }, [image.buffer]);
    };
    send();
    while (!ascent.done && id === ascentId) {
      // A few steps per frame: fast enough to finish in a second or two, slow enough to watch.
      const t0 = performance.now();
      do ascent.advance();
      while (!ascent.done && performance.now() - t0 < 16);
      send();
      await nextTurn();
    }
  } catch (e) {
    post({ kind: 'ascend-error', id, message: messageOf(e) });
  }
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.kind) {
    case 'pg-config':
      playing = false;
      try {
        trainer = new PlaygroundTrainer(msg.config);
      } catch (e) {
        trainer = null;
        post({ kind: 'pg-error', message: messageOf(e) });
        return;
      }
      post({
        kind: 'pg-data',
        train: { xy: trainer.train.xy, label: trainer.train.label },
        test: { xy: trainer.test.xy, label: trainer.test.label },
        grid: GRID,
        unitGrid: UNIT_GRID,
      });
      sendFrame();
      return;
    case 'pg-play':
      playing = trainer !== null;
      return loop();
    case 'pg-pause':
      playing = false;
      return sendFrame();
    case 'pg-step':
      playing = false;
      trainer?.step();
      return sendFrame();
    case 'pg-graph': {
      if (!trainer) return;
      const dot = trainer.graphDot();
      // Graphviz (WebAssembly) is imported on first use: the page does not load it otherwise.
      const svg = await tg.dotToSvg(dot);
      // One node per line with a label; edges have none.
      post({ kind: 'pg-graph', svg, nodes: (dot.match(/\[label=/g) ?? []).length });
      return;
    }
    case 'load-model':
      digitModel = loadDigitModel(msg.url).then(({ model, summary }) => {
        post({ kind: 'model', summary });
        return model;
      });
      digitModel.catch((e) => post({ kind: 'model-error', message: messageOf(e) }));
      return;
    case 'classify':
      return classify(msg.id, msg.pixels, msg.width, msg.height);
    case 'ascend':
      return ascend(msg);
    case 'ascend-stop':
      ascentId = -1;
      return;
  }
}

// The kernel threads are Workers too, started only once this thread returns to its event loop:
// every message waits for them (messages keep their order, as each waits for the same promise).
const started = tg.ready().then(
  () =>
    post({
      kind: 'ready',
      backend: tg.getBackend(),
      threads: tg.getNumThreads(),
      isolated: crossOriginIsolated,
      wasmError: tg.wasmLoadError(),
    }),
  (e) => post({ kind: 'error', message: `the wasm kernel threads did not start: ${messageOf(e)}` }),
);

scope.onmessage = (e) => {
  void started.then(() => handle(e.data)).catch((err) => post({ kind: 'error', message: `${e.data.kind}: ${messageOf(err)}` }));
};
