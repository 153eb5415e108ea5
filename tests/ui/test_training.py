"""The Training panel in a real JupyterLab: create a job from the form, watch it
complete, see its log and its metric chart; light and dark screenshots."""
from __future__ import annotations

import textwrap
import uuid

from tests.ui.conftest import (ARTIFACTS, focus_section, open_lab, open_left_panel, open_section,
                               set_theme)

SECTION = ".jp-mlstudio-training"
FORM = ".jp-mlstudio-training-form"
VIEW = ".jp-mlstudio-training-view"
STEPS = 10

TRAIN_SCRIPT = textwrap.dedent(
    f"""\
    import os
    import time

    for step in range(1, {STEPS + 1}):
        print(f"step {{step}} loss={{1.0 / step:.4f}}", flush=True)
        time.sleep(0.2)
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
        f.write("trained")
    """
)


def write_script(server) -> None:
    folder = server.home / "work" / "train-demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(TRAIN_SCRIPT)


def open_training(page) -> None:
    """Open the sidebar and expand the Training section if it is collapsed."""
    open_section(page, "Training", SECTION)


def focus_training(page) -> None:
    """Collapse the sidebar's other sections so the Training section has room."""
    focus_section(page, "Training")


def open_form(page):
    page.click(f"{SECTION} [data-action='new-training-job']")
    form = page.locator(f"{FORM}:visible")
    form.wait_for(timeout=30_000)
    return form


def field(form, name: str):
    """A top-level input of the form (row inputs of the tables share some names)."""
    return form.locator(f".jp-mlstudio-training-field[data-field='{name}'] [name='{name}']")


def field_error(form, name: str):
    """The error slot of a top-level input."""
    return form.locator(
        f".jp-mlstudio-training-field[data-field='{name}'] .jp-mlstudio-training-error"
    )


def test_create_job_and_watch_it_complete(page, lab_server):
    write_script(lab_server)
    name = f"ui-{uuid.uuid4().hex[:8]}"
    open_lab(page, lab_server)
    open_training(page)
    form = open_form(page)

    # Prefilled and checked live.
    assert field(form, "name").input_value().startswith("training-")
    assert field(form, "output_path").input_value() == "s3://mlstudio/training-output"
    field(form, "name").fill("-not valid")
    assert "letter or digit" in field_error(form, "name").inner_text()
    field(form, "name").fill(name)
    assert field_error(form, "name").inner_text() == ""
    field(form, "source_dir").fill("train-demo")
    field(form, "program").fill("train.py")

    form.locator("[data-action='add-hp']").click()
    hp = form.locator(".jp-mlstudio-hp-row").last
    hp.locator("input[name='key']").fill("epochs")
    hp.locator("input[name='value']").fill(str(STEPS))

    form.locator("[data-action='add-metric']").click()
    metric = form.locator(".jp-mlstudio-metric-row").last
    metric.locator("input[name='name']").fill("loss")
    metric.locator("input[name='regex']").fill("loss=[0-9.]+")
    regex_error = metric.locator("[data-input='regex'] .jp-mlstudio-training-error")
    assert "group" in regex_error.inner_text()
    metric.locator("input[name='regex']").fill("loss=([0-9.]+)")
    assert regex_error.inner_text() == ""

    form.locator("button[data-action='create']").click()

    view = page.locator(f"#jp-mlstudio-training-{name} {VIEW}")
    view.wait_for(timeout=30_000)
    page.wait_for_selector(
        f"#jp-mlstudio-training-{name} {VIEW}[data-status='Completed']", timeout=120_000
    )
    chart = view.locator(".jp-mlstudio-metric-chart[data-metric='loss']")
    page.wait_for_function(
        """([sel, n]) => document.querySelector(sel)?.dataset.points === String(n)""",
        arg=[f"#jp-mlstudio-training-{name} .jp-mlstudio-metric-chart[data-metric='loss']", STEPS],
        timeout=30_000,
    )
    assert chart.locator("svg path.jp-mlstudio-chart-line").count() == 1
    assert chart.locator("svg circle.jp-mlstudio-chart-dot").count() == STEPS
    log = view.locator(".jp-mlstudio-training-log")
    log.get_by_text(f"step {STEPS} loss={1 / STEPS:.4f}").wait_for(timeout=30_000)
    timeline = view.locator(".jp-mlstudio-training-timeline")
    statuses = timeline.locator(".jp-mlstudio-timeline-step").evaluate_all(
        "els => els.map(e => e.dataset.status)"
    )
    assert statuses[0] == "Starting" and statuses[-1] == "Completed" and "Training" in statuses
    assert view.locator(".jp-mlstudio-training-final[data-metric='loss']").is_visible()
    assert view.locator("button[data-action='stop']").is_hidden()
    assert "model.tar.gz" in view.locator(".jp-mlstudio-training-output-uri").inner_text()
    assert "epochs" in view.locator(".jp-mlstudio-training-hps").inner_text()

    job = lab_server.get(f"mlstudio/api/training-jobs/{name}").json()
    assert job["TrainingJobStatus"] == "Completed"
    assert job["HyperParameters"]["epochs"] == str(STEPS)
    assert job["ModelArtifacts"]["S3ModelArtifacts"].endswith(f"{name}/output/model.tar.gz")

    # The output model opens in the S3 browser, at the job's output folder.
    view.locator("button[data-action='open-model']").click()
    page.wait_for_selector(
        f".jp-mlstudio-s3 .jp-mlstudio-s3-item[data-key$='{name}/output/model.tar.gz']",
        timeout=30_000,
    )

    # The list shows the job with its status.
    page.wait_for_selector(
        f"{SECTION} .jp-mlstudio-training-job[data-name='{name}'][data-status='Completed']",
        timeout=30_000,
    )
    page.fill(f"{SECTION} .jp-mlstudio-training-search", name[3:])
    page.wait_for_function(
        """([sel, name]) => {
            const rows = [...document.querySelectorAll(sel)];
            return rows.length === 1 && rows[0].dataset.name === name;
        }""",
        arg=[f"{SECTION} .jp-mlstudio-training-job", name],
        timeout=15_000,
    )
    page.fill(f"{SECTION} .jp-mlstudio-training-search", "")

    # Clone: a new form with the same settings and a new name.
    view.locator("button[data-action='clone']").click()
    clone = page.locator(f"{FORM}:visible")
    clone.wait_for(timeout=15_000)
    clone_name = field(clone, "name").input_value()
    assert clone_name != name and clone_name.startswith(name)
    assert field(clone, "program").input_value() == "train.py"
    assert field(clone, "source_dir").input_value() == "train-demo"
    regex = clone.locator(".jp-mlstudio-metric-row input[name='regex']")
    assert regex.input_value() == "loss=([0-9.]+)"
    assert clone.locator(".jp-mlstudio-hp-row input[name='key']").input_value() == "epochs"

    # A name already taken: the server's 409 shows at the name field.
    field(clone, "name").fill(name)
    clone.locator("button[data-action='create']").click()
    field_error(clone, "name").filter(has_text="already exists").wait_for(timeout=15_000)


def test_training_screenshots_light_and_dark(page, lab_server):
    write_script(lab_server)
    name = f"shot-{uuid.uuid4().hex[:8]}"
    body = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": "python",
            "TrainingInputMode": "File",
            "MetricDefinitions": [
                {"Name": "loss", "Regex": "loss=([0-9.]+)"},
                {"Name": "step", "Regex": "step ([0-9]+)"},
            ],
        },
        "HyperParameters": {
            "sagemaker_program": "train.py",
            "sagemaker_submit_directory": "train-demo",
            "epochs": "10",
            "learning-rate": "0.05",
        },
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/training-output"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "local", "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    resp = lab_server.request("POST", "mlstudio/api/training-jobs", json=body)
    assert resp.status_code == 201, resp.text

    ARTIFACTS.mkdir(exist_ok=True)
    open_lab(page, lab_server)
    colors = {}
    for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        set_theme(page, lab_server, theme)
        open_training(page)
        row = f"{SECTION} .jp-mlstudio-training-job[data-name='{name}']"
        page.wait_for_selector(row, timeout=30_000)
        page.click(row)
        view = f"#jp-mlstudio-training-{name} {VIEW}"
        page.wait_for_selector(f"{view}[data-status='Completed']", timeout=120_000)
        page.wait_for_selector(
            f"{view} .jp-mlstudio-metric-chart[data-metric='loss'][data-points='{STEPS}']",
            timeout=30_000,
        )
        page.locator(f"{view} .jp-mlstudio-training-log").get_by_text("loss=0.1000").wait_for(
            timeout=30_000
        )
        page.screenshot(path=str(ARTIFACTS / f"training-job-{tag}.png"))
        focus_training(page)
        page.screenshot(path=str(ARTIFACTS / f"training-section-{tag}.png"),
                        clip={"x": 0, "y": 0, "width": 520, "height": 900})
        colors[tag] = page.eval_on_selector(
            f"{view} .jp-mlstudio-chart-label", "el => getComputedStyle(el).fill"
        )
        form = open_form(page)
        form.locator("[data-action='add-hp']").click()
        form.locator(".jp-mlstudio-hp-row input[name='key']").fill("epochs")
        form.locator(".jp-mlstudio-hp-row input[name='value']").fill("10")
        form.locator("[data-action='add-channel']").click()
        form.locator(".jp-mlstudio-channel-row input[name='name']").fill("train")
        form.locator(".jp-mlstudio-channel-row input[name='uri']").fill("s3://mlstudio/data/")
        form.locator("[data-action='add-metric']").click()
        form.locator(".jp-mlstudio-metric-row input[name='name']").fill("loss")
        form.locator(".jp-mlstudio-metric-row input[name='regex']").fill("loss=[0-9.]+")
        page.screenshot(path=str(ARTIFACTS / f"training-form-{tag}.png"))
        # Close the form so the restored layout is the same for the next theme.
        page.locator(
            ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon"
        ).click()
    # The chart colour follows the theme.
    assert colors["light"] != colors["dark"]


def test_train_this_script_from_the_file_browser(page, lab_server):
    write_script(lab_server)
    page.goto(f"{lab_server.url}lab/tree/train-demo?token={lab_server.token}")
    page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
    open_left_panel(page, "filebrowser", "#filebrowser")
    item = page.locator(".jp-DirListing-item[data-file-type='python']", has_text="train.py")
    item.wait_for(timeout=30_000)
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Train This Script").click()
    form = page.locator(f"{FORM}:visible")
    form.wait_for(timeout=15_000)
    assert field(form, "program").input_value() == "train.py"
    assert field(form, "source_dir").input_value() == "train-demo"
    assert field(form, "name").input_value().startswith("train-")
