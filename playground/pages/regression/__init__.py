"""The Regression lab: fit a curve, see the hidden neurons add up to it."""
