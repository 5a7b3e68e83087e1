"""Download buttons for a trained network as ONNX and as a PyTorch script (core.export), for any page.

The files are built when the button is pressed, from the network as it is at that moment (a live view keeps
training it). Dense and image networks (conv2d, pooling, flatten) are offered; a network the formats cannot express
gets a note naming the layer instead of the buttons.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.engine.network import Network
from core.experiment.config import ExperimentConfig
from core.export import EXPORT_FORMATS, EXPORT_MIME, export_bytes, export_layers, features_of
from playground.i18n import t
from playground.state import PageState


def export_buttons(
    network: Network,
    config: ExperimentConfig | None,
    page: PageState,
    container=st,
    current: Callable[[], tuple[Network, ExperimentConfig | None]] | None = None,
) -> None:
    """ONNX and PyTorch download buttons, one under the other in ``container``: ``page``'s ``dl_onnx`` and
    ``dl_pytorch``.

    ``current``, when given, returns the network and configuration to export at the moment of the click (a page
    whose live view may replace its run after these buttons were drawn); otherwise ``network`` and ``config``.
    A click does not rerun the page (``on_click="ignore"``): a rerun would hand the other buttons new file ids
    while the browser still holds the old ones.
    """
    try:
        export_layers(network)  # the same check the export makes, done now so no button offers a file it refuses
    except ValueError as exc:
        container.info(t("export.refused", reason=exc), icon=":material/block:")
        return
    source = current or (lambda: (network, config))

    def exported(fmt: str) -> bytes:
        now_network, now_config = source()
        return export_bytes(now_network, fmt, features_of(now_config))

    for fmt in ("onnx", "pytorch"):
        container.download_button(
            t(f"export.{fmt}"),
            lambda fmt=fmt: exported(fmt),
            file_name=EXPORT_FORMATS[fmt],
            mime=EXPORT_MIME[fmt],
            key=page.key(f"dl_{fmt}"),
            icon=":material/download:",
            help=t(f"export.{fmt}_help"),
            on_click="ignore",
        )
