"""One experiment from description to result: the configuration tree (config), presets, the host's
caps (settings), saved files (io), scores (metrics), preparing and running a run (run), the
scikit-learn estimators (estimator) and decision-boundary grids (boundary).
"""
