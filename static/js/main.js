// Wiring: load the catalogue and the view (URL hash, /s/{id} link or the seed), build the editor,
// redraw the chart on every change (debounced), keep the URL in sync.
import { getCatalogue, getLink, postSeries } from './api.js';
import { draw, loadPlotly } from './chart.js';
import { h } from './dom.js';
import { initCompare } from './compare.js';
import { renderEditor } from './editor.js';
import { editHandlers } from './edits.js';
import { clearApiErrors, locToPath, revealFirstError, showApiErrors } from './errors.js';
import { focusKey, restoreFocus } from './focus.js';
import { announce as announceIn, wireHistory } from './history.js';
import { configureMetrics } from './metrics.js';
import { wireNav } from './nav.js';
import { initNotices } from './notices.js';
import { setupPanels } from './panels.js';
import * as store from './state.js';
import { wireToolbar } from './toolbar.js';
import { setZoom, windowFor, zoomed } from './zoom.js';

const DEBOUNCE_MS = 16; // one frame: a newer edit aborts the requests of an older one
const STALE = 'Showing the last valid chart: fix the highlighted field.';
const $ = (id) => document.getElementById(id);
const els = {};
let catalogue = [];
let edits = null; // the editor's edits into the store (edits.js)
let panels = null; // reading, summary, steps helper, presets... (panels.js)
let notices = null; // ignite ≠ torch stepping notes above the chart (notices.js)
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

function onEditorChange(path, value, opts = {}) {
  perf.editAt = perf.editAt ?? performance.now();
  edits.onChange(path, value, opts);
}

const announce = (text) => announceIn(els.status, text);

function renderAll(state) {
  const key = focusKey();
  renderVariants(state);
  renderEditor(els.editor, store.activeVariant(state).experiment, catalogue, onEditorChange,
    (path) => store.getIn(store.activeVariant().experiment, path), store.activeVariant(state).name);
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
  els.markers.checked = view.cycle_markers;
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
let lastRevision = null;
let lastShownErrors = '';

/** After a zoom or pan: fetch the visible window (null: every event) and redraw at once. */
function onZoom(range) {
  if (!setZoom(range, store.getState().view)) return;
  perf.zoomAt = performance.now();
  perf.dirty = true;
  clearTimeout(timer);
  timer = null;
  redraw();
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
  const anyError = outcomes.some((o) => o.error) || hasLocalError();
  els.chart.dataset.state = anyError ? 'stale' : 'ok';
  const results = state.variants.map((v) => {
    const good = lastGood.get(v.name);
    return { name: v.name, experiment: good ? good.experiment : v.experiment, data: good ? good.data : null };
  });
  await plotlyReady;
  await draw(els.chart, results, state.view);
  if (mine !== seq) return;
  const rev = els.chart.layout.uirevision;
  if (rev !== lastRevision && lastRevision !== null && zoomed()) {
    setZoom(null); // a new figure (layout, axes): Plotly shows every event again, so fetch them
    scheduleRedraw();
  }
  lastRevision = rev;
  panels.afterDraw(results, state.view);
  notices.update(results, state.view);
  if (perf.zoomAt) perf.lastZoomMs = performance.now() - perf.zoomAt;
  perf.zoomAt = null;
  perf.draws += 1;
  perf.dirty = timer !== null;
  if (perf.editAt !== null) perf.lastRedrawMs = performance.now() - perf.editAt;
  perf.editAt = null;
  if (perf.firstDrawMs === null) perf.firstDrawMs = performance.mark('se:first-draw').startTime;
  els.chart.dataset.draws = String(perf.draws);
  if (anyError) status(STALE);
  else if (els.status.textContent === STALE) status('');
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

/** A field shows a value the editor cannot take yet (a local error): the chart is stale. */
function hasLocalError() {
  return !!els.editor.querySelector('.field-error:not([hidden]):not([data-api])');
}

let plotlyReady;
let plotlyStart;

async function start() {
  for (const [key, id] of Object.entries({
    editor: 'editor', chart: 'chart', chartError: 'chart-error', status: 'status', variantTabs: 'variant-tabs',
    duplicate: 'duplicate-variant', removeVariant: 'remove-variant', layout: 'opt-layout', logY: 'opt-log',
    xAxis: 'opt-x', ipe: 'opt-ipe', markers: 'opt-markers', share: 'btn-share', shareOut: 'share-out',
    shareUrl: 'share-url', codeIgnite: 'btn-code-ignite', codeCore: 'btn-code-core', csv: 'btn-csv', png: 'btn-png',
    spe: 'opt-spe', steps: 'steps-helper', dataTableBox: 'data-table-box', dataTable: 'data-table', notice: 'notice',
    gallery: 'gallery', undo: 'btn-undo', redo: 'btn-redo', resolution: 'resolution', logAxes: 'opt-log-axes',
    summary: 'summary', summaryCsv: 'btn-summary-csv', pinForm: 'pin-form', pinEvent: 'pin-event', reading: 'reading', crosshair: 'crosshair',
    codeDialog: 'code-dialog', codeTitle: 'code-title', codeText: 'code-text', codeCopy: 'code-copy', codeClose: 'code-close',
  })) els[key] = $(id);
  // index.html preloads plotly.min.js, so Chromium parses it off the main thread while it
  // downloads. It runs once the editor is on screen: run first, its ~0.5 s on the main thread
  // would hold the editor (and the series request) back, and the first chart gains nothing.
  plotlyReady = new Promise((resolve) => { plotlyStart = resolve; })
    .then(() => loadPlotly())
    .then((P) => { perf.plotlyReadyMs = performance.mark('se:plotly-ready').startTime; return P; });
  const sharedLink = fetchSharedLink();
  const cat = await getCatalogue();
  catalogue = cat.types;
  store.configure(cat); // the server's limits, default view and example, before any state
  configureMetrics(cat.experiment_schema); // the metric curves' editor reads their schema
  const state = await initialState(sharedLink);
  wireViewControls();
  wireToolbar(els, status);
  edits = editHandlers(catalogue, announce);
  panels = setupPanels(els, { presets: cat.presets, applyLoop: edits.applyLoop, announce, status, onZoom });
  wireHistory(els.undo, els.redo, status);
  notices = initNotices(els.chart.parentElement, announce);
  els.editor.addEventListener('input', () => {
    if (hasLocalError()) { els.chart.dataset.state = 'stale'; status(STALE); }
  });
  store.subscribe((s, info) => {
    panels.onState(s, info);
    if (info.structural) renderAll(s);
    else if (info.source === 'view') syncViewControls(s.view);
    if (info.source === 'load') redraw();
    else if (info.source !== 'typed') scheduleRedraw(); // text kept as typed: nothing to draw
  });
  initCompare($('chart-panel')); // the B − A panel follows the store itself
  wireNav(); // the browser's history follows the views (Back/Forward)
  store.replace(state, 'load');
  perf.editorReadyMs = performance.mark('se:editor-ready').startTime;
  requestAnimationFrame(() => setTimeout(plotlyStart, 0));
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(scheduleRedraw, 200);
  });
}

start().catch((e) => {
  showGlobalError([`The dashboard could not start: ${e.message}`]);
});
