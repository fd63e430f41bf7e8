"""Heavy work: its cost model, its child processes, its queue, and clients that hang up.

- The stepping cost model's structure (no timing here: ``python -m bench.cost`` compares it with
  measured times): it grows with events and with param groups, a type's ``step_cost`` counts for
  every group it writes and for every nesting level, a torch scheduler pays for every group of
  the optimizer, and stepping is always estimated dearer than the closed form.
- :func:`~app.service.isolation.run_isolated` returns the child's value, re-raises its
  ``ApiError`` as is, reports anything else as a bug, answers 503 + ``Retry-After`` when the
  queue is full, and kills the child when the request is cancelled.
- Against a real server: a client that hangs up during a heavy request (or in the middle of
  its body) is logged and counted as 499, never 500, and the heavy work stops using CPU.
"""

from __future__ import annotations

import http.client
import json
import operator
import os
import socket
import threading
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from apitest_helpers import one_group

from app.contract.canonical import canonical_json
from app.contract.errors import ApiError, ClientGone
from app.contract.schemas import Experiment
from app.service import isolation
from app.service.compute import stepped
from app.service.limits import estimate_seconds, step_seconds_per_event
from app.settings import Settings
from bench.server import serving
from scheduler_core.registry import scheduler_type

COSINE = {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 0.1, "end_value": 0.0,
          "cycle_size": 10}  # fmt: skip


def torch(kind: str, **kw) -> dict:
    return {"type": "LRScheduler", "lr_scheduler": {"type": kind, **kw}}


def warmup_one_cycle(total_steps: int = 10**6) -> dict:
    return {"type": "create_lr_scheduler_with_warmup", "warmup_start_value": 0.0, "warmup_duration": 10,
            "lr_scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": total_steps}}  # fmt: skip


def exp_of(*schedulers: dict, num_events: int = 1000, groups: int = 1) -> Experiment:
    body = one_group(*schedulers, num_events=num_events)
    body["param_groups"] += [{"name": f"h{i}", "lr": 0.1} for i in range(1, groups)]
    return Experiment.model_validate(body)


# ---------------------------------------------------------------- the cost model
@pytest.mark.parametrize("scheduler", [COSINE, torch("ExponentialLR", gamma=0.9), warmup_one_cycle()])
def test_cost_grows_with_groups_and_events(scheduler) -> None:
    per_event = [step_seconds_per_event(exp_of(scheduler, groups=g)) for g in (1, 2, 8, 32)]
    assert per_event == sorted(per_event) and len(set(per_event)) == 4
    exp = exp_of(scheduler, groups=4)
    assert step_seconds_per_event(exp) == step_seconds_per_event(exp_of(scheduler, groups=4, num_events=9))


def test_a_type_step_cost_counts_per_group_and_per_nesting_level() -> None:
    cheap = step_seconds_per_event(exp_of(torch("ExponentialLR", gamma=0.9), groups=32))
    dear = step_seconds_per_event(exp_of(torch("OneCycleLR", max_lr=0.1, total_steps=10), groups=32))
    assert dear > 2 * cheap  # OneCycleLR's step_cost (4.5) against the default (0.3)
    wrapped = step_seconds_per_event(exp_of(warmup_one_cycle(), groups=32))
    assert wrapped == dear  # LRScheduler or the warm-up around it: one level each
    concat = {"type": "ConcatScheduler", "param_name": "lr", "durations": [100],
              "schedulers": [{k: v for k, v in COSINE.items() if k != "param_name"}] * 2}  # fmt: skip
    alone = step_seconds_per_event(exp_of(COSINE, groups=32))
    # a Concat steps one child at a time: its own cost over the dearer child's, per group
    own = scheduler_type("ConcatScheduler").step_cost
    assert step_seconds_per_event(exp_of(concat, groups=32)) - alone == pytest.approx(32 * own / 1e6)


def test_param_group_index_narrows_ignite_schedulers_not_torch_ones() -> None:
    narrow = step_seconds_per_event(exp_of({**COSINE, "param_group_index": 0}, groups=32))
    assert narrow < step_seconds_per_event(exp_of(COSINE, groups=32)) / 2
    assert step_seconds_per_event(exp_of(torch("ExponentialLR", gamma=0.9), groups=32)) > narrow * 2


@pytest.mark.parametrize("scheduler", [COSINE, torch("StepLR", step_size=3), warmup_one_cycle()])
@pytest.mark.parametrize("groups", [1, 32])
def test_stepping_is_estimated_dearer_than_the_closed_form(scheduler, groups) -> None:
    exp = exp_of(scheduler, groups=groups, num_events=10_000)
    assert exp.num_events * step_seconds_per_event(exp) > 10 * estimate_seconds(exp)


def test_the_issue_example_is_refused_now() -> None:
    # the issue: warm-up around OneCycleLR, 32 groups, 300,000 events, accepted and 25 s of CPU
    from app.service.limits import check_step_budget

    with pytest.raises(ApiError) as info:
        check_step_budget(exp_of(warmup_one_cycle(), groups=32, num_events=300_000), Settings())
    assert "fewer param groups" in info.value.items[0]["msg"]


# ---------------------------------------------------------------- run_isolated
def test_the_child_value_comes_back() -> None:
    assert isolation.run_isolated(operator.add, (2, 3), Settings(), 1.0) == 5


def test_an_api_error_in_the_child_is_raised_as_is() -> None:
    exp = exp_of({**COSINE, "cycle_mult": 5e-324}, num_events=30)  # cycles truncated to 0 events
    with pytest.raises(ApiError) as info:
        isolation.run_isolated(stepped, (canonical_json(exp),), Settings(), 1.0)
    assert info.value.status == 422
    assert info.value.items[0]["loc"] == ["body", "schedulers", 0, "cycle_mult"]


def test_any_other_error_in_the_child_is_a_bug() -> None:
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        isolation.run_isolated(operator.truediv, (1, 0), Settings(), 1.0)


def test_a_full_queue_answers_503_with_retry_after(monkeypatch) -> None:
    settings = Settings(heavy_processes=1, heavy_queue=2)
    gate = isolation._gate(settings)
    monkeypatch.setattr(gate, "admitted", 3)
    with pytest.raises(ApiError) as info:
        isolation.run_isolated(operator.add, (1, 1), settings, 2.5)
    assert info.value.status == 503 and info.value.headers == {"Retry-After": "3"}
    assert info.value.items[0]["type"] == "busy"
    monkeypatch.setattr(gate, "admitted", 2)
    assert isolation.run_isolated(operator.add, (1, 1), settings, 2.5) == 2


def test_cancelling_kills_the_child() -> None:
    event = threading.Event()
    threading.Timer(0.3, event.set).start()
    start = time.monotonic()
    with isolation.cancel_on(event), pytest.raises(ClientGone):
        isolation.run_isolated(time.sleep, (30,), Settings(), 30.0)
    assert time.monotonic() - start < 10


def test_only_heavy_enough_work_is_isolated() -> None:
    assert isolation.is_heavy(0.2, Settings())
    assert not isolation.is_heavy(0.19, Settings())
    assert not isolation.is_heavy(100, Settings(heavy_processes=0))


# ---------------------------------------------------------------- against a server
HEAVY = one_group(warmup_one_cycle(), num_events=40_000)
HEAVY["param_groups"] += [{"name": f"h{i}", "lr": 0.1} for i in range(1, 32)]


def descendants_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the live descendants of ``pid``."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        cpu[child] = (int(fields[11]) + int(fields[12])) / tick
    total, frontier = 0.0, {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier}
        total += sum(cpu[c] for c in frontier)
    return total


def metrics_count(base_url: str, status: int) -> float:
    text = urlopen(f"{base_url}/metrics").read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("schedule_explorer_requests_total{") and f'status="{status}"' in line
    )


def server_pid(base_url: str) -> int:
    text = urlopen(f"{base_url}/metrics").read().decode()
    line = next(x for x in text.splitlines() if x.startswith("schedule_explorer_build_info"))
    return int(line.split('pid="')[1].split('"')[0])


def wait_for_count(base_url: str, status: int, timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    while metrics_count(base_url, status) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    return metrics_count(base_url, status)


def test_a_client_that_hangs_up_stops_the_work_and_counts_as_499(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCHEDULE_EXPLORER_REQUEST_TIME_BUDGET_S", "60")
    with serving(tmp_path) as base_url:
        pid = server_pid(base_url)
        host, port = base_url.removeprefix("http://").split(":")
        con = http.client.HTTPConnection(host, int(port))
        con.request("POST", "/api/v1/series", json.dumps(HEAVY), {"Content-Type": "application/json"})
        time.sleep(0.5)
        con.sock.shutdown(socket.SHUT_RDWR)
        con.close()
        assert wait_for_count(base_url, 499) == 1  # whether it was still building or stepping
        before = descendants_cpu(pid)
        time.sleep(0.5)
        assert descendants_cpu(pid) - before < 0.2  # no child process keeps computing
        assert metrics_count(base_url, 500) == 0


def test_hang_ups_mid_body_and_mid_download_count_as_499(tmp_path) -> None:
    with serving(tmp_path) as base_url:
        host, port = base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(
                b"POST /api/v1/series HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n" + b'{"num_events": 10'
            )
            time.sleep(0.3)
        assert wait_for_count(base_url, 499, timeout=10) == 1
        big = one_group(COSINE, num_events=200_000)  # streamed: about 20 MB of JSON
        big["param_groups"] += [{"name": f"h{i}", "lr": 0.1} for i in range(1, 4)]
        con = http.client.HTTPConnection(host, int(port))
        con.request("POST", "/api/v1/series", json.dumps(big), {"Content-Type": "application/json"})
        reply = con.getresponse()
        assert reply.status == 200 and len(reply.read(1_000_000)) == 1_000_000
        con.sock.shutdown(socket.SHUT_RDWR)
        con.close()
        deadline = time.monotonic() + 10
        while metrics_count(base_url, 499) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert metrics_count(base_url, 499) == 2
        assert metrics_count(base_url, 500) == 0
