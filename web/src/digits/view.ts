/**
 * The Digits tab's page side: a drawing pad (pointer events: mouse, pen or finger), the
 * network's probabilities for the ten classes, the 28 × 28 image it saw and the saliency of
 * its answer. The worker classifies; the page sends the drawing while it is drawn (at most one
 * request in flight) and once more when the stroke ends.
 */
import { context2d, drawImage, heat } from '../draw.js';
import type { FromWorker, ModelSummary, ToWorker } from '../protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`digits: the page has no #${id}`);
  return el as T;
};

export interface DigitsView {
  onMessage(msg: FromWorker): void;
}

export function digitsView(send: (msg: ToWorker, transfer?: Transferable[]) => void): DigitsView {
  const pad = $<HTMLCanvasElement>('digit-pad');
  const ctx = context2d(pad);
  const bars = $('digit-bars');
  let drawing = false;
  let last: { x: number; y: number } | null = null;
  let inFlight = false;
  let pending = false;
  let nextId = 1;
  /** The latest request: replies to older ones are dropped. */
  let latest = 0;
  let ready = false;

  const clear = () => {
    ctx.fillStyle = 'black';
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  clear();

  const rows = Array.from({ length: 10 }, (_, k) => {
    const row = document.createElement('div');
    row.className = 'bar';
    row.dataset.class = String(k);
    const label = document.createElement('span');
    label.textContent = String(k);
    const track = document.createElement('span');
    track.className = 'track';
    const fill = document.createElement('span');
    fill.className = 'fill';
    track.append(fill);
    const value = document.createElement('output');
    row.append(label, track, value);
    bars.append(row);
    return { row, fill, value };
  });

  const showResult = (top: string, confidence: string, probs: number[] | null) => {
    $('digit-top').textContent = top;
    $('digit-confidence').textContent = confidence;
    rows.forEach(({ row, fill, value }, k) => {
      const p = probs?.[k] ?? 0;
      fill.style.width = `${(100 * p).toFixed(1)}%`;
      value.textContent = probs ? `${(100 * p).toFixed(1)}%` : '';
      row.classList.toggle('top', probs !== null && p === Math.max(...probs));
    });
  };

  /** Sends the drawing unless a request is in flight; then it is sent when the reply comes. */
  const classify = () => {
    if (!ready) return;
    if (inFlight) {
      pending = true;
      return;
    }
    const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
    const pixels = new Float32Array(pad.width * pad.height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = data[4 * i] / 255;
    inFlight = true;
    pending = false;
    pad.dataset.state = 'busy';
    latest = nextId++;
    send({ kind: 'classify', id: latest, pixels, width: pad.width, height: pad.height }, [pixels.buffer]);
  };

  const point = (e: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
  };
  const stroke = (to: { x: number; y: number }) => {
    ctx.strokeStyle = 'white';
    ctx.lineWidth = 20;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo((last ?? to).x, (last ?? to).y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    last = to;
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    last = null;
    pad.setPointerCapture(e.pointerId);
    stroke(point(e));
    classify();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    stroke(point(e));
    classify();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    classify();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('digit-clear').addEventListener('click', () => {
    clear();
    latest = nextId++;
    showResult('–', '', null);
    context2d($<HTMLCanvasElement>('digit-input')).clearRect(0, 0, 112, 112);
    context2d($<HTMLCanvasElement>('digit-saliency')).clearRect(0, 0, 112, 112);
  });

  const showModel = (s: ModelSummary) => {
    $('model-info').textContent = `Model: ${s.layers.join(' → ')}; ${s.parameters.toLocaleString('en')} parameters, from ${s.url}`;
    const box = $('digit-filters');
    box.replaceChildren();
    if (!s.firstFilters) return;
    const { count, side, weights } = s.firstFilters;
    // One shared scale, symmetric about 0, so that filters compare: dark negative, light positive.
    let m = 0;
    for (const v of weights) m = Math.max(m, Math.abs(v));
    for (let f = 0; f < count; f++) {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 36;
      canvas.title = `filter ${f}`;
      drawImage(canvas, weights.subarray(f * side * side, (f + 1) * side * side), side, [-m, m]);
      box.append(canvas);
    }
    box.dataset.count = String(count);
  };

  return {
    onMessage(msg) {
      if (msg.kind === 'model') {
        ready = true;
        showModel(msg.summary);
      } else if (msg.kind === 'model-error') {
        $('model-info').textContent = 'No model: drawing is off.';
        const error = $('model-error');
        error.textContent = `The digit model could not be loaded: ${msg.message}`;
        error.hidden = false;
        pad.classList.add('disabled');
      } else if (msg.kind === 'classified' || msg.kind === 'digits-error') {
        inFlight = false;
        if (msg.id === latest) {
          if (msg.kind === 'classified') {
            const top = msg.probs.indexOf(Math.max(...msg.probs));
            const empty = msg.input.every((v) => v === 0);
            const confidence = `(${(100 * msg.probs[top]).toFixed(1)}%, ${msg.ms.toFixed(0)} ms in the worker)`;
            showResult(empty ? '–' : String(top), empty ? '' : confidence, empty ? null : msg.probs);
            $('digit-top').dataset.class = empty ? '' : String(top);
            drawImage($<HTMLCanvasElement>('digit-input'), msg.input, 28);
            drawImage($<HTMLCanvasElement>('digit-saliency'), msg.saliency, 28, 'auto', heat);
          } else {
            showResult('?', msg.message, null);
          }
        }
        if (pending) classify();
        // 'idle': the result shown is that of the drawing as it is now.
        else pad.dataset.state = 'idle';
      }
    },
  };
}
