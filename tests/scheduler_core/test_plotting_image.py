"""Images of plot_values' figures: kaleido (the [image] extra) driving the system Chromium.

The rendering tests need /usr/bin/chromium (SCHEDULE_EXPLORER_CHROMIUM elsewhere): they skip
where it is absent, except under CI=true, where they fail (.ci/run installs Debian's chromium).
"""

from __future__ import annotations

import copy
import os
import pickle
import struct
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
import pytest

import scheduler_core
from scheduler_core import plotting

CHROMIUM = os.environ.get("SCHEDULE_EXPLORER_CHROMIUM", "/usr/bin/chromium")
COSINE = {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 10}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def chromium(monkeypatch) -> str:
    """The Chromium to render with; skipped without one, except under CI (then a failure)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    monkeypatch.setenv("BROWSER_PATH", CHROMIUM)
    return CHROMIUM


@pytest.fixture
def figure() -> go.Figure:
    return scheduler_core.CosineAnnealingScheduler.plot_values(40, **COSINE)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_to_image_png(chromium, figure) -> None:
    start = time.monotonic()
    data = figure.to_image(format="png")
    assert time.monotonic() - start < 15
    assert png_size(data) == (700, 500)  # plotly's default size
    assert 5_000 < len(data) < 2_000_000


def test_to_image_svg_with_a_size(chromium, figure) -> None:
    data = figure.to_image(format="svg", width=900, height=400)
    text = data.decode()
    assert text.startswith("<svg") and 'width="900"' in text and 'height="400"' in text
    assert "lr" in text  # the legend


def test_write_image_takes_the_format_from_the_extension(chromium, figure, tmp_path) -> None:
    out = tmp_path / "chart.svg"
    figure.write_image(out)
    assert b"<svg" in out.read_bytes()[:200]


def test_figure_image_takes_a_figure_dict(chromium, figure) -> None:
    data = plotting.figure_image(figure.to_dict(), "png", width=300, height=200, scale=2)
    assert png_size(data) == (600, 400)


def test_the_browser_is_started_with_the_required_flags(chromium) -> None:
    """--no-sandbox (root), --disable-gpu, no background networking, no component updates."""
    from choreographer.channels import Pipe

    browser = plotting._browser_class()(Pipe(), chromium)
    browser.pre_open()
    try:
        cli = browser.get_cli()
    finally:
        browser.clean()
    assert chromium in cli and "--headless" in cli
    assert set(plotting.CHROMIUM_FLAGS) <= set(cli)
    assert {
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
    } <= set(cli)


def test_the_figure_is_still_a_plotly_figure_and_pickles(figure) -> None:
    assert isinstance(figure, go.Figure)
    for copied in (pickle.loads(pickle.dumps(figure)), copy.deepcopy(figure)):
        assert type(copied) is type(figure) and copied.to_dict() == figure.to_dict()


def test_a_missing_kaleido_names_the_image_extra(figure, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "kaleido", None)
    message = "image export needs kaleido, the [image] extra: pip install 'schedule-explorer[image]'"
    with pytest.raises(ModuleNotFoundError) as caught:
        figure.to_image(format="png")
    assert str(caught.value) == message


def test_a_missing_chromium_says_to_install_it(figure, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(plotting, "_DEBIAN_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        plotting.ChromiumNotFoundError, match=r"install Chromium \(Debian/Ubuntu: apt-get install chromium\)"
    ):
        figure.to_image(format="png")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "chrome"))
    with pytest.raises(plotting.ChromiumNotFoundError, match="BROWSER_PATH=.* is not an executable file"):
        plotting.check_image_export()


def test_an_unknown_format_is_refused(figure) -> None:
    with pytest.raises(
        ValueError, match="Argument format should be one of png, svg, jpeg, webp, pdf, but given 'gif'"
    ):
        plotting.figure_image(figure, "gif")


def test_a_recoverable_pipe_decoding_traceback_stays_off_the_terminal(figure, monkeypatch, capfd) -> None:
    """choreographer logs 'JSONError decoding message. Ignoring' with a traceback when Chromium's
    pipe hands it a message it cannot parse; the export goes on, so nothing reaches stderr.
    Errors of the export itself still raise, and the logger's level is restored after."""
    import logging

    import kaleido

    pipe_logger = logging.getLogger("choreographer.channels.pipe")
    pipe_logger.addHandler(handler := logging.StreamHandler(sys.stderr))
    level_before = pipe_logger.level

    def calc(props, opts, kopts):
        try:
            raise ValueError("Expecting property name enclosed in double quotes")
        except ValueError:
            pipe_logger.exception("JSONError decoding message. Ignoring")
        return b"<svg/>"

    monkeypatch.setattr(kaleido, "calc_fig_sync", calc)
    monkeypatch.setattr(plotting, "find_chromium", lambda: "/usr/bin/chromium")
    try:
        assert plotting.figure_image(figure, "svg") == b"<svg/>"
        assert capfd.readouterr().err == ""
        assert pipe_logger.level == level_before
        pipe_logger.error("outside an export")
        assert "outside an export" in capfd.readouterr().err

        def fails(props, opts, kopts):
            raise RuntimeError("browser closed")

        monkeypatch.setattr(kaleido, "calc_fig_sync", fails)
        with pytest.raises(RuntimeError, match="browser closed"):
            plotting.figure_image(figure, "svg")
        assert pipe_logger.level == level_before
    finally:
        pipe_logger.removeHandler(handler)
