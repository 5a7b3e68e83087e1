"""In a real browser, step through the notes' 2-2-1 network forward and backward and see every matrix."""

import re

import pytest
from playwright.sync_api import expect

from core.experiment.presets import PRESETS
from core.experiment.run import build_network, prepare_data
from core.labs.stepthrough import first_minibatch, step_through
from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app

BATCH = 4  # the page's default mini-batch size


def _expected_steps():
    config = PRESETS["xor_2_2_1"]
    data = prepare_data(config)
    X, y = first_minibatch(data.split.X_train, data.split.y_train, BATCH, seed=config.seed)
    return step_through(build_network(config, data.split.y_train), X, y)


# Sixteen clicks, each a rerun of the step-through fragment, on a two-core box shared with other work.
@pytest.mark.timeout(600)
def test_step_through_walks_a_2_2_1_network_forward_and_backward(page, app_url):
    steps = _expected_steps()
    assert len(steps) == 16
    page.goto(app_url + "under_the_hood")
    wait_for_app(page, timeout=120)
    page.get_by_role("tab", name=t("under_the_hood.tabs.step")).click()
    panel = page.get_by_role("tabpanel", name=t("under_the_hood.tabs.step"))
    next_button = panel.get_by_role("button", name=t("under_the_hood.step.next"))
    seen = []
    for step in steps:
        phase = t(f"under_the_hood.step.phases.{step.phase}")
        position = t("under_the_hood.step.position", number=step.index + 1, count=len(steps), phase=phase)
        expect(panel.get_by_text(position)).to_be_visible(timeout=60_000)
        wait_for_app(page)
        # KaTeX keeps the TeX source in a MathML annotation: find this step's formula among the panel's maths.
        source = re.compile(r"^\s*" + re.escape(step.formula) + r"\s*$")
        expect(panel.locator('annotation[encoding="application/x-tex"]').filter(has_text=source)).to_have_count(1)
        rows, cols = step.shape
        expect(panel.get_by_text(f"{rows} × {cols}", exact=True)).to_be_visible()
        expect(panel.locator(".js-plotly-plot")).to_have_count(1)
        seen.append(step.formula)
        if step.index in (0, 8, 12, 15):
            save_screenshot(page, f"under_the_hood-step-{step.index + 1:02d}", full_page=True)
        if step.index < len(steps) - 1:
            next_button.click()
    assert seen == [s.formula for s in steps]
    expect(next_button).to_be_disabled()
    panel.get_by_role("button", name=t("under_the_hood.step.previous")).click()
    expect(
        panel.get_by_text(
            t("under_the_hood.step.position", number=15, count=16, phase=t("under_the_hood.step.phases.backward"))
        )
    ).to_be_visible()
