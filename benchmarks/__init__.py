"""Scripts that print figures (never part of `make test`); `python -m benchmarks` runs them all."""
