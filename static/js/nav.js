// The browser's history follows the dashboard's views, in step with undo/redo (state.js): each
// undo step is one history entry (pushed when the step starts; the keystrokes that join it
// replace that entry), so Back and Forward go through the views the user made, and Undo/Redo
// move along the same entries. Back leaves the app only from the entry the page opened on.
import * as store from './state.js';

const REPLACE_MS = 150; // typing: the entry follows the text at most this often
let index = 0; // this entry's position, kept in history.state.se
const known = new Map(); // position -> the hash that entry holds (entries this page wrote or saw)
let pendingPops = 0; // traversals started here (undo/redo): their popstate only moves `index`
let applying = false; // a state change coming from a popstate (the URL already shows it)
let timer = null;

const hashOf = (state) => store.encodeHash(state);

function replaceNow(hash = hashOf()) {
  clearTimeout(timer);
  timer = null;
  known.set(index, hash);
  if (window.location.hash !== hash || window.history.state?.se !== index) {
    window.history.replaceState({ se: index }, '', hash);
  }
}

function replaceSoon() {
  clearTimeout(timer);
  timer = setTimeout(() => replaceNow(), REPLACE_MS);
}

/** A new step: the current entry keeps the state before it (a pending replace is written
 * first), and a new entry shows the new state. */
function push(before) {
  if (timer !== null) replaceNow(hashOf(before));
  index += 1;
  for (const k of [...known.keys()]) if (k >= index) known.delete(k); // the browser drops them too
  const hash = hashOf();
  known.set(index, hash);
  window.history.pushState({ se: index }, '', hash);
}

/** Undo/redo: move to the neighbouring entry when it holds exactly the state now shown, else
 * let the current entry show it. */
function travel(direction, left) {
  const step = direction === 'undo' ? -1 : 1;
  const hash = hashOf();
  if (timer !== null && left) replaceNow(hashOf(left)); // the entry being left keeps its own view
  if (known.get(index + step) === hash) {
    pendingPops += 1;
    index += step;
    window.history.go(step);
  } else replaceNow(hash);
}

function onPopState(e) {
  const se = Number.isInteger(e.state?.se) ? e.state.se : null;
  let hash = window.location.hash;
  if (pendingPops > 0) { // the end of a traversal started by undo/redo
    pendingPops -= 1;
    if (se !== null) index = se;
    if (pendingPops === 0 && hash !== hashOf()) replaceNow(); // the entry shows what is shown
    return;
  }
  // the entry left may not show the last keystrokes yet (a pending replace): it should
  if (timer !== null) { clearTimeout(timer); timer = null; known.set(index, hashOf()); }
  const target = se ?? index + 1; // no state: a new entry (a typed URL, a link to a #s= view)
  const delta = target - index;
  index = target;
  const wanted = se === null ? undefined : known.get(index);
  if (wanted && wanted !== hash) { // an entry left before its replace: it gets its view now
    window.history.replaceState({ se: index }, '', wanted);
    hash = wanted;
  }
  let next = null;
  try { next = store.decodeHash(hash); } catch { next = null; }
  if (!next) { known.set(index, hash); return; } // not a view (#chart-panel, a damaged hash)
  if (se === null) window.history.replaceState({ se: index }, '', hash);
  known.set(index, hash);
  if (hash === hashOf()) return;
  applying = true;
  try {
    const steps = Math.abs(delta);
    if (delta !== 0 && store.peek(delta) && hashOf(store.peek(delta)) === hash) {
      for (let k = 0; k < steps; k += 1) (delta < 0 ? store.undo : store.redo)();
    } else {
      store.update((d) => { d.variants = next.variants; d.view = next.view; }, { structural: true, source: 'nav' });
    }
  } finally {
    applying = false;
  }
}

/** Start following the store (call before the first state is loaded). */
export function wireNav() {
  index = Number.isInteger(window.history.state?.se) ? window.history.state.se : 0;
  let before = null;
  store.subscribe((state, info) => {
    const previous = before;
    before = state;
    if (applying) { known.set(index, window.location.hash); return; }
    if (info.source === 'history') travel(info.direction, previous);
    else if (info.step) push(previous);
    else if (info.source === 'load') replaceNow();
    else replaceSoon();
  });
  window.addEventListener('popstate', onPopState);
}
