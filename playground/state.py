"""Session-state helpers: the one place pages read and write what a browser session remembers.

Everything per-session lives in ``st.session_state``; module-level caches hold only immutable data
(``st.cache_data`` returns copies keyed by every input).
"""

from __future__ import annotations

import streamlit as st

from core.experiment.config import ExperimentConfig
from core.experiment.run import PreparedData, prepare_data


@st.cache_data(max_entries=64, show_spinner=False)
def prepared_data(config: ExperimentConfig) -> PreparedData:
    """Data for ``config`` (generated, split, resampled, featurised); cached by the whole configuration."""
    return prepare_data(config)


def config_from_state(key: str, default: ExperimentConfig | None = None) -> ExperimentConfig:
    value = st.session_state.get(f"{key}.config")
    return value if isinstance(value, ExperimentConfig) else (default or ExperimentConfig())


def store_config(key: str, config: ExperimentConfig) -> None:
    st.session_state[f"{key}.config"] = config
