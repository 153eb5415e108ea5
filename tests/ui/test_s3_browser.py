"""The S3 browser section in a real JupyterLab against the embedded store."""
from __future__ import annotations

import os
import secrets
import time

import pytest
from botocore.exceptions import ClientError

from tests.ui.conftest import ARTIFACTS, open_lab, open_left_panel, set_theme
from tests.ui.test_sidebar import open_sidebar

SECTION = ".jp-mlstudio-s3"
BUCKET = "mlstudio"


def _row(key: str) -> str:
    return f".jp-mlstudio-s3-item[data-kind='object'][data-key='{key}']"


def _accordion_title(page, label: str):
    return page.locator("#jp-mlstudio-sidebar .lm-AccordionPanel-title", has_text=label)


def _set_expanded(page, label: str, expanded: bool) -> None:
    title = _accordion_title(page, label)
    if title.count() == 0:
        return
    if (title.first.get_attribute("aria-expanded") == "true") != expanded:
        title.first.click()


def _titles(page) -> list[str]:
    return page.eval_on_selector_all(
        "#jp-mlstudio-sidebar .lm-AccordionPanel-title .lm-AccordionPanel-titleLabel",
        "els => els.map(e => e.textContent)",
    )


def open_s3_browser(page, server) -> None:
    """Open JupyterLab, the ML Studio sidebar and the S3 Browser section."""
    open_lab(page, server)
    open_sidebar(page)
    _set_expanded(page, "S3 Browser", True)
    page.wait_for_selector(SECTION, state="visible", timeout=30_000)


def open_bucket(page, bucket: str = BUCKET) -> None:
    """Go to the bucket list (if needed) and open `bucket` with a double-click."""
    crumb = page.locator(".jp-mlstudio-s3-breadcrumbs .jp-mlstudio-s3-crumb-bucket")
    if crumb.count() and crumb.inner_text() == bucket:
        return
    page.wait_for_selector(f".jp-mlstudio-s3-item[data-kind='bucket'][data-bucket='{bucket}']")
    page.dblclick(f".jp-mlstudio-s3-item[data-bucket='{bucket}']")
    page.wait_for_selector(
        f".jp-mlstudio-s3-breadcrumbs .jp-mlstudio-s3-crumb-bucket:text-is('{bucket}')"
    )
    page.wait_for_selector(f"{SECTION}[data-loading='false']")


def test_upload_download_delete(page, lab_server, tmp_path):
    s3 = lab_server.s3_client()
    name = f"ui-{secrets.token_hex(4)}.bin"
    body = os.urandom(300_000) + b"\x00end"

    open_s3_browser(page, lab_server)
    open_bucket(page)

    # Upload through the section's file input: a progress row, then the object.
    page.set_input_files(
        "input[type=file].jp-mlstudio-s3-upload-input",
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": body}],
    )
    page.wait_for_selector(f".jp-mlstudio-s3-progress[data-key='{name}']", state="attached")
    page.wait_for_selector(_row(name), timeout=30_000)
    assert s3.get_object(Bucket=BUCKET, Key=name)["Body"].read() == body
    assert "KiB" in page.inner_text(f"{_row(name)} .jp-mlstudio-s3-size")

    # Download the selected object from the toolbar: the same bytes arrive.
    page.click(_row(name))
    with page.expect_download(timeout=30_000) as info:
        page.click(f"{SECTION} [data-command='mlstudio:s3-download']")
    download = info.value
    assert download.suggested_filename == name
    with open(download.path(), "rb") as fh:
        assert fh.read() == body

    # Delete from the context menu, confirm, and the row and the object are gone.
    page.click(_row(name), button="right")
    page.click(".lm-Menu-item[data-command='mlstudio:s3-delete']")
    dialog = page.wait_for_selector(".jp-Dialog")
    assert name in dialog.inner_text()
    page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_selector(_row(name), state="detached")
    page.wait_for_selector(".jp-mlstudio-s3-message[data-level='success']")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key=name)


def test_replace_asks_and_folders_navigate(page, lab_server):
    s3 = lab_server.s3_client()
    folder = f"ui-dir-{secrets.token_hex(3)}/"
    s3.put_object(Bucket=BUCKET, Key=f"{folder}data.csv", Body=b"a,b\n1,2\n")

    open_s3_browser(page, lab_server)
    open_bucket(page)
    page.click(f"{SECTION} [data-command='mlstudio:s3-refresh']")
    page.dblclick(f".jp-mlstudio-s3-item[data-kind='folder'][data-prefix='{folder}']")
    page.wait_for_selector(_row(f"{folder}data.csv"))
    assert page.inner_text(".jp-mlstudio-s3-breadcrumbs .jp-mod-current") == folder.rstrip("/")

    # An upload onto an existing key asks first; "Replace" overwrites it.
    page.set_input_files(
        "input[type=file].jp-mlstudio-s3-upload-input",
        files=[{"name": "data.csv", "mimeType": "text/csv", "buffer": b"x,y\n3,4\n"}],
    )
    dialog = page.wait_for_selector(".jp-Dialog")
    assert "already exists" in dialog.inner_text()
    page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_selector(
        f".jp-mlstudio-s3-progress[data-key='{folder}data.csv'][data-status='done']"
    )
    assert s3.get_object(Bucket=BUCKET, Key=f"{folder}data.csv")["Body"].read() == b"x,y\n3,4\n"

    # Up goes back to the bucket's top level.
    page.click(f"{SECTION} [data-command='mlstudio:s3-up']")
    page.wait_for_selector(f".jp-mlstudio-s3-item[data-prefix='{folder}']")
    s3.delete_object(Bucket=BUCKET, Key=f"{folder}data.csv")


def test_create_bucket_and_errors_are_inline_messages(page, lab_server):
    s3 = lab_server.s3_client()
    bucket = f"ui-{secrets.token_hex(4)}"
    open_s3_browser(page, lab_server)
    page.wait_for_selector(".jp-mlstudio-s3-item[data-kind='bucket']")
    if page.locator(".jp-mlstudio-s3-breadcrumbs .jp-mlstudio-s3-crumb-bucket").count():
        page.click(".jp-mlstudio-s3-breadcrumbs .jp-mlstudio-s3-crumb-root")

    # Create a bucket from the toolbar; it is listed and selected.
    page.click(f"{SECTION} [data-command='mlstudio:s3-create-bucket']")
    page.fill(".jp-Dialog input", bucket)
    page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_selector(f".jp-mlstudio-s3-item[data-bucket='{bucket}'].jp-mod-selected")
    s3.head_bucket(Bucket=bucket)

    # The bucket disappears behind the browser's back: refresh says so inline.
    open_bucket(page, bucket)
    s3.delete_bucket(Bucket=bucket)
    page.click(f"{SECTION} [data-command='mlstudio:s3-refresh']")
    message = page.wait_for_selector(".jp-mlstudio-s3-message[data-level='error']")
    text = message.inner_text()
    assert "no such bucket" in text.lower()
    assert "Traceback" not in text and "Error:" not in text

    # An invalid search key is refused with the server's reason, inline too.
    page.click(".jp-mlstudio-s3-breadcrumbs .jp-mlstudio-s3-crumb-root")
    open_bucket(page)
    page.click(f"{SECTION} [data-command='mlstudio:s3-search']")
    page.fill("input.jp-mlstudio-s3-search", "../nope")
    page.press("input.jp-mlstudio-s3-search", "Enter")
    message = page.wait_for_selector(
        ".jp-mlstudio-s3-message[data-level='error']:has-text('segment')"
    )
    assert "'..'" in message.inner_text()


def test_upload_to_s3_from_the_file_browser(page, lab_server):
    s3 = lab_server.s3_client()
    name = f"ws-{secrets.token_hex(3)}.txt"
    (lab_server.home / "work" / name).write_text("from the workspace\n")

    open_lab(page, lab_server)
    open_left_panel(page, "filebrowser", "#filebrowser")
    page.click("#filebrowser [data-command='filebrowser:refresh']")
    item = page.wait_for_selector(f".jp-DirListing-item[data-isdir='false']:has-text('{name}')")
    item.click(button="right")
    page.click(".lm-Menu-item[data-command='mlstudio:s3-upload-from-workspace']")
    field = page.wait_for_selector(".jp-Dialog input")
    assert field.input_value() == "mlstudio/"
    field.fill("mlstudio/from-workspace/")
    page.click(".jp-Dialog .jp-mod-accept")
    # The server copies the file into S3; the progress toast gives way to the outcome
    # (an error toast would say why), and no "Uploading…" toast is left behind.
    outcome = page.wait_for_selector(
        f".Toastify__toast:has-text('Uploaded {name}'), .Toastify__toast--error", timeout=60_000
    )
    assert f"Uploaded {name}" in outcome.inner_text(), outcome.inner_text()
    page.wait_for_selector(f".Toastify__toast:has-text('Uploading {name}')", state="detached")
    deadline = time.monotonic() + 60
    while True:
        try:
            body = s3.get_object(Bucket=BUCKET, Key=f"from-workspace/{name}")["Body"].read()
            break
        except s3.exceptions.NoSuchKey:
            assert time.monotonic() < deadline, "the workspace file never reached S3"
            time.sleep(0.5)
    assert body == b"from the workspace\n"
    assert page.locator(".Toastify__toast--error").count() == 0
    s3.delete_object(Bucket=BUCKET, Key=f"from-workspace/{name}")


def _seed_screenshot_objects(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="datasets/", Body=b"")
    s3.put_object(
        Bucket=BUCKET,
        Key="datasets/iris.csv",
        Body=b"sepal_length,sepal_width,species\n5.1,3.5,setosa\n6.2,3.4,virginica\n",
    )
    s3.put_object(Bucket=BUCKET, Key="models/xgb/model.tar.gz", Body=b"m" * 180_000)
    s3.put_object(Bucket=BUCKET, Key="config.json", Body=b'{"epochs": 10, "lr": 0.1}')
    s3.put_object(Bucket=BUCKET, Key="README.md", Body=b"# Demo data\n")
    s3.put_object(Bucket=BUCKET, Key="train.parquet", Body=b"PAR1" + b"\0" * 2_500_000)
    s3.put_object(Bucket=BUCKET, Key="notebooks/explore.ipynb", Body=b"{}")


def test_s3_browser_in_light_and_dark_themes(page, lab_server):
    _seed_screenshot_objects(lab_server.s3_client())
    ARTIFACTS.mkdir(exist_ok=True)
    colors = {}
    open_lab(page, lab_server)
    for theme, tag in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        set_theme(page, lab_server, theme)
        open_sidebar(page)
        # Room for the S3 section: fold the other sections for the picture.
        titles = _titles(page)
        for label in titles:
            _set_expanded(page, label, label == "S3 Browser")
        page.wait_for_selector(SECTION, state="visible")
        open_bucket(page)
        page.wait_for_selector(_row("config.json"))
        page.click(_row("config.json"))
        page.eval_on_selector(f"{SECTION} .jp-mlstudio-s3-list", "el => { el.scrollTop = 0; }")
        page.mouse.move(700, 450)
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"s3-{tag}.png"))
        colors[tag] = page.eval_on_selector(
            f"{SECTION} .jp-mlstudio-s3-list", "el => getComputedStyle(el).color"
        )
        for label in titles:
            _set_expanded(page, label, True)
    set_theme(page, lab_server, "JupyterLab Light")
    assert colors["light"] != colors["dark"]
