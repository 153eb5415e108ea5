"""The Kernels section in a real JupyterLab: install R through the form, uninstall it."""
from __future__ import annotations

from tests.ui.conftest import ARTIFACTS, open_lab, open_left_panel, set_theme

SECTION = ".jp-mlstudio-kernels"
FORM = ".jp-mlstudio-kernel-install"
R_KIND = f"{SECTION} .jp-mlstudio-kernel-kind[data-kind='r']"
IR_TEST = f"{SECTION} .jp-mlstudio-kernelspec[data-name='ir-test']"
TITLES = "#jp-mlstudio-sidebar .lm-AccordionPanel-title"


def open_sidebar(page) -> None:
    open_left_panel(page, "jp-mlstudio-sidebar", "#jp-mlstudio-sidebar")


def open_kernels(page) -> None:
    """Open the sidebar with only the Kernels section expanded (so it has room)."""
    open_sidebar(page)
    page.wait_for_selector(f"{TITLES}:has-text('Kernels')", timeout=30_000)
    titles = page.locator(TITLES)
    for i in range(titles.count()):
        title = titles.nth(i)
        want = title.inner_text().strip().lower() == "kernels"
        if (title.get_attribute("aria-expanded") == "true") != want:
            title.click()
    page.wait_for_selector(SECTION, state="visible", timeout=30_000)
    page.wait_for_selector(f"{SECTION}[data-state='loaded']", timeout=30_000)


def test_install_r_then_uninstall(page, lab_server):
    open_lab(page, lab_server)
    open_kernels(page)
    # The server's own kernel is listed, with its language.
    page.wait_for_selector(f"{SECTION} .jp-mlstudio-kernelspec[data-language]", timeout=30_000)
    r_kind = page.wait_for_selector(R_KIND, timeout=30_000)
    install = r_kind.query_selector("button[data-action='install']")
    assert install.is_enabled(), install.get_attribute("title")
    install.click()

    form = page.wait_for_selector(FORM, state="visible", timeout=30_000)
    page.fill(f"{FORM} input[name='name']", "ir-test")
    page.fill(f"{FORM} input[name='display_name']", "R (ir-test)")
    page.click(f"{FORM} button[data-action='start-install']")

    page.wait_for_selector(f"{FORM} .jp-mlstudio-kernel-progress", state="visible")
    page.wait_for_selector(
        f"{FORM}[data-install-status='Completed'], {FORM}[data-install-status='Failed'], "
        f"{FORM}[data-install-status='Stopped']",
        timeout=300_000,
    )
    status = form.get_attribute("data-install-status")
    log = page.inner_text(f"{FORM} .jp-mlstudio-kernel-log")
    assert status == "Completed", f"{page.inner_text(FORM + ' .jp-mlstudio-kernel-result')}\n{log}"
    assert log.strip(), "the live log shows the install's output"
    assert page.get_attribute(f"{FORM} .jp-mlstudio-kernel-progress", "aria-valuenow") == "100"
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(500)  # the progress bar animates to 100 %
    page.screenshot(path=str(ARTIFACTS / "kernels-install-completed.png"))

    # The list refreshes by itself; the new kernel is there, managed, language R.
    open_kernels(page)
    row = page.wait_for_selector(IR_TEST, timeout=30_000)
    assert row.get_attribute("data-language").lower() == "r"
    assert row.get_attribute("data-managed") == "true"
    assert "R (ir-test)" in row.inner_text()
    # The server sees it too (and so does the launcher's kernelspec manager).
    specs = lab_server.get("api/kernelspecs").json()["kernelspecs"]
    assert "ir-test" in specs

    # Uninstall: a confirmation dialog first; cancelling keeps the kernel.
    row.query_selector("button[data-action='uninstall']").click()
    dialog = page.wait_for_selector(".jp-Dialog", state="visible")
    assert "ir-test" in dialog.inner_text()
    page.click(".jp-Dialog .jp-mod-reject")
    page.wait_for_selector(".jp-Dialog", state="detached")
    assert page.is_visible(IR_TEST)
    page.click(f"{IR_TEST} button[data-action='uninstall']")
    page.wait_for_selector(".jp-Dialog", state="visible")
    page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_selector(IR_TEST, state="detached", timeout=30_000)
    assert "ir-test" not in lab_server.get("api/kernelspecs").json()["kernelspecs"]


def wait_theme_painted(page, dark: bool) -> None:
    """``set_theme`` waits for the body attribute; the theme's CSS can land later.
    Wait until the sidebar's background really is dark (or light)."""
    page.wait_for_function(
        """dark => {
            const el = document.querySelector('#jp-mlstudio-sidebar');
            if (!el) { return false; }
            const m = getComputedStyle(el).backgroundColor.match(/\\d+/g);
            if (!m) { return false; }
            const lum = (+m[0] + +m[1] + +m[2]) / 3;
            return dark ? lum < 100 : lum > 155;
        }""",
        arg=dark,
        timeout=30_000,
    )


def test_kernels_screenshots_light_and_dark(page, lab_server):
    open_lab(page, lab_server)
    ARTIFACTS.mkdir(exist_ok=True)
    colors = {}
    for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        set_theme(page, lab_server, theme)
        open_kernels(page)
        page.wait_for_selector(R_KIND, timeout=30_000)
        wait_theme_painted(page, tag == "dark")
        page.screenshot(path=str(ARTIFACTS / f"kernels-section-{tag}.png"))
        colors[tag] = page.eval_on_selector(
            f"{SECTION} .jp-mlstudio-kernelspec", "el => getComputedStyle(el).backgroundColor"
        )
        page.click(f"{R_KIND} button[data-action='install']")
        page.wait_for_selector(f"{FORM} input[name='display_name']", state="visible")
        page.screenshot(path=str(ARTIFACTS / f"kernels-install-form-{tag}.png"))
        # Close the form (its tab) so the next theme opens it afresh.
        page.locator(
            ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon"
        ).click()
        page.wait_for_selector(FORM, state="detached")
    assert colors["light"] != colors["dark"]
