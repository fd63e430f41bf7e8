// The editor's edits into the store: horizons that follow num_events, announced removals.
import { fillFollowers, followers, followNumEvents } from './follow.js';
import { bindMetric } from './metrics.js';
import * as store from './state.js';

/** A readable name of what an edit at `path` removes (value undefined). */
function removedWhat(path, exp) {
  if (path[0] === 'schedulers' && path.length === 2) return `scheduler ${path[1]} (${exp.schedulers[path[1]]?.type})`;
  if (path[0] === 'param_groups' && path.length === 3) return `${path[2]} of group ${path[1]}`;
  if (path[0] === 'metrics') return `metric curve ${path.length === 2 ? path[1] : Object.keys(exp.metrics || {}).join(', ')}`;
  return path.join('.');
}

/**
 * The editor's onChange(path, value, opts) for the catalogue's `types`; `announce(text)` tells what
 * a removal removed. Also returns `applyLoop(r)` for the steps helper's numbers.
 */
export function editHandlers(types, announce) {
  const follow = followers(types);
  const onChange = (path, value, opts = {}) => {
    const exp = store.activeVariant().experiment;
    if (opts.removeGroup !== undefined) {
      const i = opts.removeGroup;
      const gone = (exp.schedulers || []).filter((sch) => sch?.param_group_index === i).length;
      store.removeGroup(i);
      announce(`Removed group ${i} (${exp.param_groups[i]?.name})${gone ? ` and its ${gone} scheduler${gone > 1 ? 's' : ''}` : ''}.`);
      return;
    }
    if (path.length === 1 && path[0] === 'num_events') {
      const moved = structuredClone(exp.schedulers || []);
      followNumEvents({ schedulers: moved }, exp.num_events, value, follow);
      if (JSON.stringify(moved) !== JSON.stringify(exp.schedulers || [])) {
        // horizons that followed num_events move with it (rebuild the editor to show them)
        store.update((d) => {
          const e = d.variants[d.view.active].experiment;
          e.num_events = value;
          e.schedulers = moved;
        }, { structural: true });
        return;
      }
    }
    if (opts.typed) { store.setField(path, value, { source: 'typed' }); return; } // kept as typed, not drawn
    if (value && typeof value === 'object' && opts.structural) {
      fillFollowers(value, exp.num_events, follow);
      const curves = bindMetric(value, exp); // a plateau scheduler reads a curve: one is made if none exists
      if (curves) {
        store.update((d) => {
          const e = d.variants[d.view.active].experiment;
          store.setIn(e, path, value);
          e.metrics = { ...(e.metrics || {}), ...curves };
        }, { structural: true });
        announce(`Added metric curve ${Object.keys(curves).join(', ')} for the scheduler to read (see Metric curves).`);
        return;
      }
    }
    store.setField(path, value, { structural: !!opts.structural });
    if (value === undefined && opts.structural) announce(`Removed ${removedWhat(path, exp)}.`);
  };
  const applyLoop = (r) => {
    store.update((d) => {
      const exp = d.variants[d.view.active].experiment;
      followNumEvents(exp, exp.num_events, r.numEvents, follow);
      exp.num_events = r.numEvents;
      d.view.iterations_per_epoch = r.perEpoch;
      d.view.samples_per_event = r.samplesPerEvent > 1 ? r.samplesPerEvent : undefined;
      d.view.x_axis = 'epochs';
    }, { structural: true });
    announce(`num_events is now ${r.numEvents} (${r.perEpoch} events per epoch); the x axis is in epochs.`);
  };
  return { onChange, applyLoop };
}
