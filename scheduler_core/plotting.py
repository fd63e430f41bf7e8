"""Figures of simulated values: a Plotly figure, or lines drawn into a matplotlib ``Axes``;
PNG / SVG / PDF images of Plotly figures.

ignite's ``plot_values`` draws with matplotlib's pyplot; here it returns a Plotly figure, or
draws into the ``Axes`` it is given. Neither plotting library is a dependency of the library:
each is imported when first used, with an error that says what to install.

Images (``figure.to_image()``, ``figure.write_image()``, :func:`figure_image`) need the
``[image]`` extra (kaleido >= 1, which drives an installed Chrome or Chromium through
choreographer) and a Chromium on the machine: ``$BROWSER_PATH`` if set, else
``/usr/bin/chromium`` (Debian's ``chromium`` package), else ``chromium`` /
``chromium-browser`` / ``google-chrome`` on ``PATH``. A browser is never downloaded. It runs
headless with :data:`CHROMIUM_FLAGS` and loads only local files (plotly.js from the plotly
package, no MathJax from a CDN), so export works offline and as root.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
from typing import Any

from ._optional import import_optional

__all__ = [
    "CHROMIUM_FLAGS",
    "ChromiumNotFoundError",
    "IMAGE_FORMATS",
    "figure_image",
    "check_image_export",
    "figure_of_rows",
    "find_chromium",
    "lines_of_rows",
    "plot_rows",
]

IMAGE_FORMATS = ("png", "svg", "jpeg", "webp", "pdf")
# What the browser is started with. choreographer (kaleido's browser driver) already passes
# --headless, --no-sandbox (needed as root), --disable-gpu and --disable-component-update by
# default; the list is appended whole so the launch never depends on those defaults.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
)
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_DEBIAN_CHROMIUM = "/usr/bin/chromium"
_INSTALL_CHROMIUM = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or set BROWSER_PATH to a "
    "Chrome/Chromium executable"
)


class ChromiumNotFoundError(FileNotFoundError):
    """No Chrome / Chromium executable for kaleido to drive (image export)."""


def _columns(rows: list[list[Any]], label: str) -> tuple[list[Any], list[tuple[str, list[Any]]]]:
    """The events and ``(name, values)`` per value column of ``[[event, v1, v2, ...], ...]``."""
    events = [row[0] for row in rows]
    width = max((len(row) for row in rows), default=2)
    names = [label if width == 2 else f"{label} [{column - 1}]" for column in range(1, width)]
    return events, [(name, [row[c] for row in rows]) for c, name in enumerate(names, start=1)]


def figure_of_rows(rows: list[list[Any]], label: str) -> Any:
    """A Plotly figure with one line per value column of ``[[event, v1, v2, ...], ...]`` rows.

    The figure is a ``plotly.graph_objects.Figure`` whose ``to_image`` and ``write_image``
    render through :func:`figure_image` (the system Chromium, offline).

    Raises:
        ModuleNotFoundError: plotly is not installed (``pip install plotly``, or the
            ``[plot]`` extra of schedule-explorer).
    """
    go = import_optional("plotly.graph_objects", "plot_values needs plotly (the [plot] extra)", "plotly")
    events, columns = _columns(rows, label)
    figure = _figure_type()()
    for name, values in columns:
        figure.add_trace(go.Scatter(x=events, y=values, mode="lines", name=name))
    figure.update_layout(xaxis_title="events", yaxis_title="values", showlegend=True)
    figure.update_xaxes(showgrid=True)
    figure.update_yaxes(showgrid=True)
    return figure


def lines_of_rows(rows: list[list[Any]], label: str, ax: Any) -> list[Any]:
    """Draw one line per value column of ``rows`` into the matplotlib ``ax``; return the lines.

    Adds a legend and a grid, as ignite's ``plot_values`` does.

    Raises:
        ModuleNotFoundError: matplotlib is not installed (``pip install matplotlib``).
        TypeError: ``ax`` is not a ``matplotlib.axes.Axes``.
    """
    axes = import_optional("matplotlib.axes", "plot_values(ax=...) needs matplotlib", "matplotlib")
    if not isinstance(ax, axes.Axes):
        raise TypeError(f"Argument ax should be a matplotlib.axes.Axes, but given {type(ax)}")
    events, columns = _columns(rows, label)
    lines = [line for name, values in columns for line in ax.plot(events, values, label=name)]
    ax.legend()
    ax.grid(which="both")
    return lines


def plot_rows(rows: list[list[Any]], label: str, ax: Any = None) -> Any:
    """``lines_of_rows(rows, label, ax)`` when ``ax`` is given, else ``figure_of_rows(rows, label)``."""
    return figure_of_rows(rows, label) if ax is None else lines_of_rows(rows, label, ax)


# ---------------------------------------------------------------- images
@functools.cache
def _figure_type() -> type:
    """``plotly.graph_objects.Figure`` whose images go through :func:`figure_image`."""
    go = import_optional("plotly.graph_objects", "plot_values needs plotly (the [plot] extra)", "plotly")

    class Figure(go.Figure):
        """A Plotly figure; ``to_image`` / ``write_image`` use the system Chromium, offline."""

        def to_image(
            self,
            format: str | None = None,
            width: int | None = None,
            height: int | None = None,
            scale: float | None = None,
            validate: bool = True,
            **_: Any,
        ) -> bytes:
            """The figure as image bytes: :func:`figure_image` (same arguments as plotly's)."""
            return figure_image(self, format, width=width, height=height, scale=scale)

        def write_image(
            self,
            file: Any,
            format: str | None = None,
            scale: float | None = None,
            width: int | None = None,
            height: int | None = None,
            validate: bool = True,
            **_: Any,
        ) -> None:
            """Write :func:`figure_image` to ``file`` (a path or a writable binary file);
            the format defaults to the path's extension, else png."""
            if format is None and isinstance(file, (str, os.PathLike)):
                format = os.path.splitext(os.fspath(file))[1].lstrip(".").lower() or None
            data = figure_image(self, format, width=width, height=height, scale=scale)
            if isinstance(file, (str, os.PathLike)):
                with open(file, "wb") as f:
                    f.write(data)
            else:
                file.write(data)

        def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # pickle / deepcopy by name
            return _figure_from_dict, (self.to_dict(),)

    Figure.__module__ = __name__
    Figure.__qualname__ = "Figure"
    return Figure


def _figure_from_dict(props: dict[str, Any]) -> Any:
    return _figure_type()(props)


def find_chromium() -> str:
    """The Chrome / Chromium executable image export drives.

    ``$BROWSER_PATH`` (kaleido's own variable) if set, else ``/usr/bin/chromium``, else the first
    of ``chromium``, ``chromium-browser``, ``google-chrome``, ``google-chrome-stable`` on ``PATH``.

    Raises:
        ChromiumNotFoundError: none is there; the message says to install Chromium.
    """
    path = os.environ.get("BROWSER_PATH")
    if path:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise ChromiumNotFoundError(
            f"image export needs Chrome or Chromium, but BROWSER_PATH={path!r} is not an executable "
            f"file: {_INSTALL_CHROMIUM}"
        )
    if os.path.isfile(_DEBIAN_CHROMIUM) and os.access(_DEBIAN_CHROMIUM, os.X_OK):
        return _DEBIAN_CHROMIUM
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFoundError(
        f"image export needs Chrome or Chromium, and none was found ({_DEBIAN_CHROMIUM}, "
        f"{', '.join(_CHROMIUM_NAMES)} on PATH): {_INSTALL_CHROMIUM}"
    )


@functools.cache
def _browser_class() -> type:
    """choreographer's ``Chromium`` launched with :data:`CHROMIUM_FLAGS` too."""
    from choreographer.browsers import Chromium

    class SystemChromium(Chromium):
        def get_cli(self) -> list[str]:
            cli = list(super().get_cli())
            return cli + [flag for flag in CHROMIUM_FLAGS if flag not in cli]

    return SystemChromium


def _kaleido() -> Any:
    """kaleido >= 1, or an error naming the ``[image]`` extra."""
    kaleido = import_optional(
        "kaleido", "image export needs kaleido, the [image] extra", "'schedule-explorer[image]'"
    )
    if not hasattr(kaleido, "calc_fig_sync"):  # kaleido 0.x bundled its own browser
        raise ModuleNotFoundError(
            f"image export needs kaleido >= 1, but kaleido {getattr(kaleido, '__version__', '?')} "
            "is installed, the [image] extra: pip install 'schedule-explorer[image]'",
            name="kaleido",
        )
    return kaleido


def check_image_export() -> str:
    """Check that images can be made here (without starting a browser); return the browser's path.

    Raises:
        ModuleNotFoundError: kaleido >= 1 is not installed (the ``[image]`` extra).
        ChromiumNotFoundError: no Chrome / Chromium on this machine.
    """
    _kaleido()
    return find_chromium()


def figure_image(
    figure: Any,
    format: str | None = "png",
    *,
    width: int | None = None,
    height: int | None = None,
    scale: float | None = None,
) -> bytes:
    """Render a Plotly figure (a ``Figure`` or its dict) to image bytes with kaleido.

    The browser is :func:`find_chromium`'s, started for this call with :data:`CHROMIUM_FLAGS`
    and closed after (about 2-3 s); the page loads plotly.js from the plotly package and no
    MathJax, so nothing is fetched from the network.

    Args:
        figure: a ``plotly.graph_objects.Figure`` or a figure dict (``{"data": ..., "layout": ...}``).
        format: one of :data:`IMAGE_FORMATS`; ``None``: png.
        width, height: pixels; default the figure layout's, else plotly's defaults (700 x 500).
        scale: multiplies the pixels of raster formats (default 1).

    Returns:
        The image: PNG bytes start with ``b"\\x89PNG"``, SVG is ``<svg ...>`` text as bytes.

    Raises:
        ValueError: ``format`` is not one of :data:`IMAGE_FORMATS`.
        ModuleNotFoundError: kaleido >= 1 is not installed (the ``[image]`` extra).
        ChromiumNotFoundError: no Chrome / Chromium on this machine.
    """
    format = (format or "png").lower()
    format = "jpeg" if format == "jpg" else format
    if format not in IMAGE_FORMATS:
        raise ValueError(f"Argument format should be one of {', '.join(IMAGE_FORMATS)}, but given {format!r}")
    kaleido = _kaleido()
    browser = find_chromium()
    props = figure.to_dict() if hasattr(figure, "to_dict") else dict(figure)
    layout = props.get("layout") or {}
    opts = {
        "format": format,
        "width": width or layout.get("width") or 700,
        "height": height or layout.get("height") or 500,
        "scale": scale or 1,
    }
    kopts = {"path": browser, "browser_cls": _browser_class(), "mathjax": False}
    with _quiet_pipe_reader():
        return kaleido.calc_fig_sync(props, opts=opts, kopts=kopts)


# choreographer logs a traceback when Chromium's DevTools pipe hands it a message it cannot
# decode, then drops the message and goes on ("JSONError decoding message. Ignoring"); the image
# is unaffected, so the traceback is kept off the user's terminal. Real failures still raise.
_PIPE_LOGGER = "choreographer.channels.pipe"


@contextlib.contextmanager
def _quiet_pipe_reader():
    """Silence choreographer's recoverable pipe-decoding tracebacks for one export."""
    logger = logging.getLogger(_PIPE_LOGGER)
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)
