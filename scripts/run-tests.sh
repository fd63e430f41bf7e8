#!/usr/bin/env bash
# Runs lint and the whole test suite; fails loudly when no test is collected.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
report=$(mktemp)
status=0
"$VENV/bin/pytest" -p no:cacheprovider --junitxml="$report" "$@" || status=$?
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
