"""The Endpoints panel in a real JupyterLab: deploy a model.tar.gz from S3 through the
"New endpoint" form, watch it come into service, send test requests, delete it;
light and dark screenshots of the endpoint view (Overview, Test, Charts)."""
from __future__ import annotations

import json
import time
import uuid

import numpy as np
import pytest

from tests.procs import wait_for
from tests.serving_support import call, deploy, joblib_bytes, trained_model, upload_model
from tests.ui.conftest import ARTIFACTS, open_lab, set_theme, start_lab
from tests.ui.test_sidebar import open_sidebar

SECTION = ".jp-mlstudio-endpoints"
FORM = ".jp-mlstudio-endpoint-form"
VIEW = ".jp-mlstudio-endpoint-view"
TITLES = "#jp-mlstudio-sidebar .lm-AccordionPanel-title"
VARIANT = "AllTraffic"  # the variant of a single-variant endpoint
ROW = [0.0, 4.0, 4.0, 4.0]  # near the centre of class 2 (iris_like)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """The usual lab server, with a short metrics period so charts fill quickly."""
    server = start_lab(tmp_path_factory, "--ServingService.metrics_period=2")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def model():
    return trained_model()


@pytest.fixture(scope="module")
def model_uri(lab_server, model):
    """The model as a model.tar.gz (a joblib file inside) in the server's store."""
    return upload_model(lab_server, "models/ui-endpoints/model.tar.gz",
                        {"model.joblib": joblib_bytes(model)})


def expected_class(model) -> float:
    return float(model.predict(np.array([ROW]))[0])


def open_endpoints(page) -> None:
    """Open the sidebar with only the Endpoints section expanded (so it has room)."""
    open_sidebar(page)
    page.wait_for_selector(f"{TITLES}:has-text('Endpoints')", timeout=30_000)
    titles = page.locator(TITLES)
    for i in range(titles.count()):
        title = titles.nth(i)
        want = title.inner_text().strip().lower() == "endpoints"
        if (title.get_attribute("aria-expanded") == "true") != want:
            title.click()
    page.wait_for_selector(SECTION, state="visible", timeout=30_000)


def endpoint_row(name: str) -> str:
    return f"{SECTION} .jp-mlstudio-endpoint-row[data-name='{name}']"


def view_of(name: str) -> str:
    return f"#jp-mlstudio-endpoint-{name} {VIEW}"


def field(form, name: str, key: str):
    """An input of the form by its error key (``data-field``) and its ``name``."""
    return form.locator(f".jp-mlstudio-training-field[data-field='{key}'] [name='{name}']")


def show_tab(page, name: str, tab: str):
    view = page.locator(view_of(name))
    view.locator(f".jp-mlstudio-endpoints-tab-button[data-tab='{tab}']").click()
    panel = view.locator(f"[role='tabpanel'][aria-labelledby$='-tab-{tab}']")
    panel.wait_for(state="visible", timeout=15_000)
    return panel


def send(panel, body: str, content_type: str = "application/json"):
    """Send a request from the Test tab; the response area once it shows a reply."""
    panel.locator("select[name='content_type']").select_option(content_type)
    panel.locator("textarea[name='body']").fill(body)
    result = panel.locator(".jp-mlstudio-endpoints-result")
    result.evaluate("el => el.replaceChildren()")  # so the next wait sees this reply
    panel.locator("button[data-action='send']").click()
    result.locator("xpath=./*").first.wait_for(timeout=60_000)
    panel.locator("button[data-action='send']:not([disabled])").wait_for(timeout=60_000)
    return result


def test_deploy_test_and_delete_endpoint_from_the_ui(page, lab_server, model, model_uri):
    name = f"ui-{uuid.uuid4().hex[:8]}"
    open_lab(page, lab_server)
    open_endpoints(page)
    page.click(f"{SECTION} [data-action='new-endpoint']")
    form = page.locator(f"{FORM}:visible")
    form.wait_for(timeout=30_000)

    assert field(form, "name", "name").input_value().startswith("endpoint-")
    field(form, "name", "name").fill(name)
    field(form, "a-kind", "a.kind").select_option("s3")
    url = field(form, "a-model-data-url", "a.model_data_url")
    url.wait_for(state="visible", timeout=15_000)
    url.fill("s3://mlstudio/models/ui-endpoints/model.json")
    error = form.locator(
        ".jp-mlstudio-training-field[data-field='a.model_data_url'] .jp-mlstudio-training-error"
    )
    assert "model.tar.gz" in error.inner_text()
    url.fill(model_uri)
    assert error.inner_text() == ""
    assert field(form, "a-image", "a.image").input_value() == "python"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "endpoints-form-light.png"))
    form.locator("button[data-action='create']").click()

    # The form closes and the endpoint's view opens; it comes into service.
    view = page.locator(view_of(name))
    view.wait_for(timeout=30_000)
    page.wait_for_selector(f"{view_of(name)}[data-status='InService']", timeout=120_000)
    page.wait_for_selector(f"{endpoint_row(name)}[data-status='InService']", timeout=60_000)
    row = page.locator(endpoint_row(name))
    assert "1 variant" in row.locator(".jp-mlstudio-endpoints-variants").inner_text()
    assert "1 instance" in row.locator(".jp-mlstudio-endpoints-instances").inner_text()
    code, desc = call(lab_server, "GET", f"endpoints/{name}")
    assert code == 200 and desc["EndpointStatus"] == "InService", desc
    variant = desc["ProductionVariants"][0]
    assert variant["VariantName"] == VARIANT
    config, model_name = desc["EndpointConfigName"], variant["ModelName"]
    code, created = call(lab_server, "GET", f"models/{model_name}")
    assert code == 200 and created["PrimaryContainer"]["ModelDataUrl"] == model_uri, created

    # Overview: the variant with its model and its running instance.
    overview = view.locator(
        f".jp-mlstudio-endpoints-variants .jp-mlstudio-endpoints-variant[data-variant='{VARIANT}']"
    )
    assert overview.locator(".jp-mlstudio-endpoints-model").inner_text() == model_name
    process = overview.locator(".jp-mlstudio-endpoints-processes .jp-mlstudio-training-badge")
    process.first.wait_for(timeout=30_000)
    assert view.locator(".jp-mlstudio-training-failure").is_hidden()
    assert view.locator(".jp-mlstudio-endpoints-runtime .jp-mlstudio-training-output-uri")\
        .inner_text().startswith("http://127.0.0.1:")

    # Test: one row answers with the class the model predicts.
    test = show_tab(page, name, "Test")
    result = send(test, json.dumps([ROW]))
    assert result.get_attribute("data-status") == "200"
    line = result.locator(".jp-mlstudio-endpoints-result-line").inner_text()
    assert line.startswith("200") and f"variant {VARIANT}" in line, line
    assert result.locator(".jp-mlstudio-endpoints-http.jp-mod-ok").count() == 1
    body = result.locator("pre.jp-mlstudio-endpoints-response").inner_text()
    assert json.loads(body) == [expected_class(model)], body

    # A body that is not JSON is refused before sending, with the parser's reason.
    result = send(test, "[[0, 4, 4")
    assert result.locator(".jp-mlstudio-endpoints-error").inner_text().startswith("Not valid JSON")
    # A content type the model server does not take: its 415 and message show.
    result = send(test, "hello", "text/plain")
    assert result.get_attribute("data-status") == "415"
    assert result.locator(".jp-mlstudio-endpoints-http.jp-mod-error").inner_text().startswith("415")
    message = result.locator(".jp-mlstudio-endpoints-error").inner_text()
    assert "text/plain" in message and "not supported" in message, message
    page.screenshot(path=str(ARTIFACTS / "endpoints-test-error-light.png"))
    # The tab still works afterwards.
    result = send(test, json.dumps([ROW]))
    assert result.get_attribute("data-status") == "200"

    # Delete from the view, with its configuration and model.
    view.locator("button[data-action='delete']").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(state="visible", timeout=15_000)
    assert name in dialog.locator(".jp-mlstudio-endpoints-confirm").inner_text()
    dialog.locator("input[name='delete-resources']").check()
    dialog.locator(".jp-Dialog-button.jp-mod-warn").click()
    dialog.wait_for(state="detached", timeout=15_000)
    page.wait_for_selector(f"#jp-mlstudio-endpoint-{name}", state="detached", timeout=30_000)
    page.wait_for_selector(endpoint_row(name), state="detached", timeout=60_000)
    wait_for(lambda: call(lab_server, "GET", f"endpoints/{name}")[0] == 404, timeout=60)
    code, reply = call(lab_server, "GET", f"endpoints/{name}")
    assert code == 404 and reply["reason"] == "ResourceNotFound", reply
    assert call(lab_server, "GET", f"endpoint-configs/{config}")[0] == 404
    assert call(lab_server, "GET", f"models/{model_name}")[0] == 404


def invoke(server, name: str, times: int) -> None:
    for _ in range(times):
        resp = server.request("POST", f"mlstudio/api/endpoints/{name}/invocations",
                              data=json.dumps([ROW]), headers={"Content-Type": "application/json"})
        assert resp.status_code == 200, resp.text


def chart(name: str, metric: str) -> str:
    return (f"{view_of(name)} .jp-mlstudio-endpoints-variant-charts[data-variant='{VARIANT}'] "
            f".jp-mlstudio-metric-chart[data-metric='{metric}']")


def test_endpoint_view_screenshots_light_and_dark(page, lab_server, model, model_uri):
    name = f"shot-{uuid.uuid4().hex[:8]}"
    code, reply = call(lab_server, "POST", "models",
                       {"ModelName": name, "PrimaryContainer": {"ModelDataUrl": model_uri}})
    assert code == 201, reply
    desc = deploy(lab_server, name, [{"VariantName": VARIANT, "ModelName": name,
                                      "InitialInstanceCount": 1, "InitialVariantWeight": 1}])
    assert desc["EndpointStatus"] == "InService", desc
    # Traffic in two metric periods at least, so latency has a line.
    invoke(lab_server, name, 5)
    time.sleep(2.5)
    invoke(lab_server, name, 3)

    ARTIFACTS.mkdir(exist_ok=True)
    open_lab(page, lab_server)
    colors = {}
    try:
        for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
            set_theme(page, lab_server, theme)
            open_endpoints(page)
            page.wait_for_selector(f"{endpoint_row(name)}[data-status='InService']",
                                   timeout=30_000)
            page.click(f"{endpoint_row(name)} .jp-mlstudio-training-job-name")
            view = page.locator(view_of(name))
            page.wait_for_selector(f"{view_of(name)}[data-status='InService']", timeout=30_000)
            view.locator(".jp-mlstudio-endpoints-processes .jp-mlstudio-training-badge").first\
                .wait_for(timeout=30_000)
            show_tab(page, name, "Overview")
            page.screenshot(path=str(ARTIFACTS / f"endpoints-overview-{tag}.png"))

            test = show_tab(page, name, "Test")
            result = send(test, json.dumps([ROW]))
            assert result.get_attribute("data-status") == "200"
            page.screenshot(path=str(ARTIFACTS / f"endpoints-test-{tag}.png"))

            show_tab(page, name, "Charts")
            for metric, least in (("Invocations per minute", 2), ("Latency (ms)", 4)):
                page.wait_for_function(
                    """([sel, n]) => Number(document.querySelector(sel)?.dataset.points) >= n""",
                    arg=[chart(name, metric), least],
                    timeout=60_000,
                )
            lines = {metric: page.locator(f"{chart(name, metric)} path.jp-mlstudio-chart-line")
                     for metric in ("Invocations per minute", "Latency (ms)")}
            assert lines["Invocations per minute"].count() == 1
            assert lines["Latency (ms)"].count() == 2  # model and overhead
            page.screenshot(path=str(ARTIFACTS / f"endpoints-charts-{tag}.png"))
            colors[tag] = page.eval_on_selector(
                f"{chart(name, 'Instances')} .jp-mlstudio-chart-label",
                "el => getComputedStyle(el).fill",
            )
    finally:
        call(lab_server, "DELETE", f"endpoints/{name}")
    # Chart labels follow the theme.
    assert colors["light"] != colors["dark"]
    wait_for(lambda: call(lab_server, "GET", f"endpoints/{name}")[0] == 404, timeout=60)
