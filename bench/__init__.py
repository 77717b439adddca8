"""Benchmarks, run on demand with `make bench` (or `python -m bench NAME`). Never part of tests."""
