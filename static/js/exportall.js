// Exports of every variant at once: one CSV with a column per variant/group/param
// (POST /series/variants) and the Python code of each variant in one text.
import { saveBlob } from './actions.js';
import { postCode, postVariantsCsv } from './api.js';
import * as store from './state.js';

/** "variant B: schedulers.0.cycle_size: msg" for each problem of a refused request (its loc
 * body.variants.<i>.experiment.<field...>), else the error's message. */
function problems(error, variants) {
  const out = (error.details || []).map((d) => {
    const loc = d.loc || [];
    const v = loc[1] === 'variants' && Number.isInteger(loc[2]) ? variants[loc[2]] : null;
    const field = loc.slice(v ? 4 : 1).join('.');
    return `${v ? `variant ${v.name}: ` : ''}${field ? `${field}: ` : ''}${d.msg}`;
  });
  return out.length ? out.join('; ') : error.message;
}

/** The code of each variant (`flavor`), one section per variant; a variant the API refuses
 * gets a comment saying why. */
export async function codeOfEvery(variants, flavor) {
  const parts = await Promise.all(variants.map((v) => postCode(v.experiment, flavor).then(
    (code) => `# ---- Variant ${v.name} ----\n${code.trimEnd()}\n`,
    (e) => `# ---- Variant ${v.name}: no code (${problems(e, []).replace(/\n/g, ' ')}) ----\n`,
  )));
  return parts.join('\n');
}

/** Wire the buttons #btn-csv-all and #btn-code-all; `els` holds the code dialog's elements,
 * `status(text)` reports, `copyText(text)` copies. */
export function wireExportAll(els, status, copyText) {
  const csvAll = document.getElementById('btn-csv-all');
  const codeAll = document.getElementById('btn-code-all');
  csvAll?.addEventListener('click', async () => {
    const variants = store.getState().variants.map((v) => ({ name: v.name, experiment: v.experiment }));
    try {
      saveBlob(await postVariantsCsv(variants), 'schedules-all-variants.csv');
      status(`CSV of variants ${variants.map((v) => v.name).join(', ')} downloaded.`);
    } catch (e) {
      status(`Could not download the CSV of every variant: ${problems(e, variants)}`);
    }
  });
  codeAll?.addEventListener('click', async () => {
    const flavor = 'ignite';
    const text = await codeOfEvery(store.getState().variants, flavor);
    els.codeTitle.textContent = `Python code of every variant (${flavor})`;
    els.codeText.value = text;
    els.codeDialog.showModal();
    const copied = await copyText(text);
    status(copied ? `Python code of every variant (${flavor}) copied to the clipboard.` : '');
  });
}
