"""In Chromium, in Chinese: open /lessons?lang=zh, walk the first lesson step by step (each run trains and its
claims show a green check), change a setting and run again (a claim says it no longer holds with that change),
and keep lang=zh
in every link."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from core.labs.lessons import lesson
from playground.i18n import t
from tests.e2e.browser_helpers import choose_option, save_screenshot, wait_for_app

TRAINING_TIMEOUT_MS = 150_000  # a step trains one or two small networks; the box is shared by several helpers
SLOW = {"timeout": TRAINING_TIMEOUT_MS}
LESSON = lesson("nonlinearity")


def zh(key: str, **fmt) -> str:
    return t(key, lang="zh", **fmt)


def step_heading(page: Page, step_id: str):
    return page.get_by_role("heading", name=zh(f"lessons.nonlinearity.{step_id}.title"), exact=True)


def verdict_icons(page: Page, name: str):
    """The Material icons in front of the claims: ``check_circle`` (holds) or ``cancel`` (does not)."""
    return page.get_by_role("img", name=f"{name} icon", exact=True)


def wait_for_checks(page: Page, step_id: str) -> None:
    """The step's run has trained and every claim of it is shown as holding."""
    n_claims = len(LESSON.step(step_id).claims)
    expect(page.get_by_text(zh("lessons.claims_all_hold"))).to_be_visible(**SLOW)
    expect(verdict_icons(page, "check_circle")).to_have_count(n_claims, **SLOW)
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)


def screenshot_of_checks(page: Page, name: str) -> None:
    """Scroll the step's checked claims into view (mouse out of the way of tooltips) and save a screenshot."""
    page.get_by_text(zh("lessons.checks_header")).scroll_into_view_if_needed()
    page.mouse.move(5, 5)
    save_screenshot(page, name)


def test_a_lesson_walked_end_to_end_in_chinese(page: Page, app_url: str):
    page.set_default_timeout(TRAINING_TIMEOUT_MS)
    page.goto(app_url + "lessons?lang=zh")
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)
    expect(page.get_by_role("heading", name=zh("lessons.title"), exact=True)).to_be_visible(**SLOW)
    # The sidebar switch and the navigation are in Chinese too.
    expect(page.get_by_role("combobox", name=zh("language.label"))).to_have_value(zh("language.names.zh"))
    navigation = page.get_by_test_id("stSidebarNavItems")
    expect(navigation.get_by_role("link", name=zh("app.nav.playground"), exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name=zh("app.nav.lessons"), exact=True)).to_be_visible()

    # Step 1: one neuron, trained on arrival; its claim is checked on that run.
    expect(step_heading(page, "one_neuron")).to_be_visible(**SLOW)
    expect(page.get_by_text(zh("lessons.step_counter", number=1, total=3))).to_be_visible()
    wait_for_checks(page, "one_neuron")
    expect(page.locator(".katex").first).to_be_visible()  # the proof's inequalities, typeset
    page.mouse.move(5, 5)
    save_screenshot(page, "lessons-zh-1-one-neuron")
    screenshot_of_checks(page, "lessons-zh-1-one-neuron-checks")

    # Step 2 and 3 through the Next button; the address bar follows.
    for number, step_id in ((2, "two_hidden"), (3, "linear_hidden")):
        page.get_by_role("button", name=zh("lessons.next")).click(no_wait_after=True)
        expect(step_heading(page, step_id)).to_be_visible(**SLOW)
        expect(page.get_by_text(zh("lessons.step_counter", number=number, total=3))).to_be_visible(**SLOW)
        wait_for_checks(page, step_id)
        assert f"step={step_id}" in page.url and "lang=zh" in page.url, page.url
        screenshot_of_checks(page, f"lessons-zh-{number}-{step_id}")
    expect(page.get_by_role("button", name=zh("lessons.next"))).to_be_disabled()

    # "Open in the Playground" carries the step's experiment and the language.
    link = page.get_by_role("link", name=zh("lessons.open_playground"))
    href = link.get_attribute("href")
    assert href.startswith("./?") and "hidden=8%3Alinear" in href and "lang=zh" in href, href

    # Change the hidden activation from linear to tanh and run again: the layers no longer collapse into a
    # line, so "accuracy stays below 100 %" stops holding, and the page says so in words, as the expected
    # outcome of the change (not a bare red cross), naming the change.
    box = page.get_by_role("combobox", name=zh("widgets.activation"), exact=True)
    choose_option(page, box, "tanh")
    expect(box).to_have_value("tanh", **SLOW)
    page.get_by_role("button", name=zh("lessons.run")).click(no_wait_after=True)
    expect(page.get_by_text(zh("lessons.claims_changed"))).to_be_visible(**SLOW)
    expect(verdict_icons(page, "change_circle").first).to_be_visible(**SLOW)
    expect(verdict_icons(page, "cancel")).to_have_count(0)
    changes = f"{zh('widgets.activation')} = tanh"
    expect(page.get_by_text(zh("lessons.claim_changed", changes=changes)).first).to_be_visible(**SLOW)
    wait_for_app(page, timeout=TRAINING_TIMEOUT_MS / 1000)
    assert "hidden=8%3Atanh" in link.get_attribute("href")
    screenshot_of_checks(page, "lessons-zh-4-changed-setting")

    # Back to the lesson's settings: every claim holds again.
    page.get_by_role("button", name=zh("lessons.reset")).click(no_wait_after=True)
    expect(box).to_have_value("linear", **SLOW)
    wait_for_checks(page, "linear_hidden")
    expect(page.get_by_test_id("stException")).to_have_count(0)
