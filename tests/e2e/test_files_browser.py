"""Save and load on the Playground, in real Chromium: upload points, upload a model, refuse a broken file."""

import time

import numpy as np

from core.experiment.io import model_to_bytes
from core.experiment.presets import PRESETS
from core.experiment.run import run
from playground.i18n import t
from tests.e2e.browser_helpers import save_screenshot, wait_for_app
from tests.e2e.live_view_helpers import live_frame, live_state


def open_files(page, app_url):
    page.goto(app_url)
    wait_for_app(page, timeout=60)
    live_frame(page)
    page.get_by_text(t("playground.files_header")).click()


def test_uploading_points_makes_them_the_dataset(page, app_url, tmp_path):
    rng = np.random.default_rng(0)
    rows = [f"{x:.3f},{y:.3f},{int(x + y > 0)}" for x, y in rng.uniform(-2, 2, size=(30, 2))]
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    open_files(page, app_url)
    page.locator('[data-testid="stFileUploader"]').nth(1).locator("input[type=file]").set_input_files(str(csv))
    page.get_by_text("Loaded 30 points as the dataset").wait_for(timeout=60000)
    assert page.get_by_role("combobox", name="Dataset", exact=True).input_value() == "Drawn points only"
    save_screenshot(page, "files-points-uploaded")


def test_uploading_an_x_y_curve_trains_a_regression_on_it(page, app_url, tmp_path):
    xs = np.linspace(-2, 2, 40)
    csv = tmp_path / "curve.csv"
    csv.write_text("x,y\n" + "\n".join(f"{x:.3f},{abs(x) - 1:.3f}" for x in xs) + "\n")
    open_files(page, app_url)
    page.locator('[data-testid="stFileUploader"]').nth(1).locator("input[type=file]").set_input_files(str(csv))
    page.get_by_text(t("playground.upload_rows_done", count=40, layout="x, y")).wait_for(timeout=60000)
    dataset = page.get_by_role("combobox", name=t("widgets.dataset"), exact=True)
    assert dataset.input_value() == t("widgets.datasets.uploaded")
    frame = live_frame(page)
    page.get_by_role("button", name="Play", exact=True).click()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and live_state(frame)["epoch"] < 20:
        time.sleep(0.3)
    assert live_state(frame)["epoch"] >= 20, "the uploaded curve did not train"
    save_screenshot(page, "files-curve-uploaded")


def test_uploading_a_model_restores_its_settings(page, app_url, tmp_path):
    preset = PRESETS["xor_2_2_1"]
    trained = run(preset)
    bundle = tmp_path / "model.zip"
    bundle.write_bytes(model_to_bytes(trained.network, preset))
    open_files(page, app_url)
    page.locator('[data-testid="stFileUploader"]').nth(0).locator("input[type=file]").set_input_files(str(bundle))
    page.get_by_text("Model loaded").wait_for(timeout=60000)
    assert page.get_by_role("combobox", name="Layer 1: activation", exact=True).input_value() == "sigmoid"
    save_screenshot(page, "files-model-uploaded")


def test_a_broken_model_file_is_refused_with_a_message(page, app_url, tmp_path):
    broken = tmp_path / "model.zip"
    broken.write_bytes(b"this is not a zip file")
    open_files(page, app_url)
    page.locator('[data-testid="stFileUploader"]').nth(0).locator("input[type=file]").set_input_files(str(broken))
    page.get_by_text("That model file could not be loaded").wait_for(timeout=60000)
    page.get_by_role("button", name="Step").click()  # the page still works
    save_screenshot(page, "files-broken-model")
