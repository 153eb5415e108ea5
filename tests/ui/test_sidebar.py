"""The ML Studio sidebar in a real JupyterLab: opens, shows a healthy embedded store."""
from __future__ import annotations

from tests.ui.conftest import ARTIFACTS, open_lab, open_left_panel, set_theme

SIDEBAR_TAB = ".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='jp-mlstudio-sidebar']"


def open_sidebar(page) -> None:
    """Open the ML Studio sidebar (its open state is restored across reloads)."""
    open_left_panel(page, "jp-mlstudio-sidebar", "#jp-mlstudio-sidebar")


def test_sidebar_shows_healthy_embedded_store(page, lab_server):
    open_lab(page, lab_server)
    open_sidebar(page)
    status = page.wait_for_selector(".jp-mlstudio-status[data-status='healthy']", timeout=30_000)
    assert status.is_visible()
    endpoint = lab_server.get("mlstudio/api/status").json()["s3"]["endpoint_url"]
    s3_line = page.inner_text(".jp-mlstudio-status-s3")
    assert endpoint in s3_line and "embedded" in s3_line.lower()
    assert "healthy" in page.inner_text(".jp-mlstudio-status-badge").lower()


def test_sidebar_in_light_and_dark_themes(page, lab_server):
    open_lab(page, lab_server)
    open_sidebar(page)
    page.wait_for_selector(".jp-mlstudio-status[data-status='healthy']", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    colors = {}
    for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        set_theme(page, lab_server, theme)
        open_sidebar(page)
        page.wait_for_selector(".jp-mlstudio-status[data-status='healthy']", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"sidebar-{tag}.png"))
        colors[tag] = page.eval_on_selector(
            "#jp-mlstudio-sidebar", "el => getComputedStyle(el).backgroundColor"
        )
    # The panel follows the theme rather than hard-coding its colours.
    assert colors["light"] != colors["dark"]
