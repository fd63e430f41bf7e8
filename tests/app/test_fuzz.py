"""Schemathesis over /openapi.json: no 5xx, every response matches its documented schema.

Bounded for the regular suite (``SCHEDULE_EXPLORER_FUZZ_EXAMPLES``, default 20 per operation);
``make fuzz`` raises it and runs every phase. The number of generated cases is printed at the end
of the module, per operation; a full run must reach ``MIN_FULL_CASES``.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections import Counter

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

from app.main import create_app
from app.settings import Settings

MAX_EXAMPLES = int(os.environ.get("SCHEDULE_EXPLORER_FUZZ_EXAMPLES", "20"))

_data = tempfile.mkdtemp(prefix="schedule-explorer-fuzz-")
app = create_app(
    Settings(
        data_dir=_data,
        max_download_events=2_000,
        max_events=20_000,
        max_points=500,
        figure_points=100,
    )
)
FULL = "SCHEDULE_EXPLORER_FUZZ_EXAMPLES" in os.environ
MIN_FULL_CASES = 1000
CASES: Counter[str] = Counter()
# The regular suite skips the (slow, exhaustive) coverage phase; `make fuzz` runs every phase.
config = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": FULL}}, "generation": {"max-examples": MAX_EXAMPLES}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def case_count(request):
    """Print the cases generated per operation and in total (and check a full run's total)."""
    yield
    total = sum(CASES.values())
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print()
        for op, n in sorted(CASES.items()):
            print(f"schemathesis cases {op}: {n}")
        print(f"schemathesis cases in total: {total}")
    if FULL and len(CASES) == len(list(schema.get_all_operations())):
        assert total >= MIN_FULL_CASES, f"only {total} generated cases"


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_openapi_contract(case):
    CASES[f"{case.method.upper()} {case.path}"] += 1
    case.call_and_validate(checks=CHECKS)
