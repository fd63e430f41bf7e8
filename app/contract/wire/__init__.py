"""The wire models of the scheduler types, one module per library family.

Importing this package registers every model with :func:`app.contract.registry.register`, in
this order: torch first (ignite's ``LRScheduler`` wraps its union), then ignite, then ignite's
state-writing types. A new family is one new module here plus its line below.
"""

# ignite imports torch (its composites wrap torch's union) and ignite_state imports ignite: the
# registration order is torch, ignite, ignite_state, then the other libraries, whatever the
# order of this line
from . import ignite, ignite_state, optax, timm, torch, transformers  # noqa: F401
