// Tiny DOM helper: every string becomes a text node or a property value, never HTML.

/**
 * Create an element. `props`: `class`, `text`, `on` ({event: handler}), `dataset`, `aria-*`/`data-*`/`role`/`for`
 * (set as attributes) and any other DOM property (`value`, `type`, `checked`, `id`, ...).
 * Children: nodes, strings (text nodes), arrays, null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, val] of Object.entries(props)) {
    if (val === undefined || val === null || val === false) continue;
    if (key === 'class') el.className = val;
    else if (key === 'text') el.textContent = String(val);
    else if (key === 'on') for (const [ev, fn] of Object.entries(val)) el.addEventListener(ev, fn);
    else if (key === 'dataset') Object.assign(el.dataset, val);
    else if (key.startsWith('aria-') || key.startsWith('data-') || key === 'role' || key === 'for'
             || key === 'list' || key === 'inputmode' || key === 'autocomplete') {
      el.setAttribute(key, val === true ? 'true' : String(val));
    } else el[key] = val;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Remove all children of `el` and append `children`. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

let uid = 0;
/** A unique element id with a readable prefix. */
export function newId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Escape a user string for Plotly text (Plotly parses a few tags and entities in labels). */
export function plotlyText(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
