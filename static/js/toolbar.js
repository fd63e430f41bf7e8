// The toolbar: Share (short link copied to the clipboard), Python code, CSV and PNG exports.
import * as actions from './actions.js';
import { downloadPng } from './chart.js';
import { wireExportAll } from './exportall.js';
import * as store from './state.js';

/** Wire the toolbar buttons; `els` holds the page's elements, `status(text)` reports to the user. */
export function wireToolbar(els, status) {
  els.share.addEventListener('click', async () => {
    try {
      const { url, drafts } = await actions.share(store.toDocument());
      els.shareUrl.value = url;
      els.shareOut.hidden = false;
      const copied = await actions.copyText(url);
      const kept = drafts.length ? ` Variant${drafts.length > 1 ? 's' : ''} ${drafts.join(', ')} kept as typed, with ${drafts.length > 1 ? 'their' : 'its'} errors.` : '';
      status(`${copied ? 'Short link copied to the clipboard.' : 'Short link created: copy it from the box.'}${kept}`);
      els.shareUrl.focus();
      els.shareUrl.select();
    } catch (e) {
      if (e.status !== 422) { status(`Could not create a link: ${e.message}`); return; }
      // a view over the caps of a short link: the full link keeps every variant as typed
      const url = new URL(store.encodeHash(), window.location.href).href;
      els.shareUrl.value = url;
      els.shareOut.hidden = false;
      const copied = await actions.copyText(url);
      status(`No short link for this view (${e.message}); ${copied ? 'the full link, which keeps them as typed, is copied' : 'copy the full link, which keeps them as typed, from the box'}.`);
    }
  });
  for (const [btn, flavor] of [[els.codeIgnite, 'ignite'], [els.codeCore, 'scheduler_core']]) {
    btn.addEventListener('click', async () => {
      try {
        const text = await actions.code(store.activeVariant().experiment, flavor);
        els.codeTitle.textContent = `Python code (${flavor})`;
        els.codeText.value = text;
        els.codeDialog.showModal();
        const copied = await actions.copyText(text);
        status(copied ? `Python code (${flavor}) copied to the clipboard.` : '');
      } catch (e) {
        status(`Could not export code: ${e.message}`);
      }
    });
  }
  els.codeCopy.addEventListener('click', async () => {
    const ok = await actions.copyText(els.codeText.value);
    if (!ok) { els.codeText.select(); }
    status(ok ? 'Copied.' : 'Select the text and copy it.');
  });
  els.codeClose.addEventListener('click', () => els.codeDialog.close());
  els.csv.addEventListener('click', async () => {
    const v = store.activeVariant();
    try {
      await actions.downloadCsv(v.experiment, `schedule-${v.name}.csv`);
    } catch (e) {
      status(`Could not download CSV: ${e.message}`);
    }
  });
  els.summaryCsv.addEventListener('click', async () => {
    const v = store.activeVariant();
    try {
      await actions.downloadCsv(v.experiment, `summary-${v.name}.csv`, { summary: true });
    } catch (e) {
      status(`Could not download the summary: ${e.message}`);
    }
  });
  els.png.addEventListener('click', () => downloadPng(els.chart, 'schedule'));
  wireExportAll(els, status, actions.copyText);
}
