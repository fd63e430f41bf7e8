"""The code-export flavors, listed once: the library and idiom of a generated program.

A leaf module (no imports), so that the command line's parser can offer them without loading
the wire models.
"""

from typing import Literal

FLAVORS = ("scheduler_core", "ignite", "timm", "transformers", "optax")
"""Every flavor of ``/code`` and ``schedule-explorer code --flavor`` (the first is the default)."""
Flavor = Literal[FLAVORS]  # type: ignore[valid-type]
