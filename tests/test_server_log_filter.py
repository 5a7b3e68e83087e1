"""The browser tests' server-log check: real errors fail a test, Streamlit's websocket teardown race does not."""

from tests.apptest_helpers import REPO_ROOT
from tests.e2e.browser_helpers import server_tracebacks

SITE = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages"

# Shortened from the log of a CI run where a browser context closed mid-message (Streamlit 1.67, Starlette).
TEARDOWN_RACE = f"""\
Exception in ASGI application
Traceback (most recent call last):
  File "{SITE}/streamlit/web/server/starlette/starlette_websocket.py", line 516, in _websocket_endpoint
    data = await websocket.receive_bytes()
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "{SITE}/starlette/websockets.py", line 60, in receive
    raise WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')
starlette.websockets.WebSocketDisconnected: WebSocket is not connected. Need to call "accept" first.

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "{SITE}/uvicorn/protocols/websockets/websockets_sansio_impl.py", line 409, in run_asgi
    result = await self.app(self.scope, self.receive, self.send)
  File "{SITE}/streamlit/web/server/starlette/starlette_websocket.py", line 524, in _websocket_endpoint
    await websocket.close()
  File "{SITE}/starlette/websockets.py", line 104, in send
    raise WebSocketDisconnected('Cannot call "send" once a close message has been sent.')
starlette.websockets.WebSocketDisconnected: Cannot call "send" once a close message has been sent.
"""

APP_ERROR = f"""\
2026-11-26 02:50:01.123 Uncaught app execution
Traceback (most recent call last):
  File "{SITE}/streamlit/runtime/scriptrunner/exec_code.py", line 129, in exec_func_with_error_handling
    result = func()
  File "{REPO_ROOT}/app_pages/playground_page.py", line 40, in <module>
    render()
ValueError: something of ours broke
"""

SERVER_ERROR = f"""\
Traceback (most recent call last):
  File "{SITE}/streamlit/web/server/starlette/starlette_app.py", line 88, in upload
    raise KeyError("file_id")
KeyError: 'file_id'
"""


def test_the_websocket_teardown_race_is_not_an_error():
    assert server_tracebacks(TEARDOWN_RACE) == []


def test_an_exception_in_our_code_is_reported():
    found = server_tracebacks(APP_ERROR)
    assert len(found) == 1
    assert "ValueError: something of ours broke" in found[0]


def test_other_server_exceptions_are_reported():
    assert len(server_tracebacks(SERVER_ERROR)) == 1


def test_a_disconnect_raised_through_our_code_is_reported():
    ours = TEARDOWN_RACE.replace(
        f'"{SITE}/uvicorn/protocols/websockets/websockets_sansio_impl.py"',
        f'"{REPO_ROOT}/playground/live/playground.py"',
    )
    assert len(server_tracebacks(ours)) == 1


def test_real_errors_are_found_among_benign_ones():
    found = server_tracebacks(TEARDOWN_RACE + "some log line\n" + APP_ERROR + TEARDOWN_RACE)
    assert len(found) == 1
    assert "app_pages/playground_page.py" in found[0]


def test_a_log_without_tracebacks_is_clean():
    assert server_tracebacks("  You can now view your Streamlit app in your browser.\n") == []
