"""app.service: one cap check per output, one compute path, one cache of series."""

from __future__ import annotations

import numpy as np
import pytest
from apitest_helpers import one_group

from app.contract.errors import ApiError
from app.contract.schemas import Experiment
from app.service import compute as compute_module
from app.service import exports
from app.service.compute import SeriesCache, SeriesData, compute
from app.service.limits import check_caps, events_cap
from app.settings import Settings
from scheduler_core.series import NoClosedForm

COSINE = {
    "type": "CosineAnnealingScheduler",
    "param_name": "lr",
    "start_value": 1.0,
    "end_value": 0.0,
    "cycle_size": 10,
}


def exp_of(**kw) -> Experiment:
    return Experiment.model_validate(one_group(COSINE, **kw))


def test_events_cap_by_output():
    s = Settings(max_download_events=100, max_events=1000)
    caps = [events_cap(o, s) for o in ("series", "csv", "figure", "link", "code")]
    assert caps == [100, 100, 1000, 1000, None]
    assert events_cap("series", s, max_points=10) == events_cap("csv", s, max_points=10) == 1000


def test_check_caps_code_skips_the_size_caps_only():
    s = Settings(max_events=10, max_download_events=10)
    check_caps(exp_of(num_events=10_000), s, output="code")
    with pytest.raises(ApiError) as info:
        check_caps(exp_of(num_events=10_000), s, output="figure")
    assert info.value.items[0]["type"] == "too_many_events"
    bad = Experiment.model_validate(
        one_group(COSINE, momentum=0.9) | {"param_groups": [{"name": "g", "m": 1}]}
    )
    with pytest.raises(ApiError) as info:
        check_caps(bad, s, output="code")
    assert info.value.items[0]["type"] == "missing_param"


def test_check_caps_prefixes_body_locations():
    with pytest.raises(ApiError) as info:
        check_caps(
            exp_of(num_events=2000), Settings(max_events=1000), output="link", loc=("body", "variants", 1)
        )
    assert info.value.items[0]["loc"] == ["body", "variants", 1, "num_events"]


def test_series_cache_is_bounded_by_bytes_of_keys_and_arrays():
    def item(n: int) -> list[SeriesData]:
        return [SeriesData(0, "g", "lr", np.zeros(n))]

    cache = SeriesCache(1000)
    cache.put(b"a" * 10, item(50))  # 410 bytes
    cache.put(b"b" * 10, item(50))
    assert cache.get(b"a" * 10) is not None  # a is now the most recent
    cache.put(b"c" * 10, item(50))  # over 1000: b, the least recent, goes
    assert cache.get(b"b" * 10) is None and cache.get(b"c" * 10) is not None
    cache.put(b"k" * 2000, item(1))  # too big alone: never stored
    assert cache.get(b"k" * 2000) is None
    assert (cache.hits, cache.misses) == (2, 2)
    off = SeriesCache(0)
    off.put(b"x", item(1))
    assert off.get(b"x") is None


def test_no_closed_form_falls_back_to_stepping(monkeypatch):
    exp, settings = exp_of(num_events=100), Settings()
    fast = compute(exp, settings, SeriesCache(0))
    real = compute_module.simulate_built

    def no_closed_form(core, built, method="auto"):
        if method == "fast":
            raise NoClosedForm("test")
        return real(core, built, method)

    monkeypatch.setattr(compute_module, "simulate_built", no_closed_form)
    stepped = compute(exp, settings, SeriesCache(0))
    np.testing.assert_allclose(stepped[0].values, fast[0].values, rtol=1e-12, atol=1e-15)
    with pytest.raises(ApiError) as info:  # the stepping estimate is checked at the fallback
        compute(exp_of(num_events=100_000), Settings(request_time_budget_s=0.1), SeriesCache(0))
    assert info.value.items[0]["type"] == "over_time_budget"


@pytest.mark.parametrize("error", [RuntimeError, ValueError, ZeroDivisionError])
def test_closed_form_bugs_propagate(monkeypatch, error):
    def broken(core, built, method="auto"):
        if method == "fast":
            raise error("a bug in a closed form")
        raise AssertionError("must not step")

    monkeypatch.setattr(compute_module, "simulate_built", broken)
    with pytest.raises(error):
        compute(exp_of(), Settings(), SeriesCache(0))


def test_construct_bugs_propagate(monkeypatch):
    def broken(core):
        raise RuntimeError("a bug in build")

    monkeypatch.setattr(compute_module, "build", broken)
    with pytest.raises(RuntimeError):
        compute(exp_of(), Settings(), SeriesCache(0))


def test_a_closed_form_bug_is_a_500(make_client, monkeypatch):
    def broken(core, built, method="auto"):
        raise RuntimeError("a bug in a closed form")

    monkeypatch.setattr(compute_module, "simulate_built", broken)
    r = make_client().post("/api/v1/series", json=one_group(COSINE))
    assert r.status_code == 500 and r.json()["detail"][0]["type"] == "internal_error"


def test_outputs_share_one_computation():
    exp, settings, cache = exp_of(num_events=1000), Settings(), SeriesCache(2**20)
    exports.series_json(exp, settings, cache)
    exports.series_csv(exp, settings, cache, 100)
    exports.figure(exp, settings, cache)
    assert (cache.misses, cache.hits) == (1, 2)


def test_torch_scheduler_without_torch_is_a_422_naming_the_extra(client, monkeypatch):
    """A server installed without the [torch] extra says so (it used to answer a 500)."""
    import sys

    for name in {"torch", *(m for m in sys.modules if m.startswith("torch."))}:
        monkeypatch.setitem(sys.modules, name, None)  # `import torch` now fails
    exp = {
        "num_events": 10,
        "param_groups": [{"name": "g", "lr": 0.1}],
        "schedulers": [
            {"type": "CosineAnnealingScheduler", "param_name": "lr", "start_value": 1.0, "end_value": 0.0,
             "cycle_size": 4},
            {"type": "LRScheduler", "lr_scheduler": {"type": "StepLR", "step_size": 3}},
        ],
    }  # fmt: skip
    reply = client.post("/api/v1/series", json=exp)
    assert reply.status_code == 422, reply.text
    item = reply.json()["detail"][0]
    assert item["type"] == "missing_extra" and item["loc"] == ["body", "schedulers", 1]
    assert "schedule-explorer[torch]" in item["msg"]
