"""The Digits page: a network on 8x8 handwritten digits, its confusion matrix and mistakes."""
