"""The Experiments page: hyper-parameter searches, cross-validation and sweeps."""
