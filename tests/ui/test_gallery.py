"""The example gallery in a real JupyterLab: search, preview, use, share, themes."""
from __future__ import annotations

import json
import re
import uuid


from tests.ui.conftest import ARTIFACTS, open_lab, open_left_panel, set_theme
from tests.ui.test_sidebar import open_sidebar

GALLERY = "#jp-mlstudio-gallery"
CARD = ".jp-mlstudio-gallery-card"
MAGICS_CARD = f"{CARD}[data-title='S3 from notebook magics']"
CURRENT_TAB = ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current"
COPY_NAME = re.compile(r"^s3-magics(-\d+)?\.ipynb$")


def run_command(page, label: str) -> None:
    """Run a command through the command palette, opened from the View menu. The
    palette is a toggle and, being modal, closes when the page moves the focus while it
    settles after load: each step is retried from the start until the command runs."""
    palette = page.locator(".lm-CommandPalette-input")
    for attempt in range(8):
        try:
            if not palette.is_visible():
                page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text="View").first.click()
                page.locator(".lm-Menu-item", has_text="Activate Command Palette").first.click(
                    timeout=5_000)
                palette.wait_for(state="visible", timeout=5_000)
            palette.fill(label, timeout=5_000)
            # The list re-renders while filtering: wait for the match, then run it.
            item = page.locator(f".lm-CommandPalette-item.lm-mod-active:has-text('{label}')")
            item.click(timeout=5_000)  # fails, and is retried, if the palette closed
            return
        except Exception:
            if attempt == 7:
                raise
            page.keyboard.press("Escape")


def open_gallery_from_palette(page) -> None:
    for attempt in range(3):  # the command ran unless the palette closed under the click
        run_command(page, "Example Gallery")
        try:
            page.wait_for_selector(f"{GALLERY} {CARD}", state="visible", timeout=30_000)
            return
        except Exception:
            if attempt == 2:
                raise


def open_gallery_from_sidebar(page) -> None:
    open_sidebar(page)
    page.click(".jp-mlstudio-examples-open")
    page.wait_for_selector(f"{GALLERY} {CARD}", state="visible", timeout=90_000)


def test_search_preview_and_use(page, lab_server):
    open_lab(page, lab_server)
    open_gallery_from_palette(page)
    assert page.is_visible(f"{GALLERY} .jp-mlstudio-gallery-category")

    page.fill(f"{GALLERY} .jp-mlstudio-gallery-search", "magics")
    page.wait_for_function(
        """sel => {
            const cards = [...document.querySelectorAll(sel)];
            return cards.length > 0 && cards.every(c => /magics/i.test(c.textContent));
        }""",
        arg=f"{GALLERY} {CARD}",
        timeout=15_000,
    )
    card = page.locator(MAGICS_CARD)
    assert card.count() == 1
    assert card.get_attribute("data-example-id")
    badge = card.locator(".jp-mlstudio-gallery-badge")
    statuses = {"passing", "failing", "not-run", "skipped", "invalid"}
    assert badge.get_attribute("data-status") in statuses

    # Preview: the sanitised page in an iframe that may run nothing.
    card.locator("button[data-action='preview']").click()
    frame_el = page.wait_for_selector(".jp-mlstudio-gallery-preview iframe", state="visible")
    assert frame_el.get_attribute("sandbox") == ""
    assert "Preview: S3 from notebook magics" in page.inner_text(CURRENT_TAB)
    body = page.frame_locator(".jp-mlstudio-gallery-preview iframe").locator("body")
    body.get_by_text("S3 from notebook magics").first.wait_for(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gallery-preview.png"))

    # Use: the dialog proposes examples/<file name>; the copy opens.
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Example Gallery").click()
    page.locator(MAGICS_CARD).locator("button[data-action='use']").click()
    dialog = page.wait_for_selector(".jp-Dialog", state="visible")
    assert page.input_value(".jp-Dialog input[name='folder']") == "examples"
    assert page.input_value(".jp-Dialog input[name='name']") == "s3-magics.ipynb"
    dialog.query_selector(".jp-mod-accept").click()

    page.wait_for_selector(".jp-NotebookPanel", state="visible", timeout=30_000)
    page.wait_for_function(
        """([sel, re]) => [...document.querySelectorAll(sel)]
                 .some(t => new RegExp(re).test(t.textContent))""",
        arg=[f"{CURRENT_TAB} .lm-TabBar-tabLabel", COPY_NAME.pattern],
        timeout=30_000,
    )
    name = page.inner_text(f"{CURRENT_TAB} .lm-TabBar-tabLabel").strip()
    assert COPY_NAME.match(name), name
    resp = lab_server.get(f"api/contents/examples/{name}?content=0")
    assert resp.status_code == 200, resp.text
    assert resp.json()["type"] == "notebook"


def test_share_from_file_browser_then_delete(page, lab_server):
    title = f"Shared demo {uuid.uuid4().hex[:6]}"
    notebook = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Shared demo"}],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    resp = lab_server.request(
        "PUT", "api/contents/share-me.ipynb",
        json={"type": "notebook", "format": "json", "content": notebook},
    )
    assert resp.status_code in (200, 201), resp.text

    open_lab(page, lab_server)
    open_left_panel(page, "filebrowser", "#filebrowser")
    page.click("#filebrowser .jp-BreadCrumbs-home")
    item = page.locator(".jp-DirListing-item[data-file-type='notebook']", has_text="share-me.ipynb")
    item.wait_for(timeout=30_000)
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Share as Example").first.click()
    page.wait_for_selector(".jp-Dialog input[name='title']", state="visible")
    page.fill(".jp-Dialog input[name='title']", title)
    page.fill(".jp-Dialog textarea[name='summary']", "Shared by the browser test")
    page.fill(".jp-Dialog input[name='tags']", "demo, ui-test")
    page.click(".jp-Dialog .jp-mod-accept")
    page.get_by_text(f"Shared “{title}” as an example").first.wait_for(timeout=30_000)

    listed = lab_server.get("mlstudio/api/examples", params={"q": title}).json()["examples"]
    assert [(e["title"], e["reviewed"], e["tags"]) for e in listed] == [
        (title, False, ["demo", "ui-test"])
    ]

    # The gallery shows it as unreviewed, with review and delete buttons.
    open_gallery_from_palette(page)
    page.click(f"{GALLERY} .jp-mlstudio-gallery-segment[data-reviewed='unreviewed']")
    card = page.locator(f"{CARD}[data-title='{title}']")
    card.wait_for(timeout=15_000)
    for action in ("preview", "use", "approve", "reject", "delete"):
        assert card.locator(f"button[data-action='{action}']").count() == 1, action
    card.locator("button[data-action='delete']").click()
    page.click(".jp-Dialog .jp-mod-accept")
    card.wait_for(state="detached", timeout=15_000)
    assert lab_server.get("mlstudio/api/examples", params={"q": title}).json()["total"] == 0


def test_validate_all_updates_badges(page, lab_server):
    open_lab(page, lab_server)
    open_gallery_from_palette(page)
    page.click(f"{GALLERY} .jp-mlstudio-gallery-segment[data-reviewed='all']")
    page.fill(f"{GALLERY} .jp-mlstudio-gallery-search", "")
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length >= 4",
        arg=f"{GALLERY} {CARD}",
        timeout=15_000,
    )
    page.click(f"{GALLERY} .jp-mlstudio-gallery-validate")
    progress = page.wait_for_selector(f"{GALLERY} .jp-mlstudio-gallery-progress", state="visible")
    assert page.is_disabled(f"{GALLERY} .jp-mlstudio-gallery-validate")
    page.wait_for_selector(
        f"{GALLERY} .jp-mlstudio-gallery-progress[data-state='done']", timeout=600_000
    )
    text = progress.inner_text()
    assert re.search(r"Validated (\d+)/\1 examples", text), text
    statuses = page.eval_on_selector_all(
        f"{GALLERY} .jp-mlstudio-gallery-badge", "els => els.map(e => e.dataset.status)"
    )
    assert statuses and "not-run" not in statuses, statuses
    # The shipped S3 examples run against the embedded store.
    magics = page.locator(f"{MAGICS_CARD} .jp-mlstudio-gallery-badge")
    assert magics.get_attribute("data-status") == "passing", magics.get_attribute("title")


def test_preview_renders_markdown_as_html(page, lab_server):
    open_lab(page, lab_server)
    open_gallery_from_palette(page)
    page.fill(f"{GALLERY} .jp-mlstudio-gallery-search", "magics")
    page.locator(MAGICS_CARD).locator("button[data-action='preview']").click()
    frame = page.frame_locator(".jp-mlstudio-gallery-preview iframe")
    frame.locator("body").get_by_text("S3 from notebook magics").first.wait_for(timeout=30_000)
    assert frame.locator("h1", has_text="S3 from notebook magics").count() == 1
    assert "<h1" not in frame.locator("body").inner_text()


def test_gallery_in_light_and_dark_themes(page, lab_server):
    open_lab(page, lab_server)
    open_gallery_from_sidebar(page)
    ARTIFACTS.mkdir(exist_ok=True)
    colors = {}
    try:
        for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
            set_theme(page, lab_server, theme)
            open_gallery_from_sidebar(page)
            page.click(f"{GALLERY} .jp-mlstudio-gallery-segment[data-reviewed='all']")
            page.fill(f"{GALLERY} .jp-mlstudio-gallery-search", "")
            page.wait_for_function(
                "sel => document.querySelectorAll(sel).length >= 4",
                arg=f"{GALLERY} {CARD}",
                timeout=15_000,
            )
            page.mouse.move(0, 0)
            page.screenshot(path=str(ARTIFACTS / f"gallery-{tag}.png"))
            colors[tag] = page.eval_on_selector(
                f"{GALLERY} {CARD}", "el => getComputedStyle(el).backgroundColor"
            )
    finally:
        lab_server.request(
            "PUT",
            "lab/api/settings/@jupyterlab/apputils-extension:themes",
            json={"raw": json.dumps({"theme": "JupyterLab Light"})},
        )
    assert colors["light"] != colors["dark"]
