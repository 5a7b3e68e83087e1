"""The Imbalanced-data lab: what class imbalance does to a classifier, and the remedies."""
