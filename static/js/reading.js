// Exact reading: the value of every series (all variants, groups and params) at the hovered event
// and at pinned events, in full precision (the shortest text that reads back as the same double),
// and the resolution the chart is drawn at.
import { h } from './dom.js';

/** Index of `event` in the sorted `events` (null: 0..n-1), or -1. */
function indexOf(events, n, event) {
  if (!events) return event >= 0 && event < n ? event : -1;
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid] === event) return mid;
    if (events[mid] < event) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The drawn value of series `s` at `event`, or undefined when that event is not drawn. */
export function drawnValue(s, event) {
  const i = indexOf(s.events, s.values.length, event);
  return i < 0 ? undefined : s.values[i];
}

/** The value of metric curve `m` ({events, values}) last read at or before `event`: {value, at} or null. */
export function lastRead(m, event) {
  let lo = 0;
  let hi = m.events.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (m.events[mid] <= event) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found < 0 ? null : { value: m.values[found], at: m.events[found] };
}

/** A read {value, at} as shown at `event`: its value, and where it was read when that was earlier. */
function readText(r, event) {
  if (!r) return '—'; // nothing read yet
  return r.at === event ? exact(r.value) : `${exact(r.value)} (read at ${r.at})`;
}

/** Does the drawn curve `m` hold every read of its reply's window? (A reply whose series are not
 * decimated has no decimated curve either: a curve has at most one read per event.) */
function completeCurve(m, data) {
  return m.decimated === undefined ? !data.decimated : !m.decimated;
}

/** "every event" or "1 point per N events, min/max kept" for a reply of /series. */
export function resolutionText(data) {
  if (!data || !data.series.length) return '';
  const start = data.start ?? 0;
  const stop = data.stop ?? data.num_events;
  const span = stop - start;
  const drawn = Math.max(...data.series.map((s) => s.values.length));
  const where = data.start === undefined ? `all ${span.toLocaleString('en')} events`
    : `events ${start.toLocaleString('en')}–${(stop - 1).toLocaleString('en')}`;
  if (drawn >= span) return `Resolution: every event (${where}).`;
  const per = span / drawn;
  return `Resolution: 1 point per ${per < 10 ? per.toFixed(1) : Math.round(per).toLocaleString('en')} events, min/max kept (${where}).`;
}

/** The shortest decimal text that reads back as the same double (as Python's repr). */
export function exact(v) {
  return v === undefined ? '…' : String(v);
}

/**
 * The reading table in `el`: a row per series, a column for the hovered event and one per pinned
 * event. `exactAt(experiment, event)` resolves to the /series reply of that drawn experiment for
 * [event, event+1).
 */
export class Reading {
  constructor(el, { exactAt, lastReadAt, onChange }) {
    this.el = el;
    this.exactAt = exactAt;
    this.lastReadAt = lastReadAt; // (experiment, event) -> a /series reply whose curves end at their last read <= event
    this.onChange = onChange || (() => {});
    this.results = [];
    this.hovered = null;
    this.pins = [];
    this.exactValues = new Map(); // `${variant}|${event}` -> reply or Promise
  }

  /** New results were drawn: values at pinned events are read again. */
  setResults(results) {
    this.results = results;
    this.exactValues.clear();
    this.render();
  }

  hover(event) {
    if (event === this.hovered) return;
    this.hovered = event;
    this.render();
  }

  pin(event) {
    if (event === null || this.pins.includes(event)) return;
    this.pins.push(event);
    this.pins.sort((a, b) => a - b);
    this.render();
    this.onChange(`Pinned event ${event}.`);
  }

  unpin(event) {
    this.pins = this.pins.filter((e) => e !== event);
    this.render();
    this.onChange(`Unpinned event ${event}.`);
  }

  /** The value of series `si` of variant `vi` at `event`: drawn, else asked of the API. */
  value(vi, si, event, drawnFirst) {
    const r = this.results[vi];
    const s = r?.data?.series[si];
    if (!s) return undefined;
    if (drawnFirst) {
      const v = drawnValue(s, event);
      if (v !== undefined) return v;
    }
    const key = `${vi}|${event}`;
    const got = this.exactValues.get(key);
    if (got && !(got instanceof Promise)) return got.series[si]?.values[0];
    if (!got && event < (r.data.num_events ?? 0)) {
      const results = this.results;
      const p = this.exactAt(r.experiment, event).then((reply) => {
        if (this.results !== results) return;
        this.exactValues.set(key, reply);
        this.render();
      }, () => { if (this.results === results) this.exactValues.delete(key); });
      this.exactValues.set(key, p);
    }
    return undefined;
  }

  /**
   * The reading of metric curve `m` of variant `vi` at `event`: the value last read at or before
   * it, from the drawn curve when that holds every read up to there, else (pinned) asked of the API.
   */
  metricValue(vi, m, event, pinned) {
    const r = this.results[vi];
    const hit = lastRead(m, event);
    if (hit && hit.at === event) return readText(hit, event);
    if (completeCurve(m, r.data) && (hit || !r.data.start)) return readText(hit, event);
    if (!pinned || !this.lastReadAt) return '…';
    const key = `metrics|${vi}|${event}`;
    const got = this.exactValues.get(key);
    if (got && !(got instanceof Promise)) {
      const curve = (got.metrics || []).find((c) => c.name === m.name);
      const n = curve ? curve.events.length : 0;
      return readText(n ? { value: curve.values[n - 1], at: curve.events[n - 1] } : null, event);
    }
    if (!got) {
      const results = this.results;
      const p = this.lastReadAt(r.experiment, event).then((reply) => {
        if (this.results !== results) return;
        this.exactValues.set(key, reply);
        this.render();
      }, () => { if (this.results === results) this.exactValues.delete(key); });
      this.exactValues.set(key, p);
    }
    return '…';
  }

  render() {
    const rows = [];
    this.results.forEach((r, vi) => (r.data?.series || []).forEach((s, si) => rows.push({ r, vi, s, si })));
    if (!rows.length) { this.el.replaceChildren(); return; }
    const multi = this.results.length > 1;
    const cols = [];
    if (this.hovered !== null) cols.push({ event: this.hovered, pinned: false });
    for (const e of this.pins) cols.push({ event: e, pinned: true });
    const head = h('tr', {}, h('th', { scope: 'col', text: 'series' }), cols.map((c) => h('th', { scope: 'col' },
      c.pinned ? `event ${c.event} ` : `cursor: event ${c.event}`,
      c.pinned ? h('button', { type: 'button', class: 'small unpin', text: '×', 'aria-label': `Unpin event ${c.event}`,
        on: { click: () => this.unpin(c.event) } }) : null)));
    const body = rows.map(({ r, vi, s, si }) => h('tr', {},
      h('th', { scope: 'row', text: [multi ? r.name : null, s.group_name, s.param_name].filter((x) => x !== null).join(' · ') }),
      cols.map((c) => h('td', { class: 'num', text: exact(this.value(vi, si, c.event, !c.pinned)) }))));
    // metric curves: the value the scheduler last read (at or before the event)
    this.results.forEach((r, vi) => (r.data?.metrics || []).forEach((m) => body.push(h('tr', { class: 'metric-row' },
      h('th', { scope: 'row', text: [multi ? r.name : null, `metric ${m.name}`].filter((x) => x !== null).join(' · ') }),
      cols.map((c) => h('td', { class: 'num', text: this.metricValue(vi, m, c.event, c.pinned) }))))));
    const hint = cols.length ? null
      : h('caption', { text: 'Hover the chart to read every series at an event; click to pin it.' });
    this.el.replaceChildren(h('table', { class: 'reading-table' }, hint, h('thead', {}, head), h('tbody', {}, body)));
  }
}

const SUMMARY_COLUMNS = [
  ['initial', 'initial'], ['final', 'final'], ['min', 'min'], ['max', 'max'], ['peak_event', 'peak at event'],
  ['mean', 'mean'], ['area', 'area (Σ over events)'], ['restarts', 'restarts'], ['warmup_end', 'warm-up ends at'],
];

/** The summary table of every series (numbers from the API's `summary`) in `el`. */
export function renderSummary(el, results) {
  const rows = [];
  const multi = results.length > 1;
  for (const r of results) {
    for (const s of r.data?.series || []) {
      if (!s.summary) continue;
      const name = [multi ? r.name : null, s.group_name, s.param_name].filter((x) => x !== null).join(' · ');
      rows.push(h('tr', {}, h('th', { scope: 'row', text: name }),
        SUMMARY_COLUMNS.map(([key]) => h('td', { class: 'num', text: s.summary[key] === null ? '—' : exact(s.summary[key]) }))));
    }
  }
  if (!rows.length) { el.replaceChildren(); return; }
  el.replaceChildren(h('table', { class: 'reading-table summary-table' },
    h('caption', { text: 'Summary of each whole series' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'series' }), SUMMARY_COLUMNS.map(([, label]) => h('th', { scope: 'col', text: label })))),
    h('tbody', {}, rows)));
}

/**
 * The chart as a table (for screen readers, and for reading numbers): a row per drawn event, a
 * column per series, each cell the exact value (empty where that series has no point there).
 */
export function renderDataTable(el, results) {
  const columns = [];
  const multi = results.length > 1;
  for (const r of results) {
    for (const s of r.data?.series || []) {
      columns.push({ name: [multi ? r.name : null, s.group_name, s.param_name].filter((x) => x !== null).join(' · '), s });
    }
    // a metric curve: its value at each event where it was read, empty elsewhere
    for (const m of r.data?.metrics || []) columns.push({ name: [multi ? r.name : null, `metric ${m.name}`].filter((x) => x !== null).join(' · '), s: m });
  }
  const events = new Set();
  for (const { s } of columns) for (let i = 0; i < s.values.length; i += 1) events.add(s.events ? s.events[i] : i);
  const sorted = [...events].sort((a, b) => a - b);
  const body = document.createElement('tbody');
  for (const e of sorted) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = String(e);
    tr.appendChild(th);
    for (const { s } of columns) {
      const td = document.createElement('td');
      td.className = 'num';
      const v = drawnValue(s, e);
      td.textContent = v === undefined ? '' : String(v);
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  const first = results.find((r) => r.data)?.data;
  el.replaceChildren(h('table', { class: 'reading-table data-table' },
    h('caption', { text: `The points drawn: ${resolutionText(first).replace(/^Resolution: /, '')}` }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'event' }), columns.map((c) => h('th', { scope: 'col', text: c.name })))),
    body));
}
