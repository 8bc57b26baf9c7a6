/**
 * The Filters tab's page side: choose a convolution of the digit model and one of its filters,
 * watch gradient ascent turn a grey image into what the filter responds to, with the filter's
 * mean activation step by step.
 */
import { drawImage, drawLines } from '../draw.js';
import type { FromWorker, ToWorker } from '../protocol.js';
import type { AscentMethod } from './ascent.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`filters: the page has no #${id}`);
  return el as T;
};

/** The convolution and filter shown first: one whose response rises steeply from grey. */
const DEFAULT_CONV = 1;

export interface FiltersView {
  onMessage(msg: FromWorker): void;
}

export function filtersView(send: (msg: ToWorker) => void): FiltersView {
  const layerSelect = $<HTMLSelectElement>('filter-layer');
  const index = $<HTMLInputElement>('filter-index');
  const run = $<HTMLButtonElement>('filter-run');
  const result = $('filter-result');
  const error = $('filter-error');
  let running = 0;
  let nextId = 1;
  run.disabled = true;

  const finish = () => {
    running = 0;
    run.textContent = 'Visualize';
  };

  const filtersOf = () => Number(layerSelect.selectedOptions[0]?.dataset.filters ?? 1);
  layerSelect.addEventListener('change', () => {
    index.max = String(filtersOf() - 1);
    if (Number(index.value) >= filtersOf()) index.value = '0';
  });

  run.addEventListener('click', () => {
    if (running) {
      send({ kind: 'ascend-stop' });
      result.dataset.state = 'stopped';
      finish();
      return;
    }
    const filter = Number(index.value);
    if (!(Number.isInteger(filter) && filter >= 0 && filter < filtersOf())) {
      error.textContent = `Choose a filter from 0 to ${filtersOf() - 1}.`;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    running = nextId++;
    run.textContent = 'Stop';
    result.textContent = '';
    result.dataset.state = 'running';
    send({
      kind: 'ascend',
      id: running,
      layer: Number(layerSelect.value),
      filter,
      method: $<HTMLSelectElement>('filter-method').value as AscentMethod,
      steps: Math.max(1, Math.min(1000, Math.round(Number($<HTMLInputElement>('filter-steps').value) || 100))),
      seed: 0,
    });
  });

  return {
    onMessage(msg) {
      if (msg.kind === 'model') {
        layerSelect.replaceChildren(
          ...msg.summary.convs.map(({ layer, filters }, i) => {
            const option = document.createElement('option');
            option.value = String(layer);
            option.dataset.filters = String(filters);
            option.textContent = `Convolution ${i + 1} (${filters} filters)`;
            return option;
          }),
        );
        layerSelect.selectedIndex = Math.min(DEFAULT_CONV, msg.summary.convs.length - 1);
        index.max = String(filtersOf() - 1);
        run.disabled = msg.summary.convs.length === 0;
      } else if (msg.kind === 'model-error') {
        error.textContent = `The digit model could not be loaded: ${msg.message}`;
        error.hidden = false;
      } else if (msg.kind === 'ascend-step' && msg.id === running) {
        drawImage($<HTMLCanvasElement>('filter-image'), msg.image, 28, 'auto');
        drawLines($<HTMLCanvasElement>('filter-trace'), [{ values: msg.trace, color: '#0877bd' }], { axes: true });
        const start = msg.trace[0];
        const now = msg.trace[msg.trace.length - 1];
        const ratio = start > 0 ? now / start : Infinity;
        $('filter-caption').textContent =
          `The input after ${msg.step} of ${msg.steps} steps (shown from its darkest to its brightest pixel)`;
        result.textContent =
          `Mean activation ${start.toFixed(4)} on the grey start, ${now.toFixed(4)} after ${msg.step} steps` +
          (start > 0 ? `: ${ratio.toFixed(1)}×.` : ' (the filter is silent on grey).');
        Object.assign(result.dataset, { start: String(start), end: String(now), ratio: String(ratio), step: String(msg.step) });
        if (msg.step >= msg.steps) {
          result.dataset.state = 'done';
          finish();
        }
      } else if (msg.kind === 'ascend-error' && msg.id === running) {
        error.textContent = msg.message;
        error.hidden = false;
        result.dataset.state = 'error';
        finish();
      }
    },
  };
}
