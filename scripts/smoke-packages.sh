#!/usr/bin/env bash
# Builds the sdist and the wheel (`python -m build`: the wheel is built from the sdist) and checks
# what users get from them, each in a fresh venv outside the checkout. torch is never installed
# (pip's cache is reused, so a warm run takes about a minute):
#   1. the distributions: the wheel holds schedule_explorer/ (the folder app/: every module of
#      it) and scheduler_core/, every file of static/ (as schedule_explorer/static), no top-level
#      app/ and no tests; its metadata requires numpy and numexpr only.
#   2. resolution: in a venv holding a fake torch 2.2.0, `pip install --dry-run --report` of the
#      wheel, of [torch] and of [server,postgres] installs no torch (the installed one is kept).
#   3. library: `pip install <wheel>` brings numpy and numexpr only; cyclical, piecewise and concatenated
#      schedulers and `simulate` work; torch, plotly, matplotlib and the server name what to
#      install (tests/deploy/smoke_library.py).
#   4. server: `pip install '<wheel>[server]'` (no torch); `import schedule_explorer.main` works
#      (next to a decoy ./app too) and `import app` fails; `schedule-explorer serve --workers 2`
#      on a free port, started from a directory holding a decoy app/ package, serves /,
#      /static/js/main.js, /docs and /redoc with the files they load, POST /api/v1/series and
#      /links (tests/deploy/smoke_server.py); a postgresql:// link store without [postgres]
#      stops it with a message naming the extra.
# Usage: scripts/smoke-packages.sh   (PYTHON: interpreter of the fresh venvs, default python3;
#        BUILD_PYTHON: one with `build` installed, default .venv/bin/python;
#        SMOKE_KEEP=1 keeps the work directory)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
BUILD_PYTHON=${BUILD_PYTHON:-$root/.venv/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/smoke-packages.XXXXXX")
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${SMOKE_KEEP:-}" = "1" ]; then echo "smoke-packages: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step_start=$SECONDS
step() {  # step NAME: print the time the previous step took, then NAME
  echo "smoke-packages: [$((SECONDS - step_start)) s] $*"
  step_start=$SECONDS
}

# run LOG CMD...: run quietly into LOG; on failure print LOG's tail and fail
run() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    echo "smoke-packages: FAILED: $*" >&2
    tail -n 60 "$log" >&2
    exit 1
  fi
}

# fresh_venv DIR: a venv with an up-to-date pip (the system pip may be old)
fresh_venv() {
  run "$work/venv-$(basename "$1").log" "$PYTHON" -m venv "$1"
  run "$work/pip-$(basename "$1").log" "$1/bin/python" -m pip install --upgrade pip
}

step "building the sdist and the wheel"
run "$work/build.log" "$BUILD_PYTHON" -m build --outdir "$work/dist" "$root"
if grep -E -i "[a-z]+Warning\b|deprecat" "$work/build.log"; then  # e.g. SetuptoolsDeprecationWarning
  echo "smoke-packages: FAILED: the build printed the warnings above" >&2
  exit 1
fi
sdist=$(ls "$work"/dist/schedule_explorer-*.tar.gz)
wheel=$(ls "$work"/dist/schedule_explorer-*-py3-none-any.whl)

step "checking the distributions' contents"
"$PYTHON" - "$wheel" "$sdist" "$root/static" "$root/app" <<'PY'
import sys, tarfile, zipfile
from email.parser import Parser
from pathlib import Path

wheel, sdist, static, server = sys.argv[1:]
names = set(zipfile.ZipFile(wheel).namelist())
tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
assert tops == {"schedule_explorer", "scheduler_core"}, f"top-level packages of the wheel: {tops}"
want = {"schedule_explorer/static/" + p.relative_to(static).as_posix() for p in Path(static).rglob("*") if p.is_file()}
assert want and not (want - names), f"static files missing from the wheel: {sorted(want - names)}"
modules = {"schedule_explorer/" + p.relative_to(server).as_posix() for p in Path(server).rglob("*.py")}
assert "schedule_explorer/__init__.py" in modules and "schedule_explorer/api/routes/series.py" in modules
assert not (modules - names), f"modules of app/ missing from the wheel: {sorted(modules - names)}"
assert "scheduler_core/__init__.py" in names
entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt")))
assert "schedule-explorer = schedule_explorer.cli:main" in entry_points.decode(), entry_points
meta = Parser().parsestr(zipfile.ZipFile(wheel).read(
    next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
assert meta["License-Expression"] == "BSD-3-Clause", meta["License-Expression"]
base = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
assert base == ["numpy>=1.26", "numexpr>=2.10"], base
extras = set(meta.get_all("Provides-Extra"))
assert {"torch", "plot", "server", "postgres", "dev"} <= extras, extras
members = tarfile.open(sdist).getnames()
assert any(m.endswith("/static/js/main.js") for m in members), "static/ missing from the sdist"
assert not any("/tests/" in m for m in members), "tests in the sdist"
print(f"  {Path(wheel).name}: {len(names)} files; {Path(sdist).name}: {len(members)} members")
PY

step "resolving against a venv holding a fake torch 2.2.0 (dry run)"
fresh_venv "$work/lib"
site=$("$work/lib/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
fake="$site/torch-2.2.0.dist-info"
mkdir "$fake"
printf 'Metadata-Version: 2.1\nName: torch\nVersion: 2.2.0\n' >"$fake/METADATA"
printf 'pip\n' >"$fake/INSTALLER"
: >"$fake/RECORD"
for spec in "$wheel" "$wheel[torch]" "$wheel[server,postgres]"; do
  run "$work/dry-run.log" "$work/lib/bin/python" -m pip install --dry-run --quiet --report "$work/report.json" "$spec"
  "$PYTHON" - "$work/report.json" "$spec" <<'PY'
import json, sys
report, spec = json.load(open(sys.argv[1])), sys.argv[2]
names = {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in report["install"]}
assert "schedule-explorer" in names, names
assert not any(n.startswith(("torch", "nvidia", "triton")) for n in names), f"{spec} would install {names}"
print(f"  {spec.rsplit('/', 1)[-1]}: installs {len(names)} distributions, torch 2.2.0 kept")
PY
done
rm -rf "$fake"

step "library: pip install <wheel> into a fresh venv"
run "$work/install-lib.log" "$work/lib/bin/python" -m pip install "$wheel"
(cd "$work" && "$work/lib/bin/python" - <<'PY'
from importlib.metadata import distributions
names = {d.metadata["Name"].lower() for d in distributions()} - {"pip", "setuptools"}
assert names == {"numpy", "numexpr", "schedule-explorer"}, names
PY
)
(cd "$work" && "$work/lib/bin/python" "$root/tests/deploy/smoke_library.py")

step "server: pip install '<wheel>[server]' into a fresh venv"
fresh_venv "$work/srv"
run "$work/install-srv.log" "$work/srv/bin/python" -m pip install "$wheel[server]"
if "$work/srv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)'; then
  echo "smoke-packages: FAILED: the [server] extra installed torch" >&2
  exit 1
fi

run_dir="$work/run"
mkdir -p "$run_dir/app"  # a decoy: nothing may import ./app, the installed package is schedule_explorer
echo 'raise ImportError("the decoy ./app was imported instead of the installed package")' >"$run_dir/app/__init__.py"

step "server: import schedule_explorer.main (and not app)"
(cd "$run_dir" && "$work/srv/bin/python" - <<'PY'
import sys
from pathlib import Path

import schedule_explorer.main

where = Path(schedule_explorer.main.__file__).resolve()
assert "site-packages" in where.parts, f"schedule_explorer imported from {where}, not the installed wheel"
static = Path(schedule_explorer.main.app.state.settings.static_dir)
assert static == where.parent / "static" and (static / "index.html").is_file(), static
assert not [m for m in sys.modules if m == "app" or m.startswith("app.")], "the decoy ./app was imported"
PY
)
if (cd "$work" && "$work/srv/bin/python" -c 'import app' 2>/dev/null); then
  echo "smoke-packages: FAILED: 'import app' works in the [server] venv: the wheel installs a top-level app" >&2
  exit 1
fi

step "server: schedule-explorer serve from another directory"
port=$("$work/srv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$run_dir" && exec env -u SCHEDULE_EXPLORER_STATIC_DIR -u SCHEDULE_EXPLORER_LINK_STORE_URL \
  SCHEDULE_EXPLORER_DATA_DIR="$work/data" "$work/srv/bin/schedule-explorer" serve --port "$port" --workers 2 \
  >"$work/serve.log" 2>&1) &
server_pid=$!
if ! "$work/srv/bin/python" "$root/tests/deploy/smoke_server.py" "http://127.0.0.1:$port" "$root/static"; then
  echo "smoke-packages: FAILED: server smoke test; its log:" >&2
  tail -n 40 "$work/serve.log" >&2
  exit 1
fi
kill "$server_pid"
wait "$server_pid" || true
server_pid=""
[ -s "$work/data/links.sqlite3" ] || { echo "smoke-packages: FAILED: no links.sqlite3 under the data dir" >&2; exit 1; }

step "server: a postgresql:// link store without [postgres]"
status=0
(cd "$run_dir" && SCHEDULE_EXPLORER_LINK_STORE_URL='postgresql://nobody@127.0.0.1:9/none' \
  timeout 60 "$work/srv/bin/schedule-explorer" serve --port "$port" >"$work/serve-pg.log" 2>&1) || status=$?
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ] \
  || ! grep -q "needs the \[postgres\] extra: pip install 'schedule-explorer\[postgres\]'" "$work/serve-pg.log"; then
  echo "smoke-packages: FAILED: serve with a postgresql:// store and no psycopg (exit $status):" >&2
  tail -n 20 "$work/serve-pg.log" >&2
  exit 1
fi

step "ok"
echo "smoke-packages: passed in $SECONDS s"
