"""Data: the toy datasets, input features, resampling for imbalanced classes, CSV upload, typed formulas."""
