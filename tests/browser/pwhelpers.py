"""Helpers shared by the browser tests (reading the Plotly graph div, waiting for redraws)."""

from __future__ import annotations

import json


def draws(page) -> int:
    return page.evaluate("window.__scheduleExplorer ? window.__scheduleExplorer.draws : 0")


def settle(page, after: int, timeout: float = 15000) -> None:
    """Wait until the chart has redrawn more than `after` times and no redraw is pending."""
    page.wait_for_function(
        "n => window.__scheduleExplorer && window.__scheduleExplorer.draws > n"
        " && !window.__scheduleExplorer.dirty",
        arg=after,
        timeout=timeout,
    )


def open_dashboard(page, path: str = "/") -> None:
    page.goto(path)
    settle(page, 0)


def traces(page) -> list[dict]:
    """The drawn traces, read from the Plotly graph div."""
    return page.evaluate(
        """() => document.querySelector('#chart').data.map(t => ({
            name: t.name, x: Array.from(t.x), y: Array.from(t.y), xaxis: t.xaxis || 'x',
            yaxis: t.yaxis || 'y', meta: t.meta}))"""
    )


def edit(page, selector: str, text: str) -> None:
    """Type into a control and wait for the redraw it causes."""
    n = draws(page)
    page.fill(selector, text)
    settle(page, n)


def field(path: str, control: str = "input") -> str:
    """CSS selector of the control of the editor field at `path` (e.g. schedulers.0.cycle_size)."""
    return f'#editor [data-path="{path}"] > {control}'


def dumps(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"))
