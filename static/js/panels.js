// What sits around the chart and the editor: the reading (hover, pins), the resolution, the
// summary, the data table, the per-param log switches, the steps helper and the presets gallery.
import { postSeries } from './api.js';
import { crosshair, onChartEvents, paramNamesOf } from './chart.js';
import { h } from './dom.js';
import { renderGallery } from './gallery.js';
import { Reading, renderDataTable, renderSummary, resolutionText } from './reading.js';
import * as store from './state.js';
import { renderSteps } from './steps.js';
import { toEvent } from './zoom.js';

/**
 * Build the panels. `els`: the page's elements; `presets`: the catalogue's; `applyLoop(r)`: the
 * steps helper's numbers into the experiment; `announce(text)`, `status(text)`: reports;
 * `onZoom(range)`: the visible x range after a zoom or pan (null: autorange).
 * Returns {afterDraw(results, view), onState(state)}.
 */
export function setupPanels(els, { presets, applyLoop, announce, status, onZoom }) {
  let lastResults = [];
  let chartWired = false;
  const reading = new Reading(els.reading, {
    // max_points: the caps of a decimated reply (one event is drawn exactly either way)
    exactAt: (experiment, event) => postSeries(experiment, 4, undefined, { start: event, stop: event + 1 }),
    // decimation keeps a window's last point: each curve's last read at or before `event`
    lastReadAt: (experiment, event) => postSeries(experiment, 4, undefined, { start: 0, stop: event + 1 }),
    onChange: status,
  });
  const updateSteps = renderSteps(els.steps, applyLoop);
  // pinning from the keyboard: type an event number
  els.pinForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = Number(els.pinEvent.value);
    const n = Math.max(0, ...lastResults.map((r) => r.data?.num_events ?? 0));
    if (Number.isInteger(v) && v >= 0 && v < n) reading.pin(v);
    else status(`Pin: enter an event number from 0 to ${n - 1}.`);
  });
  renderGallery(els.gallery, presets, (p) => {
    const name = store.activeVariant().name;
    store.update((d) => { d.variants[d.view.active].experiment = structuredClone(p.experiment); }, { structural: true });
    announce(`Loaded preset ${p.name} into variant ${name}.`);
  });
  els.dataTableBox.addEventListener('toggle', () => {
    if (els.dataTableBox.open) renderDataTable(els.dataTable, lastResults);
    else els.dataTable.replaceChildren();
  });
  const onLogAxis = () => {
    const names = [...els.logAxes.querySelectorAll('input')].filter((b) => b.checked).map((b) => b.value);
    store.setView('log_axes', names.length ? names.join(',') : undefined);
  };
  els.spe.addEventListener('input', () => {
    const v = Number(els.spe.value);
    if (Number.isInteger(v) && v >= 1) store.setView('samples_per_event', v === 1 ? undefined : v);
  });

  /** One "log" checkbox per param drawn (each param has its own y-axis). */
  function renderLogAxes(params, view) {
    const on = new Set(String(view.log_axes || '').split(',').filter(Boolean));
    if (els.logAxes.dataset.params !== params.join(',')) {
      els.logAxes.dataset.params = params.join(',');
      els.logAxes.replaceChildren(...params.map((name) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', value: name, on: { change: onLogAxis } }), `log ${name}`)));
    }
    for (const box of els.logAxes.querySelectorAll('input')) {
      box.checked = on.has(box.value) || view.log_y;
      box.disabled = view.log_y;
    }
  }

  function afterDraw(results, view) {
    if (!chartWired) {
      chartWired = true;
      const eventAt = (x) => Math.round(toEvent(x, store.getState().view));
      onChartEvents(els.chart, {
        hover: (x) => { crosshair(els.chart, els.crosshair, x); reading.hover(x === null ? null : eventAt(x)); },
        click: (x) => reading.pin(eventAt(x)),
        zoom: onZoom,
      });
    }
    lastResults = results;
    reading.setResults(results);
    renderSummary(els.summary, results);
    if (els.dataTableBox.open) renderDataTable(els.dataTable, results);
    renderLogAxes(paramNamesOf(results), view);
    els.resolution.textContent = resolutionText(results[Math.min(view.active, results.length - 1)]?.data);
  }

  function onState(state, info) {
    if (info.source !== 'load') els.notice.hidden = true;
    const { view } = state;
    els.spe.value = String(view.samples_per_event || 1);
    els.spe.disabled = view.x_axis !== 'samples';
    if (els.logAxes.dataset.params) renderLogAxes(els.logAxes.dataset.params.split(','), view);
    updateSteps(store.activeVariant(state).experiment);
  }
  return { afterDraw, onState };
}
