// The presets gallery: documented recipes from the catalogue (`presets`), one click to load one
// into the active variant (an edit like any other: undoable).
import { h } from './dom.js';

/** Fill `el` with a button per preset; `onPick(preset)` loads it. */
export function renderGallery(el, presets, onPick) {
  const items = (presets || []).map((p) => h('li', {},
    h('button', { type: 'button', class: 'small preset', 'data-preset': p.name, text: p.name, title: p.description,
      on: { click: () => onPick(p) } }),
    h('span', { class: 'help', text: ` ${p.description}` }),
    p.source ? h('small', { class: 'preset-source', text: ` Source: ${p.source}` }) : null));
  el.replaceChildren(h('ul', { class: 'preset-list' }, items));
}
