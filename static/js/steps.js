// The steps helper: num_events from a training loop's shape, and warnings where a horizon looks
// like an epoch count, or a cycle does not line up with epochs.
//
//   iterations per epoch = ceil(dataset size / batch size), floor(...) with drop_last
//   events per epoch     = max(1, floor(iterations per epoch / gradient accumulation steps))
//   num_events           = epochs x events per epoch;   samples per event = batch size x accumulation
// (an event is one optimizer step: the scheduler steps once per optimizer step).
import { h } from './dom.js';

/** The numbers of a loop: {iterations, perEpoch, numEvents, samplesPerEvent} or {error}. */
export function loopNumbers({ epochs, iterations, dataset, batch, dropLast, accumulation }) {
  const pos = (v) => Number.isInteger(v) && v >= 1;
  if (!pos(epochs)) return { error: 'epochs: enter a whole number of at least 1' };
  if (!pos(accumulation)) return { error: 'gradient accumulation: enter a whole number of at least 1' };
  let iters = iterations;
  if (!pos(iters)) {
    if (!pos(dataset) || !pos(batch)) return { error: 'enter iterations per epoch, or dataset size and batch size' };
    iters = dropLast ? Math.floor(dataset / batch) : Math.ceil(dataset / batch);
    if (iters < 1) return { error: 'drop_last with a batch larger than the dataset leaves no iteration' };
  }
  const perEpoch = Math.max(1, Math.floor(iters / accumulation));
  return { iterations: iters, perEpoch, numEvents: epochs * perEpoch, samplesPerEvent: pos(batch) ? batch * accumulation : null };
}

const HORIZONS = ['T_max', 'total_steps', 'total_iters', 'cycle_size', 'step_size', 'T_0', 'step_size_up', 'warmup_duration'];
const CYCLES = ['cycle_size', 'T_0', 'step_size'];

/** Warnings about `experiment` for a loop of `epochs` epochs of `perEpoch` events. */
export function stepWarnings(experiment, epochs, perEpoch) {
  const out = [];
  if (!(perEpoch > 1)) return out;
  const visit = (value, path) => {
    if (Array.isArray(value)) { value.forEach((v, i) => visit(v, [...path, i])); return; }
    if (!value || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      const at = [...path, k].join('.');
      if (HORIZONS.includes(k) && v === epochs) {
        out.push(`${at} = ${v} is the number of epochs, but the scheduler steps every event: ${v} epochs are ${v * perEpoch} events.`);
      } else if (CYCLES.includes(k) && Number.isInteger(v) && v > 1 && v % perEpoch !== 0 && perEpoch % v !== 0) {
        out.push(`${at} = ${v} does not line up with epochs of ${perEpoch} events (${(v / perEpoch).toFixed(2)} epochs).`);
      }
      if (v && typeof v === 'object') visit(v, [...path, k]);
    }
  };
  visit(experiment.schedulers || [], ['schedulers']);
  if (Number.isInteger(experiment.num_events) && experiment.num_events === epochs) {
    out.unshift(`num_events = ${epochs} is the number of epochs: ${epochs} epochs are ${epochs * perEpoch} events.`);
  }
  return out;
}

/**
 * Build the helper in `el`. `apply({numEvents, perEpoch, samplesPerEvent})` makes the experiment
 * follow the loop. Returns `update(experiment)`, to call when the experiment changes.
 */
export function renderSteps(el, apply) {
  const num = (id, label, value = '') => {
    const input = h('input', { id, type: 'text', inputmode: 'numeric', autocomplete: 'off', value, size: 8 });
    return [input, h('label', { class: 'steps-field' }, `${label} `, input)];
  };
  const [epochs, epochsF] = num('steps-epochs', 'epochs', '10');
  const [iterations, iterationsF] = num('steps-iterations', 'iterations per epoch');
  const [dataset, datasetF] = num('steps-dataset', 'or dataset size', '50000');
  const [batch, batchF] = num('steps-batch', 'batch size', '128');
  const dropLast = h('input', { id: 'steps-drop-last', type: 'checkbox' });
  const [accumulation, accumulationF] = num('steps-accumulation', 'gradient accumulation steps', '1');
  const result = h('p', { id: 'steps-result', class: 'steps-result', role: 'status' });
  const warnings = h('ul', { id: 'steps-warnings', class: 'steps-warnings' });
  const use = h('button', { type: 'button', id: 'steps-apply', class: 'small', text: 'Use these numbers' });
  let experiment = null;
  const read = () => {
    const int = (input) => (input.value.trim() === '' ? null : Number(input.value));
    return loopNumbers({ epochs: int(epochs), iterations: int(iterations), dataset: int(dataset), batch: int(batch),
      dropLast: dropLast.checked, accumulation: int(accumulation) });
  };
  const refresh = () => {
    const r = read();
    use.disabled = !!r.error;
    if (r.error) result.textContent = r.error;
    else {
      result.textContent = `${r.iterations} iterations per epoch → ${r.perEpoch} events (optimizer steps) per epoch`
        + ` → num_events = ${r.numEvents}${r.samplesPerEvent ? `; ${r.samplesPerEvent} samples per event` : ''}.`;
    }
    const list = r.error || !experiment ? [] : stepWarnings(experiment, Number(epochs.value), r.perEpoch);
    warnings.replaceChildren(...list.map((w) => h('li', { text: w })));
  };
  use.addEventListener('click', () => { const r = read(); if (!r.error) apply(r); });
  for (const input of [epochs, iterations, dataset, batch, accumulation]) input.addEventListener('input', refresh);
  dropLast.addEventListener('change', refresh);
  el.replaceChildren(
    h('div', { class: 'steps-grid' }, epochsF, iterationsF, datasetF, batchF,
      h('label', { class: 'steps-field check' }, dropLast, ' drop_last'), accumulationF),
    result, use, warnings);
  return (exp) => { experiment = exp; refresh(); };
}
