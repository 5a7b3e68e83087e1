"""The labs, one module per page topic: compare, search (Experiments), lessons, regression, imbalanced,
landscape, stepthrough, diagnostics (Under the hood), layerview, digits. No Streamlit here either.
"""
