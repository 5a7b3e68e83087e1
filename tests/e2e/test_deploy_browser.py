"""A class through the proxy: nginx + two replicas (deploy/), two browser sessions that play at once.

Each session is pinned (by its sticky cookie) to a different replica, plays a different dataset, and must
animate (the live view's "Epoch" counter grows) and stay on its own settings and its own replica.
"""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

from deploy import COOKIE, REPLICA_HEADER, Deployment, find_nginx, free_port
from playground.i18n import t
from tests.e2e.browser_helpers import e2e_required, save_screenshot, server_tracebacks, wait_for_app

VIEWPORT = {"width": 1400, "height": 900}
LINKS = {  # long runs, so neither finishes while the test watches
    "circles": "?ds=circles&n=200&hidden=6:tanh&epochs=5000&seed=1",
    "moons": "?ds=moons&n=120&hidden=5:relu&epochs=5000&lr=0.01&seed=2",
}
EPOCH_TEXT = re.compile(r"Epoch\D{0,40}?(\d[\d,]*)", re.IGNORECASE)  # the label may be styled upper-case


@pytest.fixture(scope="module")
def proxy():
    if find_nginx() is None:
        reason = "nginx is not installed (apt-get install nginx); the deployment test needs Debian's package"
        if e2e_required():
            pytest.fail(f"PLAYGROUND_E2E=required but {reason}")
        pytest.skip(reason)
    with Deployment(replicas=2, port=free_port(), host="127.0.0.1") as deployment:
        yield deployment
        for log in sorted((deployment.prefix / "logs").glob("replica-*.log")):
            found = server_tracebacks(log.read_text(encoding="utf-8", errors="replace"))
            assert not found, f"{log.name} logged a traceback: {found[0][-2000:]}"


def _replica_for(url: str, key: str) -> str:
    request = urllib.request.Request(url + "_stcore/health", headers={"Cookie": f"{COOKIE}={key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers[REPLICA_HEADER]


def _keys_on_two_replicas(url: str) -> dict[str, str]:
    """Two cookie values that the proxy sends to different replicas: {key: replica address}."""
    found: dict[str, str] = {}
    for i in range(64):
        key = f"session-{i}"
        replica = _replica_for(url, key)
        if replica not in found.values():
            found[key] = replica
        if len(found) == 2:
            return found
    raise AssertionError(f"64 keys all went to {set(found.values())}: the proxy does not spread sessions")


def _epoch(page) -> int | None:
    """The number after "Epoch" in whichever frame of the page shows it (the live view's iframe)."""
    for frame in page.frames:
        try:
            match = EPOCH_TEXT.search(frame.evaluate("() => document.body ? document.body.innerText : ''"))
        except Exception:  # a frame navigating away
            continue
        if match and frame != page.main_frame:
            return int(match.group(1).replace(",", ""))
    return None


def _wait_for_epoch(page, above: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    epoch = _epoch(page) or 0
    while time.monotonic() < deadline and epoch <= above:
        time.sleep(0.3)
        epoch = _epoch(page) or 0
    return epoch


def _dataset_shown(page) -> str:
    return page.get_by_role("combobox", name=t("widgets.dataset"), exact=True).input_value()


@pytest.mark.timeout(480)
def test_two_sessions_through_nginx_play_on_their_own_replicas_and_stay_isolated(browser, proxy):
    keys = _keys_on_two_replicas(proxy.url)
    contexts, pages, replicas_seen = [], {}, {}
    try:
        for key, (name, query) in zip(keys, LINKS.items(), strict=True):
            context = browser.new_context(viewport=VIEWPORT)
            context.add_cookies([{"name": COOKIE, "value": key, "url": proxy.url}])
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(30_000)
            seen = replicas_seen[name] = set()
            page.on("response", lambda response, seen=seen: seen.add(response.headers.get(REPLICA_HEADER.lower())))
            page.goto(proxy.url + query)
            wait_for_app(page, timeout=90)
            pages[name] = page
        for name, page in pages.items():
            assert _dataset_shown(page) == t(f"widgets.datasets.{name}")
            deadline = time.monotonic() + 60
            while _epoch(page) is None and time.monotonic() < deadline:
                time.sleep(0.3)
            assert _epoch(page) == 0, f"{name}: no live view showing Epoch 0 before Play"

        for page in pages.values():  # both play at once
            page.get_by_role("button", name=t("playground.play"), exact=True).click()
        first = {name: _wait_for_epoch(page, 5) for name, page in pages.items()}
        later = {name: _wait_for_epoch(page, first[name] + 10) for name, page in pages.items()}
        for name in pages:
            assert first[name] > 5 and later[name] > first[name] + 10, f"{name} did not animate: {first}, {later}"

        for name, page in pages.items():
            assert _dataset_shown(page) == t(f"widgets.datasets.{name}"), f"{name}: took the other session's data"
            assert f"ds={name}" in page.url
            save_screenshot(page, f"deploy-{name}")
        # Sticky: every response a session got came from its own replica, and the two replicas differ.
        for replica, name in zip(keys.values(), pages, strict=True):
            assert replicas_seen[name] - {None} == {replica}, f"{name} was served by {replicas_seen[name]}"
    except BaseException:
        for name, page in pages.items():
            save_screenshot(page, f"FAILED-deploy-{name}")
        raise
    finally:
        for context in contexts:
            context.close()
