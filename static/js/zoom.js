// Full resolution at every zoom: the visible event window, asked of the API after a zoom or pan.
import { xPerEvent } from './chart.js';

let current = null; // {start, stop} in events, or null (every event)

/** x (events, epochs or samples) -> event. */
export function toEvent(x, view) {
  return x / xPerEvent(view);
}

/** Set the window from a visible x range (null: every event); true when it changed. */
export function setZoom(range, view) {
  const next = range === null ? null : {
    // one event beyond each edge, so the lines reach the edges of the plot
    start: Math.max(0, Math.floor(toEvent(range.x0, view)) - 1),
    stop: Math.ceil(toEvent(range.x1, view)) + 2,
  };
  if (JSON.stringify(next) === JSON.stringify(current)) return false;
  current = next;
  return true;
}

export function zoomed() {
  return current !== null;
}

/** The window to fetch of a variant of `numEvents` events (null: every event). */
export function windowFor(numEvents) {
  if (!current || !Number.isInteger(numEvents)) return null;
  const stop = Math.min(current.stop, numEvents);
  const start = Math.min(current.start, stop - 1);
  return start <= 0 && stop >= numEvents ? null : { start: Math.max(0, start), stop };
}
