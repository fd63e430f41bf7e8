// Horizons tied to the experiment: fields whose JSON Schema says `"follows": "num_events"`
// (CosineAnnealingLR.T_max, OneCycleLR.total_steps, PolynomialLR.total_iters, ...) take the
// experiment's num_events when their scheduler is created, and follow it while they still hold
// the old num_events (a value the user typed differs from it, and is left alone).

/** {type: [field names that follow num_events]} from the catalogue's JSON Schemas. */
export function followers(catalogue) {
  const out = {};
  for (const c of catalogue) {
    const names = Object.entries(c.json_schema?.properties || {})
      .filter(([, prop]) => prop && prop.follows === 'num_events').map(([name]) => name);
    if (names.length) out[c.type] = names;
  }
  return out;
}

/** Visit every tagged object (scheduler, nested torch scheduler, Concat child) under `value`. */
function eachTagged(value, fn) {
  if (Array.isArray(value)) { for (const v of value) eachTagged(v, fn); return; }
  if (!value || typeof value !== 'object') return;
  if (typeof value.type === 'string') fn(value);
  for (const v of Object.values(value)) if (v && typeof v === 'object') eachTagged(v, fn);
}

/** Set every follower field under `value` (a new scheduler) that holds a number to `numEvents`
 * (one left empty, e.g. total_steps when epochs are given, stays empty). Mutates `value`. */
export function fillFollowers(value, numEvents, table) {
  if (!Number.isInteger(numEvents) || numEvents < 1) return value;
  eachTagged(value, (obj) => {
    for (const name of table[obj.type] || []) if (typeof obj[name] === 'number') obj[name] = numEvents;
  });
  return value;
}

/** Move the follower fields of `experiment` still equal to `before` to `after`. Mutates it. */
export function followNumEvents(experiment, before, after, table) {
  if (!Number.isInteger(after) || after < 1) return;
  eachTagged(experiment.schedulers, (obj) => {
    for (const name of table[obj.type] || []) if (obj[name] === before) obj[name] = after;
  });
}
