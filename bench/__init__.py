"""Benchmarks of the embedded local stack (run as modules, e.g. ``python -m bench.intake_throughput``)."""
