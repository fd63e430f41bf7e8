// Share and export actions: short links, Python code, CSV, PNG.
import { createLink, postCode, postSeriesCsv } from './api.js';

/** Copy text to the clipboard; resolves to false when the browser refuses. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Indices of the variants a 422 from POST /links refuses (its loc: body.variants.<i>.experiment...). */
function refusedVariants(error) {
  const loc = (d) => d.loc || [];
  return new Set((error.details || []).filter((d) => loc(d)[0] === 'body' && loc(d)[1] === 'variants'
    && Number.isInteger(loc(d)[2]) && loc(d)[3] === 'experiment').map((d) => loc(d)[2]));
}

/**
 * Create a short link for the view document; returns {url (absolute), drafts (names)}. A variant
 * the API refuses is sent again as a draft ({name, draft}): stored as typed, never computed, shown
 * with its errors when the link is opened. Other refusals (caps of the view) are thrown.
 */
export async function share(doc) {
  let body = doc;
  const drafts = new Set();
  for (;;) {
    try {
      const { id, url } = await createLink(body);
      const names = body.variants.filter((v, i) => drafts.has(i)).map((v) => v.name);
      return { url: new URL(url || `/s/${encodeURIComponent(id)}`, window.location.origin).href, drafts: names };
    } catch (e) {
      const refused = e.status === 422 ? [...refusedVariants(e)].filter((i) => !drafts.has(i) && body.variants[i]) : [];
      if (!refused.length) throw e;
      for (const i of refused) drafts.add(i);
      body = { ...body, variants: body.variants.map((v, i) => (drafts.has(i) ? { name: v.name, draft: v.experiment ?? v.draft } : v)) };
    }
  }
}

export async function code(experiment, flavor) {
  return postCode(experiment, flavor);
}

/** Download the full series of `experiment` as CSV (`summary`: its summary table). */
export async function downloadCsv(experiment, filename, { summary = false } = {}) {
  saveBlob(await postSeriesCsv(experiment, { summary }), filename);
}

/** Offer `blob` as a download named `filename`. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
