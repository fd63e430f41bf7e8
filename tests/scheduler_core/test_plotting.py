"""plot_values: a Plotly figure by default, matplotlib lines drawn into ``ax=``; missing libraries named."""

from __future__ import annotations

import sys

import matplotlib
import pytest

matplotlib.use("Agg")  # no display; before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
import plotly.graph_objects as go  # noqa: E402

import scheduler_core  # noqa: E402
from scheduler_core._optional import import_optional  # noqa: E402
from scheduler_core.plotting import figure_of_rows, lines_of_rows  # noqa: E402

COSINE = {"param_name": "lr", "start_value": 1.0, "end_value": 0.0, "cycle_size": 7, "cycle_mult": 1.5}


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def test_ax_draws_simulate_values_into_the_given_axes(ax) -> None:
    cls = scheduler_core.CosineAnnealingScheduler
    rows = cls.simulate_values(40, **COSINE)
    lines = cls.plot_values(40, ax=ax, **COSINE)
    assert lines == ax.get_lines() and len(lines) == 1
    assert list(lines[0].get_xdata()) == list(range(40))
    assert list(lines[0].get_ydata()) == [v for _, v in rows]
    assert lines[0].get_label() == "lr"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr"]
    assert ax.xaxis.get_gridlines()[0].get_visible()


def test_ax_draws_one_line_per_value_column(ax) -> None:
    rows = [[0, 1.0, 0.0], [1, 0.5, 0.5], [2, 0.0, 1.0]]  # e.g. a ParamGroupScheduler's rows
    lines = lines_of_rows(rows, "lr", ax)
    assert [line.get_label() for line in lines] == ["lr [0]", "lr [1]"]
    assert [list(line.get_ydata()) for line in lines] == [[1.0, 0.5, 0.0], [0.0, 0.5, 1.0]]
    figure = figure_of_rows(rows, "lr")
    assert [trace.name for trace in figure.data] == ["lr [0]", "lr [1]"]


def test_ax_draws_into_existing_axes_without_replacing_them(ax) -> None:
    ax.plot([0, 1], [5, 5], label="before")
    scheduler_core.PiecewiseLinear.plot_values(
        11, ax=ax, param_name="lr", milestones_values=[(0, 0.0), (10, 1.0)]
    )
    assert [line.get_label() for line in ax.get_lines()] == ["before", "lr"]


def test_default_is_still_a_plotly_figure() -> None:
    figure = scheduler_core.CosineAnnealingScheduler.plot_values(40, **COSINE)
    assert isinstance(figure, go.Figure) and len(figure.data) == 1


@pytest.mark.parametrize("bad", [object(), "ax", plt])
def test_ax_must_be_matplotlib_axes(bad) -> None:
    with pytest.raises(TypeError, match="Argument ax should be a matplotlib.axes.Axes, but given"):
        scheduler_core.CosineAnnealingScheduler.plot_values(10, ax=bad, **COSINE)


class _Uninstalled:
    """A meta path finder that makes ``top`` (and its submodules) look uninstalled."""

    def __init__(self, top: str) -> None:
        self.top = top

    def find_spec(self, name: str, path=None, target=None):
        if name == self.top or name.startswith(self.top + "."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def uninstall(monkeypatch, top: str) -> None:
    for name in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_Uninstalled(top), *sys.meta_path])


def test_missing_matplotlib_names_it(monkeypatch) -> None:
    uninstall(monkeypatch, "matplotlib")
    with pytest.raises(
        ModuleNotFoundError, match=r"plot_values\(ax=...\) needs matplotlib: pip install matplotlib"
    ):
        scheduler_core.CosineAnnealingScheduler.plot_values(10, ax=object(), **COSINE)


def test_missing_plotly_names_it_and_the_extra(monkeypatch) -> None:
    uninstall(monkeypatch, "plotly")
    with pytest.raises(ModuleNotFoundError, match=r"needs plotly \(the \[plot\] extra\): pip install plotly"):
        scheduler_core.CosineAnnealingScheduler.plot_values(10, **COSINE)


def test_missing_torch_names_the_torch_extra(monkeypatch) -> None:
    from scheduler_core.experiment import Experiment, ParamGroupSpec, SchedulerSpec, simulate

    uninstall(monkeypatch, "torch")
    experiment = Experiment(
        num_events=5,
        param_groups=(ParamGroupSpec("base", {"lr": 0.1}),),
        schedulers=(
            SchedulerSpec("LRScheduler", {"lr_scheduler": SchedulerSpec("StepLR", {"step_size": 2})}),
        ),
    )
    with pytest.raises(
        ModuleNotFoundError, match=r"the \[torch\] extra: pip install 'schedule-explorer\[torch\]'"
    ):
        simulate(experiment)


def test_an_import_error_inside_an_installed_package_is_not_renamed(tmp_path, monkeypatch) -> None:
    (tmp_path / "brokenpkg").mkdir()
    (tmp_path / "brokenpkg" / "__init__.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz") as caught:
        import_optional("brokenpkg", "x needs brokenpkg", "brokenpkg")
    assert caught.value.name == "no_such_dependency_xyz"
