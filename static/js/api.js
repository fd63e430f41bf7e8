// The only module that talks to the server (fetch). Errors become ApiError with the 422 details.

const BASE = '/api/v1';

export class ApiError extends Error {
  /** @param {number} status @param {Array<{loc: Array, msg: string}>} details */
  constructor(status, message, details = []) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

async function request(path, { method = 'GET', body, signal, accept = 'application/json' } = {}) {
  const init = { method, signal, headers: { Accept: accept } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(BASE + path, init);
  if (!res.ok) throw await toError(res);
  return res;
}

// Every error reply of the API is {detail: [{loc, msg, type}]}; anything else (a proxy's error
// page, a dropped connection) only has its status.
async function toError(res) {
  let payload = null;
  try { payload = await res.json(); } catch { /* not JSON: not from the API */ }
  if (Array.isArray(payload?.detail)) {
    const details = payload.detail.map(({ loc, msg }) => ({ loc, msg }));
    return new ApiError(res.status, details.map((d) => d.msg).join('; '), details);
  }
  return new ApiError(res.status, `${res.status}: ${res.statusText}`, []);
}

/**
 * The catalogue (GET /schedulers): {version, types: [{type, kind, title, description, json_schema,
 * child_json_schema, defaults, example, closed_form, stepping_only, declines}], experiment_schema,
 * example, limits, view_defaults}. `kind` is "param", "composite" or "torch"; `limits` holds the
 * server's caps (max_variants, max_points, ...); `view_defaults` the view a fresh dashboard shows.
 */
export async function getCatalogue() {
  return (await request('/schedulers')).json();
}

/**
 * Series of one experiment: {num_events, decimated, series: [...]}, decimated to `maxPoints` (min
 * and max kept) if given; `window` {start, stop}: only the events [start, stop) (the reply then
 * says start and stop, and lists the events); `summary`: each series gets its summary numbers.
 */
export async function postSeries(experiment, maxPoints, signal, window = null, { summary = false } = {}) {
  const q = new URLSearchParams();
  if (maxPoints) q.set('max_points', String(maxPoints));
  if (summary) q.set('summary', 'true');
  if (window) { q.set('start', String(window.start)); q.set('stop', String(window.stop)); }
  const query = q.toString() ? `?${q}` : '';
  return (await request(`/series${query}`, { method: 'POST', body: experiment, signal })).json();
}

/** CSV of one experiment's full series (`summary`: its summary table instead). */
export async function postSeriesCsv(experiment, { summary = false } = {}) {
  const q = summary ? '&summary=true' : '';
  return (await request(`/series?format=csv${q}`, { method: 'POST', body: experiment, accept: 'text/csv' })).blob();
}

/** One CSV of every variant side by side (POST /series/variants): a column per variant/group/param. */
export async function postVariantsCsv(variants, maxPoints = null) {
  const q = maxPoints ? `?max_points=${maxPoints}` : '';
  return (await request(`/series/variants${q}`, { method: 'POST', body: { variants }, accept: 'text/csv' })).blob();
}

/** Python code rebuilding the experiment, flavor "ignite" or "scheduler_core". */
export async function postCode(experiment, flavor) {
  const res = await request(`/code?flavor=${encodeURIComponent(flavor)}`, { method: 'POST', body: experiment });
  return (await res.json()).code;
}

/** Store a dashboard view document; returns {id, url}. */
export async function createLink(doc) {
  return (await request('/links', { method: 'POST', body: doc })).json();
}

export async function getLink(id) {
  return (await request(`/links/${encodeURIComponent(id)}`)).json();
}

/** POST /compare: how experiment b differs from a (per group and param), curves decimated. */
export async function postCompare(a, b, { rtol, atol }, maxPoints, signal) {
  const body = { a, b, rtol, atol };
  return (await request(`/compare?max_points=${maxPoints}`, { method: 'POST', body, signal })).json();
}

/** POST /translate: the experiment with its transformers/timm schedules as ignite schedulers,
 * `notes` per scheduler and the `comparison` (as /compare) of the two. */
export async function postTranslate(experiment, maxPoints) {
  return (await request(`/translate?max_points=${maxPoints}`, { method: 'POST', body: experiment })).json();
}
