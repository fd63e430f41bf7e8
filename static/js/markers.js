// Cycle restart events of cyclical schedulers (ignite's bookkeeping: sizes truncated each cycle).

const CYCLICAL = new Set(['CosineAnnealingScheduler', 'LinearCyclicalScheduler']);
const MAX_MARKERS = 300;

/** Restart events of one cyclical scheduler starting at `offset`, before `end`. */
function cyclicalRestarts(sch, offset, end, out) {
  let size = Math.trunc(sch.cycle_size);
  let warm = Math.trunc(sch.warmup_duration || 0);
  const mult = sch.cycle_mult ?? 1;
  if (!(size >= 2)) return;
  let t = offset;
  while (out.length < MAX_MARKERS) {
    t += size + warm;
    if (t >= end) return;
    out.push(t);
    size = Math.trunc(size * mult);
    warm = Math.trunc(warm * mult);
    if (size < 1) return;
  }
}

function collect(sch, offset, end, out) {
  if (!sch || typeof sch !== 'object') return;
  if (CYCLICAL.has(sch.type)) cyclicalRestarts(sch, offset, end, out);
  else if (sch.type === 'ConcatScheduler' && Array.isArray(sch.schedulers)) {
    let t = offset;
    sch.schedulers.forEach((child, i) => {
      const d = (sch.durations || [])[i];
      const childEnd = d === undefined ? end : Math.min(end, t + d);
      collect(child, t, childEnd, out);
      if (i > 0 && t < end) out.push(t);
      if (d !== undefined) t += d;
    });
  }
}

/** Sorted unique restart events for param group `groupIndex` of an experiment. */
export function restartEvents(experiment, groupIndex) {
  const out = [];
  const end = experiment.num_events;
  for (const sch of experiment.schedulers || []) {
    const target = sch.param_group_index;
    if (Number.isInteger(target) && target !== groupIndex) continue;
    collect(sch, 0, end, out);
  }
  return [...new Set(out)].sort((a, b) => a - b).slice(0, MAX_MARKERS);
}
