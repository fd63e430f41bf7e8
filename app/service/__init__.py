"""Computing (caps, series, exports, figures, code); may import contract and scheduler_core only."""
