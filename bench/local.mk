# Benchmarks are run by hand: make bench (not part of make check).
