"""The host's cap on sessions served at once (``LIMITS.max_sessions``): later visitors are told the server is busy.

Every session trains on the server's CPU and memory, so a classroom opening the app all at once could take a
small host down for everyone. A session is *admitted* on its first run when fewer than ``max_sessions`` other
admitted sessions are still connected; once admitted it stays admitted. A session that is not admitted sees a
friendly "busy" message with a retry button and nothing else runs (no data, no network, no training). A tab
that closes frees its place at once: places are counted over sessions Streamlit still reports as connected.

The register of admitted sessions is shared by every session of this server process, so it lives in
``st.cache_resource`` (Streamlit's one place for process-wide objects), guarded by a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableSet

import streamlit as st

from core.experiment.settings import LIMITS
from playground.i18n import t
from playground.state import APP

_ADMITTED = "host.admitted"  # in the session's state (APP): this session has a place


def has_browser() -> bool:
    """Whether a browser drives this session (AppTest and bare runs have no request headers): only a browser can
    report a painted picture."""
    try:
        return bool(st.context.headers)
    except Exception:  # no script run context
        return False


class _Register:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions: set[str] = set()


@st.cache_resource(show_spinner=False)
def _register() -> _Register:
    return _Register()


def admit(admitted: MutableSet[str], session_id: str, is_connected: Callable[[str], bool], cap: int) -> bool:
    """Give ``session_id`` a place if fewer than ``cap`` connected sessions hold one; True when it has one.

    ``admitted`` is the register (changed in place: closed sessions leave it, an admitted one joins it).
    """
    if session_id in admitted:
        return True
    for other in [s for s in admitted if not is_connected(s)]:
        admitted.discard(other)
    if len(admitted) >= cap:
        return False
    admitted.add(session_id)
    return True


def _session() -> tuple[str, Callable[[str], bool]] | None:
    """This session's id and a test for "is that session still connected", or None outside a server (AppTest)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    return ctx.session_id, runtime.get_instance().is_active_session


def admitted_or_busy(cap: int | None = None) -> bool:
    """True when this session may use the app; otherwise draw the busy message (with a retry) and return False."""
    if APP.get(_ADMITTED):
        return True
    session = _session()
    if session is None:  # no server to share (AppTest, bare mode): nothing to cap
        return True
    register = _register()
    with register.lock:
        ok = admit(register.sessions, session[0], session[1], LIMITS.max_sessions if cap is None else cap)
    if ok:
        APP[_ADMITTED] = True
        return True
    st.title(t("app.busy.title"))
    st.info(t("app.busy.body", sessions=LIMITS.max_sessions if cap is None else cap), icon=":material/hourglass:")
    st.button(t("app.busy.retry"), icon=":material/refresh:", type="primary")
    return False
