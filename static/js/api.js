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

async function toError(res) {
  let payload = null;
  try { payload = await res.json(); } catch { /* not JSON */ }
  const detail = payload && payload.detail;
  if (Array.isArray(detail)) {
    const details = detail.map((d) => ({ loc: Array.isArray(d.loc) ? d.loc : [], msg: String(d.msg ?? d.message ?? '') }));
    return new ApiError(res.status, details.map((d) => d.msg).join('; ') || res.statusText, details);
  }
  const msg = typeof detail === 'string' ? detail : (payload && (payload.message || payload.error)) || res.statusText;
  return new ApiError(res.status, `${res.status}: ${msg}`, []);
}

/**
 * The catalogue: {types: [{type, kind, title, description, schema, child_schema, defaults, example}],
 * experiment_schema, example}. `kind` is "param", "composite" or "torch".
 */
export async function getCatalogue() {
  const data = await (await request('/schedulers')).json();
  const list = Array.isArray(data) ? data : (data.types || data.schedulers || []);
  const types = list.map((t) => ({ ...t, schema: t.json_schema || t.schema, child_schema: t.child_json_schema || null }));
  return { types, experiment_schema: data.experiment_schema || null, example: data.example || null };
}

/** Decimated series of one experiment: {num_events, decimated, series: [...]}. */
export async function postSeries(experiment, maxPoints, signal) {
  const q = maxPoints ? `?max_points=${Math.max(2, Math.round(maxPoints))}` : '';
  return (await request(`/series${q}`, { method: 'POST', body: experiment, signal })).json();
}

/** CSV text of one experiment's full series. */
export async function postSeriesCsv(experiment) {
  return (await request('/series?format=csv', { method: 'POST', body: experiment, accept: 'text/csv' })).blob();
}

/** Python code rebuilding the experiment, flavor "ignite" or "scheduler_core". */
export async function postCode(experiment, flavor) {
  const res = await request(`/code?flavor=${encodeURIComponent(flavor)}`, { method: 'POST', body: experiment, accept: 'text/plain, application/json' });
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    const data = await res.json();
    return typeof data === 'string' ? data : data.code;
  }
  return res.text();
}

/** Store a dashboard view document; returns {id, url}. */
export async function createLink(doc) {
  return (await request('/links', { method: 'POST', body: doc })).json();
}

export async function getLink(id) {
  return (await request(`/links/${encodeURIComponent(id)}`)).json();
}
