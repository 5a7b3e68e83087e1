"""The Neural Network Playground engine: a hand-written NumPy network and everything around it.

Pure NumPy (plus scikit-learn / imbalanced-learn where they already do the job); never imports streamlit or
plotly, so it works from a notebook or a script::

    from core import Network
    net = Network.from_spec(input_dim=2, layers=[{"units": 4, "activation": "tanh"},
                                                 {"units": 1, "activation": "sigmoid"}], loss="bce", seed=0)

Inside: ``core.engine`` (the network and its training: no host caps, no settings, no file I/O), ``core.data``
(datasets, features, resampling, CSV), ``core.experiment.config`` and its neighbours (one run from description to
result, the host's caps in ``core.experiment.settings``), ``core.labs`` (one module per lab), ``core.export`` and
``core.cli``.
"""

from core.engine.activations import ACTIVATIONS, get_activation
from core.engine.initializers import INITIALIZERS
from core.engine.losses import LOSSES
from core.engine.network import LayerSpec, Network

__all__ = ["ACTIVATIONS", "INITIALIZERS", "LOSSES", "LayerSpec", "Network", "get_activation"]
