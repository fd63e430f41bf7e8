"""The fused closed forms (one numexpr expression per cycle or array, :func:`libm.fused`) equal
the numpy code they replace bit for bit (``libm.fused`` patched to None: the numpy fallback, the
path of a VML build), over random configurations; spot checks against the scalar formulas
(timm's ``_get_lr`` operations) too."""

from __future__ import annotations

import numpy as np
import pytest

from scheduler_core import libm
from scheduler_core import optax as core_optax
from scheduler_core import timm as core_timm
from scheduler_core.base import GroupsOptimizer
from scheduler_core.shapes import CHUNK

pytest.importorskip("numexpr")

CONFIGS = 40


def _timm_values(cls: type, kw: dict, lrs: list[float], n: int) -> np.ndarray:
    s = cls(GroupsOptimizer([{"lr": lr} for lr in lrs]), t_in_epochs=False, **kw)
    out = np.empty((len(lrs), n), np.float64)
    s._lr_array(np.arange(1, n + 1, dtype=np.int64), out)
    return out, s


def _random_timm(rng: np.random.Generator) -> tuple[type, dict]:
    size = int(rng.integers(CHUNK, 3 * CHUNK))
    kw = {
        "t_initial": size,
        "lr_min": float(rng.choice([0.0, 1e-6, rng.random() * 1e-3])),
        "cycle_limit": int(rng.integers(1, 4)),
        "cycle_decay": float(rng.choice([1.0, 0.5, rng.random()])),
        "cycle_mul": float(rng.choice([1.0, 1.0, 1.5, 0.9])),
        "warmup_t": int(rng.choice([0, 0, 100])),
        "warmup_prefix": bool(rng.integers(2)),
    }
    if rng.integers(2):
        lb = float(rng.uniform(-10, 0))
        return core_timm.TanhLRScheduler, {**kw, "lb": lb, "ub": lb + float(rng.uniform(0.1, 12))}
    power = rng.choice([1.0, 2.0, 2, 0.5, 0.9, float(rng.uniform(0.1, 4)), -0.5, float(rng.uniform(50, 400))])
    return core_timm.PolyLRScheduler, {**kw, "power": power, "k_decay": float(rng.choice([1.0, 1.0, 1.3]))}


def test_timm_fused_equals_numpy_fallback_over_random_configurations(monkeypatch):
    """Tanh and Poly (any ``k_decay``, powers whose values underflow: the numpy code's Python
    fallback), warm-ups, several cycles and groups."""
    rng = np.random.default_rng(20261130)
    fused_calls = []
    real = libm.fused
    monkeypatch.setattr(libm, "fused", lambda *a, **kw: fused_calls.append(a[0]) or real(*a, **kw))
    for _ in range(CONFIGS):
        cls, kw = _random_timm(rng)
        lrs = [float(x) for x in rng.uniform(0.01, 1.0, int(rng.integers(1, 3)))]
        n = int(rng.integers(CHUNK, 4 * CHUNK))
        with np.errstate(all="ignore"):
            fused, s = _timm_values(cls, kw, lrs, n)
            with monkeypatch.context() as m:
                m.setattr(libm, "fused", lambda *args, **kwargs: None)
                plain, _ = _timm_values(cls, kw, lrs, n)
        assert fused.tobytes() == plain.tobytes(), (cls.__name__, kw, lrs, n)
        for step in sorted({1, n // 3, n // 2, n - 1, n}):
            assert [v.hex() for v in fused[:, step - 1].tolist()] == [float(v).hex() for v in s._get_lr(step)]
    assert len(fused_calls) > CONFIGS  # the fused path ran (a cycle of >= CHUNK steps each)
    assert any("tanh" in e for e in fused_calls) and any("** power" in e for e in fused_calls)


def test_fused_keeps_the_operations_as_written():
    """numexpr's optimizer is off: a literal divisor stays a division (its "aggressive" mode
    multiplies by ``1 / 3.0``) and a literal exponent a ``pow`` (not ``sqrt``/products); the
    numbers passed are float64 variables."""
    x = np.arange(1.0, 200_001.0)
    y = np.random.default_rng(1).random(200_000) * 3
    assert libm.fused("x / 3.0", x=x).tobytes() == (x / 3.0).tobytes()
    assert libm.fused("y ** 1.5", y=y).tobytes() == libm.power(y, 1.5).tobytes()
    assert libm.fused("x / c", x=x, c=3).tobytes() == (x / 3.0).tobytes()
    assert libm.fused("x + c", x=x, c=10**400) is None  # no float64: the caller's numpy code decides


def _random_optax(rng: np.random.Generator, top: int) -> tuple[str, object]:
    """A schedule whose steps mostly cover the counts up to ``top`` (else clipped: the fallback)."""
    init = float(rng.choice([1.0, rng.uniform(1e-4, 10.0), -0.5]))
    kind = ("cosine", "polynomial", "exponential")[int(rng.integers(3))]
    if kind == "cosine":
        exponent = float(rng.choice([1.5, 0.5, 2.0, rng.uniform(0.1, 5.0), 400.0]))
        alpha = float(rng.choice([0.0, 0.1, rng.random()]))
        steps = int(rng.choice([top, top + int(rng.integers(0, 1000)), top // 2]))
        return kind, core_optax.cosine_decay_schedule(init, steps, alpha=alpha, exponent=exponent)
    if kind == "polynomial":
        power = float(rng.choice([2.0, 0.5, 1.5, rng.uniform(0.1, 4.0), 300.0, -0.5]))
        end = float(rng.choice([0.0, 1e-3, rng.random()]))
        steps = int(rng.choice([top, top + int(rng.integers(1, 1000)), top // 2]))
        return kind, core_optax.polynomial_schedule(init, end, power, steps)
    rate = float(rng.choice([0.99, 0.5, 1.01, rng.uniform(0.01, 2.0), -0.5]))
    steps = int(rng.integers(1, 5000))
    end = None if rng.integers(2) else float(rng.random() * 0.1)
    return kind, core_optax.exponential_decay(init, steps, rate, end_value=end)


def test_optax_fused_equals_numpy_fallback_over_random_configurations(monkeypatch):
    """cosine_decay (exponent), polynomial (float power), exponential_decay (no staircase) in
    float64 over counts from 0, shifted, clipped (the fallback) and ones that underflow."""
    rng = np.random.default_rng(7)
    fused_calls = []
    real = libm.fused
    monkeypatch.setattr(libm, "fused", lambda *a, **kw: fused_calls.append(a[0]) or real(*a, **kw))
    for _ in range(2 * CONFIGS):
        n = int(rng.integers(CHUNK + 1, 4 * CHUNK))
        counts = np.arange(n, dtype=np.int64) + int(rng.choice([0, 0, -5, int(rng.integers(0, 10_000))]))
        kind, schedule = _random_optax(rng, int(counts[-1]))
        with np.errstate(all="ignore"):
            fused = schedule(counts)
            with monkeypatch.context() as m:
                m.setattr(libm, "fused", lambda *args, **kwargs: None)
                plain = schedule(counts)
        assert fused.dtype == plain.dtype == np.float64
        assert fused.tobytes() == plain.tobytes(), (kind, n, counts[0])
        for i in (0, 1, n // 2, n - 1):
            assert fused[i].hex() == float(schedule(int(counts[i]))).hex(), (kind, i)
    for name in ("cos(", "rate **", "(one - c * inv) ** power"):
        assert any(name in e for e in fused_calls), name
