// The only place the dashboard state changes, and its table of properties <-> URL.
//
// State = {variants: [{name, experiment}], view: {active, layout, log_y, x_axis,
// iterations_per_epoch, cycle_markers, log_axes}}. Experiments use the API's JSON (ignite's names).

// What the server says, from its catalogue (GET /schedulers), set by configure() before the
// first state is made: its caps (`limits`), the view a fresh dashboard starts with
// (`view_defaults`) and the example experiment it shows (`example`).
let server = null;

/** Take the server's limits, default view and example experiment from `catalogue`. */
export function configure(catalogue) {
  const { limits, view_defaults: viewDefaults, example } = catalogue;
  server = { limits, viewDefaults, example };
}

/** The server's caps: {max_variants, max_points, max_events, max_schedulers, ...}. */
export function limits() {
  return server.limits;
}

// Table of view properties: name in the document, short key in the URL, validator. Their
// defaults are the server's `view_defaults` (and the first variant active).
export const VIEW_PROPS = [
  { name: 'active', short: 'a', ok: (v) => Number.isInteger(v) && v >= 0 },
  { name: 'layout', short: 'l', ok: (v) => v === 'subplots' || v === 'overlay' },
  { name: 'log_y', short: 'y', ok: (v) => typeof v === 'boolean' },
  { name: 'x_axis', short: 'x', ok: (v) => v === 'events' || v === 'epochs' || v === 'samples' },
  { name: 'iterations_per_epoch', short: 'i', ok: (v) => Number.isInteger(v) && v >= 1 },
  { name: 'cycle_markers', short: 'm', ok: (v) => typeof v === 'boolean' },
  // samples seen per event (batch size x gradient accumulation) for the x axis in samples; left out at 1
  { name: 'samples_per_event', short: 'p', ok: (v) => v === undefined || (Number.isInteger(v) && v >= 2 && v <= 1e9) },
  // params drawn on a log axis, comma-separated ("lr,momentum"); left out when none
  { name: 'log_axes', short: 'g', ok: (v) => v === undefined || (typeof v === 'string' && v.length > 0 && v.length <= 200) },
];
const VARIANTS_SHORT = 'v';
export const VARIANT_NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function defaultView() {
  return { active: 0, ...server.viewDefaults };
}

/** A fresh dashboard: the server's example experiment as variant A, the default view. */
export function initialState() {
  return { variants: [{ name: 'A', experiment: structuredClone(server.example) }], view: defaultView() };
}

let state = null; // set by the first replace(), once configured
const listeners = [];

// Undo/redo: earlier and later states. Keystrokes in one field within COALESCE_MS make one step.
const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;
const past = [];
const future = [];
let lastEdit = { key: null, at: 0 };

/** Keep the state before an edit; returns true when the edit starts a new step (false: it joins
 * the last one, a keystroke in the same field). */
function remember(coalesce) {
  const now = Date.now();
  if (coalesce && coalesce === lastEdit.key && now - lastEdit.at < COALESCE_MS && past.length) {
    lastEdit.at = now;
    return false;
  }
  lastEdit = { key: coalesce || null, at: now };
  past.push(state);
  if (past.length > HISTORY_LIMIT) past.shift();
  future.length = 0;
  return true;
}

function restore(from, to, direction) {
  if (!from.length) return false;
  to.push(state);
  state = from.pop();
  lastEdit = { key: null, at: 0 };
  for (const fn of listeners) fn(state, { structural: true, source: 'history', direction });
  return true;
}

/** Undo the last edit (returns false when there is none). */
export function undo() {
  return restore(past, future, 'undo');
}

/** Redo the last undone edit (returns false when there is none). */
export function redo() {
  return restore(future, past, 'redo');
}

/** The state `delta` steps away: undo (delta < 0) or redo (delta > 0) steps; undefined if none. */
export function peek(delta) {
  if (delta < 0) return past[past.length + delta];
  return delta > 0 ? future[future.length - delta] : state;
}

export function canUndo() {
  return past.length > 0;
}

export function canRedo() {
  return future.length > 0;
}

export function getState() {
  return state;
}

/** Subscribe to changes: `fn(state, info)` where info = {structural, source}, `step` (the edit
 * starts a new undo step) and, for undo/redo, `direction` ('undo' or 'redo'). */
export function subscribe(fn) {
  listeners.push(fn);
}

/**
 * Change the state: `mutate(draft)` edits a copy. `structural` says the editor must be rebuilt
 * (a control was added/removed), otherwise the controls already show the new value.
 */
export function update(mutate, { structural = false, source = 'edit', coalesce = null } = {}) {
  const draft = structuredClone(state);
  mutate(draft);
  const next = normalise(draft);
  const step = JSON.stringify(next) !== JSON.stringify(state) && remember(coalesce);
  state = next;
  for (const fn of listeners) fn(state, { structural, source, step });
}

/** Replace the whole state (from the URL or a share link). */
export function replace(next, source = 'load') {
  state = normalise(next);
  for (const fn of listeners) fn(state, { structural: true, source });
}

function normalise(s) {
  const defaults = defaultView();
  const view = { ...defaults, ...(s.view || {}) };
  for (const p of VIEW_PROPS) if (!p.ok(view[p.name])) view[p.name] = defaults[p.name];
  const variants = Array.isArray(s.variants) && s.variants.length ? s.variants : initialState().variants;
  if (view.active >= variants.length) view.active = variants.length - 1;
  return { variants, view };
}

/** The document stored by POST /api/v1/links (the API's DashboardView). */
export function toDocument(s = state) {
  return { variants: s.variants.map((v) => ({ name: v.name, experiment: v.experiment })), view: { ...s.view } };
}

/**
 * Accept a DashboardView document ({variants: [{name, experiment}], view}) or a plain experiment;
 * variants given as bare experiments get their names from view.variant_names or A, B, ...
 */
export function fromDocument(doc) {
  if (doc && Array.isArray(doc.variants)) {
    const view = doc.view && typeof doc.view === 'object' ? { ...doc.view } : {};
    const names = Array.isArray(view.variant_names) ? view.variant_names : [];
    delete view.variant_names;
    const variants = doc.variants.map((v, i) => {
      // {name, experiment}, {name, draft} (a variant a short link keeps as typed) or a bare experiment
      const inner = v && typeof v === 'object' ? v.experiment ?? v.draft : undefined;
      const wrapped = typeof inner === 'object' && inner !== null;
      const experiment = wrapped ? inner : v;
      if (!experiment || typeof experiment !== 'object') throw new Error('variant without experiment');
      const name = wrapped && typeof v.name === 'string' ? v.name : names[i];
      return { name: typeof name === 'string' && name ? name : VARIANT_NAMES[i] || `V${i}`, experiment };
    });
    return normalise({ variants, view });
  }
  if (doc && typeof doc === 'object' && 'num_events' in doc) {
    return normalise({ variants: [{ name: 'A', experiment: doc }], view: {} });
  }
  throw new Error('not a dashboard view or an experiment');
}

// ---- URL: #s=<base64url of compact JSON with short keys, defaults omitted> ----

function b64urlEncode(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlDecode(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function encodeHash(s = state) {
  const compact = { [VARIANTS_SHORT]: s.variants.map((v) => [v.name, v.experiment]) };
  const defaults = defaultView();
  for (const p of VIEW_PROPS) if (s.view[p.name] !== defaults[p.name]) compact[p.short] = s.view[p.name];
  return `#s=${b64urlEncode(JSON.stringify(compact))}`;
}

/** Parse a location hash; returns a state or null when the hash holds none (throws when corrupt). */
export function decodeHash(hash) {
  if (!(hash || '').startsWith('#s=')) return null;
  const m = /^#s=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) throw new Error('not a view: #s= holds characters base64url does not use');
  const compact = JSON.parse(b64urlDecode(m[1]));
  const view = {};
  for (const p of VIEW_PROPS) if (p.short in compact) view[p.name] = compact[p.short];
  const variants = (compact[VARIANTS_SHORT] || []).map(([name, experiment]) => ({ name, experiment }));
  return fromDocument({ variants, view });
}

// ---- mutations used by the editor (each is one `update`) ----

export function activeVariant(s = state) {
  return s.variants[s.view.active];
}

/** Set the value at `path` (array of keys) inside the active experiment. */
export function setField(path, value, opts = {}) {
  const coalesce = opts.structural ? null : `${state.view.active}:${path.join('.')}`;
  update((d) => {
    const exp = d.variants[d.view.active].experiment;
    setIn(exp, path, value);
  }, { coalesce, ...opts });
}

export function setIn(obj, path, value) {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i += 1) cur = cur[path[i]];
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(last, 1);
    else delete cur[last];
  } else cur[last] = value;
}

export function getIn(obj, path) {
  return path.reduce((cur, k) => (cur == null ? undefined : cur[k]), obj);
}

export function setView(name, value) {
  update((d) => { d.view[name] = value; }, { source: 'view', structural: name === 'active', coalesce: `view:${name}` });
}

export function duplicateVariant() {
  update((d) => {
    if (d.variants.length >= server.limits.max_variants) return;
    const used = new Set(d.variants.map((v) => v.name));
    const name = [...VARIANT_NAMES].find((c) => !used.has(c)) || `V${d.variants.length}`;
    d.variants.push({ name, experiment: structuredClone(d.variants[d.view.active].experiment) });
    d.view.active = d.variants.length - 1;
  }, { structural: true });
}

export function removeVariant(index) {
  update((d) => {
    if (d.variants.length <= 1) return;
    d.variants.splice(index, 1);
    if (d.view.active >= d.variants.length) d.view.active = d.variants.length - 1;
  }, { structural: true });
}

/**
 * Remove param group `index`: schedulers pinned to it go too (left in place they would act on
 * every group), later groups' indices shift down.
 */
export function removeGroup(index) {
  update((d) => {
    const exp = d.variants[d.view.active].experiment;
    exp.param_groups.splice(index, 1);
    exp.schedulers = exp.schedulers.filter((sch) => sch?.param_group_index !== index);
    for (const sch of exp.schedulers) {
      if (Number.isInteger(sch?.param_group_index) && sch.param_group_index > index) sch.param_group_index -= 1;
    }
  }, { structural: true });
}
