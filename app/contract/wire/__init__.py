"""The wire models of the scheduler types, one module per library family.

Importing this package registers every model with :func:`app.contract.registry.register`, in
this order: torch first (ignite's ``LRScheduler`` wraps its union), then ignite. A new family is
one new module here plus its line below.
"""

from . import ignite, optax, timm, torch, transformers  # noqa: F401  (ignite's composites import torch's union)
