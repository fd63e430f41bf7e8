// The only code touching Plotly: results + view options -> one whole figure -> Plotly.react.
import { plotlyText } from './dom.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash'];

function xValues(series, numEvents, view) {
  const events = series.events || Array.from({ length: series.values.length }, (_, i) => i);
  if (view.x_axis !== 'epochs') return events;
  const ipe = view.iterations_per_epoch || 1;
  return events.map((e) => e / ipe);
}

/**
 * results: [{name, experiment, data: {num_events, series: [...]}}] (one per variant, data may be null).
 * Returns {data, layout} for Plotly.
 */
export function buildFigure(results, view, { narrow = false } = {}) {
  const overlay = view.layout === 'overlay';
  const nGroups = Math.max(1, ...results.map((r) => (r.experiment.param_groups || []).length));
  // series written outside the optimizer (param_group -1: engine.state, dataloader) get one
  // panel per holder after the groups' panels
  const holders = [];
  for (const r of results) {
    for (const s of (r.data?.series || [])) {
      if (s.param_group < 0 && !holders.includes(s.group_name)) holders.push(s.group_name);
    }
  }
  const nPanels = overlay ? 1 : nGroups + holders.length;
  const multiVariant = results.length > 1;
  const paramNames = [];
  for (const r of results) for (const s of (r.data?.series || [])) if (!paramNames.includes(s.param_name)) paramNames.push(s.param_name);

  const data = [];
  const shapes = [];
  results.forEach((r, vi) => {
    if (!r.data) return;
    for (const s of r.data.series) {
      const panel = overlay ? 0 : (s.param_group < 0 ? nGroups + holders.indexOf(s.group_name) : s.param_group);
      const ax = panel === 0 ? '' : String(panel + 1);
      const pi = paramNames.indexOf(s.param_name);
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
        hovertemplate: `%{y:.4~g}<extra>${plotlyText(label)}${overlay ? '' : ` · ${plotlyText(s.group_name)}`}</extra>`,
        meta: { variant: r.name, group: s.param_group, group_name: s.group_name, param_name: s.param_name },
      });
    }
  });

  const layout = {
    margin: { l: 60, r: 16, t: 56, b: 48 },
    hovermode: 'x',
    showlegend: multiVariant || (overlay && data.length > 1) || paramNames.length > 1,
    legend: { orientation: 'h', y: -0.18 },
    uirevision: `${view.layout}-${nPanels}-${view.x_axis}`,
    annotations: [],
    shapes,
    font: { family: 'system-ui, sans-serif', size: 12 },
  };
  const stack = narrow && nPanels > 1;
  const gap = stack ? 0.16 : 0.06;
  if (stack) layout.height = 260 * nPanels + 80;
  const names = results[0]?.experiment.param_groups || [];
  for (let p = 0; p < nPanels; p += 1) {
    const ax = p === 0 ? '' : String(p + 1);
    const start = (p * (1 + gap)) / nPanels;
    const end = ((p + 1) * (1 + gap)) / nPanels - gap;
    const xaxis = {
      title: { text: stack && p < nPanels - 1 ? '' : (view.x_axis === 'epochs' ? 'epoch' : 'event') }, zeroline: false,
      anchor: `y${ax}`, domain: stack ? [0, 1] : [start, end],
    };
    const yaxis = {
      type: view.log_y ? 'log' : 'linear', exponentformat: 'e', anchor: `x${ax}`,
      domain: stack ? [1 - end, 1 - start] : [0, 1],
    };
    if (p > 0) xaxis.matches = 'x';
    layout[`xaxis${ax}`] = xaxis;
    layout[`yaxis${ax}`] = yaxis;
    const title = overlay ? 'all param groups'
      : (p >= nGroups ? holders[p - nGroups] : `group ${p}: ${names[p] ? names[p].name : ''}`);
    layout.annotations.push({
      text: plotlyText(title), showarrow: false, xref: `x${ax} domain`, yref: `y${ax} domain`,
      x: 0.5, y: 1.02, xanchor: 'center', yanchor: 'bottom', font: { size: 13 },
    });
    if (view.cycle_markers) {
      const active = results[Math.min(view.active, results.length - 1)] || results[0];
      const groupsHere = overlay ? names.map((_, i) => i) : [p];
      const ev = new Set();
      // restart events come from the API (scheduler_core.restarts), one list per group
      for (const s of active.data?.series || []) {
        if (groupsHere.includes(s.param_group)) for (const e of s.restarts || []) ev.add(e);
      }
      const ipe = view.x_axis === 'epochs' ? view.iterations_per_epoch || 1 : 1;
      for (const e of ev) {
        shapes.push({ type: 'line', xref: `x${ax}`, yref: `y${ax} domain`, x0: e / ipe, x1: e / ipe, y0: 0, y1: 1,
          line: { color: 'rgba(120,120,120,0.45)', width: 1, dash: 'dot' } });
      }
    }
  }
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

/** Download the current chart as PNG. */
export function downloadPng(gd, filename = 'schedule') {
  return window.Plotly.downloadImage(gd, { format: 'png', filename, width: gd.clientWidth || 1000, height: gd.clientHeight || 500 });
}

/** Load Plotly.js (served by the app from the plotly package) once; resolves to window.Plotly. */
let loading = null;
export function loadPlotly(src = '/vendor/plotly.min.js') {
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
