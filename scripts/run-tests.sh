#!/usr/bin/env bash
# Runs lint and the whole test suite; fails loudly when no test is collected.
# Starts a throwaway PostgreSQL (scripts/start-postgres.sh) for the link store contract tests
# unless SCHEDULE_EXPLORER_TEST_POSTGRES_URL is already set; under CI=true it must start.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
if [ -z "${SCHEDULE_EXPLORER_TEST_POSTGRES_URL:-}" ]; then
  pgdir=$(mktemp -d)
  trap 'bash scripts/start-postgres.sh --stop "$pgdir"; rm -rf "$pgdir"' EXIT
  if url=$(bash scripts/start-postgres.sh "$pgdir"); then
    export SCHEDULE_EXPLORER_TEST_POSTGRES_URL=$url
  elif [ "${CI:-}" = "true" ]; then
    echo "ERROR: PostgreSQL did not start (CI=true): the link store contract tests need it." >&2
    exit 1
  else
    echo "WARNING: PostgreSQL did not start: its link store contract tests will be skipped." >&2
  fi
fi
report=$(mktemp)
status=0
# two pytest-xdist workers (one per core on the CI machine; PYTEST_WORKERS=0 runs in one process)
"$VENV/bin/pytest" -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" --junitxml="$report" "$@" || status=$?
collected=$("$VENV/bin/python" - "$report" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
print(sum(int(s.get("tests", 0)) for s in suites))
PY
)
rm -f "$report"
if [ "${collected:-0}" -lt 1 ]; then
  echo "ERROR: no test was collected — refusing to report success." >&2
  exit 1
fi
echo "tests run: $collected"
exit "$status"
