"""Benchmarks (run as modules: ``python -m bench.series``, ``python -m bench.load``)."""
