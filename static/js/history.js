// Undo/redo controls (the history itself lives in state.js) and announcements of what changed.
import { h } from './dom.js';
import * as store from './state.js';

/** Show `text` in `statusEl` with a button that undoes the edit it describes. */
export function announce(statusEl, text) {
  const undo = h('button', { type: 'button', class: 'small', text: 'Undo', on: { click: () => store.undo() } });
  statusEl.replaceChildren(`${text} `, undo, ' (Ctrl+Z)');
}

/** Wire the Undo/Redo buttons and Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z, Ctrl+Y; `status(text)` reports. */
export function wireHistory(undoButton, redoButton, status) {
  undoButton.addEventListener('click', () => store.undo());
  redoButton.addEventListener('click', () => store.redo());
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const key = e.key.toLowerCase();
    const redo = (key === 'z' && e.shiftKey) || (key === 'y' && !e.shiftKey);
    if (key !== 'z' && !redo) return;
    e.preventDefault(); // the dashboard's history holds every edit, typed text included
    const done = redo ? store.redo() : store.undo();
    status(done ? (redo ? 'Redone.' : 'Undone.') : (redo ? 'Nothing to redo.' : 'Nothing to undo.'));
  });
  const sync = () => {
    undoButton.disabled = !store.canUndo();
    redoButton.disabled = !store.canRedo();
  };
  store.subscribe(sync);
  sync();
}
