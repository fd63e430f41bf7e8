// Wiring: load the catalogue and the view (URL hash, /s/{id} link or the seed), build the editor,
// redraw the chart on every change (debounced), keep the URL in sync.
import { getCatalogue, getLink, postSeries } from './api.js';
import { crosshair, draw, loadPlotly, onChartEvents, paramNamesOf, xPerEvent } from './chart.js';
import { h } from './dom.js';
import { renderEditor } from './editor.js';
import { clearApiErrors, locToPath, revealFirstError, showApiErrors } from './errors.js';
import { fillFollowers, followers, followNumEvents } from './follow.js';
import { focusKey, restoreFocus } from './focus.js';
import { renderGallery } from './gallery.js';
import { Reading, renderDataTable, renderSummary, resolutionText } from './reading.js';
import { renderSteps } from './steps.js';
import * as store from './state.js';
import { wireToolbar } from './toolbar.js';

const DEBOUNCE_MS = 16; // one frame: a newer edit aborts the requests of an older one
const STALE = 'Showing the last valid chart: fix the highlighted field.';
const $ = (id) => document.getElementById(id);
const els = {};
let catalogue = [];
let follow = {}; // {type: [fields following num_events]}
const lastGood = new Map(); // variant name -> {experiment, data}
const perf = { dirty: true, draws: 0, lastRedrawMs: null, editAt: null, firstDrawMs: null };
window.__scheduleExplorer = perf;

function status(text) {
  els.status.textContent = text;
}

function showGlobalError(messages) {
  els.chartError.replaceChildren(...messages.map((m) => h('p', { text: m })));
  els.chartError.hidden = messages.length === 0;
}

// ---- editor & view controls ----

/** Say what a destructive edit removed, with a button to undo it. */
function announce(text) {
  const undo = h('button', { type: 'button', class: 'small', text: 'Undo', on: { click: () => store.undo() } });
  els.status.replaceChildren(`${text} `, undo, ' (Ctrl+Z)');
}

/** A readable name of what an edit at `path` removes (value undefined). */
function removedWhat(path, exp) {
  if (path[0] === 'schedulers' && path.length === 2) return `scheduler ${path[1]} (${exp.schedulers[path[1]]?.type})`;
  if (path[0] === 'param_groups' && path.length === 3) return `${path[2]} of group ${path[1]}`;
  return path.join('.');
}

function onEditorChange(path, value, opts = {}) {
  perf.editAt = perf.editAt ?? performance.now();
  const exp = store.activeVariant().experiment;
  if (opts.removeGroup !== undefined) {
    const i = opts.removeGroup;
    const gone = (exp.schedulers || []).filter((sch) => sch?.param_group_index === i).length;
    store.removeGroup(i);
    return announce(`Removed group ${i} (${exp.param_groups[i]?.name})${gone ? ` and its ${gone} scheduler${gone > 1 ? 's' : ''}` : ''}.`);
  }
  if (path.length === 1 && path[0] === 'num_events') {
    const before = exp.num_events;
    const moved = structuredClone(exp.schedulers || []);
    followNumEvents({ schedulers: moved }, before, value, follow);
    if (JSON.stringify(moved) !== JSON.stringify(exp.schedulers || [])) {
      // horizons that followed num_events move with it (rebuild the editor to show them)
      return store.update((d) => {
        const e = d.variants[d.view.active].experiment;
        e.num_events = value;
        e.schedulers = moved;
      }, { structural: true });
    }
  }
  if (value && typeof value === 'object' && opts.structural) fillFollowers(value, exp.num_events, follow);
  store.setField(path, value, { structural: !!opts.structural });
  if (value === undefined && opts.structural) announce(`Removed ${removedWhat(path, exp)}.`);
}

function wireHistory() {
  els.undo.addEventListener('click', () => store.undo());
  els.redo.addEventListener('click', () => store.redo());
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const key = e.key.toLowerCase();
    const redo = (key === 'z' && e.shiftKey) || (key === 'y' && !e.shiftKey);
    if (key !== 'z' && !redo) return;
    e.preventDefault(); // the dashboard's history holds every edit, typed text included
    const done = redo ? store.redo() : store.undo();
    status(done ? (redo ? 'Redone.' : 'Undone.') : (redo ? 'Nothing to redo.' : 'Nothing to undo.'));
  });
}

function syncHistoryButtons() {
  els.undo.disabled = !store.canUndo();
  els.redo.disabled = !store.canRedo();
}

function renderAll(state) {
  const key = focusKey();
  renderVariants(state);
  renderEditor(els.editor, store.activeVariant(state).experiment, catalogue, onEditorChange,
    (path) => store.getIn(store.activeVariant().experiment, path));
  syncViewControls(state.view);
  restoreFocus(key);
}

function renderVariants(state) {
  const tabs = state.variants.map((v, i) => h('button', {
    type: 'button', class: 'variant-tab', text: `Variant ${v.name}`, 'aria-pressed': i === state.view.active ? 'true' : 'false',
    on: { click: () => store.setView('active', i) },
  }));
  els.variantTabs.replaceChildren(...tabs);
  els.removeVariant.disabled = state.variants.length <= 1;
  els.duplicate.disabled = state.variants.length >= store.limits().max_variants;
  els.removeVariant.textContent = `Remove variant ${store.activeVariant(state).name}`;
}

function syncViewControls(view) {
  els.layout.value = view.layout;
  els.logY.checked = view.log_y;
  els.xAxis.value = view.x_axis;
  els.ipe.value = String(view.iterations_per_epoch);
  els.ipe.disabled = view.x_axis !== 'epochs';
  els.spe.value = String(view.samples_per_event || 1);
  els.spe.disabled = view.x_axis !== 'samples';
  els.markers.checked = view.cycle_markers;
  if (els.logAxes.dataset.params) renderLogAxes(els.logAxes.dataset.params.split(','), view);
}

/** One "log" checkbox per param drawn (each param has its own y-axis). */
function renderLogAxes(params, view) {
  const on = new Set(String(view.log_axes || '').split(',').filter(Boolean));
  const key = params.join(',');
  if (els.logAxes.dataset.params !== key) {
    els.logAxes.dataset.params = key;
    els.logAxes.replaceChildren(...params.map((name) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: name, on: { change: onLogAxis } }), `log ${name}`)));
  }
  for (const box of els.logAxes.querySelectorAll('input')) box.checked = on.has(box.value) || view.log_y;
  for (const box of els.logAxes.querySelectorAll('input')) box.disabled = view.log_y;
}

function onLogAxis() {
  const names = [...els.logAxes.querySelectorAll('input')].filter((b) => b.checked).map((b) => b.value);
  store.setView('log_axes', names.length ? names.join(',') : undefined);
}

function wireViewControls() {
  els.layout.addEventListener('change', () => store.setView('layout', els.layout.value));
  els.logY.addEventListener('change', () => store.setView('log_y', els.logY.checked));
  els.xAxis.addEventListener('change', () => store.setView('x_axis', els.xAxis.value));
  els.markers.addEventListener('change', () => store.setView('cycle_markers', els.markers.checked));
  els.ipe.addEventListener('input', () => {
    const v = Number(els.ipe.value);
    if (Number.isInteger(v) && v >= 1) store.setView('iterations_per_epoch', v);
  });
  els.spe.addEventListener('input', () => {
    const v = Number(els.spe.value);
    if (Number.isInteger(v) && v >= 1) store.setView('samples_per_event', v === 1 ? undefined : v);
  });
  els.duplicate.addEventListener('click', () => store.duplicateVariant());
  els.removeVariant.addEventListener('click', () => {
    const name = store.activeVariant().name;
    store.removeVariant(store.getState().view.active);
    announce(`Removed variant ${name}.`);
  });
}

// ---- chart ----

let timer = null;
let seq = 0;
let controllers = [];
let zoom = null; // the visible event window {start, stop} after a zoom or pan, else null (all events)
let reading = null;
let chartWired = false;
let lastRevision = null;
let lastShownErrors = '';
let lastResults = [];
let updateSteps = () => {};

/** The window of a variant of `numEvents` events to fetch for the zoom (null: every event). */
function windowFor(numEvents) {
  if (!zoom || !Number.isInteger(numEvents)) return null;
  const stop = Math.min(zoom.stop, numEvents);
  const start = Math.min(zoom.start, stop - 1);
  return start <= 0 && stop >= numEvents ? null : { start: Math.max(0, start), stop };
}

/** x (events, epochs or samples) -> event. */
function toEvent(x, view) {
  return x / xPerEvent(view);
}

function onZoom(range) {
  const view = store.getState().view;
  const next = range === null ? null : {
    // one event beyond each edge, so the lines reach the edges of the plot
    start: Math.max(0, Math.floor(toEvent(range.x0, view)) - 1),
    stop: Math.ceil(toEvent(range.x1, view)) + 2,
  };
  if (JSON.stringify(next) === JSON.stringify(zoom)) return;
  zoom = next;
  perf.zoomAt = performance.now();
  perf.dirty = true;
  clearTimeout(timer);
  timer = null;
  redraw();
}

function wireChart() {
  if (chartWired) return;
  chartWired = true;
  const eventAt = (x) => Math.round(toEvent(x, store.getState().view));
  onChartEvents(els.chart, {
    hover: (x) => {
      crosshair(els.chart, els.crosshair, x);
      reading.hover(x === null ? null : eventAt(x));
    },
    click: (x) => reading.pin(eventAt(x)),
    zoom: onZoom,
  });
}

function scheduleRedraw() {
  perf.dirty = true;
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; redraw(); }, DEBOUNCE_MS);
}

async function redraw() {
  const state = store.getState();
  const mine = ++seq;
  for (const c of controllers) c.abort();
  controllers = state.variants.map(() => new AbortController());
  const wanted = Math.max(200, Math.min(8000, Math.round((els.chart.clientWidth || 800) * 2)));
  const maxPoints = Math.min(wanted, store.limits().max_points);
  // View-only changes (log scale, layout, ...) reuse the series already fetched for that experiment.
  const windows = state.variants.map((v) => windowFor(v.experiment?.num_events));
  const keys = state.variants.map((v, i) => `${maxPoints}:${JSON.stringify(windows[i])}:${JSON.stringify(v.experiment)}`);
  const outcomes = await Promise.all(state.variants.map((v, i) => {
    const known = lastGood.get(v.name);
    if (known && known.key === keys[i]) return { data: known.data };
    return postSeries(v.experiment, maxPoints, controllers[i].signal, windows[i], { summary: true })
      .then((data) => ({ data }), (error) => ({ error }));
  }));
  if (mine !== seq) return; // a newer edit is on its way
  const names = new Set(state.variants.map((v) => v.name));
  for (const name of lastGood.keys()) if (!names.has(name)) lastGood.delete(name);
  const unplaced = [];
  const activeName = store.activeVariant(state).name;
  clearApiErrors(els.editor);
  let shownErrors = '';
  outcomes.forEach((o, i) => {
    const v = state.variants[i];
    if (o.data) lastGood.set(v.name, { experiment: v.experiment, data: o.data, key: keys[i] });
    else if (o.error && o.error.name !== 'AbortError') {
      if (v.name === activeName && o.error.details?.length) {
        unplaced.push(...showApiErrors(els.editor, o.error.details, v.experiment));
        shownErrors = JSON.stringify(o.error.details);
      } else if (o.error.details?.length) {
        // another variant's errors name their field, so it can be found once that variant is shown
        for (const d of o.error.details) {
          const where = locToPath(d.loc, v.experiment).join('.');
          unplaced.push(`Variant ${v.name}: ${where ? `${where}: ` : ''}${d.msg}`);
        }
      } else unplaced.push(`Variant ${v.name}: ${o.error.message}`);
    }
  });
  showGlobalError(unplaced);
  if (shownErrors && shownErrors !== lastShownErrors) revealFirstError(els.editor);
  lastShownErrors = shownErrors;
  const anyError = outcomes.some((o) => o.error) || !!els.editor.querySelector('.field-error:not([hidden]):not([data-api])');
  els.chart.dataset.state = anyError ? 'stale' : 'ok';
  const results = state.variants.map((v) => {
    const good = lastGood.get(v.name);
    return { name: v.name, experiment: good ? good.experiment : v.experiment, data: good ? good.data : null };
  });
  await plotlyReady;
  await draw(els.chart, results, state.view);
  if (mine !== seq) return;
  wireChart();
  const rev = els.chart.layout.uirevision;
  if (rev !== lastRevision && lastRevision !== null && zoom !== null) {
    zoom = null; // a new figure (layout, axes): Plotly shows every event again, so fetch them
    scheduleRedraw();
  }
  lastRevision = rev;
  reading.setResults(results);
  renderSummary(els.summary, results);
  lastResults = results;
  if (els.dataTableBox.open) renderDataTable(els.dataTable, results);
  renderLogAxes(paramNamesOf(results), state.view);
  const shown = results[Math.min(state.view.active, results.length - 1)];
  els.resolution.textContent = resolutionText(shown?.data);
  if (perf.zoomAt !== undefined && perf.zoomAt !== null) {
    perf.lastZoomMs = performance.now() - perf.zoomAt;
    perf.zoomAt = null;
  }
  perf.draws += 1;
  perf.dirty = timer !== null;
  if (perf.editAt !== null) perf.lastRedrawMs = performance.now() - perf.editAt;
  perf.editAt = null;
  if (perf.firstDrawMs === null) perf.firstDrawMs = performance.now();
  els.chart.dataset.draws = String(perf.draws);
  if (anyError) status(STALE);
  else if (els.status.textContent === STALE) status('');
}

// ---- URL ----

let urlTimer = null;
function syncUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const hash = store.encodeHash();
    if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
  }, 150);
}

// ---- start ----

/** The document of the /s/{id} link being shown (fetched with the catalogue), or null. */
function fetchSharedLink() {
  const m = /^\/s\/([^/]+)\/?$/.exec(window.location.pathname);
  return m ? getLink(decodeURIComponent(m[1])).catch((e) => e) : Promise.resolve(null);
}

/** The first state: the URL hash, else the shared link, else the example (store configured). */
async function initialState(sharedLink) {
  let damaged = false;
  try {
    const fromHash = store.decodeHash(window.location.hash);
    if (fromHash) return fromHash;
  } catch {
    damaged = true;
  }
  const doc = await sharedLink;
  const damage = 'The view in the address (its #s= part) is damaged and could not be read';
  if (doc) {
    try {
      if (doc instanceof Error) throw doc;
      const state = store.fromDocument(doc);
      if (damaged) showNotice(`${damage}: showing the shared link instead.`);
      return state;
    } catch (e) {
      showNotice(`${damaged ? `${damage}, and the` : 'The'} shared link was not found or is unreadable (${e.message}): showing the example instead.`);
      return store.initialState();
    }
  }
  if (damaged) showNotice(`${damage}: showing the example instead.`);
  return store.initialState();
}

/** A message about what the page is showing, kept until the user's first edit. */
function showNotice(text) {
  els.notice.textContent = text;
  els.notice.hidden = false;
}

let plotlyReady;
let plotlyStart;

async function start() {
  for (const [key, id] of Object.entries({
    editor: 'editor', chart: 'chart', chartError: 'chart-error', status: 'status', variantTabs: 'variant-tabs',
    duplicate: 'duplicate-variant', removeVariant: 'remove-variant', layout: 'opt-layout', logY: 'opt-log',
    xAxis: 'opt-x', ipe: 'opt-ipe', spe: 'opt-spe', steps: 'steps-helper', markers: 'opt-markers', share: 'btn-share', shareOut: 'share-out',
    shareUrl: 'share-url', codeIgnite: 'btn-code-ignite', codeCore: 'btn-code-core', csv: 'btn-csv', png: 'btn-png',
    dataTableBox: 'data-table-box', dataTable: 'data-table', notice: 'notice', gallery: 'gallery', undo: 'btn-undo', redo: 'btn-redo', resolution: 'resolution', logAxes: 'opt-log-axes', summary: 'summary', summaryCsv: 'btn-summary-csv', reading: 'reading', crosshair: 'crosshair',
    codeDialog: 'code-dialog', codeTitle: 'code-title', codeText: 'code-text', codeCopy: 'code-copy', codeClose: 'code-close',
  })) els[key] = $(id);
  // index.html preloads plotly.min.js; it is executed only once the editor is on screen, so the
  // forms are usable while the 4.8 MB bundle compiles.
  plotlyReady = new Promise((resolve) => { plotlyStart = resolve; })
    .then(() => loadPlotly())
    .then((P) => { perf.plotlyReadyMs = performance.now(); return P; });
  const sharedLink = fetchSharedLink();
  const cat = await getCatalogue();
  catalogue = cat.types;
  follow = followers(catalogue);
  store.configure(cat); // the server's limits, default view and example, before any state
  const state = await initialState(sharedLink);
  wireViewControls();
  wireToolbar(els, status);
  updateSteps = renderSteps(els.steps, (r) => {
    store.update((d) => {
      const exp = d.variants[d.view.active].experiment;
      followNumEvents(exp, exp.num_events, r.numEvents, follow);
      exp.num_events = r.numEvents;
      d.view.iterations_per_epoch = r.perEpoch;
      d.view.samples_per_event = r.samplesPerEvent > 1 ? r.samplesPerEvent : undefined;
      d.view.x_axis = 'epochs';
    }, { structural: true });
    announce(`num_events is now ${r.numEvents} (${r.perEpoch} events per epoch); the x axis is in epochs.`);
  });
  renderGallery(els.gallery, cat.presets, (p) => {
    const name = store.activeVariant().name;
    store.update((d) => { d.variants[d.view.active].experiment = structuredClone(p.experiment); }, { structural: true });
    announce(`Loaded preset ${p.name} into variant ${name}.`);
  });
  reading = new Reading(els.reading, {
    // max_points: the caps of a decimated reply (one event is drawn exactly either way)
    exactAt: (experiment, event) => postSeries(experiment, 4, undefined, { start: event, stop: event + 1 }),
    onChange: status,
  });
  wireHistory();
  els.dataTableBox.addEventListener('toggle', () => {
    if (els.dataTableBox.open) renderDataTable(els.dataTable, lastResults);
    else els.dataTable.replaceChildren();
  });
  // a value the editor cannot take yet (local error): the chart is stale until it is fixed
  els.editor.addEventListener('input', () => {
    if (!els.editor.querySelector('.field-error:not([hidden]):not([data-api])')) return;
    els.chart.dataset.state = 'stale';
    status(STALE);
  });
  store.subscribe((s, info) => {
    syncHistoryButtons();
    if (info.source !== 'load') els.notice.hidden = true;
    if (info.structural) renderAll(s);
    else if (info.source === 'view') syncViewControls(s.view);
    updateSteps(store.activeVariant(s).experiment);
    syncUrl();
    if (info.source === 'load') redraw();
    else scheduleRedraw();
  });
  store.replace(state, 'load');
  perf.editorReadyMs = performance.now();
  requestAnimationFrame(() => setTimeout(plotlyStart, 0));
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(scheduleRedraw, 200);
  });
  window.addEventListener('hashchange', () => {
    try {
      const s = store.decodeHash(window.location.hash);
      if (s && window.location.hash !== store.encodeHash()) store.replace(s, 'url');
    } catch { /* ignore a damaged hash */ }
  });
}

start().catch((e) => {
  showGlobalError([`The dashboard could not start: ${e.message}`]);
});
