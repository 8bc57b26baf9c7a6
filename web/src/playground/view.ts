/**
 * The Playground tab's page side: the controls, which send a new configuration to the worker
 * (which rebuilds the data and the network), and the drawing of the frames the worker sends
 * back while it trains: the network's output over the plane, the points, the losses.
 */
import { context2d, drawLines, paintPixels } from '../draw.js';
import type { FromWorker, Points, ToWorker } from '../protocol.js';
import { DEFAULT_CONFIG, type PlaygroundConfig } from './config.js';
import { DATASETS, EXTENT, FEATURES, featureRows, gridPoints, makePoints, type DatasetName } from './data.js';

const ORANGE = [245, 147, 34] as const;
const LIGHT = [232, 234, 235] as const;
const BLUE = [8, 119, 189] as const;
const MAX_LAYERS = 6;
const MAX_UNITS = 8;
/** Loss samples kept for the chart; beyond, every other one is dropped. */
const MAX_HISTORY = 600;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: the page has no #${id}`);
  return el as T;
};

/** TensorFlow Playground's colours as 256 RGBA levels: orange (P(blue) = 0) through light grey to blue (1). */
const PALETTE = (() => {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let k = 0; k < 256; k++) {
    const t = (k / 255) * 2 - 1;
    const [a, b, u] = t < 0 ? [LIGHT, ORANGE, -t] : [LIGHT, BLUE, t];
    for (let c = 0; c < 3; c++) lut[4 * k + c] = a[c] + (b[c] - a[c]) * u;
    lut[4 * k + 3] = 255;
  }
  return lut;
})();

/** Writes the palette's colour for p in [0, 1] into pixel i. */
function setPixel(pixels: Uint8ClampedArray, i: number, p: number): void {
  const k = 4 * Math.round(255 * Math.min(1, Math.max(0, p)));
  pixels[4 * i] = PALETTE[k];
  pixels[4 * i + 1] = PALETTE[k + 1];
  pixels[4 * i + 2] = PALETTE[k + 2];
  pixels[4 * i + 3] = 255;
}

const css = (rgb: readonly number[]) => `rgb(${rgb.join(',')})`;
const [ORANGE_CSS, BLUE_CSS, LIGHT_CSS] = [css(ORANGE), css(BLUE), css(LIGHT)];

/**
 * Paints column `column` of a [side², columns] array onto a canvas, in the map's colours with 0
 * as the light middle and the largest |value| at full orange (negative) or blue.
 */
function paintColumn(canvas: HTMLCanvasElement, values: Float32Array, side: number, columns: number, column: number): void {
  let max = 1e-6;
  for (let i = 0; i < side * side; i++) max = Math.max(max, Math.abs(values[i * columns + column]));
  paintPixels(
    canvas,
    side,
    (pixels) => {
      for (let i = 0; i < side * side; i++) setPixel(pixels, i, 0.5 + (0.5 * values[i * columns + column]) / max);
    },
    true,
  );
}

/** Math.random as a RandomSource, for the data sets' thumbnails (which need no seed). */
const anyRandom = {
  random: Math.random,
  normal: () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random()),
};

export interface PlaygroundView {
  onMessage(msg: FromWorker): void;
  /** Sends the current configuration: call once the worker listens. */
  start(): void;
  pause(): void;
}

export function playgroundView(send: (msg: ToWorker) => void): PlaygroundView {
  const config: PlaygroundConfig = structuredClone(DEFAULT_CONFIG);
  let playing = false;
  let data: { train: Points; test: Points; grid: number; unitGrid: number } | null = null;
  let lastMap: Float32Array | null = null;
  let lastUnits: Float32Array[] = [];
  let painting = false;
  const history = { train: [] as number[], test: [] as number[] };

  const playButton = $<HTMLButtonElement>('pg-play');
  const mapCanvas = $<HTMLCanvasElement>('pg-map');
  const lossChart = $<HTMLCanvasElement>('pg-loss-chart');
  const showTest = $<HTMLInputElement>('pg-show-test');
  const discretize = $<HTMLInputElement>('pg-discretize');
  const error = $('pg-error');

  const setPlaying = (on: boolean) => {
    playing = on;
    playButton.textContent = on ? 'Pause' : 'Play';
    playButton.setAttribute('aria-pressed', String(on));
  };

  /** Any change of settings starts again from new weights, as in TensorFlow Playground. */
  const reset = () => {
    setPlaying(false);
    error.hidden = true;
    $('pg-graph-view').hidden = true;
    send({ kind: 'pg-config', config: structuredClone(config) });
  };

  const select = (id: string, apply: (value: string) => void) => {
    const el = $<HTMLSelectElement>(id);
    el.addEventListener('change', () => {
      apply(el.value);
      reset();
    });
  };
  select('pg-optimizer', (v) => (config.optimizer = v as PlaygroundConfig['optimizer']));
  select('pg-lr', (v) => (config.learningRate = Number(v)));
  select('pg-activation', (v) => (config.activation = v as PlaygroundConfig['activation']));
  select('pg-reg', (v) => (config.regularization = v as PlaygroundConfig['regularization']));
  select('pg-reg-rate', (v) => (config.regularizationRate = Number(v)));
  select('pg-dropout', (v) => (config.dropout = Number(v)));

  const slider = (id: string, show: (v: number) => string, apply: (v: number) => void) => {
    const el = $<HTMLInputElement>(id);
    const out = $(`${id}-value`);
    el.addEventListener('input', () => (out.textContent = show(Number(el.value))));
    el.addEventListener('change', () => {
      apply(Number(el.value));
      reset();
    });
  };
  slider(
    'pg-ratio',
    (v) => `${v}%`,
    (v) => (config.trainFraction = v / 100),
  );
  slider('pg-noise', String, (v) => (config.noise = v / 100));
  slider('pg-batch', String, (v) => (config.batchSize = v));

  // Data sets: a thumbnail of each, drawn here from a sample of its points.
  const datasets = $('pg-datasets');
  for (const name of DATASETS) {
    const button = document.createElement('button');
    button.className = 'dataset';
    button.dataset.name = name;
    button.setAttribute('role', 'radio');
    button.title = name;
    const thumb = document.createElement('canvas');
    thumb.width = thumb.height = 48;
    const ctx = context2d(thumb);
    const pts = makePoints(name, 160, 0, anyRandom);
    for (let i = 0; i < pts.label.length; i++) {
      ctx.fillStyle = pts.label[i] ? BLUE_CSS : ORANGE_CSS;
      ctx.fillRect(((pts.xy[2 * i] + EXTENT) / (2 * EXTENT)) * 48 - 1, ((EXTENT - pts.xy[2 * i + 1]) / (2 * EXTENT)) * 48 - 1, 2, 2);
    }
    const label = document.createElement('span');
    label.textContent = name;
    button.append(thumb, label);
    button.addEventListener('click', () => {
      config.dataset = name as DatasetName;
      markDataset();
      reset();
    });
    datasets.append(button);
  }
  const markDataset = () => {
    for (const b of datasets.querySelectorAll<HTMLElement>('.dataset'))
      b.setAttribute('aria-checked', String(b.dataset.name === config.dataset));
  };
  markDataset();
  $('pg-regenerate').addEventListener('click', () => {
    config.seed++;
    reset();
  });

  // Features, each with its picture over the plane; at least one stays on.
  const features = $('pg-features');
  const featureMaps = featureRows(gridPoints(20), FEATURES);
  FEATURES.forEach((name, column) => {
    const label = document.createElement('label');
    const thumb = document.createElement('canvas');
    thumb.width = thumb.height = 28;
    thumb.className = 'unit';
    paintColumn(thumb, featureMaps, 20, FEATURES.length, column);
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = name;
    box.checked = config.features.includes(name);
    box.addEventListener('change', () => {
      const on = FEATURES.filter((f) => (f === name ? box.checked : config.features.includes(f)));
      if (on.length === 0) {
        box.checked = true;
        return;
      }
      config.features = on;
      reset();
    });
    label.append(box, thumb, ` ${name.replace('^2', '²').replace('x1x2', 'x1·x2')}`);
    features.append(label);
  });

  // Hidden layers: one column of − n + per layer.
  const layers = $('pg-layers');
  const renderLayers = () => {
    layers.replaceChildren();
    config.hidden.forEach((units, i) => {
      const col = document.createElement('div');
      col.className = 'layer';
      const minus = document.createElement('button');
      minus.textContent = '−';
      minus.title = `Fewer units in hidden layer ${i + 1}`;
      minus.disabled = units <= 1;
      const plus = document.createElement('button');
      plus.textContent = '+';
      plus.title = `More units in hidden layer ${i + 1}`;
      plus.disabled = units >= MAX_UNITS;
      const count = document.createElement('span');
      count.textContent = `${units} unit${units === 1 ? '' : 's'}`;
      const dots = document.createElement('div');
      dots.className = 'units';
      for (let u = 0; u < units; u++) {
        const unit = document.createElement('canvas');
        unit.width = unit.height = 28;
        unit.className = 'unit';
        unit.title = `Hidden layer ${i + 1}, unit ${u + 1}: its output over the plane`;
        dots.append(unit);
      }
      const change = (d: number) => () => {
        config.hidden[i] = units + d;
        renderLayers();
        reset();
      };
      minus.addEventListener('click', change(-1));
      plus.addEventListener('click', change(1));
      col.append(minus, count, plus, dots);
      layers.append(col);
    });
    drawUnits();
    const n = config.hidden.length;
    $('pg-layer-count').textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
    $<HTMLButtonElement>('pg-add-layer').disabled = n >= MAX_LAYERS;
    $<HTMLButtonElement>('pg-remove-layer').disabled = n === 0;
  };
  $('pg-add-layer').addEventListener('click', () => {
    config.hidden.push(2);
    renderLayers();
    reset();
  });
  $('pg-remove-layer').addEventListener('click', () => {
    config.hidden.pop();
    renderLayers();
    reset();
  });
  renderLayers();

  playButton.addEventListener('click', () => {
    setPlaying(!playing);
    send({ kind: playing ? 'pg-play' : 'pg-pause' });
  });
  $('pg-step').addEventListener('click', () => {
    setPlaying(false);
    send({ kind: 'pg-step' });
  });
  $('pg-reset').addEventListener('click', reset);
  showTest.addEventListener('change', () => drawMap());
  discretize.addEventListener('change', () => drawMap());
  $('pg-graph').addEventListener('click', () => {
    const view = $('pg-graph-view');
    view.hidden = false;
    view.textContent = 'Laying out the graph with Graphviz…';
    send({ kind: 'pg-graph' });
  });

  /** Each hidden unit's output over the plane, into its square (once the layers match the frame's). */
  function drawUnits(): void {
    if (!data || lastUnits.length !== config.hidden.length) return;
    const side = data.unitGrid;
    layers.querySelectorAll('.layer').forEach((col, l) => {
      const units = lastUnits[l].length / (side * side);
      col.querySelectorAll('canvas').forEach((canvas, u) => {
        if (u < units) paintColumn(canvas, lastUnits[l], side, units, u);
      });
    });
  }

  function drawMap(): void {
    const ctx = context2d(mapCanvas);
    const { width, height } = mapCanvas;
    const map = lastMap;
    if (map && data) {
      const cut = discretize.checked;
      paintPixels(mapCanvas, data.grid, (pixels) => map.forEach((p, i) => setPixel(pixels, i, cut ? Number(p > 0.5) : p)), !cut);
    } else {
      ctx.fillStyle = LIGHT_CSS;
      ctx.fillRect(0, 0, width, height);
    }
    if (!data) return;
    // One path per colour: a few canvas calls per frame, not a few per point.
    const dots = (pts: Points, stroke: string) => {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      for (const [label, fill] of [
        [0, ORANGE_CSS],
        [1, BLUE_CSS],
      ] as const) {
        ctx.fillStyle = fill;
        ctx.beginPath();
        for (let i = 0; i < pts.label.length; i++) {
          if (pts.label[i] !== label) continue;
          const x = ((pts.xy[2 * i] + EXTENT) / (2 * EXTENT)) * width;
          const y = ((EXTENT - pts.xy[2 * i + 1]) / (2 * EXTENT)) * height;
          ctx.moveTo(x + 3.2, y);
          ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
        }
        ctx.fill();
        ctx.stroke();
      }
    };
    dots(data.train, 'white');
    if (showTest.checked) dots(data.test, 'black');
  }

  function onFrame(msg: Extract<FromWorker, { kind: 'pg-frame' }>): void {
    lastMap = msg.map;
    lastUnits = msg.units;
    $('pg-epoch').textContent = String(msg.epoch).padStart(6, '0');
    $('pg-test-loss').textContent = msg.testLoss.toFixed(3);
    $('pg-train-loss').textContent = msg.trainLoss.toFixed(3);
    history.train.push(msg.trainLoss);
    history.test.push(msg.testLoss);
    if (history.train.length > MAX_HISTORY) {
      history.train = history.train.filter((_, i) => i % 2 === 0);
      history.test = history.test.filter((_, i) => i % 2 === 0);
    }
    if (msg.msPerEpoch > 0) {
      const batches = Math.ceil((data?.train.label.length ?? 0) / config.batchSize);
      $('pg-speed').textContent = `${msg.msPerEpoch.toFixed(1)} ms per epoch (${batches} mini-batches)`;
    }
    // The canvases are painted once per display frame, with the latest values, however fast frames come.
    if (!painting) {
      painting = true;
      requestAnimationFrame(() => {
        painting = false;
        drawLines(lossChart, [
          { values: history.train, color: '#999' },
          { values: history.test, color: '#222' },
        ]);
        drawMap();
        drawUnits();
      });
    }
  }

  return {
    start: reset,
    pause() {
      if (!playing) return;
      setPlaying(false);
      send({ kind: 'pg-pause' });
    },
    onMessage(msg) {
      if (msg.kind === 'pg-data') {
        data = msg;
        lastMap = null;
        lastUnits = [];
        history.train = [];
        history.test = [];
        drawMap();
      } else if (msg.kind === 'pg-frame') {
        onFrame(msg);
      } else if (msg.kind === 'pg-graph') {
        const view = $('pg-graph-view');
        const svg = new DOMParser().parseFromString(msg.svg, 'image/svg+xml').documentElement;
        const caption = document.createElement('p');
        caption.className = 'hint';
        caption.textContent = `The graph of one mini-batch's loss that backward() walks: ${msg.nodes} nodes (parameters by their names).`;
        view.replaceChildren(caption, svg);
      } else if (msg.kind === 'pg-error') {
        setPlaying(false);
        error.textContent = msg.message;
        error.hidden = false;
      }
    },
  };
}
