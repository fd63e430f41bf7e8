"""Helpers shared by the API tests (imported by name: tests/app is on sys.path)."""

from __future__ import annotations


def one_group(*schedulers: dict, num_events: int = 50, **values: float) -> dict:
    """An experiment with one group ``g`` (``lr=0.1`` unless given) and ``schedulers``."""
    return {
        "num_events": num_events,
        "param_groups": [{"name": "g", **({"lr": 0.1} | values)}],
        "schedulers": list(schedulers),
    }
