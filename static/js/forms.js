// Form controls generated from JSON Schema. Every control carries data-path (its place in the
// experiment) so that API errors can be shown next to it. Values reach the DOM only as `value`.
import { h, newId } from './dom.js';
import { deref, kindOf, sampleObject, sampleValue, unionOptions, unwrapNullable } from './schema.js';

/**
 * ctx = {root, examples, titles, groups: [names], onChange(path, value, {structural}),
 *        paramListId, catalogue: [{tag, schema, root}] (top-level options)}
 */
export function renderField(name, schema, value, path, ctx, { required = false } = {}) {
  const { schema: s, nullable } = unwrapNullable(schema, ctx.root);
  if (name === 'param_group_index') return groupSelect(name, s, value, path, ctx);
  if (name === 'metric_name' && ctx.metricNames) return metricSelect(name, s, value, path, ctx);
  const kind = kindOf(s, ctx.root);
  switch (kind) {
    case 'union': return unionField(name, s, value, path, ctx);
    case 'object': return objectField(name, s, value ?? {}, path, ctx);
    case 'object-list': return objectList(name, s, value ?? [], path, ctx);
    case 'tuple-list': return tupleList(name, s, value ?? [], path, ctx);
    case 'number-list': return numberList(name, s, value, path, ctx, { required, nullable });
    case 'number': case 'integer': return numberField(name, s, value, path, ctx, { required, nullable, integer: kind === 'integer' });
    case 'boolean': return boolField(name, s, value, path, ctx);
    case 'enum': return enumField(name, s, value, path, ctx, { nullable });
    case 'const': return null;
    case 'string': return stringField(name, s, value, path, ctx, { required });
    default: return jsonField(name, s, value, path, ctx);
  }
}

/** The fields of an object schema (the `type` tag excluded). */
export function objectFields(s, value, path, ctx) {
  const required = new Set(s.required || []);
  return Object.entries(s.properties || {})
    .filter(([name]) => name !== 'type')
    .map(([name, prop]) => renderField(name, prop, value[name], [...path, name], ctx, { required: required.has(name) }));
}

function wrap(path, label, control, s, extra = {}) {
  const helpText = [s.description, 'default' in s && s.default !== null ? `default: ${JSON.stringify(s.default)}` : null]
    .filter(Boolean).join(' — ');
  const help = helpText ? h('small', { class: 'help', id: newId('help'), text: helpText }) : null;
  const error = h('p', { class: 'field-error', id: newId('err'), role: 'alert', hidden: true });
  control.setAttribute('aria-describedby', [help && help.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: `field ${extra.class || ''}`, 'data-path': path.join('.') },
    h('label', { for: control.id, text: label }), control, help, error);
}

/** Show or clear a local (client-side) error on the field wrapping `control`. */
export function setLocalError(control, message) {
  const field = control.closest('.field');
  const err = field && field.querySelector(':scope > .field-error');
  if (!err) return;
  err.textContent = message || '';
  err.hidden = !message;
  control.setAttribute('aria-invalid', message ? 'true' : 'false');
}

/**
 * Text a number field cannot take: the local `message` at the field, and the text kept as typed in
 * the experiment (so the URL and share links keep it; the API names the field when asked).
 */
export function typedAsIs(onChange, path, control, message) {
  setLocalError(control, message);
  onChange(path, control.value, { typed: true });
}

export function parseNumber(text, { integer = false } = {}) {
  const t = text.trim();
  if (t === '') return { empty: true };
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && !/^[+-]?Infinity$/.test(t)) {
    return { error: 'Enter a number, e.g. 0.001 or 1e-3' };
  }
  const v = Number(t);
  if (!Number.isFinite(v)) return { error: 'Enter a finite number' };
  // "2." or "2.0" in an integer field is not taken as 2 while the user is typing "2.5"
  if (integer && (!Number.isInteger(v) || /\./.test(t))) return { error: 'Enter a whole number' };
  return { value: v };
}

function numberField(name, s, value, path, ctx, { required, nullable, integer }) {
  const id = newId('num');
  const input = h('input', {
    id, type: 'text', inputmode: integer ? 'numeric' : 'decimal', autocomplete: 'off',
    value: value === undefined || value === null ? '' : String(value),
    placeholder: 'default' in s && s.default !== null ? String(s.default) : (nullable ? 'none' : ''),
    dataset: { kind: integer ? 'integer' : 'number' },
  });
  input.addEventListener('input', () => {
    const r = parseNumber(input.value, { integer });
    if (r.error) return typedAsIs(ctx.onChange, path, input, r.error);
    if (r.empty) {
      if (required && !nullable) return setLocalError(input, 'Required');
      setLocalError(input, '');
      return ctx.onChange(path, nullable && !('default' in s) ? null : undefined);
    }
    setLocalError(input, '');
    ctx.onChange(path, r.value);
  });
  return wrap(path, name, input, s);
}

function numberList(name, s, value, path, ctx, { required, nullable }) {
  const items = deref(s.items, ctx.root);
  const integer = items.type === 'integer';
  const input = h('input', {
    id: newId('list'), type: 'text', autocomplete: 'off', inputmode: 'decimal',
    value: Array.isArray(value) ? value.join(', ') : (typeof value === 'string' ? value : ''),
    placeholder: 'comma-separated, e.g. 30, 80',
  });
  input.addEventListener('input', () => {
    const parts = input.value.split(/[\s,;]+/).filter(Boolean);
    if (!parts.length && !required) { setLocalError(input, ''); return ctx.onChange(path, nullable ? null : undefined); }
    const out = [];
    for (const p of parts) {
      const r = parseNumber(p, { integer });
      if (r.error) return typedAsIs(ctx.onChange, path, input, `${p}: ${r.error}`);
      out.push(r.value);
    }
    setLocalError(input, '');
    ctx.onChange(path, out);
  });
  return wrap(path, name, input, s);
}

function boolField(name, s, value, path, ctx) {
  const input = h('input', { id: newId('bool'), type: 'checkbox', checked: value ?? s.default ?? false });
  input.addEventListener('change', () => ctx.onChange(path, input.checked));
  return wrap(path, name, input, s, { class: 'field-bool' });
}

function enumField(name, s, value, path, ctx, { nullable }) {
  const select = h('select', { id: newId('enum') },
    nullable ? h('option', { value: '', text: '(none)' }) : null,
    s.enum.map((v) => h('option', { value: JSON.stringify(v), text: String(v) })));
  const current = value ?? s.default;
  select.value = current === undefined || current === null ? '' : JSON.stringify(current);
  select.addEventListener('change', () => ctx.onChange(path, select.value === '' ? null : JSON.parse(select.value)));
  return wrap(path, name, select, s);
}

function stringField(name, s, value, path, ctx, { required }) {
  const input = h('input', {
    id: newId('str'), type: 'text', autocomplete: 'off', value: value ?? '',
    placeholder: s.default ?? '', list: name === 'param_name' ? ctx.paramListId : undefined,
  });
  input.addEventListener('input', () => {
    if (input.value === '' && !required && 'default' in s) return ctx.onChange(path, undefined);
    ctx.onChange(path, input.value);
  });
  return wrap(path, name, input, s);
}

function groupSelect(name, s, value, path, ctx) {
  const select = h('select', { id: newId('grp') },
    h('option', { value: '', text: 'all groups' }),
    ctx.groups.map((g, i) => h('option', { value: String(i), text: `${i}: ${g}` })));
  select.value = Number.isInteger(value) ? String(value) : '';
  select.addEventListener('change', () => ctx.onChange(path, select.value === '' ? undefined : Number(select.value)));
  return wrap(path, name, select, { description: 'Param group the scheduler sets (or all groups).' });
}

function jsonField(name, s, value, path, ctx) {
  const area = h('textarea', { id: newId('json'), rows: 2, value: value === undefined ? '' : JSON.stringify(value) });
  area.addEventListener('input', () => {
    if (area.value.trim() === '') { setLocalError(area, ''); return ctx.onChange(path, undefined); }
    try {
      const v = JSON.parse(area.value);
      setLocalError(area, '');
      ctx.onChange(path, v);
    } catch {
      setLocalError(area, 'Enter JSON');
    }
  });
  return wrap(path, name, area, s);
}

function objectField(name, s, value, path, ctx) {
  return h('fieldset', { class: 'nested', 'data-path': path.join('.') },
    h('legend', { text: name }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    objectFields(s, value, path, ctx));
}

/**
 * A tagged union: a `type` select and the fields of the chosen type. Switching type keeps the
 * values of the fields both types have (param_name, start_value, cycle_size, ...).
 */
export function unionField(name, s, value, path, ctx, { options } = {}) {
  const opts = options || unionOptions(s, ctx.root).map((o) => ({ ...o, root: ctx.root }));
  const current = opts.find((o) => o.tag === (value && value.type)) || opts[0];
  const option = (o) => h('option', { value: o.tag, text: (ctx.titles && ctx.titles[o.tag]) || o.tag });
  // grouped by library: a dotted type name ("transformers.get_...") names its library
  const library = (o) => (o.tag.includes('.') ? o.tag.split('.')[0] : 'ignite');
  const libraries = [...new Set(opts.map(library))];
  const select = h('select', { id: newId('type') }, libraries.length < 2 ? opts.map(option)
    : libraries.map((lib) => h('optgroup', { label: lib }, opts.filter((o) => library(o) === lib).map(option))));
  select.value = current.tag;
  select.addEventListener('change', () => {
    const next = opts.find((o) => o.tag === select.value);
    const fresh = sampleObject(next.schema, next.root, ctx.examples);
    const props = next.schema.properties || {};
    for (const k of Object.keys(fresh)) if (k !== 'type' && !(k in props)) delete fresh[k];
    // the values typed into fields both types have (start_value, cycle_size, ...) are kept
    const now = (ctx.current && ctx.current(path)) || value || {};
    for (const [k, v] of Object.entries(now)) if (k !== 'type' && k in props) fresh[k] = v;
    ctx.onChange(path, fresh, { structural: true });
  });
  const sub = { ...ctx, root: current.root };
  const typeField = wrap([...path, 'type'], 'type', select, { description: current.schema.description });
  return h('fieldset', { class: 'nested union', 'data-path': path.join('.') },
    h('legend', { text: name }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    typeField,
    objectFields(current.schema, value || {}, path, sub));
}

function objectList(name, s, value, path, ctx) {
  const itemSchema = deref(s.items, ctx.root);
  const items = value.map((item, i) => {
    const p = [...path, i];
    const editor = unionOptions(itemSchema, ctx.root)
      ? unionField(`${name}[${i}]`, itemSchema, item, p, ctx)
      : objectField(`${name}[${i}]`, itemSchema, item, p, ctx);
    const remove = h('button', { type: 'button', class: 'small', text: `Remove ${name}[${i}]`,
      on: { click: () => ctx.onChange(p, undefined, { structural: true }) } });
    return h('div', { class: 'list-item' }, editor, remove);
  });
  const add = h('button', { type: 'button', class: 'small', text: `Add to ${name}`, on: {
    click: () => ctx.onChange([...path, value.length], sampleValue(itemSchema, ctx.root, ctx.examples), { structural: true }),
  } });
  return h('fieldset', { class: 'nested list', 'data-path': path.join('.') },
    h('legend', { text: name }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    items, add);
}

function tupleList(name, s, value, path, ctx) {
  const itemSchema = deref(s.items, ctx.root);
  const parts = itemSchema.prefixItems.map((p) => deref(p, ctx.root));
  const labels = name === 'milestones_values' ? ['event', 'value'] : parts.map((_, j) => `#${j}`);
  const rows = value.map((row, i) => h('div', { class: 'tuple-row', 'data-path': [...path, i].join('.') },
    parts.map((part, j) => {
      const f = numberField(`${name}[${i}] ${labels[j]}`, part, row[j], [...path, i, j], ctx,
        { required: true, nullable: false, integer: part.type === 'integer' });
      f.classList.add('inline');
      return f;
    }),
    h('button', { type: 'button', class: 'small', text: 'Remove', 'aria-label': `Remove ${name}[${i}]`,
      on: { click: () => ctx.onChange([...path, i], undefined, { structural: true }) } })));
  const add = h('button', { type: 'button', class: 'small', text: `Add to ${name}`, on: { click: () => {
    const last = value[value.length - 1];
    const row = last ? [last[0] + 100, last[1]] : parts.map((p) => sampleValue(p, ctx.root));
    ctx.onChange([...path, value.length], row, { structural: true });
  } } });
  return h('fieldset', { class: 'nested list', 'data-path': path.join('.') },
    h('legend', { text: name }),
    s.description ? h('small', { class: 'help', text: s.description }) : null,
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    rows, add);
}

/** The metric curve a plateau scheduler reads: one of the experiment's curves (a name that is
 * none of them stays shown, and the API's error names the field). */
function metricSelect(name, s, value, path, ctx) {
  const names = [...ctx.metricNames];
  if (typeof value === 'string' && value && !names.includes(value)) names.push(value);
  const select = h('select', { id: newId('metric'), class: 'metric-select' },
    names.map((n) => h('option', { value: n, text: ctx.metricNames.includes(n) ? n : `${n} (no such curve)` })),
    names.length ? null : h('option', { value: '', text: '(no curve: add one under Metric curves)' }));
  select.value = typeof value === 'string' ? value : '';
  select.addEventListener('change', () => ctx.onChange(path, select.value));
  return wrap(path, name, select, s);
}
