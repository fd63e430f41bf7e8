"""``schedule-explorer completion bash|zsh``: scripts made from the parser, checked in bash."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.cli import _parser, completion_script, main
from app.presets import PRESETS

SUBCOMMANDS = ["serve", "open", "init", "series", "figure", "code", "completion"]


def _options(command: str) -> list[str]:
    import argparse

    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [f for a in sub.choices[command]._actions for f in a.option_strings]


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("completion") / "schedule-explorer.bash"
    assert main(["completion", "bash", "-o", str(path)]) == 0
    return path


def complete(script: Path, line: str, cwd: Path | None = None) -> list[str]:
    """What bash offers for the last word of ``line`` (the completion function run by hand)."""
    words = line.split(" ")
    program = f"""
        source {script}
        COMP_WORDS=({" ".join(repr(w) for w in words)})
        COMP_CWORD={len(words) - 1}
        _schedule_explorer
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, cwd=cwd, timeout=30)
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_script_is_valid_bash(bash_script):
    done = subprocess.run(["bash", "-n", str(bash_script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (
        "complete -o bashdefault -o default -F _schedule_explorer schedule-explorer"
        in bash_script.read_text()
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("schedule-explorer ", SUBCOMMANDS),
        ("schedule-explorer s", ["serve", "series"]),
        ("schedule-explorer --", ["--help", "--version", "--list-presets"]),
        ("schedule-explorer init --preset ", [*PRESETS, "help"]),
        ("schedule-explorer init --preset o", ["one-cycle"]),
        ("schedule-explorer series exp.json --format ", ["json", "csv"]),
        ("schedule-explorer figure exp.json --layout o", ["overlay"]),
        ("schedule-explorer figure x --l", ["--layout", "--log-y"]),
        ("schedule-explorer code x --flavor ", ["scheduler_core", "ignite", "timm", "transformers", "optax"]),
        ("schedule-explorer completion ", ["bash", "zsh"]),
        ("schedule-explorer open x --no", ["--no-browser"]),
    ],
)
def test_bash_completes_commands_options_and_choices(bash_script, line, expected):
    assert complete(bash_script, line) == expected


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_files_where_a_file_goes(bash_script, tmp_path):
    (tmp_path / "exp.json").write_text("{}")
    (tmp_path / "chart.html").write_text("")
    assert complete(bash_script, "schedule-explorer series e", cwd=tmp_path) == ["exp.json"]
    assert complete(bash_script, "schedule-explorer figure exp.json -o c", cwd=tmp_path) == ["chart.html"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_bash_offers_every_option_of_every_subcommand(bash_script, command):
    assert sorted(complete(bash_script, f"schedule-explorer {command} -")) == sorted(_options(command))


def test_zsh_script_names_every_subcommand_and_option(capsys):
    assert main(["completion", "zsh"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out == completion_script("zsh")
    assert out.startswith("#compdef schedule-explorer\n")
    assert "compdef _schedule_explorer schedule-explorer" in out
    for command in SUBCOMMANDS:
        assert f"'{command}:" in out and f"                {command})\n" in out
        for flag in _options(command):
            assert f"{flag}[" in out, (command, flag)
    assert (
        "'--preset[which starter (default seed; help lists them)]:preset:(" + " ".join(PRESETS) + " help)'"
        in out
    )
    assert "'(-o --output)-o[" in out and ":output:_files'" in out
    assert "program'\\''s version" in out  # a quote inside a description is escaped


ZSH_CAPTURE = r"""
# zsh -f capture.zsh SCRIPT LINE: type LINE<Tab> in an interactive zsh (under zpty) that loaded
# SCRIPT, print the candidates compadd was given, one per line.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT=''; autoload -U compinit; compinit -u -D; source $1"
zpty -w z 'compadd () { local -a h; builtin compadd -O h "$@"; local w; for w in $h; do print -n -- "<HIT>$w</HIT>"; done; builtin compadd "$@" }'
zpty -w z "print '<READY>'"
zpty -r z line '*<READY>*'
zpty -r z line '*<READY>*'
zpty -w -n z "$2"$'\t'
local out='' chunk
integer i
for i in {1..40}; do
  if zpty -r -t z chunk; then out+=$chunk; else sleep 0.05; fi
done
zpty -d z
print -r -- $out | grep -o '<HIT>[^<]*</HIT>' | sed -e 's/<HIT>//' -e 's/<\/HIT>//'
"""


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")
def test_zsh_script_parses_and_registers(tmp_path):
    path = tmp_path / "_schedule-explorer"
    path.write_text(completion_script("zsh"))
    done = subprocess.run(["zsh", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    program = f"autoload -U compinit; compinit -u -D; source {path}; print -r -- $_comps[schedule-explorer]"
    done = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True, timeout=30)
    assert done.stdout == "_schedule_explorer\n", done.stderr


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("schedule-explorer s", ["series", "serve"]),
        ("schedule-explorer init --preset ", sorted([*PRESETS, "help"])),
        ("schedule-explorer figure x --la", ["--layout"]),
    ],
)
def test_zsh_completes_commands_options_and_choices(tmp_path, line, expected):
    script, capture = tmp_path / "_schedule-explorer", tmp_path / "capture.zsh"
    script.write_text(completion_script("zsh"))
    capture.write_text(ZSH_CAPTURE)
    done = subprocess.run(
        ["zsh", "-f", str(capture), str(script), line],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert sorted(set(done.stdout.split())) == expected, done.stderr


def test_unknown_shell_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["completion", "fish"])
    assert exc.value.code == 2 and "invalid choice: 'fish'" in capsys.readouterr().err
