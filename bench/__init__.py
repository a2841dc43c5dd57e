"""Benchmarks of the pipeline against reference tools (``quartiers bench``)."""
