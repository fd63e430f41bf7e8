"""Optional dependencies of the library, imported when first needed, with errors that name them.

``scheduler_core`` itself needs numpy and numexpr (imported on first use by ``libm``). torch
(the ``[torch]`` extra) is imported when a torch scheduler is built; plotly or matplotlib when ``plot_values`` draws.

Example::

    >>> import_optional("math", "this example needs math", "math").pi > 3
    True
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional", "import_torch"]


def import_optional(module: str, reason: str, install: str) -> ModuleType:
    """Import ``module``; if its top-level package is missing, say what to install.

    Args:
        module: dotted module name, e.g. ``"torch.optim.lr_scheduler"``.
        reason: the start of the message, e.g. ``"torch schedulers need torch"``.
        install: what to ``pip install``, e.g. ``"'schedule-explorer[torch]'"``.

    Raises:
        ModuleNotFoundError: the top-level package is not installed; the message is
            ``"{reason}: pip install {install}"``. An import error raised inside an installed
            package propagates unchanged.
    """
    top = module.partition(".")[0]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != top:
            raise
        raise ModuleNotFoundError(f"{reason}: pip install {install}", name=top) from exc


def import_torch(module: str = "torch") -> ModuleType:
    """``module`` of torch (default ``torch``), or an error naming the ``[torch]`` extra.

    Raises:
        ModuleNotFoundError: torch is not installed: "torch schedulers need torch, the [torch]
            extra: pip install 'schedule-explorer[torch]'".
    """
    return import_optional(
        module, "torch schedulers need torch, the [torch] extra", "'schedule-explorer[torch]'"
    )
