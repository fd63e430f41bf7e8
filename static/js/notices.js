// Notices of /series (its `notices`): a torch scheduler that ignite's LRScheduler runs otherwise
// than torch steps it. A short note above the chart per notice, with a one-click switch to torch's
// own stepping (the notice's `switch`: the scheduler's `stepping` and `event`), and a marker at the
// first event that differs (noticeMarkers, drawn by chart.js with the figure).
import { h } from './dom.js';
import * as store from './state.js';

const COLOR = 'rgba(200,60,20,0.85)';

/** The notices of the active variant's last reply. */
function activeNotices(results, view) {
  const active = results[Math.min(view.active, results.length - 1)] || results[0];
  return active?.data?.notices || [];
}

/**
 * Plotly shapes and annotations marking each notice's first differing event on the group panels
 * (`panels`: chart.js's grid, `k`: x units per event).
 */
export function noticeMarkers(results, view, panels, k) {
  const shapes = [];
  const annotations = [];
  for (const n of activeNotices(results, view)) {
    if (n.first_event === null || n.first_event === undefined) continue;
    const x = n.first_event * k;
    panels.filter((p) => p.group !== -1).forEach((p, i) => {
      shapes.push({ type: 'line', xref: `x${p.ax}`, yref: `y${p.ax} domain`, x0: x, x1: x, y0: 0, y1: 1,
        line: { color: COLOR, width: 1.5, dash: 'dash' }, name: 'torch-stepping-notice' });
      if (i === 0) {
        annotations.push({ text: `ignite ≠ torch (scheduler ${n.scheduler})`, showarrow: false, xref: `x${p.ax}`,
          yref: `y${p.ax} domain`, x, y: 1, xanchor: 'left', yanchor: 'top', font: { size: 11, color: COLOR } });
      }
    });
  }
  return { shapes, annotations };
}

/** Set scheduler `i` of the active variant to the notice's switch (torch's own stepping). */
function applySwitch(n, announce) {
  store.update((d) => {
    const s = d.variants[d.view.active].experiment.schedulers?.[n.scheduler];
    if (s) Object.assign(s, n.switch);
  }, { structural: true });
  announce(`Scheduler ${n.scheduler} (${n.torch_type}) is now stepped by torch itself at ${n.switch.event}.`);
}

/** The notes' box, placed before `anchor`; returns {update(results, view)} to call after each draw. */
export function initNotices(anchor, announce) {
  const box = h('div', { id: 'torch-notices', class: 'notice torch-notices', role: 'note', hidden: true });
  anchor.before(box);
  return {
    update(results, view) {
      const notices = activeNotices(results, view);
      box.replaceChildren(...notices.map((n) => h('p', { class: 'torch-notice', 'data-scheduler': String(n.scheduler) },
        n.message, ' ',
        h('button', { type: 'button', class: 'small torch-switch', text: 'Use torch\'s own stepping',
          on: { click: () => applySwitch(n, announce) } }))));
      box.hidden = notices.length === 0;
    },
  };
}
