"""The HTTP contract (wire models, registry, API errors, canonical JSON); imports no other app layer."""
