// "Is B the same schedule as A?": pick two variants, ask POST /compare, show its numbers and the
// difference curve (b − a, absolute or relative) as a small SVG chart under the main chart; and
// translate a variant's transformers/timm schedules into ignite ones as a new variant (POST /translate).
// Self-contained: it reads the store and redraws itself while its panel is open.
import { postCompare, postTranslate } from './api.js';
import { h } from './dom.js';
import * as store from './state.js';

const DEBOUNCE_MS = 200;
const POINTS = 800; // per difference curve, min/max kept by the server's decimation
const SVG_NS = 'http://www.w3.org/2000/svg';
const SIZE = { w: 640, h: 170, l: 70, r: 10, t: 10, b: 22 };
const MODES = { abs: ['abs_diff', 'b − a'], rel: ['rel_diff', '(b − a) / max(|a|, |b|)'] };

const ui = {};
let timer = null;
let controller = null;
let last = null; // the last reply shown, for switching curves without a request

/** Points per curve: ours, within the server's cap. */
function points() {
  return Math.min(POINTS, store.limits().max_points);
}

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function labelled(text, control) {
  return h('label', {}, text, ' ', control);
}

/** Build the panel inside `container` and follow the store from now on. */
export function initCompare(container) {
  ui.a = h('select', { id: 'compare-a' });
  ui.b = h('select', { id: 'compare-b' });
  ui.mode = h('select', { id: 'compare-mode' },
    h('option', { value: 'abs', text: 'absolute: b − a' }),
    h('option', { value: 'rel', text: 'relative: (b − a) / max(|a|, |b|)' }));
  ui.pair = h('select', { id: 'compare-pair', 'aria-label': 'Series drawn' });
  ui.rtol = h('input', { type: 'text', id: 'compare-rtol', value: '1e-12', size: 7, autocomplete: 'off' });
  ui.atol = h('input', { type: 'text', id: 'compare-atol', value: '0', size: 7, autocomplete: 'off' });
  ui.translate = h('button', { type: 'button', id: 'compare-translate', class: 'small',
    text: 'Translate a into ignite (new variant b)', on: { click: translateA } });
  ui.notes = h('p', { id: 'compare-notes', class: 'compare-notes' });
  ui.verdict = h('p', { id: 'compare-verdict', class: 'compare-verdict', role: 'status', 'aria-live': 'polite' });
  ui.table = h('table', { id: 'compare-table', class: 'compare-table' });
  ui.chart = svg('svg', { id: 'compare-chart', class: 'compare-chart', viewBox: `0 0 ${SIZE.w} ${SIZE.h}`,
    role: 'img', 'aria-label': 'Difference curve' });
  ui.root = h('details', { id: 'compare', class: 'compare', 'data-state': 'idle' },
    h('summary', { text: 'Compare two variants (b − a)' }),
    h('div', { class: 'compare-controls' },
      labelled('a', ui.a), labelled('b', ui.b), labelled('curve', ui.mode), labelled('series', ui.pair),
      labelled('rtol', ui.rtol), labelled('atol', ui.atol), ui.translate),
    ui.notes, ui.verdict, ui.table, ui.chart);
  container.append(ui.root);
  for (const el of [ui.a, ui.b]) el.addEventListener('change', () => { el.dataset.picked = '1'; });
  for (const el of [ui.a, ui.b]) el.addEventListener('change', schedule);
  for (const el of [ui.rtol, ui.atol]) el.addEventListener('input', () => { tolerance(el); schedule(); });
  for (const el of [ui.mode, ui.pair]) el.addEventListener('change', () => last && drawCurve(last));
  ui.root.addEventListener('toggle', schedule);
  store.subscribe(() => { syncChoices(); schedule(); });
  syncChoices();
}

/** Variant menus follow the variants; unless picked: a = the first, b = the active one (or the second). */
function syncChoices() {
  const state = store.getState();
  if (!state) return;
  const names = state.variants.map((v) => v.name);
  const active = store.activeVariant(state).name;
  const keep = (sel, fallback) => { // a user's pick stays while its variant exists
    const value = sel.dataset.picked && names.includes(sel.value) ? sel.value : fallback;
    sel.replaceChildren(...names.map((n) => h('option', { value: n, text: `Variant ${n}` })));
    sel.value = value;
  };
  keep(ui.a, names[0]);
  keep(ui.b, active !== names[0] ? active : names[1] ?? names[0]);
  ui.translate.disabled = names.length >= store.limits().max_variants;
}

/** POST /translate of variant a; its translation becomes a new variant, compared as b. */
async function translateA() {
  const state = store.getState();
  const source = state.variants.find((v) => v.name === ui.a.value);
  if (!source) return;
  ui.notes.textContent = 'Translating…';
  try {
    const reply = await postTranslate(source.experiment, points());
    const taken = new Set(state.variants.map((v) => v.name));
    const name = [...store.VARIANT_NAMES].find((n) => !taken.has(n));
    const said = reply.notes.map((n, i) => n && `schedulers[${i}] ${n.type}: ${n.exact ? 'exact' : 'not exact'}${n.reason ? ` (${n.reason})` : ''}`);
    const kept = said.filter(Boolean);
    ui.notes.textContent = `Variant ${name} = variant ${source.name} in ignite. ${kept.length ? kept.join('; ') : 'Nothing to translate: no transformers or timm schedule.'}`;
    store.update((d) => { d.variants.push({ name, experiment: reply.experiment }); }, { structural: true });
    ui.a.value = source.name;
    ui.b.value = name;
    ui.a.dataset.picked = '1';
    ui.b.dataset.picked = '1';
    ui.atol.value = String(reply.comparison.atol); // the translation's measure: 1e-15 x peak
    tolerance(ui.atol);
    schedule();
  } catch (e) {
    ui.notes.textContent = `Cannot translate variant ${source.name}: ${e.message}`;
  }
}

function schedule() {
  clearTimeout(timer);
  if (ui.root.open) timer = setTimeout(run, DEBOUNCE_MS);
}

/** The number typed into a tolerance box, or null (the box marked invalid, the reason shown). */
function tolerance(input) {
  const v = Number(input.value.trim());
  const ok = input.value.trim() !== '' && Number.isFinite(v) && v >= 0;
  input.setAttribute('aria-invalid', ok ? 'false' : 'true');
  if (!ok) ui.verdict.textContent = `${input.id.replace('compare-', '')} should be a number of at least 0, e.g. 1e-12`;
  return ok ? v : null;
}

async function run() {
  const state = store.getState();
  const find = (name) => state.variants.find((v) => v.name === name);
  const a = find(ui.a.value);
  const b = find(ui.b.value);
  const rtol = tolerance(ui.rtol);
  const atol = tolerance(ui.atol);
  if (!a || !b || rtol === null || atol === null) return;
  if (controller) controller.abort();
  controller = new AbortController();
  ui.root.dataset.state = 'loading';
  try {
    const reply = await postCompare(a.experiment, b.experiment, { rtol, atol }, points(), controller.signal);
    last = reply;
    show(reply, a.name, b.name);
    ui.root.dataset.state = 'ok';
  } catch (e) {
    if (e.name === 'AbortError') return;
    last = null;
    const where = (d) => (d.loc?.[1] === 'a' ? `Variant ${a.name}` : d.loc?.[1] === 'b' ? `Variant ${b.name}` : '');
    const text = e.details?.length ? e.details.map((d) => `${where(d)} ${d.loc.slice(2).join('.')}: ${d.msg}`.trim()) : [e.message];
    ui.verdict.textContent = `Cannot compare: ${text.join('; ')}`;
    ui.table.replaceChildren();
    ui.chart.replaceChildren();
    ui.root.dataset.state = 'error';
  }
}

function show(reply, nameA, nameB) {
  const pairs = reply.pairs;
  const differing = pairs.filter((p) => p.first_difference !== null);
  const firsts = differing.map((p) => p.first_difference);
  let verdict;
  if (pairs.length && pairs.every((p) => p.bit_equal) && reply.within_tolerance) verdict = `${nameB} equals ${nameA} bit for bit.`;
  else if (reply.within_tolerance) verdict = `${nameB} is the same schedule as ${nameA} within the tolerance.`;
  else if (differing.length) verdict = `${nameB} differs from ${nameA} from event ${Math.min(...firsts)}.`;
  else verdict = `${nameB} and ${nameA} do not have the same series or horizon.`;
  const extra = [];
  if (reply.num_events_a !== reply.num_events_b) extra.push(`events ${reply.num_events_a} vs ${reply.num_events_b}: the first ${reply.compared_events} compared`);
  const key = (s) => `${s.group_name} · ${s.param_name}`;
  if (reply.only_in_a.length) extra.push(`only in ${nameA}: ${reply.only_in_a.map(key).join(', ')}`);
  if (reply.only_in_b.length) extra.push(`only in ${nameB}: ${reply.only_in_b.map(key).join(', ')}`);
  ui.verdict.textContent = [verdict, ...extra].join(' ');

  const head = ['group', 'param', 'bit-equal', 'max |b − a|', 'at event', 'max relative', 'at event', 'first difference'];
  const cell = (text) => h('td', { text });
  ui.table.replaceChildren(
    h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, pairs.map((p) => h('tr', {},
      cell(p.group_name_a === p.group_name_b ? p.group_name_a : `${p.group_name_a} / ${p.group_name_b}`),
      cell(p.param_name), cell(p.bit_equal ? 'yes' : 'no'),
      cell(String(p.max_abs_diff)), cell(String(p.max_abs_diff_event)),
      cell(String(p.max_rel_diff)), cell(String(p.max_rel_diff_event)),
      cell(p.first_difference === null ? 'none' : String(p.first_difference))))));
  const chosen = ui.pair.value;
  ui.pair.replaceChildren(...pairs.map((p, i) => h('option', { value: String(i), text: `${p.group_name_a} · ${p.param_name}` })));
  ui.pair.value = Number(chosen) < pairs.length ? chosen : '0';
  drawCurve(reply);
}

/** The selected pair's difference curve: a polyline over the decimated points, a zero line and a
 * marker at the first difference. */
function drawCurve(reply) {
  const pair = reply.pairs[Number(ui.pair.value) || 0];
  ui.chart.replaceChildren();
  if (!pair) return;
  const [field, label] = MODES[ui.mode.value];
  const curve = pair[field];
  const ys = curve.values;
  const xs = curve.events || ys.map((_, i) => i);
  const lo = Math.min(0, ...ys);
  const hi = Math.max(0, ...ys);
  const span = hi - lo || 1;
  const last = Math.max(1, reply.compared_events - 1);
  const { w, h: ht, l, r, t, b } = SIZE;
  const px = (e) => l + ((w - l - r) * e) / last;
  const py = (v) => t + (ht - t - b) * (1 - (v - lo) / span);
  const points = xs.map((e, i) => `${px(e).toFixed(2)},${py(ys[i]).toFixed(2)}`).join(' ');
  ui.chart.append(
    svg('line', { class: 'compare-zero', x1: l, x2: w - r, y1: py(0), y2: py(0) }),
    svg('polyline', { class: 'compare-curve', points, 'data-count': ys.length }),
    svg('text', { x: l - 4, y: t + 10, 'text-anchor': 'end', class: 'compare-tick' }, String(hi)),
    svg('text', { x: l - 4, y: ht - b, 'text-anchor': 'end', class: 'compare-tick' }, String(lo)),
    svg('text', { x: l, y: ht - 6, class: 'compare-tick' }, '0'),
    svg('text', { x: w - r, y: ht - 6, 'text-anchor': 'end', class: 'compare-tick' }, `${label}, event ${last}`),
  );
  if (pair.first_difference !== null) {
    const x = px(pair.first_difference);
    ui.chart.append(svg('line', { class: 'compare-first', x1: x, x2: x, y1: t, y2: ht - b, 'data-event': pair.first_difference }));
  }
}
