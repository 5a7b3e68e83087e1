"""The engine: a hand-written NumPy network (dense and image layers), its losses, activations,
initializers, optimizers and trainer, the gradient check and parameter validation.

No host caps, no settings, no file I/O, no Streamlit: ``import core.engine`` and a 128-unit layer
trains from a notebook. The app's caps are checked at its boundary (core.experiment.settings).
"""
