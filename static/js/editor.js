// The experiment editor of the active variant: num_events, param groups, metric curves, schedulers.
import { h, newId } from './dom.js';
import { parseNumber, renderField, setLocalError, typedAsIs, unionField } from './forms.js';
import { metricNames, metricsSection } from './metrics.js';
import { sampleObject } from './schema.js';

/**
 * Build the editor into `container`.
 * catalogue: the catalogue's types [{type, kind, title, json_schema, example, ...}];
 * onChange(path, value, {structural}); current(path): the value at `path` now (edits made since
 * the editor was built included).
 */
export function renderEditor(container, experiment, catalogue, onChange, current = () => undefined, variant = '') {
  const groups = (experiment.param_groups || []).map((g) => String(g.name ?? ''));
  const paramListId = newId('params');
  const paramNames = new Set(['lr', 'momentum', 'weight_decay']);
  for (const g of experiment.param_groups || []) for (const k of Object.keys(g)) if (k !== 'name') paramNames.add(k);
  const examples = Object.fromEntries(catalogue.map((c) => [c.type, c.example]));
  const titles = Object.fromEntries(catalogue.map((c) => [c.type, c.title]));
  const options = catalogue.filter((c) => c.kind !== 'torch')
    .map((c) => ({ tag: c.type, schema: c.json_schema, root: c.json_schema }));
  const ctx = { root: {}, examples, titles, groups, onChange, paramListId, current, metricNames: metricNames(experiment) };

  container.replaceChildren(...[
    h('datalist', { id: paramListId }, [...paramNames].map((n) => h('option', { value: n }))),
    numEventsField(experiment, onChange),
    epochField(experiment, onChange),
    groupsSection(experiment, onChange),
    metricsSection(experiment, onChange, variant),
    schedulersSection(experiment, options, ctx),
  ].filter(Boolean));
}

function numEventsField(experiment, onChange) {
  const input = h('input', { id: 'num-events', type: 'text', inputmode: 'numeric', autocomplete: 'off',
    value: String(experiment.num_events ?? '') });
  const err = h('p', { class: 'field-error', id: 'num-events-err', role: 'alert', hidden: true });
  input.setAttribute('aria-describedby', 'num-events-err');
  input.addEventListener('input', () => {
    const r = parseNumber(input.value, { integer: true });
    if (r.error) return typedAsIs(onChange, ['num_events'], input, r.error);
    if (r.empty) return setLocalError(input, 'Required');
    setLocalError(input, '');
    onChange(['num_events'], r.value);
  });
  return h('div', { class: 'field', 'data-path': 'num_events' },
    h('label', { for: input.id, text: 'num_events' }), input,
    h('small', { class: 'help', text: 'Number of events (iterations) to simulate.' }), err);
}

// Optional: schedulers attached at an epoch event (their form's `event`) need it.
function epochField(experiment, onChange) {
  const input = h('input', { id: 'iterations-per-epoch', type: 'text', inputmode: 'numeric', autocomplete: 'off',
    value: String(experiment.iterations_per_epoch ?? ''), placeholder: 'none' });
  const err = h('p', { class: 'field-error', id: 'iterations-per-epoch-err', role: 'alert', hidden: true });
  input.setAttribute('aria-describedby', 'iterations-per-epoch-err');
  input.addEventListener('input', () => {
    const r = parseNumber(input.value, { integer: true });
    if (r.error) return setLocalError(input, r.error);
    setLocalError(input, '');
    onChange(['iterations_per_epoch'], r.empty ? undefined : r.value);
  });
  return h('div', { class: 'field', 'data-path': 'iterations_per_epoch' },
    h('label', { for: input.id, text: 'iterations_per_epoch' }), input,
    h('small', { class: 'help', text: 'Iterations per epoch, for schedulers attached at EPOCH_STARTED / EPOCH_COMPLETED.' }), err);
}

function groupsSection(experiment, onChange) {
  const list = experiment.param_groups || [];
  const items = list.map((g, i) => groupEditor(g, i, list.length, onChange));
  const add = h('button', { type: 'button', id: 'add-group', text: 'Add param group', on: { click: () => {
    const template = list[0] || { lr: 0.001 };
    const fresh = { name: uniqueName(list.map((x) => x.name), `group${list.length}`) };
    for (const [k, v] of Object.entries(template)) if (k !== 'name') fresh[k] = v;
    onChange(['param_groups', list.length], fresh, { structural: true });
  } } });
  return h('section', { class: 'panel-section', 'aria-labelledby': 'groups-h', 'data-path': 'param_groups' },
    h('h2', { id: 'groups-h', text: 'Param groups' }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    items, add);
}

function uniqueName(used, base) {
  let name = base;
  for (let i = 1; used.includes(name); i += 1) name = `${base}_${i}`;
  return name;
}

function groupEditor(group, i, count, onChange) {
  const base = ['param_groups', i];
  const nameInput = h('input', { id: newId('gname'), type: 'text', autocomplete: 'off', value: String(group.name ?? ''),
    class: 'group-name', dataset: { group: String(i) } });
  nameInput.addEventListener('input', () => onChange([...base, 'name'], nameInput.value));
  // Rebuild once the name is committed so the group pickers show it.
  // (after the focus has moved on, so that the rebuild keeps it where the user went).
  nameInput.addEventListener('change', () => setTimeout(() => onChange([...base, 'name'], nameInput.value, { structural: true })));
  const nameErr = h('p', { class: 'field-error', id: newId('err'), role: 'alert', hidden: true });
  nameInput.setAttribute('aria-describedby', nameErr.id);

  const values = Object.entries(group).filter(([k]) => k !== 'name').map(([key, val]) => {
    const keyInput = h('input', { id: newId('gkey'), type: 'text', autocomplete: 'off', value: key, class: 'param-key',
      'aria-label': `group ${i} parameter name` });
    keyInput.addEventListener('change', () => {
      const k = keyInput.value.trim();
      if (!k || k === key || k === 'name' || k in group) { keyInput.value = key; return; }
      const renamed = {};
      for (const [kk, vv] of Object.entries(group)) renamed[kk === key ? k : kk] = vv;
      setTimeout(() => onChange(base, renamed, { structural: true }));
    });
    const valInput = h('input', { id: newId('gval'), type: 'text', inputmode: 'decimal', autocomplete: 'off',
      value: String(val), class: 'param-value' });
    const err = h('p', { class: 'field-error', id: newId('err'), role: 'alert', hidden: true });
    valInput.setAttribute('aria-describedby', err.id);
    valInput.addEventListener('input', () => {
      const r = parseNumber(valInput.value);
      if (r.error) return typedAsIs(onChange, [...base, key], valInput, r.error);
      if (r.empty) return setLocalError(valInput, 'Required');
      setLocalError(valInput, '');
      onChange([...base, key], r.value);
    });
    const remove = h('button', { type: 'button', class: 'small', text: '×', 'aria-label': `Remove ${key} from group ${i}`,
      title: `Remove ${key}`, on: { click: () => onChange([...base, key], undefined, { structural: true }) } });
    return h('div', { class: 'field param-row', 'data-path': [...base, key].join('.') },
      keyInput, h('label', { for: valInput.id, class: 'visually-hidden', text: `initial value of ${key}` }),
      valInput, remove, err);
  });
  const addValue = h('button', { type: 'button', class: 'small', text: 'Add parameter', on: { click: () => {
    const key = uniqueName(Object.keys(group), group.momentum === undefined ? 'momentum' : 'param');
    onChange([...base, key], 0.9, { structural: true });
  } } });
  const remove = h('button', { type: 'button', class: 'small remove-group', text: 'Remove group', disabled: count <= 1,
    'aria-label': `Remove group ${i}`, on: { click: () => onChange(base, undefined, { structural: true, removeGroup: i }) } });
  return h('fieldset', { class: 'group', 'data-path': base.join('.') },
    h('legend', { text: `group ${i}` }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    h('div', { class: 'field', 'data-path': [...base, 'name'].join('.') },
      h('label', { for: nameInput.id, text: 'name' }), nameInput, nameErr),
    values, h('div', { class: 'row' }, addValue, remove));
}

function schedulersSection(experiment, options, ctx) {
  const list = experiment.schedulers || [];
  const items = list.map((sch, i) => {
    const path = ['schedulers', i];
    const editor = unionField(`scheduler ${i}`, {}, sch, path, ctx, { options });
    editor.classList.add('scheduler');
    const remove = h('button', { type: 'button', class: 'small', text: `Remove scheduler ${i}`,
      on: { click: () => ctx.onChange(path, undefined, { structural: true }) } });
    return h('div', { class: 'list-item' }, editor, remove);
  });
  const add = h('button', { type: 'button', id: 'add-scheduler', text: 'Add scheduler', on: { click: () => {
    const first = options[0];
    ctx.onChange(['schedulers', list.length], sampleObject(first.schema, first.root, ctx.examples), { structural: true });
  } } });
  return h('section', { class: 'panel-section', 'aria-labelledby': 'sched-h', 'data-path': 'schedulers' },
    h('h2', { id: 'sched-h', text: 'Schedulers' }),
    h('p', { class: 'small', text: 'Called in this order once per event.' }),
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    items, add);
}
