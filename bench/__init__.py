"""Throughput benchmarks for moo_core (run with `python -m bench`)."""
