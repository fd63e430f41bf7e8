"""Schedule Explorer's web API: validated experiments in; series, figures, code and links out.

Needs the ``[server]`` extra (``pip install 'schedule-explorer[server]'``): without it, importing
``app`` raises :class:`app._extras.MissingExtra` naming the extra.
"""

from app import _extras

__version__ = "0.1.0"

_extras.check_server()
