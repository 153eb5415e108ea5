"""Browser tests: Debian's chromium driven by Playwright against a real ``jupyter lab``."""
from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from tests.servers import start_server

CHROMIUM = os.environ.get("MLSTUDIO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/ui/" in str(item.fspath):
            item.add_marker(pytest.mark.ui)


@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    """Browser tests leave the current event loop to Playwright; pytest-jupyter's
    server fixtures get a private loop they may close."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def own_labextension_args(home: Path) -> list[str]:
    """Arguments that make a lab serve the front end built beside the imported package
    (``jupyter_mlstudio/labextension``) ahead of any other installed copy (JupyterLab
    looks in its extra paths first), so a checkout tests its own build even where an
    older wheel is installed in the environment."""
    import jupyter_mlstudio

    built = Path(jupyter_mlstudio.__file__).parent / "labextension"
    if not (built / "package.json").exists():
        return []
    folder = home / "own-labextensions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jupyter-mlstudio").symlink_to(built, target_is_directory=True)
    return [f"--LabApp.extra_labextensions_path={folder}"]


def start_lab(tmp_path_factory, *args: str):
    """A ``jupyter lab`` with its own home, started with ``args``, news toast off."""
    home = tmp_path_factory.mktemp("lab") / "home"
    server = start_server(home, "lab", *own_labextension_args(home), *args)
    # No "get notified about Jupyter news?" toast over the panels.
    server.request(
        "PUT",
        "lab/api/settings/@jupyterlab/apputils-extension:notification",
        json={"raw": json.dumps({"fetchNews": "false"})},
    ).raise_for_status()
    return server


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    server = start_lab(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make test does)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
    context.close()


def open_lab(page, server) -> None:
    """Open JupyterLab logged in with the server's token and wait until it is ready."""
    page.goto(f"{server.url}lab?token={server.token}")
    page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
    page.wait_for_selector(".jp-SideBar.jp-mod-left .lm-TabBar-tab", timeout=60_000)


def set_theme(page, server, name: str) -> None:
    """Switch JupyterLab's theme through its settings API, reload, and wait for it."""
    raw = json.dumps({"theme": name})
    resp = server.request(
        "PUT", "lab/api/settings/@jupyterlab/apputils-extension:themes", json={"raw": raw}
    )
    assert resp.status_code == 204, resp.text
    page.reload()
    light = "false" if "Dark" in name else "true"
    page.wait_for_selector(
        f"body[data-jp-theme-light='{light}']", state="attached", timeout=60_000
    )
    page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)


def open_left_panel(page, data_id: str, panel: str, attempts: int = 4) -> None:
    """Show a left-sidebar panel by its tab (``data-id``), whatever state JupyterLab
    restored: a click on the current tab collapses the sidebar, so check and retry."""
    tab = f".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='{data_id}']"
    page.wait_for_selector(tab, timeout=60_000)
    for _ in range(attempts):
        if page.is_visible(panel):
            return
        page.click(tab)
        try:
            page.wait_for_selector(panel, state="visible", timeout=2_000)
            return
        except Exception:  # toggled closed by a restore racing the click: try again
            continue
    page.wait_for_selector(panel, state="visible", timeout=5_000)


def open_section(page, title: str, selector: str) -> None:
    """Open the ML Studio sidebar and expand its section ``title`` (root element
    ``selector``) if it is collapsed."""
    open_left_panel(page, "jp-mlstudio-sidebar", "#jp-mlstudio-sidebar")
    if not page.is_visible(selector):
        page.locator(
            "#jp-mlstudio-sidebar .jp-AccordionPanel-title", has_text=title
        ).first.click()
    page.wait_for_selector(selector, state="visible", timeout=30_000)


def focus_section(page, title: str) -> None:
    """Collapse the sidebar's sections other than ``title`` so that one has room."""
    titles = page.locator("#jp-mlstudio-sidebar .jp-AccordionPanel-title")
    for i in range(titles.count()):
        heading = titles.nth(i)
        expanded = heading.get_attribute("aria-expanded") == "true"
        if title.lower() not in heading.inner_text().lower() and expanded:
            heading.click()
