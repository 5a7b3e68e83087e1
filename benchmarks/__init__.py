"""Benchmarks for the NumPy core and the app; they report ratios, tests assert behaviour."""
