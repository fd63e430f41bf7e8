"""Schedule Explorer's web API: validated experiments in; series, figures, code and links out.

Installed, this package is ``schedule_explorer``; in a checkout it is the ``app/`` folder, imported
as ``app``. Its modules import each other relatively (``from .settings import …``), so the same
code works under either name (docs/architecture.md, "Packaging").

Needs the ``[server]`` extra (``pip install 'schedule-explorer[server]'``): without it, importing
the package raises ``_extras.MissingExtra`` naming the extra.
"""

from . import _extras

__version__ = "0.1.0"

_extras.check_server()
