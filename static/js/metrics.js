// The experiment's named metric curves (`metrics`), read by the plateau schedulers (`metric_name`):
// add, rename, remove; kind "values" (a pasted column or CSV) or a generated curve whose fields come
// from the catalogue's experiment JSON Schema.
import { countText, errorText, readPaste } from './csvpaste.js';
import { h, newId } from './dom.js';
import { objectFields, setLocalError, typedAsIs } from './forms.js';
import { deref, sampleObject, unwrapNullable } from './schema.js';
import * as store from './state.js';

let root = null; // the catalogue's experiment_schema
const pastes = new Map(); // `${variant}|${curve}` -> {text, column}: the paste as typed, for its column picker

/** Take the experiment's JSON Schema (the catalogue's `experiment_schema`). */
export function configureMetrics(experimentSchema) {
  root = experimentSchema || null;
}

/** The schema of `metrics` (an object of curves), or null when the wire has none. */
function metricsSchema() {
  const prop = root?.properties?.metrics;
  return prop ? unwrapNullable(prop, root).schema : null;
}

/** The schema of one curve: the value of `metrics`' patternProperties (or additionalProperties). */
function curveSchema(s) {
  const pattern = s && s.patternProperties && Object.values(s.patternProperties)[0];
  return s && deref(pattern || s.additionalProperties, root);
}

/** [{kind, schema}] of a curve, from the schema (null: no metric curves on the wire). */
function curveKinds() {
  const item = curveSchema(metricsSchema());
  if (!item) return null;
  const alts = item.oneOf || item.anyOf || [item];
  const kinds = alts.map((a) => deref(a, root)).map((schema) => {
    const k = deref(schema.properties?.kind, root);
    return { kind: k.const ?? (Array.isArray(k.enum) ? k.enum[0] : k.default), schema };
  }).filter((k) => typeof k.kind === 'string');
  return kinds.length ? kinds : null;
}

/** A new curve of `kind`: the schema's example of that kind, else its required fields. */
function freshCurve(kind) {
  const k = (curveKinds() || []).find((c) => c.kind === kind);
  if (!k) return { kind };
  const examples = [...(k.schema.examples || []), ...(metricsSchema()?.examples || []).flatMap((e) => Object.values(e || {}))];
  const example = examples.find((e) => e && e.kind === kind);
  const curve = example ? structuredClone(example) : sampleObject(k.schema, root);
  curve.kind = kind;
  if (kind === 'values' && !example) curve.values = []; // to be pasted
  return curve;
}

/** Is `name` a curve name the wire takes (its propertyNames), and not one of `taken`? */
function nameProblem(name, taken) {
  const s = metricsSchema();
  const rule = deref(s?.propertyNames, root) || {};
  const pattern = rule.pattern || Object.keys(s?.patternProperties || {})[0];
  if (!name) return 'Enter a name';
  if (taken.includes(name)) return `A curve is already named ${name}`;
  if (rule.maxLength && name.length > rule.maxLength) return `At most ${rule.maxLength} characters`;
  if (pattern && !new RegExp(pattern).test(name)) return `${rule.description || 'Not a curve name'} (${pattern})`;
  return '';
}

function uniqueName(taken, base) {
  let name = base;
  for (let i = 1; taken.includes(name); i += 1) name = `${base}_${i}`;
  return name;
}

/** Every object under `value` that names a metric curve (a plateau scheduler, nested ones too). */
function eachReader(value, fn) {
  if (Array.isArray(value)) { for (const v of value) eachReader(v, fn); return; }
  if (!value || typeof value !== 'object') return;
  if (typeof value.metric_name === 'string') fn(value);
  for (const v of Object.values(value)) if (v && typeof v === 'object') eachReader(v, fn);
}

/**
 * A new scheduler `value` (type switch, added item) that reads a metric curve: its `metric_name`
 * becomes the experiment's first curve when it names none of them; when the experiment has no
 * curve, returns {name: curve} to add (a generated one, so that the experiment stays valid).
 * Mutates `value`; returns null when nothing is to be added.
 */
export function bindMetric(value, experiment) {
  const names = Object.keys(experiment.metrics || {});
  let added = null;
  eachReader(value, (obj) => {
    if (names.includes(obj.metric_name)) return;
    if (names.length) { obj.metric_name = names[0]; return; }
    if (!added) added = { [obj.metric_name || 'val_loss']: freshCurve(curveKinds()?.some((k) => k.kind === 'exp_plateau') ? 'exp_plateau' : 'values') };
    obj.metric_name = Object.keys(added)[0];
  });
  return added;
}

/** Rename curve `from` to `to` (order kept) and the schedulers that read it: one undoable edit. */
function renameCurve(from, to) {
  const variant = store.activeVariant().name;
  for (const key of [...pastes.keys()]) {
    if (key === `${variant}|${from}`) { pastes.set(`${variant}|${to}`, pastes.get(key)); pastes.delete(key); }
  }
  store.update((d) => {
    const exp = d.variants[d.view.active].experiment;
    exp.metrics = Object.fromEntries(Object.entries(exp.metrics).map(([k, v]) => [k === from ? to : k, v]));
    eachReader(exp.schedulers, (obj) => { if (obj.metric_name === from) obj.metric_name = to; });
  }, { structural: true });
}

function plainField(path, label, control, { help = null, extra = [] } = {}) {
  const helpEl = help ? h('small', { class: 'help', id: newId('help'), text: help }) : null;
  const error = h('p', { class: 'field-error', id: newId('err'), role: 'alert', hidden: true });
  control.setAttribute('aria-describedby', [helpEl && helpEl.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field', 'data-path': path.join('.') },
    h('label', { for: control.id, text: label }), control, helpEl, ...extra, error);
}

/** The server's cap on a request body, said of `values` as curve `name` of the active experiment. */
function tooLarge(name, values) {
  const most = store.limits().max_body_bytes;
  const exp = store.activeVariant().experiment;
  const bytes = most ? JSON.stringify({ ...exp, metrics: { ...(exp.metrics || {}), [name]: { kind: 'values', values } } }).length : 0;
  return bytes > most ? [`These ${values.length} values make the experiment ${bytes.toLocaleString('en')} bytes of JSON; the server takes at most ${most.toLocaleString('en')}: fewer values, or fewer digits each.`] : [];
}

const sameValues = (a, b) => Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The paste box of a "values" curve: the text (as pasted while it still reads as the curve's
 * values, else one value a line), the column picker of a multi-column CSV, how many values were
 * read and the errors (each naming its row).
 */
function valuesField(name, curve, path, ctx, kindSchema) {
  const key = `${ctx.variant}|${name}`;
  const maxValues = deref(kindSchema.properties?.values, root)?.maxItems ?? Infinity;
  const kept = pastes.get(key);
  let chosen = null;
  let text;
  if (typeof curve.values === 'string') text = curve.values; // kept as typed: its errors are shown again
  else if (kept && sameValues(readPaste(kept.text, { column: kept.column, name, maxValues }).values, curve.values)) {
    ({ text, column: chosen } = kept);
  } else text = Array.isArray(curve.values) ? curve.values.join('\n') : '';
  const area = h('textarea', { id: newId('paste'), class: 'metric-paste', rows: 6, spellcheck: false, value: text,
    placeholder: 'Paste one value per evaluation: a column of numbers, or a CSV with a header row',
    'aria-label': `values of metric ${name}` });
  const column = h('select', { id: newId('column'), class: 'metric-column' });
  const columnLabel = h('label', { class: 'metric-column-label', hidden: true }, 'column ', column);
  const count = h('small', { class: 'help metric-count', 'aria-live': 'polite' });
  let labels = '';
  const read = (typed) => {
    let r = readPaste(area.value, { column: chosen, name, maxValues });
    if (typed && chosen !== null && JSON.stringify(r.columns) !== labels) { // another CSV: its own default column
      chosen = null;
      r = readPaste(area.value, { name, maxValues });
    }
    labels = JSON.stringify(r.columns);
    columnLabel.hidden = !r.columns;
    column.replaceChildren(...(r.columns || []).map((c, i) => h('option', { value: String(i), text: c })));
    if (r.columns) column.value = String(r.column);
    count.textContent = r.values.length ? countText(r) : '';
    if (typed) pastes.set(key, { text: area.value, column: chosen });
    if (!r.errors.length) r.errors.push(...tooLarge(name, r.values));
    if (r.errors.length) {
      if (typed) typedAsIs(ctx.onChange, path, area, errorText(r.errors));
      else setLocalError(area, errorText(r.errors));
      return;
    }
    setLocalError(area, '');
    if (typed) ctx.onChange(path, r.values);
  };
  area.addEventListener('input', () => read(true));
  column.addEventListener('change', () => { chosen = Number(column.value); read(true); });
  const field = plainField(path, 'values', area, {
    help: 'One value per evaluation: the scheduler reads value k on its k-th call.', extra: [columnLabel, count] });
  field.classList.add('metric-values');
  read(false);
  return field;
}

function curveEditor(name, curve, names, kinds, ctx) {
  const base = ['metrics', name];
  const nameInput = h('input', { id: newId('mname'), type: 'text', autocomplete: 'off', value: name, class: 'metric-name' });
  nameInput.addEventListener('change', () => {
    const next = nameInput.value.trim();
    if (next === name) { setLocalError(nameInput, ''); return; }
    const problem = nameProblem(next, names.filter((n) => n !== name));
    setLocalError(nameInput, problem);
    if (!problem) setTimeout(() => renameCurve(name, next)); // after the focus has moved on
  });
  const kindSelect = h('select', { id: newId('mkind'), class: 'metric-kind' },
    kinds.map((k) => h('option', { value: k.kind, text: k.kind })));
  const current = kinds.find((k) => k.kind === curve?.kind) || kinds[0];
  kindSelect.value = current.kind;
  kindSelect.addEventListener('change', () => ctx.onChange(base, freshCurve(kindSelect.value), { structural: true }));
  const body = current.kind === 'values'
    ? valuesField(name, curve || {}, [...base, 'values'], ctx, current.schema)
    : objectFields(current.schema, curve || {}, base, { ...ctx, root });
  const remove = h('button', { type: 'button', class: 'small', text: `Remove metric ${name}`,
    on: { click: () => {
      const now = metricNames(store.activeVariant().experiment);
      ctx.onChange(now.length > 1 ? base : ['metrics'], undefined, { structural: true });
    } } });
  return h('fieldset', { class: 'nested metric', 'data-path': base.join('.') },
    h('legend', { text: `metric ${name}` }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    plainField([...base, 'name'], 'name', nameInput),
    plainField([...base, 'kind'], 'kind', kindSelect, { help: current.schema.description }),
    body, remove);
}

/**
 * The "Metric curves" section of the active experiment (null when the wire has no metrics).
 * `onChange(path, value, opts)`: the editor's edits; `variant`: the active variant's name.
 */
export function metricsSection(experiment, onChange, variant) {
  const kinds = curveKinds();
  if (!kinds) return null;
  const metrics = experiment.metrics && typeof experiment.metrics === 'object' ? experiment.metrics : {};
  const names = Object.keys(metrics);
  const ctx = { onChange, variant, examples: {}, titles: {}, groups: [], current: () => undefined };
  const most = metricsSchema()?.maxProperties ?? Infinity;
  const add = h('button', { type: 'button', id: 'add-metric', text: 'Add metric curve', disabled: names.length >= most,
    on: { click: () => {
      const now = metricNames(store.activeVariant().experiment); // edits since this was built included
      const name = uniqueName(now, now.length ? 'metric' : 'val_loss');
      const curve = freshCurve(kinds.some((k) => k.kind === 'exp_plateau') ? 'exp_plateau' : kinds[0].kind);
      if (now.length) onChange(['metrics', name], curve, { structural: true });
      else onChange(['metrics'], { [name]: curve }, { structural: true });
    } } });
  return h('section', { class: 'panel-section', 'aria-labelledby': 'metrics-h', 'data-path': 'metrics' },
    h('h2', { id: 'metrics-h', text: 'Metric curves' }),
    h('p', { class: 'small', text: 'Named curves a plateau scheduler reads (its metric_name): one value per evaluation, pasted or generated.' }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    names.map((name) => curveEditor(name, metrics[name], names, kinds, ctx)), add);
}

/** The curve names of `experiment` (for the schedulers' metric_name menus). */
export function metricNames(experiment) {
  return experiment?.metrics && typeof experiment.metrics === 'object' ? Object.keys(experiment.metrics) : [];
}
