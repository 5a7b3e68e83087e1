"""Session state: the one place the app reads and writes what a browser session remembers.

Every per-session value lives in ``st.session_state`` under a key ``"<prefix>.<name>"``, and only this module
touches ``st.session_state``. A page owns one prefix (``"pg"`` Playground, ``"cmp"`` Compare, ...) through a
:class:`PageState`, and reads, writes and names its widgets through it::

    PAGE = PageState("pg")
    st.toggle(label, key=PAGE.key("log"))      # the widget's key is "pg.log"
    run = PAGE.get("run")                      # st.session_state.get("pg.run")
    PAGE["run"] = run                          # st.session_state["pg.run"] = run

So no module builds a key string by hand (``tests/test_state.py`` checks the source), two pages cannot collide,
and a widget key in the page, a test or a browser test is always the same ``"<prefix>.<name>"``. App-wide
settings that are not a page's (the language ``"lang"``, the palette ``"palette"``) live in :data:`APP`, whose
keys are the plain names. Module-level caches hold only immutable data (``st.cache_data`` returns copies keyed
by every input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.experiment.config import ExperimentConfig
from core.experiment.run import PreparedData, prepare_data


@st.cache_data(max_entries=64, show_spinner=False)
def prepared_data(config: ExperimentConfig) -> PreparedData:
    """Data for ``config`` (generated, split, resampled, featurised); cached by the whole configuration."""
    return prepare_data(config)


@dataclass(frozen=True)
class PageState:
    """One page's slice of ``st.session_state``: every key is ``"<prefix>.<name>"`` (the plain name if the
    prefix is empty).

    Reads and writes like a dict of its names (``page["run"]``, ``page.get``, ``page.pop``, ``page.setdefault``,
    ``"run" in page``); :meth:`key` gives the full key for a widget's ``key=``; :meth:`child` a nested slice
    (``PageState("dig").child("export")`` owns ``"dig.export.*"``).
    """

    prefix: str

    def key(self, name: str) -> str:
        """The session-state key of ``name``: also the widget key to draw it with."""
        return f"{self.prefix}.{name}" if self.prefix else name

    def child(self, name: str) -> PageState:
        return PageState(self.key(name))

    def __getitem__(self, name: str) -> Any:
        return st.session_state[self.key(name)]

    def __setitem__(self, name: str, value: Any) -> None:
        st.session_state[self.key(name)] = value

    def __contains__(self, name: str) -> bool:
        return self.key(name) in st.session_state

    def get(self, name: str, default: Any = None) -> Any:
        return st.session_state.get(self.key(name), default)

    def pop(self, name: str, default: Any = None) -> Any:
        return st.session_state.pop(self.key(name), default)

    def setdefault(self, name: str, default: Any) -> Any:
        return st.session_state.setdefault(self.key(name), default)

    def config(self, default: ExperimentConfig | None = None) -> ExperimentConfig:
        """The page's stored experiment (``"<prefix>.config"``); ``default`` (or the default experiment) if none."""
        value = self.get("config")
        return value if isinstance(value, ExperimentConfig) else (default or ExperimentConfig())

    def store_config(self, config: ExperimentConfig) -> None:
        self["config"] = config


APP = PageState("")  # app-wide settings under their plain names: "lang", "palette", "host.admitted"
