import { trainDetect, trainLocalize, trainSegment, trainSuperres, type VisionTaskOptions } from '../apps/vision.js';
import { flagSpec, intFlag, numberFlag, outDirFlag } from './flags.js';
import { emit, type CliTask, type CliValues } from './task.js';

const FLAGS = flagSpec(['epochs', 'train-size', 'test-size', 'batch-size', 'lr', 'seed', 'out'], ['json']);
const USAGE = '[--epochs N] [--train-size N] [--test-size N] [--batch-size N] [--lr X] [--seed N] [--out dir] [--json]';

/** The options every image task takes, checked before any data is made. */
function taskOptions(values: CliValues): VisionTaskOptions & { json: boolean } {
  const json = values.json === true;
  return {
    epochs: intFlag(values, 'epochs'),
    trainSize: intFlag(values, 'train-size'),
    testSize: intFlag(values, 'test-size'),
    batchSize: intFlag(values, 'batch-size'),
    lr: numberFlag(values, 'lr', { above: 0 }),
    seed: intFlag(values, 'seed', 0),
    out: outDirFlag(values),
    stream: json ? process.stderr : process.stdout,
    json,
  };
}

/** Drops the options left undefined, so that each trainer's defaults apply. */
function defined(o: VisionTaskOptions & { json: boolean }): VisionTaskOptions {
  const { json: _json, ...rest } = o;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as VisionTaskOptions;
}

function task(
  name: string,
  summary: string,
  train: (o: VisionTaskOptions) => Promise<object>,
  line: (r: Record<string, number>) => string,
): CliTask {
  return {
    name,
    summary,
    usage: `tsgrad train ${name} ${USAGE}`,
    options: FLAGS,
    async run(values) {
      const o = taskOptions(values);
      const result = (await train(defined(o))) as Record<string, number> & { files: string[] };
      emit(result, o.json, () => {
        const w = (s: string): boolean => (o.json ? process.stderr : process.stdout).write(s + '\n');
        w(`${line(result)} (${result.testSize} held-out examples; ${result.seconds.toFixed(0)} s of training)`);
        if (result.files.length) w(`pictures and report: ${result.files.join(', ')}`);
      });
      return result;
    },
  };
}

export const localizeTask = task(
  'localize',
  'localisation on 64×64 canvases of MNIST digits: a class and a box per canvas (box IoU, class accuracy)',
  trainLocalize,
  (r) => `mean box IoU ${r.boxIoU.toFixed(3)}, class accuracy ${(100 * r.accuracy).toFixed(2)}%`,
);
export const detectTask = task(
  'detect',
  'detection of up to three MNIST digits per 64×64 canvas on an 8×8 grid, as the first YOLO (mAP@0.5)',
  trainDetect,
  (r) => `mAP@0.5 ${r.mAP50.toFixed(3)}`,
);
export const segmentTask = task(
  'segment',
  'semantic segmentation of MNIST digits on 48×48 canvases by a small U-Net (mean IoU over 11 classes)',
  trainSegment,
  (r) => `mean IoU ${r.meanIoU.toFixed(3)} over 11 classes, pixel accuracy ${(100 * r.pixelAccuracy).toFixed(2)}%`,
);
export const superresTask = task(
  'superres',
  'super-resolution of MNIST digits, 14×14 -> 28×28, by sub-pixel convolution against bicubic (PSNR)',
  trainSuperres,
  (r) =>
    `PSNR ${r.psnr.toFixed(2)} dB (bicubic ${r.psnrBicubic.toFixed(2)} dB), SSIM ${r.ssim.toFixed(3)} (bicubic ${r.ssimBicubic.toFixed(3)})`,
);
