// Keep keyboard focus across editor rebuilds (a structural edit replaces the controls).

const CONTROLS = 'input, select, textarea, button';
const AUTO_ID = /-\d+$/; // ids made by dom.newId change on every rebuild

/** Describe the focused element so that its replacement can be found after a rebuild. */
export function focusKey(el = document.activeElement) {
  if (!el || el === document.body) return null;
  if (el.id && !AUTO_ID.test(el.id)) return { id: el.id };
  const holder = el.closest('[data-path]');
  if (holder) return { path: holder.dataset.path, index: [...holder.querySelectorAll(CONTROLS)].indexOf(el) };
  if (el.closest('#variant-tabs')) return { tabs: true };
  return null;
}

/** Focus the element matching `key` (or the nearest remaining one) unless focus is already set. */
export function restoreFocus(key) {
  if (!key || (document.activeElement && document.activeElement !== document.body)) return;
  let target = null;
  if (key.id) target = document.getElementById(key.id);
  else if (key.tabs) target = document.querySelector('#variant-tabs [aria-pressed="true"]');
  else if (key.path) {
    const parts = key.path.split('.');
    for (let n = parts.length; n > 0 && !target; n -= 1) {
      const holder = document.querySelector(`[data-path="${CSS.escape(parts.slice(0, n).join('.'))}"]`);
      if (holder) {
        const controls = holder.querySelectorAll(CONTROLS);
        target = controls[n === parts.length ? Math.min(Math.max(key.index, 0), controls.length - 1) : 0] || null;
      }
    }
  }
  if (target) target.focus({ preventScroll: false });
}
