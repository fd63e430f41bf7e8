"""The caps of each output, checked once before anything is computed: :func:`check_caps`.

Caps come from :class:`app.settings.Settings`; each failure is a 422 :class:`ApiError` naming the
field. The cost estimates refuse requests that would exceed the request time budget.
"""

from __future__ import annotations

from typing import Any, Literal

from scheduler_core.events import EPOCH_EVENTS, num_calls
from scheduler_core.metrics import read_calls
from scheduler_core.registry import scheduled_names, scheduler_type
from scheduler_core.torch_stepping import STEP_CALL_US, step_calls

from ..contract.errors import ApiError
from ..contract.registry import entry_for, written_param
from ..contract.schemas import Experiment
from ..settings import Settings
from .convert import to_core

Output = Literal["series", "csv", "figure", "code", "link"]
"""What a request makes: series JSON, series CSV, a figure, code, or a stored link."""

VECTOR_VALUES_PER_S = 20_000_000
"""Rough throughput of the closed-form path (values per second, this class of machine)."""
STEP_US_PER_SCHEDULER = 1.2
"""Microseconds each top-level scheduler's call costs per event when stepping, whatever it writes."""
STEP_US_PER_SERIES = 0.2
"""Microseconds recording one value of one series per event when stepping."""
CSV_CELLS_PER_S = 4_000_000
"""Rough throughput of writing CSV cells (a value and its separator)."""
BYTES_PER_VALUE = 25
"""The most a value takes in a reply: ``-2.2250738585072014e-308`` (24 characters, the longest
float orjson writes) and its separator."""


UNSET_AT_FIRST_ITERATION = frozenset({"ITERATION_COMPLETED", "EPOCH_COMPLETED"})
"""Events first calling a handler after the first iteration was processed."""


def flat_schedulers(exp: Experiment) -> list[tuple[tuple[str | int, ...], Any]]:
    """``(path, model)`` of every scheduler the experiment calls itself: a ParamGroupScheduler's
    children in its place (the core record says which types expand), paths under ``schedulers``."""
    out: list[tuple[tuple[str | int, ...], Any]] = []

    def visit(path: tuple[str | int, ...], model: Any) -> None:
        if entry_for(model).core.expands:
            for j, child in enumerate(model.schedulers):
                visit((*path, "schedulers", j), child)
        else:
            out.append((path, model))

    for i, s in enumerate(exp.schedulers):
        visit(("schedulers", i), s)
    return out


def param_names(exp: Experiment) -> list[str]:
    """Scheduled param-group names in order of first appearance, side writes (momentum)
    included; state kinds write none (see :func:`state_series`)."""
    return scheduled_names(to_core(exp))


def state_series(exp: Experiment) -> list[tuple[str, str]]:
    """``(holder, name)`` of the series of state-kind schedulers (after the groups' series)."""
    return list(
        dict.fromkeys(
            (str(entry_for(s).core.holder), written_param(s))
            for _, s in flat_schedulers(exp)
            if entry_for(s).kind == "state"
        )
    )


def n_series(exp: Experiment) -> int:
    return len(exp.param_groups) * len(param_names(exp)) + len(state_series(exp))


def events_cap(output: Output, settings: Settings, max_points: int | None = None) -> int | None:
    """The largest ``num_events`` for ``output``: ``max_download_events`` for full series,
    ``max_events`` when decimated (figures, links too), ``None`` for code (nothing computed)."""
    if output == "code":
        return None
    if output in ("series", "csv") and max_points is None:
        return settings.max_download_events
    return settings.max_events


def check_caps(
    exp: Experiment,
    settings: Settings,
    *,
    output: Output,
    max_points: int | None = None,
    loc: tuple = ("body",),
    start: int | None = None,
    stop: int | None = None,
) -> None:
    """Raise :class:`ApiError` (422) at the first cap ``exp`` breaks for ``output``.

    In order: ``max_points`` (``query.max_points``), the CSV writing time (``"csv"``), counts
    of schedulers and param groups, ``param_group_index`` in range, every scheduled param
    present in every group, then (except for ``"code"``) ``num_events`` by output,
    ``max_values`` and the closed-form time estimate, last the event window ``start``/``stop``
    (:func:`check_window`). ``loc`` prefixes body locations.
    """
    if max_points is not None and max_points > settings.max_points:
        raise ApiError(
            422,
            ("query", "max_points"),
            f"max_points should be at most {settings.max_points}, but given {max_points}",
            "too_many_points",
        )
    if output == "csv":
        _check_csv_budget(exp, settings, max_points)
    _check_shape(exp, settings, loc)
    cap = events_cap(output, settings, max_points)
    if cap is None:
        return
    if exp.num_events > cap:
        raise ApiError(
            422,
            (*loc, "num_events"),
            f"num_events should be at most {cap} for this request, but given {exp.num_events}",
            "too_many_events",
        )
    series = n_series(exp)
    values = exp.num_events * series
    if values > settings.max_values:
        raise ApiError(
            422,
            (*loc, "num_events"),
            f"num_events x series ({exp.num_events} x {series} = {values}) should be "
            f"at most {settings.max_values}",
            "too_many_values",
        )
    if output in ("series", "csv"):
        _check_reply_size(exp, settings, output, max_points, loc)
    check_time_budget(
        estimate_seconds(exp), settings, "this experiment", "use fewer events or schedulers", loc
    )
    check_window(exp, start, stop)


def check_window(exp: Experiment, start: int | None, stop: int | None) -> tuple[int, int] | None:
    """The event window ``[start, stop)`` of a ``/series`` request, or ``None`` for all events.

    A missing bound is the series' own (0, ``num_events``). Refused (422 at ``query.start`` or
    ``query.stop``): ``stop`` past ``num_events``, or a window holding no event.
    """
    if start is None and stop is None:
        return None
    lo = 0 if start is None else start
    hi = exp.num_events if stop is None else stop
    if hi > exp.num_events:
        raise ApiError(
            422,
            ("query", "stop"),
            f"stop should be at most num_events ({exp.num_events}), but given {hi}",
            "out_of_range",
        )
    if lo >= hi:
        raise ApiError(
            422,
            ("query", "start"),
            f"start should be below stop ({hi}), but given {lo}",
            "out_of_range",
        )
    return lo, hi


def reply_bytes(exp: Experiment, output: Output, max_points: int | None = None) -> int:
    """The most bytes the ``/series`` reply (``"series"``: JSON, ``"csv"``) can take: every
    value at :data:`BYTES_PER_VALUE`, and each written event number with its separator; each
    metric curve read counts as a series listing its events (at most one read per event)."""
    series = n_series(exp)
    curves = len({s.metric_name for s in exp.schedulers if entry_for(s).core.metric_reads is not None})
    event_bytes = len(str(max(exp.num_events - 1, 0))) + 1
    if output == "csv":  # a metric curve: one more column
        rows = exp.num_events if max_points is None else min(exp.num_events, max_points * (series + curves))
        return rows * (event_bytes + (series + curves) * BYTES_PER_VALUE)
    if max_points is None:  # "events": null; a metric curve lists its events
        return series * exp.num_events * BYTES_PER_VALUE + curves * exp.num_events * (
            event_bytes + BYTES_PER_VALUE
        )
    return (series + curves) * min(exp.num_events, max_points) * (event_bytes + BYTES_PER_VALUE)


def _check_reply_size(
    exp: Experiment, settings: Settings, output: Output, max_points: int | None, loc: tuple
) -> None:
    """Refuse (422 ``reply_too_large``) a reply that could be over ``max_reply_bytes``."""
    _refuse_over_reply_cap(
        reply_bytes(exp, output, max_points), "this reply", "send fewer events or param groups", settings, loc
    )


def _refuse_over_reply_cap(size: int, what: str, other_way: str, settings: Settings, loc: tuple) -> None:
    """422 ``reply_too_large`` when ``size`` bytes are over ``max_reply_bytes``, naming
    ``max_points`` and ``other_way`` as the ways round it."""
    if size > settings.max_reply_bytes:
        mb = 2**20
        raise ApiError(
            422,
            (*loc, "num_events"),
            f"{what} could take {size / mb:.0f} MB, over the {settings.max_reply_bytes / mb:g} MB "
            f"cap of one reply: ask for a decimated series (max_points), or {other_way}",
            "reply_too_large",
        )


def check_variants(count: int, settings: Settings) -> None:
    """Refuse (422 at ``body.variants``) a dashboard view of more than ``max_variants``."""
    if count > settings.max_variants:
        raise ApiError(
            422,
            ("body", "variants"),
            f"at most {settings.max_variants} variants, but given {count}",
            "too_many",
        )


def check_variants_csv(
    exps: list[Experiment],
    settings: Settings,
    max_points: int | None,
    start: int | None,
    stop: int | None,
) -> tuple[int, int] | None:
    """The caps of one CSV of a view's variants side by side (``/series/variants``): each
    variant's caps as a CSV (at ``body.variants.<i>.experiment``), then all of them together
    within one request's ``max_values``, reply size and time budget (refused at the longest
    variant's ``num_events``). Returns the event window, checked against the longest variant
    (None: every event)."""
    check_variants(len(exps), settings)
    for i, exp in enumerate(exps):
        check_caps(
            exp, settings, output="csv", max_points=max_points, loc=("body", "variants", i, "experiment")
        )
    longest = max(range(len(exps)), key=lambda i: exps[i].num_events)
    loc = ("body", "variants", longest, "experiment")
    events = exps[longest].num_events
    series = sum(n_series(e) for e in exps)
    values = sum(e.num_events * n_series(e) for e in exps)
    if values > settings.max_values:
        raise ApiError(
            422,
            (*loc, "num_events"),
            f"the values of the variants together ({values}) should be at most {settings.max_values}",
            "too_many_values",
        )
    rows = events if max_points is None else min(events, 2 * max_points * series)
    size = rows * (len(str(events)) + 1 + series * BYTES_PER_VALUE)
    _refuse_over_reply_cap(size, "this CSV", "export fewer variants", settings, loc)
    seconds = sum(estimate_seconds(e) for e in exps) + rows * (1 + series) / CSV_CELLS_PER_S
    check_time_budget(
        seconds, settings, "this CSV of every variant", "use fewer events, variants or max_points", loc
    )
    return check_window(exps[longest], start, stop)


def _check_shape(exp: Experiment, settings: Settings, loc: tuple) -> None:
    """Counts of schedulers and groups, group indices, and the initial value of each param."""
    called = len(flat_schedulers(exp))  # a ParamGroupScheduler's children count one by one
    if called > settings.max_schedulers:
        raise ApiError(
            422,
            (*loc, "schedulers"),
            f"at most {settings.max_schedulers} schedulers per experiment, but given {called}",
            "too_many",
        )
    if len(exp.param_groups) > settings.max_param_groups:
        raise ApiError(
            422,
            (*loc, "param_groups"),
            f"at most {settings.max_param_groups} param groups per experiment, "
            f"but given {len(exp.param_groups)}",
            "too_many",
        )
    n_groups = len(exp.param_groups)
    flat = flat_schedulers(exp)
    for path, s in flat:
        idx = getattr(s, "param_group_index", None)
        if idx is not None and idx >= n_groups:
            raise ApiError(
                422,
                (*loc, *path, "param_group_index"),
                f"param_group_index should be below the number of param groups ({n_groups}), but given {idx}",
                "out_of_range",
            )
    for i, s in enumerate(exp.schedulers):
        event = getattr(s, "event", None)
        if event in EPOCH_EVENTS and exp.iterations_per_epoch is None:
            raise ApiError(
                422,
                (*loc, "iterations_per_epoch"),
                f"iterations_per_epoch should be given: schedulers[{i}] is attached at {event}",
                "missing",
            )
        if entry_for(s).core.holder == "engine.state" and event in UNSET_AT_FIRST_ITERATION:
            raise ApiError(
                422,
                (*loc, "schedulers", i, "event"),
                f"a state scheduler attached at {event} leaves engine.state.{written_param(s)} None "
                "during the first iteration (no value to draw): attach it at ITERATION_STARTED or "
                "EPOCH_STARTED",
                "unsupported_event",
            )
    _check_metrics(exp, loc)
    for path, s in flat:
        if entry_for(s).kind == "state":
            continue
        name = written_param(s)
        for g, group in enumerate(exp.param_groups):
            if name not in group.values:
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)[1:]
                raise ApiError(
                    422,
                    (*loc, "param_groups", g),
                    f"param group {g} ({group.name!r}) has no initial value for {name!r}, "
                    f"which {where} schedules",
                    "missing_param",
                )


def _check_metrics(exp: Experiment, loc: tuple) -> None:
    """Each metric reader's ``metric_name`` names a curve, and each ``values`` curve it reads
    holds a value for each of its reads (the reads depend on its event and the run)."""
    curves = exp.metrics or {}
    ipe = exp.iterations_per_epoch
    for i, (s, spec) in enumerate(zip(exp.schedulers, to_core(exp).schedulers, strict=True)):
        if entry_for(s).core.metric_reads is None:
            continue
        if entry_for(s).core.counts_epochs and ipe is None:
            raise ApiError(
                422,
                (*loc, "iterations_per_epoch"),
                f"iterations_per_epoch should be given: schedulers[{i}] ({s.type}) steps after each epoch",
                "missing",
            )
        curve = curves.get(s.metric_name)
        if curve is None:
            raise ApiError(
                422,
                (*loc, "schedulers", i, "metric_name"),
                f"metric_name should name one of the experiment's metrics {sorted(curves)}, but given "
                f"{s.metric_name!r}",
                "unknown_metric",
            )
        if curve.kind != "values" or spec.event in EPOCH_EVENTS and ipe is None:
            continue  # a generated curve has every value; no epochs: refused above
        reads = len(read_calls(spec, num_calls(spec.event, exp.num_events, ipe), ipe))
        if len(curve.values) < reads:
            raise ApiError(
                422,
                (*loc, "metrics", s.metric_name, "values"),
                f"metrics.{s.metric_name} should hold at least {reads} values (schedulers[{i}] reads "
                f"it {reads} times over {exp.num_events} events at {spec.event}), but given "
                f"{len(curve.values)}",
                "too_short",
            )


def estimate_seconds(exp: Experiment) -> float:
    """A rough estimate of the closed-form compute time (the stepping fallback is checked
    separately, see :func:`check_step_budget`)."""
    return exp.num_events * (len(flat_schedulers(exp)) + n_series(exp)) / VECTOR_VALUES_PER_S


def check_time_budget(
    seconds: float, settings: Settings, what: str, advice: str, loc: tuple = ("body",)
) -> None:
    """Refuse (422 ``over_time_budget`` at ``num_events``) work estimated to take ``seconds``
    when that is over the request time budget."""
    if seconds > settings.request_time_budget_s:
        raise ApiError(
            422,
            (*loc, "num_events"),
            f"{what} would take about {seconds:.0f} s, over the "
            f"{settings.request_time_budget_s:g} s budget: {advice}",
            "over_time_budget",
        )


def step_seconds_per_event(exp: Experiment) -> float:
    """The cost model of stepping ``exp`` (the fallback of scheduler_core when it has no exact
    closed form, e.g. two torch schedulers on one optimizer), in seconds per event.

    Per event: each top-level scheduler costs :data:`STEP_US_PER_SCHEDULER` plus, for each
    param group it writes (one with ``param_group_index``, else all; a torch scheduler always
    steps all of the optimizer's groups), the ``step_cost`` of its type and of the dearest type
    nested in it, level by level (the core record's, :class:`scheduler_core.registry.SchedulerType`);
    a torch scheduler stepped by torch adds :data:`~scheduler_core.torch_stepping.STEP_CALL_US`
    per ``step()`` call; then every series
    records a value (:data:`STEP_US_PER_SERIES`). ``python -m bench.cost`` compares the model
    with measured times over random experiments.
    """
    groups = len(exp.param_groups)
    micros = n_series(exp) * STEP_US_PER_SERIES
    for spec in to_core(exp).schedulers:
        cost, torch = _step_cost(spec)
        written = 1 if spec.kwargs.get("param_group_index") is not None and not torch else groups
        micros += STEP_US_PER_SCHEDULER + written * cost + step_calls(spec) * STEP_CALL_US
    return micros / 1e6


def _step_cost(spec: Any) -> tuple[float, bool]:
    """The ``step_cost`` of ``spec``'s type plus the dearest of its children (a composite steps
    one child at a time: a Concat's active one, the one it wraps), and whether torch is in it."""
    t = scheduler_type(spec.type, ("param", "composite", "torch", "state"))
    children = [_step_cost(c) for c in t.children(spec.kwargs)]
    costs = [c for c, _ in children]  # a ParamGroupScheduler (expands) steps every child
    cost = t.step_cost + (sum(costs) if t.expands or t.steps_all_children else max(costs, default=0.0))
    return cost, t.kind == "torch" or any(torch for _, torch in children)


def check_step_budget(exp: Experiment, settings: Settings) -> float:
    """Refuse (422) an experiment that must be stepped event by event and would take too long;
    else return the estimate (seconds, :func:`step_seconds_per_event`).

    Only known once the closed form has failed, so :func:`app.service.compute.compute` calls it
    at that point (the one check not made by :func:`check_caps`)."""
    per_event = step_seconds_per_event(exp)
    seconds = exp.num_events * per_event
    check_time_budget(
        seconds,
        settings,
        "this experiment has no closed form and must be stepped event by event: it",
        f"use at most {int(settings.request_time_budget_s / per_event)} events, or fewer param groups",
    )
    return seconds


def _check_csv_budget(exp: Experiment, settings: Settings, max_points: int | None) -> None:
    """Refuse (422) a CSV download whose formatting alone would exceed the time budget."""
    rows = exp.num_events if max_points is None else min(exp.num_events, 2 * max_points * n_series(exp))
    check_time_budget(
        rows * (1 + n_series(exp)) / CSV_CELLS_PER_S,
        settings,
        "this CSV",
        "use fewer events or max_points",
    )


def check_pair(a: Experiment, b: Experiment, settings: Settings, max_points: int | None) -> None:
    """The caps of a comparison (``/compare``): each experiment's caps as a ``"series"`` output
    (at ``body.a`` / ``body.b``), then both together within one request's ``max_values`` and
    time budget (refused at ``body.b.num_events``, the side that tips them over)."""
    check_caps(a, settings, output="series", max_points=max_points, loc=("body", "a"))
    check_caps(b, settings, output="series", max_points=max_points, loc=("body", "b"))
    values = a.num_events * n_series(a) + b.num_events * n_series(b)
    if values > settings.max_values:
        raise ApiError(
            422,
            ("body", "b", "num_events"),
            f"the values of a and b together ({values}) should be at most {settings.max_values}",
            "too_many_values",
        )
    check_time_budget(
        estimate_seconds(a) + estimate_seconds(b),
        settings,
        "this comparison",
        "use fewer events or schedulers",
        ("body", "b"),
    )
