// The only code touching Plotly: results + view options -> one whole figure -> Plotly.react.
import { plotlyText } from './dom.js';
import { noticeMarkers } from './notices.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash'];

/** x units per event: 1 (events), 1 / iterations_per_epoch (epochs) or samples_per_event (samples). */
export function xPerEvent(view) {
  if (view.x_axis === 'epochs') return 1 / (view.iterations_per_epoch || 1);
  if (view.x_axis === 'samples') return view.samples_per_event || 1;
  return 1;
}

function xValues(series, numEvents, view) {
  const events = series.events || Array.from({ length: series.values.length }, (_, i) => i);
  if (view.x_axis === 'epochs') { const ipe = view.iterations_per_epoch || 1; return events.map((e) => e / ipe); }
  if (view.x_axis === 'samples') { const spe = view.samples_per_event || 1; return events.map((e) => e * spe); }
  return events;
}

/** Is param `name`'s axis logarithmic? `view.log_y` (every axis) or `view.log_axes` ("lr,momentum"). */
export function isLogAxis(view, name) {
  return !!view.log_y || String(view.log_axes || '').split(',').includes(name);
}

/** The scheduled param names of `results`, in order of first appearance. */
export function paramNamesOf(results) {
  const names = [];
  for (const r of results) {
    for (const s of (r.data?.series || [])) if (s.param_group >= 0 && !names.includes(s.param_name)) names.push(s.param_name);
  }
  return names;
}

/** Series written outside the optimizer (param_group -1): [holder, name] pairs, in order. */
function stateTargetsOf(results) {
  const keys = [];
  for (const r of results) {
    for (const s of (r.data?.series || [])) {
      if (s.param_group < 0 && !keys.some(([h, n]) => h === s.group_name && n === s.param_name)) keys.push([s.group_name, s.param_name]);
    }
  }
  return keys;
}

/**
 * The metric curves of `results` (their /series replies' `metrics`), in order of first appearance,
 * each with the param group its readers set (null: all groups, or several).
 */
function metricTargetsOf(results) {
  const out = [];
  for (const r of results) {
    for (const m of r.data?.metrics || []) {
      if (out.some((o) => o.name === m.name)) continue;
      const groups = new Set((r.experiment.schedulers || []).filter((s) => s?.metric_name === m.name)
        .map((s) => (Number.isInteger(s.param_group_index) ? s.param_group_index : null)));
      out.push({ name: m.name, group: groups.size === 1 ? [...groups][0] : null });
    }
  }
  return out;
}

/**
 * The panels: one per (param group, param) in subplots (one per param in overlay), each with its
 * own y-axis, so lr and momentum never share a scale. Rows are params, columns are groups; a
 * narrow chart stacks every panel in one column. Axis suffix: '' for the first panel, then '2', ...
 */
function panelGrid(nGroups, params, overlay, narrow, states = [], metrics = []) {
  const cols = overlay || narrow ? 1 : nGroups;
  const groups = overlay ? [null] : [...Array(nGroups).keys()];
  const panels = [];
  if (narrow && !overlay) {
    groups.forEach((g) => params.forEach((param) => panels.push({ group: g, param, row: panels.length, col: 0 })));
  } else {
    params.forEach((param, row) => groups.forEach((g, col) => panels.push({ group: g, param, row, col })));
  }
  // engine.state / dataloader values: one panel each, in rows of their own below
  let row = panels.length ? Math.max(...panels.map((p) => p.row)) + 1 : 0;
  // metric curves: a panel under the lr they drive (that group's column; the whole width for all groups)
  for (const m of metrics) {
    const own = !overlay && !narrow && m.group !== null && m.group < cols;
    panels.push({ group: -2, metric: m.name, param: m.name, drives: m.group, row: row++, col: own ? m.group : 0, span: !own && cols > 1 });
  }
  for (const [holder, param] of states) panels.push({ group: -1, holder, param, row: row++, col: 0 });
  panels.forEach((p, k) => { p.ax = k === 0 ? '' : String(k + 1); });
  const rows = panels.length ? Math.max(...panels.map((p) => p.row)) + 1 : 1;
  return { panels, rows, cols };
}

/**
 * results: [{name, experiment, data: {num_events, series: [...]}}] (one per variant, data may be null).
 * Returns {data, layout} for Plotly.
 */
export function buildFigure(results, view, { narrow = false } = {}) {
  const overlay = view.layout === 'overlay';
  const nGroups = Math.max(1, ...results.map((r) => (r.experiment.param_groups || []).length));
  const multiVariant = results.length > 1;
  const paramNames = paramNamesOf(results);
  const params = paramNames.length ? paramNames : ['lr'];
  const { panels, rows, cols } = panelGrid(nGroups, params, overlay, narrow, stateTargetsOf(results), metricTargetsOf(results));
  const panelOf = (group, param, holder) => panels.find((p) => p.param === param && !p.metric
    && (group < 0 ? p.group === -1 && p.holder === holder : p.group !== -1 && (overlay || p.group === group)));

  const data = [];
  const shapes = [];
  results.forEach((r, vi) => {
    if (!r.data) return;
    for (const s of r.data.series) {
      const panel = panelOf(s.param_group, s.param_name, s.group_name);
      if (!panel) continue;
      const ax = panel.ax;
      const pi = Math.max(0, paramNames.indexOf(s.param_name));
      const label = overlay
        ? [multiVariant ? r.name : null, s.group_name, s.param_name].filter((x) => x !== null).join(' · ')
        : [multiVariant ? r.name : null, s.param_name].filter((x) => x !== null).join(' · ');
      const color = overlay
        ? COLORS[(Math.max(0, s.param_group) * paramNames.length + pi) % COLORS.length]
        : COLORS[(multiVariant ? vi : pi) % COLORS.length];
      const dash = overlay ? DASHES[vi % DASHES.length] : DASHES[(multiVariant ? pi : 0) % DASHES.length];
      data.push({
        type: 'scatter', mode: 'lines', x: xValues(s, r.data.num_events, view), y: s.values,
        xaxis: `x${ax}`, yaxis: `y${ax}`, name: plotlyText(label),
        legendgroup: plotlyText(label), showlegend: overlay || s.param_group <= 0,
        line: { color, dash, width: 1.6, shape: 'linear' },
        // the reading below the chart shows every series at the hovered event in full precision
        hoverinfo: 'none',
        meta: { variant: r.name, group: s.param_group, group_name: s.group_name, param_name: s.param_name },
      });
    }
  });

  // each metric curve a scheduler reads: its values at the events where they were read (markers),
  // held until the next evaluation
  results.forEach((r, vi) => {
    for (const m of r.data?.metrics || []) {
      const panel = panels.find((p) => p.metric === m.name);
      if (!panel) continue;
      const label = [multiVariant ? r.name : null, `metric ${m.name}`].filter((x) => x !== null).join(' · ');
      data.push({
        // a marker per evaluation while they can be told apart; variants as their lr: colours (subplots), dashes (overlay)
        type: 'scatter', mode: m.values.length <= 300 ? 'lines+markers' : 'lines', x: xValues(m, r.data.num_events, view),
        y: m.values, xaxis: `x${panel.ax}`, yaxis: `y${panel.ax}`, name: plotlyText(label), legendgroup: plotlyText(label),
        showlegend: false,
        line: { color: multiVariant && !overlay ? COLORS[vi % COLORS.length] : '#555', dash: overlay ? DASHES[vi % DASHES.length] : 'solid', width: 1.2, shape: 'hv' },
        marker: { size: 5 }, hoverinfo: 'none', meta: { variant: r.name, metric: m.name },
      });
    }
  });

  const layout = {
    margin: { l: 64, r: 16, t: 56, b: 48 },
    hovermode: 'x',
    showlegend: multiVariant || (overlay && data.length > 1) || paramNames.length > 1,
    legend: { orientation: 'h', y: rows > 1 ? -0.08 : -0.18 },
    uirevision: `${view.layout}-${nGroups}-${params.join(',')}-${narrow}-${view.x_axis}-${xPerEvent(view)}`,
    annotations: [],
    shapes,
    font: { family: 'system-ui, sans-serif', size: 12 },
  };
  // wide: 200 px per row of panels; narrow (a phone): the panels share the chart's own height,
  // which the page keeps in view above the editor
  if (rows > 1 && !narrow) layout.height = 200 * rows + 140;
  if (narrow) {
    layout.margin = { l: 56, r: 8, t: 22, b: 30 };
    layout.showlegend = multiVariant;
    layout.legend = { orientation: 'h', y: 1.12 };
  }
  const xGap = 0.06;
  const yGap = rows > 1 ? Math.min(0.12, 0.5 / rows) : 0;
  const names = results[0]?.experiment.param_groups || [];
  const xTitle = { epochs: 'epoch', samples: 'samples seen' }[view.x_axis] || 'event';
  for (const p of panels) {
    const { ax } = p;
    const x0 = p.span ? 0 : (p.col * (1 + xGap)) / cols;
    const x1 = p.span ? 1 : ((p.col + 1) * (1 + xGap)) / cols - xGap;
    const top = 1 - (p.row * (1 + yGap)) / rows;
    const bottom = Math.max(0, 1 - ((p.row + 1) * (1 + yGap)) / rows + yGap);
    // the lowest panel of its column shows the x ticks (a metric panel may sit under one group only)
    const last = !panels.some((q) => q.row > p.row && (q.span || p.span || q.col === p.col));
    layout[`xaxis${ax}`] = {
      title: { text: p.row === rows - 1 && !narrow ? xTitle : '' }, zeroline: false, anchor: `y${ax}`, domain: [x0, x1],
      showticklabels: last || narrow, ...(ax ? { matches: 'x' } : {}),
    };
    layout[`yaxis${ax}`] = {
      type: isLogAxis(view, p.param) ? 'log' : 'linear', exponentformat: 'e', anchor: `x${ax}`,
      domain: [bottom, top], title: { text: plotlyText(p.param), standoff: 4 },
    };
    if (p.row === 0 || narrow || p.group < 0) {
      const drives = p.drives === null ? 'every group' : `group ${p.drives}`;
      const title = p.group === -2 ? `metric ${p.metric} → lr of ${drives}` : p.group === -1 ? `${p.holder}.${p.param}`
        : (overlay ? 'all param groups' : `group ${p.group}: ${names[p.group] ? names[p.group].name : ''}`);
      layout.annotations.push({
        text: plotlyText(title), showarrow: false, xref: `x${ax} domain`, yref: `y${ax} domain`,
        x: 0.5, y: 1.02, xanchor: 'center', yanchor: 'bottom', font: { size: 13 },
      });
    }
    if (view.cycle_markers && !p.metric) {
      const active = results[Math.min(view.active, results.length - 1)] || results[0];
      const ev = new Set();
      // restart events come from the API (scheduler_core.restarts), one list per group
      for (const s of active.data?.series || []) {
        if ((overlay || s.param_group === p.group) && s.param_name === p.param) for (const e of s.restarts || []) ev.add(e);
      }
      const k = xPerEvent(view);
      for (const e of ev) {
        shapes.push({ type: 'line', xref: `x${ax}`, yref: `y${ax} domain`, x0: e * k, x1: e * k, y0: 0, y1: 1,
          line: { color: 'rgba(120,120,120,0.45)', width: 1, dash: 'dot' } });
      }
    }
  }
  const marks = noticeMarkers(results, view, panels, xPerEvent(view)); // ignite ≠ torch stepping
  shapes.push(...marks.shapes);
  layout.annotations.push(...marks.annotations);
  return { data, layout };
}

// showSendToCloud: false — no button posting the chart to an external service.
const CONFIG = {
  responsive: true, displaylogo: false, scrollZoom: false, showSendToCloud: false,
  modeBarButtonsToRemove: ['lasso2d', 'select2d'],
};

/** Draw (or redraw) the figure in `gd`; resolves once Plotly has finished. */
export function draw(gd, results, view) {
  const narrow = gd.clientWidth < 560;
  const { data, layout } = buildFigure(results, view, { narrow });
  gd.style.height = layout.height ? `${layout.height}px` : '';
  return window.Plotly.react(gd, data, layout, CONFIG);
}

/** The x range a relayout event sets (either bound may be missing), 'auto' for autorange, else null. */
function relayoutRange(ev) {
  let x0 = null;
  let x1 = null;
  for (const [k, v] of Object.entries(ev || {})) {
    const m = /^xaxis\d*\.(range|autorange)(\[([01])\])?$/.exec(k);
    if (!m) continue;
    if (m[1] === 'autorange') { if (v) return 'auto'; continue; }
    if (m[3] === undefined && Array.isArray(v)) [x0, x1] = v;
    else if (m[3] === '0') x0 = v;
    else x1 = v;
  }
  return x0 === null && x1 === null ? null : { x0, x1 };
}

/** The x range shown (of the first x axis). */
export function shownRange(gd) {
  const r = gd._fullLayout?.xaxis?.range;
  return r ? { x0: Number(r[0]), x1: Number(r[1]) } : null;
}

/**
 * Wire the chart's events (once, after the first draw): `hover(x | null)`, `click(x)`, and
 * `zoom(range | null)` with the visible x range {x0, x1} after a zoom or pan (null: autorange).
 */
export function onChartEvents(gd, { hover, click, zoom }) {
  gd.on('plotly_hover', (ev) => { const pt = ev.points && ev.points[0]; if (pt) hover(pt.x); });
  gd.on('plotly_unhover', () => hover(null));
  gd.on('plotly_click', (ev) => { const pt = ev.points && ev.points[0]; if (pt) click(pt.x); });
  gd.on('plotly_relayout', (ev) => {
    const r = relayoutRange(ev);
    if (r === 'auto') zoom(null);
    else if (r) zoom(shownRange(gd));
  });
}

/** Draw a vertical line at `x` across every panel (null: hide it) in `layer`, over the chart. */
export function crosshair(gd, layer, x) {
  const fl = gd._fullLayout;
  if (x === null || !fl) { layer.replaceChildren(); return; }
  const xs = new Set();
  for (const key of Object.keys(fl)) {
    const ax = fl[key];
    if (!/^xaxis\d*$/.test(key) || !ax || typeof ax.l2p !== 'function') continue;
    const px = ax._offset + ax.l2p(x);
    if (px >= ax._offset - 0.5 && px <= ax._offset + ax._length + 0.5) xs.add(Math.round(px));
  }
  const top = fl.margin.t;
  const height = fl.height - fl.margin.t - fl.margin.b;
  layer.replaceChildren(...[...xs].map((px) => {
    const line = document.createElement('div');
    line.className = 'crosshair-line';
    line.style.left = `${px}px`;
    line.style.top = `${top}px`;
    line.style.height = `${height}px`;
    return line;
  }));
}

/** Download the current chart as PNG. */
export function downloadPng(gd, filename = 'schedule') {
  return window.Plotly.downloadImage(gd, { format: 'png', filename, width: gd.clientWidth || 1000, height: gd.clientHeight || 500 });
}

/** The URL index.html preloads plotly.js from (content-hashed), else its plain URL. */
function plotlyUrl() {
  const link = document.querySelector('link[rel="preload"][as="script"]');
  return (link && link.getAttribute('href')) || '/vendor/plotly.min.js';
}

/** Load Plotly.js (served by the app from the plotly package) once; resolves to window.Plotly. */
let loading = null;
export function loadPlotly(src = plotlyUrl()) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.addEventListener('load', () => resolve(window.Plotly));
      script.addEventListener('error', () => reject(new Error(`could not load ${src}`)));
      document.head.appendChild(script);
    });
  }
  return loading;
}
