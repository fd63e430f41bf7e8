// Map the API's 422 `loc` paths onto the editor's controls and show the messages next to them.

/**
 * Turn a pydantic `loc` into a path inside the experiment: drop "body", skip union tags and
 * validator names that are not keys of the value (e.g. "CosineAnnealingScheduler", "function-after[...]").
 */
export function locToPath(loc, experiment) {
  const segs = loc[0] === 'body' ? loc.slice(1) : loc.slice();
  const path = [];
  let cur = experiment;
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (Array.isArray(cur) && (Number.isInteger(seg) || /^\d+$/.test(String(seg)))) {
      const k = Number(seg);
      path.push(k);
      cur = cur[k];
    } else if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, seg)) {
      path.push(seg);
      cur = cur[seg];
    } else if (last && typeof seg === 'string' && !/[[\]()]/.test(seg) && cur && typeof cur === 'object'
               && !Array.isArray(cur) && /^[a-z_][a-z0-9_]*$/.test(seg)) {
      path.push(seg); // a missing required field
      cur = undefined;
    }
  });
  return path;
}

/** The field of `holder` (a scheduler card, ...) whose name `msg` mentions first, or null. */
function mentionedField(holder, msg) {
  const base = holder.dataset.path;
  let best = null;
  let at = Infinity;
  for (const field of holder.querySelectorAll(':scope > .field[data-path]')) {
    const name = field.dataset.path.slice(base.length + 1);
    const m = new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).exec(msg);
    if (name && m && m.index < at) { best = field; at = m.index; }
  }
  return best;
}

/** Scroll the first error shown in `root` into view (without moving the focus); returns it. */
export function revealFirstError(root) {
  const err = root.querySelector('.field-error:not([hidden])');
  if (err) (err.closest('.field, fieldset') || err).scrollIntoView({ block: 'nearest' });
  return err;
}

/** Remove every API error shown in `root`. */
export function clearApiErrors(root) {
  for (const el of root.querySelectorAll('.field-error[data-api]')) {
    el.textContent = '';
    el.hidden = true;
    delete el.dataset.api;
    const field = el.parentElement;
    for (const c of field.querySelectorAll(':scope > [aria-invalid="true"]')) c.setAttribute('aria-invalid', 'false');
  }
}

/**
 * Show each detail next to the deepest element whose data-path is a prefix of its path.
 * Returns the messages that found no place (to show in the general error area).
 */
export function showApiErrors(root, details, experiment) {
  clearApiErrors(root);
  const unplaced = [];
  for (const d of details) {
    const path = locToPath(d.loc, experiment);
    let target = null;
    for (let n = path.length; n > 0 && !target; n -= 1) {
      target = root.querySelector(`[data-path="${CSS.escape(path.slice(0, n).join('.'))}"]`);
    }
    if (target && !target.querySelector(':scope > input, :scope > select, :scope > textarea')) {
      target = mentionedField(target, d.msg) || target; // a cross-field error: at the field it names
    }
    const err = target && target.querySelector(':scope > .field-error');
    if (!err) {
      unplaced.push(path.length ? `${path.join('.')}: ${d.msg}` : d.msg);
      continue;
    }
    if (!err.hidden && !err.dataset.api) continue; // the editor's own message about that text stays
    err.textContent = err.dataset.api ? `${err.textContent}; ${d.msg}` : d.msg;
    err.dataset.api = '1';
    err.hidden = false;
    const control = target.querySelector(':scope > input, :scope > select, :scope > textarea');
    if (control) control.setAttribute('aria-invalid', 'true');
  }
  return unplaced;
}
