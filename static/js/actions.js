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

/** Create a short link for the document; returns the absolute URL. */
export async function share(doc) {
  const { id, url } = await createLink(doc);
  return new URL(url || `/s/${encodeURIComponent(id)}`, window.location.origin).href;
}

export async function code(experiment, flavor) {
  return postCode(experiment, flavor);
}

/** Download the full series of `experiment` as CSV (`summary`: its summary table). */
export async function downloadCsv(experiment, filename, { summary = false } = {}) {
  const blob = await postSeriesCsv(experiment, { summary });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
