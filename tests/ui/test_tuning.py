"""The Tuning panel in a real JupyterLab: create a tuning job from the form (cloning a
training job), watch its trials table and charts fill in, sort, open the best trial,
clone; light and dark screenshots of the job view, its charts, the form and the list."""
from __future__ import annotations

import textwrap
import uuid

from tests.procs import wait_for
from tests.ui.conftest import ARTIFACTS, focus_section, open_lab, open_section, set_theme

SECTION = ".jp-mlstudio-tuning"
FORM = ".jp-mlstudio-tuning-form"
VIEW = ".jp-mlstudio-tuning-view"
EPOCHS = 10
#: Hyperband's largest resource: below EPOCHS, so that a trial Hyperband stops for reaching
#: it is stopped while its script still runs, never as it ends on its own.
MAX_RESOURCE = 6

#: Loss falls with the epochs towards a minimum at lr = 0.01 with adam; lines like
#: SageMaker scripts print them, read by the metric definition below.
TRAIN_SCRIPT = textwrap.dedent(
    f"""\
    import argparse
    import math
    import time

    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--optimizer", default="sgd")
    p.add_argument("--epochs", type=int, default={EPOCHS})
    a, _ = p.parse_known_args()
    target = (math.log10(a.lr) + 2) ** 2 / 4 + (0.05 if a.optimizer == "adam" else 0.4)
    for epoch in range(1, a.epochs + 1):
        print(f"epoch={{epoch}} loss={{target + 1.0 / epoch:.5f}}", flush=True)
        time.sleep(0.25)
    """
)
METRICS = [{"Name": "loss", "Regex": r"loss=([0-9.eE+-]+)"}]


def write_script(server) -> None:
    folder = server.home / "work" / "tune-demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(TRAIN_SCRIPT)


def training_body(name: str) -> dict:
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": "python", "TrainingInputMode": "File",
                                   "MetricDefinitions": METRICS},
        "HyperParameters": {"sagemaker_program": "train.py",
                            "sagemaker_submit_directory": "tune-demo",
                            "lr": "0.1", "optimizer": "sgd", "epochs": str(EPOCHS)},
        "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/training-output"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "local", "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }


def job_status(server, route: str, field: str) -> str:
    resp = server.get(f"mlstudio/api/{route}")
    return resp.json().get(field, "") if resp.ok else ""


def completed_training_job(server) -> str:
    """A training job of the script, run to completion: what the tuning jobs copy."""
    write_script(server)
    name = f"tune-src-{uuid.uuid4().hex[:6]}"
    resp = server.request("POST", "mlstudio/api/training-jobs", json=training_body(name))
    assert resp.status_code == 201, resp.text
    wait_for(lambda: job_status(server, f"training-jobs/{name}", "TrainingJobStatus")
             in ("Completed", "Failed"), timeout=120, message=f"{name} did not end")
    assert job_status(server, f"training-jobs/{name}", "TrainingJobStatus") == "Completed"
    return name


def tuning_body(name: str, source: str, **config) -> dict:
    """A tuning job of ``source``'s script: lr on a log scale, the optimizer by name."""
    job = training_body(source)
    static = {k: v for k, v in job["HyperParameters"].items() if k not in ("lr", "optimizer")}
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 6, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0.0001",
                                               "MaxValue": "1",
                                               "ScalingType": "Logarithmic"}],
                "CategoricalParameterRanges": [{"Name": "optimizer",
                                                "Values": ["sgd", "adam"]}]},
            "RandomSeed": 3,
            **config,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": static,
            "AlgorithmSpecification": job["AlgorithmSpecification"],
            "RoleArn": "arn:aws:iam::000000000000:role/MLStudioExecutionRole",
            "OutputDataConfig": job["OutputDataConfig"],
            "ResourceConfig": job["ResourceConfig"],
            "StoppingCondition": job["StoppingCondition"],
        },
    }


def new_tuning_form(page):
    """Open the lab's Tuning section and its create form."""
    open_section(page, "Tuning", SECTION)
    page.click(f"{SECTION} [data-action='new-tuning-job']")
    form = page.locator(f"{FORM}:visible")
    form.wait_for(timeout=30_000)
    return form


def field(form, name: str, error: bool = False):
    """A control of the form outside the ranges table, or (``error``) its error slot."""
    inside = ".jp-mlstudio-tuning-field-error" if error else f"[name='{name}']"
    return form.locator(f".jp-mlstudio-tuning-field[data-field='{name}'] {inside}")


def add_range(form, name: str, kind: str, **inputs: str):
    """Append a row to the ranges table and fill it in."""
    form.locator("button[data-action='add-range']").click()
    row = form.locator(".jp-mlstudio-tuning-ranges .jp-mlstudio-tuning-range").last
    row.locator("[name='type']").select_option(kind)
    row.locator("[name='name']").fill(name)
    for key, value in inputs.items():
        control = row.locator(f"[name='{key}']")
        if key == "scaling":
            control.select_option(value)
        else:
            control.fill(value)
    return row


def choose_training_job(form, source: str) -> None:
    picker = form.locator("select[name='source_job']")
    picker.locator(f"option[value='{source}']").wait_for(state="attached", timeout=30_000)
    picker.select_option(source)
    form.locator("[data-part='definition'] dl[data-facts='definition']").wait_for(
        timeout=30_000)


def view_of(page, name: str) -> str:
    return f"#jp-mlstudio-tuning-job-{name} {VIEW}"


def wait_points(page, view: str, chart: str, least: int = 1, timeout: int = 120_000) -> None:
    page.wait_for_function(
        """([sel, n]) => Number(document.querySelector(sel)?.dataset.points ?? 0) >= n""",
        arg=[f"{view} figure[data-chart='{chart}']", least],
        timeout=timeout,
    )


def test_create_tuning_job_from_the_form_and_follow_it(page, lab_server):
    source = completed_training_job(lab_server)
    name = f"ui-{uuid.uuid4().hex[:6]}"
    open_lab(page, lab_server)
    form = new_tuning_form(page)

    # The training job to copy gives the metric definitions and the hyperparameters.
    choose_training_job(form, source)
    assert field(form, "objective_metric").input_value() == "loss"
    definition = form.locator("[data-part='definition']")
    assert "train.py" in definition.inner_text()
    field(form, "name").fill(name)
    field(form, "strategy").select_option("Random")

    # Ranges are checked as they are typed, with the server's rules.
    lr = add_range(form, "lr", "Continuous", min="0", max="1", scaling="Logarithmic")
    lr_error = lr.locator("[data-input='min'] .jp-mlstudio-tuning-field-error")
    assert "above 0" in lr_error.inner_text()
    lr.locator("[name='min']").fill("0.0001")
    assert lr_error.inner_text() == ""
    add_range(form, "optimizer", "Categorical", values="sgd, adam")
    # A tuned hyperparameter is no longer a static one.
    tuned = definition.locator(".jp-mlstudio-tuning-static-item[data-name='lr']")
    assert "tuned" in tuned.inner_text()
    field(form, "max_jobs").fill("6")
    field(form, "max_parallel").fill("2")
    field(form, "target_value").fill("0.001")
    form.locator("button[data-action='create']").click()

    view = view_of(page, name)
    page.wait_for_selector(view, timeout=30_000)
    # Live: trials and their objectives show while the job runs.
    page.wait_for_function(
        """sel => Number(document.querySelector(sel)?.dataset.rows ?? 0) >= 1""",
        arg=f"{view} .jp-mlstudio-tuning-trials", timeout=120_000)
    wait_points(page, view, "objective")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tuning-job-running.png"))
    page.wait_for_selector(f"{view}[data-status='Completed']", timeout=240_000)

    job = lab_server.get(f"mlstudio/api/tuning-jobs/{name}").json()
    trials = lab_server.get(f"mlstudio/api/tuning-jobs/{name}/training-jobs").json()[
        "TrainingJobSummaries"]
    assert job["TrainingJobDefinition"]["StaticHyperParameters"].get("lr") is None
    scored = [t for t in trials if "FinalHyperParameterTuningJobObjectiveMetric" in t]
    best = job["BestTrainingJob"]["TrainingJobName"]
    page.wait_for_selector(f"{view} .jp-mlstudio-tuning-trials[data-rows='{len(trials)}']",
                           timeout=30_000)
    wait_points(page, view, "objective", len(scored), timeout=30_000)
    assert page.get_attribute(f"{view} figure[data-chart='hp:lr']", "data-axis") == \
        "logarithmic"
    assert page.get_attribute(f"{view} figure[data-chart='hp:optimizer']", "data-axis") == \
        "category"
    wait_points(page, view, "curves", len(scored), timeout=30_000)
    assert page.locator(f"{view} [data-part='best'] .jp-mlstudio-tuning-best-name"
                        ).inner_text() == best

    # Sorted by the objective on the server: the best trial comes first.
    page.click(f"{view} button[data-sort='FinalObjectiveMetricValue']")
    page.wait_for_function(
        """([sel, best]) => document.querySelector(sel)?.dataset.name === best""",
        arg=[f"{view} .jp-mlstudio-tuning-trials tbody tr.jp-mlstudio-tuning-trial", best],
        timeout=30_000)
    assert page.get_attribute(f"{view} .jp-mlstudio-tuning-trials", "data-sort-order") == \
        "Ascending"

    # The list shows the job, its trials and best objective.
    row = f"{SECTION} .jp-mlstudio-tuning-job[data-name='{name}']"
    page.wait_for_selector(f"{row}[data-status='Completed']", timeout=30_000)
    assert f"{len(trials)}/6 trials" in page.inner_text(row)
    page.wait_for_function(
        """sel => !document.querySelector(sel)?.textContent.includes('best —')""",
        arg=row, timeout=30_000)

    # The best trial opens in the Training panel's job view.
    page.click(f"{view} [data-part='best'] .jp-mlstudio-tuning-best-name")
    page.wait_for_selector(f"#jp-mlstudio-training-{best} .jp-mlstudio-training-view",
                           timeout=30_000)

    # Clone: the form prefilled from the job; a name taken is refused by the server.
    page.click(f".lm-DockPanel-tabBar .lm-TabBar-tab:has-text('Tuning: {name}')")
    page.click(f"{view} button[data-action='clone']")
    clone = page.locator(f"{FORM}:visible")
    clone.wait_for(timeout=15_000)
    assert field(clone, "name").input_value() != name
    assert field(clone, "target_value").input_value() == "0.001"
    assert clone.locator(".jp-mlstudio-tuning-ranges .jp-mlstudio-tuning-range").count() == 2
    field(clone, "name").fill(name)
    clone.locator("button[data-action='create']").click()
    field(clone, "name", error=True).filter(has_text="already exists").wait_for(timeout=15_000)


def test_tuning_screenshots_light_and_dark(page, lab_server):
    source = completed_training_job(lab_server)
    name = f"shot-{uuid.uuid4().hex[:6]}"
    body = tuning_body(name, source, Strategy="Hyperband",
                       StrategyConfig={"HyperbandStrategyConfig": {
                           "MinResource": 1, "MaxResource": MAX_RESOURCE}},
                       ResourceLimits={"MaxNumberOfTrainingJobs": 8,
                                       "MaxParallelTrainingJobs": 2})
    resp = lab_server.request("POST", "mlstudio/api/tuning-jobs", json=body)
    assert resp.status_code == 201, resp.text

    ARTIFACTS.mkdir(exist_ok=True)
    open_lab(page, lab_server)
    view = view_of(page, name)
    for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        set_theme(page, lab_server, theme)
        open_section(page, "Tuning", SECTION)
        focus_section(page, "Tuning")
        row = f"{SECTION} .jp-mlstudio-tuning-job[data-name='{name}']"
        page.wait_for_selector(row, timeout=30_000)
        page.click(row)
        page.wait_for_selector(f"{view}[data-status='Completed']", timeout=240_000)
        wait_points(page, view, "objective", timeout=30_000)
        wait_points(page, view, "curves", timeout=30_000)
        page.wait_for_function(
            """sel => Number(document.querySelector(sel)?.dataset.lines ?? 0) > 0""",
            arg=f"{view} .jp-mlstudio-tuning-log-box", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"tuning-job-{tag}.png"))
        page.locator(f"{view} [data-panel='charts']").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"tuning-charts-{tag}.png"))
        page.locator(f"{view} [data-panel='trials']").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"tuning-trials-{tag}.png"))
        page.screenshot(path=str(ARTIFACTS / f"tuning-section-{tag}.png"),
                        clip={"x": 0, "y": 0, "width": 520, "height": 900})

        page.click(f"{view} button[data-action='clone']")
        form = page.locator(f"{FORM}:visible")
        form.wait_for(timeout=15_000)
        choose_training_job(form, source)
        add_range(form, "epochs", "Integer", min="3", max="2")
        page.screenshot(path=str(ARTIFACTS / f"tuning-form-{tag}.png"))
        form.locator("[data-part='ranges']").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"tuning-form-ranges-{tag}.png"))
        # Close the form and the view so the restored layout is the same for the next theme.
        for _ in range(2):
            page.locator(
                ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon"
            ).click()
