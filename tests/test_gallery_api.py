"""The example gallery API through a real Jupyter server, with real notebooks on disk."""
from __future__ import annotations

import asyncio
import base64
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.procs import eventually
from tests.rest_support import rest_api


@pytest.fixture
def dirs(tmp_path):
    d = {"reviewed": tmp_path / "reviewed", "submissions": tmp_path / "submissions"}
    for p in d.values():
        p.mkdir()
    return d


@pytest.fixture
def jp_server_config(dirs):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "Gallery": {
            "sources": [
                {"name": "builtin", "kind": "package"},
                {"name": "team", "kind": "directory", "path": str(dirs["reviewed"]),
                 "reviewed": True, "writable": True},
                {"name": "submissions", "kind": "directory", "path": str(dirs["submissions"]),
                 "reviewed": False, "writable": True},
            ],
            "max_notebook_bytes": 200_000,
        },
    }


@pytest.fixture
def api(jp_fetch, mlstudio_app):
    return rest_api(jp_fetch, "examples")


def write_nb(path, title="A title", summary="What it does.", tags=None, cells=None, **meta):
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=cells or [new_markdown_cell(f"# {title}\n\n{summary}"),
                                      new_code_cell("1 + 1")])
    if tags is not None or meta or cells:
        nb.metadata["mlstudio"] = {"tags": tags or [], **meta}
        if cells:
            nb.metadata["mlstudio"]["title"] = title
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


async def find(api, title):
    code, body = await api("GET", params={"q": title, "max_results": "500"})
    assert code == 200
    return next(e for e in body["examples"] if e["title"] == title)


async def test_lists_shipped_examples_with_metadata(api):
    code, body = await api("GET")
    assert code == 200
    titles = {e["title"] for e in body["examples"]}
    assert {"Reading and writing S3 data", "S3 from notebook magics", "R in ML Studio",
            "Your ML Studio environment"} <= titles
    s3 = next(e for e in body["examples"] if e["title"] == "Reading and writing S3 data")
    assert s3["category"] == "data" and "pandas" in s3["tags"] and s3["reviewed"]
    assert s3["kernel"] == "python3" and s3["validation"]["status"] == "not-run"
    assert "/" not in base64.urlsafe_b64decode(s3["id"] + "==").decode().split("\n")[0]
    assert {"data", "r", "getting-started"} <= set(body["categories"])


async def test_filters_pagination_and_markdown_fallback(api, dirs):
    for i in range(5):
        write_nb(dirs["reviewed"] / "bulk" / f"n{i}.ipynb", title=f"Bulk number {i}",
                 summary=f"Summary *{i}* here.")
    code, body = await api("GET", params={"category": "bulk", "max_results": "2"})
    assert body["total"] == 5 and len(body["examples"]) == 2 and body["next_token"] == "2"
    code, rest = await api("GET", params={"category": "bulk", "max_results": "10",
                                          "next_token": body["next_token"]})
    assert len(rest["examples"]) == 3 and rest["next_token"] is None
    first = body["examples"][0]
    assert first["title"] == "Bulk number 0" and first["summary"] == "Summary 0 here."
    code, body = await api("GET", params={"tag": "pandas"})
    assert [e["title"] for e in body["examples"]] == ["Reading and writing S3 data"]
    code, body = await api("GET", params={"q": "linear model"})
    assert [e["title"] for e in body["examples"]] == ["R in ML Studio"]
    code, body = await api("GET", params={"max_results": "x"})
    assert code == 400


async def test_corrupt_and_huge_notebooks_show_as_invalid(api, dirs):
    (dirs["reviewed"] / "broken.ipynb").write_text("{not json")
    (dirs["reviewed"] / "huge.ipynb").write_bytes(b" " * 300_000)
    write_nb(dirs["reviewed"] / "fine.ipynb", title="Still fine")
    code, body = await api("GET", params={"source": "team"})
    assert code == 200
    by_name = {e["name"]: e for e in body["examples"]}
    assert not by_name["broken.ipynb"]["valid"] and "invalid notebook" in by_name[
        "broken.ipynb"]["error"]
    assert not by_name["huge.ipynb"]["valid"] and by_name["huge.ipynb"]["validation"][
        "status"] == "invalid"
    assert by_name["fine.ipynb"]["valid"]
    code, body = await api("GET", by_name["broken.ipynb"]["id"], "preview")
    assert code == 422


async def test_cache_is_invalidated_by_changes(api, dirs):
    path = write_nb(dirs["reviewed"] / "changing.ipynb", title="Before")
    assert (await find(api, "Before"))["name"] == "changing.ipynb"
    write_nb(path, title="After the edit", summary="longer summary text now")
    assert (await find(api, "After the edit"))["name"] == "changing.ipynb"


async def test_preview_is_sanitised(api, dirs):
    cell = new_code_cell("display(HTML(...))", outputs=[new_output(
        "display_data", data={"text/html": "<b>bold</b><script>alert('owned')</script>",
                              "text/plain": "x"})])
    write_nb(dirs["reviewed"] / "evil.ipynb", title="Evil", cells=[
        new_markdown_cell("# Evil\n\n<img src=x onerror=alert(1)> <script>alert(2)</script>"),
        cell])
    example = await find(api, "Evil")
    resp = await api("GET", example["id"], "preview", raw=True)
    assert resp.code == 200
    html = resp.body.decode()
    assert not re.search(r"<script[^>]*>\s*alert", html)
    assert not re.search(r"<[^>]+\sonerror\s*=", html)
    assert "<b>bold</b>" in html
    assert re.search(r"<h1[^>]*>Evil", html)  # markdown renders as markup, not escaped text
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    assert "script-src 'none'" in resp.headers["Content-Security-Policy"]


async def test_use_copies_without_overwriting(api, jp_root_dir):
    example = await find(api, "Reading and writing S3 data")
    code, first = await api("POST", example["id"], "use", body={"folder": "mine"})
    assert code == 201 and first["path"] == "mine/s3-read-write.ipynb"
    (jp_root_dir / first["path"]).write_text("my edits")  # must survive
    results = await asyncio.gather(*[
        api("POST", example["id"], "use", body={"folder": "mine", "strip_outputs": True})
        for _ in range(2)])
    paths = sorted(body["path"] for _, body in results)
    assert paths == ["mine/s3-read-write-1.ipynb", "mine/s3-read-write-2.ipynb"]
    assert (jp_root_dir / first["path"]).read_text() == "my edits"
    nb = nbformat.read(jp_root_dir / paths[0], as_version=4)
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    code, body = await api("POST", example["id"], "use",
                           body={"folder": "x", "name": "ünïcode näme"})
    assert code == 201 and body["path"] == "x/ünïcode näme.ipynb"


@pytest.mark.parametrize("body, reason", [
    ({"folder": "../outside"}, "PathOutsideWorkspace"),
    ({"folder": "/etc"}, "PathOutsideWorkspace"),
    ({"name": "../escape.ipynb"}, "InvalidName"),
    ({"name": ".hidden"}, "InvalidName"),
    ({"folder": 3}, "InvalidArgument"),
    ({"name": "n" * 300}, "InvalidName"),
    ({"name": "é" * 200}, "InvalidName"),  # 200 characters, 400 bytes
    ({"folder": "f" * 300}, "InvalidPath"),
    ({"folder": "/".join(["d" * 200] * 25)}, "InvalidPath"),
    ({"folder": "a\u0000b"}, "InvalidPath"),
    ({"name": "a\u0000b"}, "InvalidName"),
    ({"folder": "a/../../b"}, "PathOutsideWorkspace"),
    ({"strip_outputs": "no"}, "InvalidArgument"),
])
async def test_use_rejects_bad_destinations(api, body, reason):
    example = await find(api, "S3 from notebook magics")
    code, reply = await api("POST", example["id"], "use", body=body)
    assert code == 400 and reply["reason"] == reason


@pytest.mark.parametrize("example_id, status", [
    ("!!notbase64", 404),  # does not match the route
    (base64.urlsafe_b64encode(b"builtin\n../../etc/passwd.ipynb").decode().rstrip("="), 400),
    (base64.urlsafe_b64encode(b"builtin\n/etc/x.ipynb").decode().rstrip("="), 400),
    (base64.urlsafe_b64encode(b"nosource\na.ipynb").decode().rstrip("="), 404),
    (base64.urlsafe_b64encode(b"builtin\nmissing.ipynb").decode().rstrip("="), 404),
    ("AAAA", 400),
    (base64.urlsafe_b64encode(b"builtin\n" + b"x" * 300 + b".ipynb").decode().rstrip("="), 400),
])
async def test_bad_ids(api, example_id, status):
    code, body = await api("GET", example_id)
    assert code == status
    assert body is None or "message" in body


async def test_submit_review_and_delete(api, jp_root_dir, dirs, mlstudio_app):
    write_nb(jp_root_dir / "work" / "my analysis.ipynb", title="Mine")
    code, body = await api("POST", body={"path": "work/my analysis.ipynb", "title": "Churn model",
                                         "summary": "Predicts churn.", "tags": ["ml", "churn"],
                                         "category": "models"})
    assert code == 201, body
    assert body["reviewed"] is False and body["category"] == "models" and body["author"]
    assert body["tags"] == ["ml", "churn"] and body["title"] == "Churn model"
    assert (dirs["submissions"] / "models" / "Churn-model.ipynb").exists()
    # The same user may update their submission.
    code, again = await api("POST", body={"path": "work/my analysis.ipynb",
                                          "title": "Churn model", "category": "models",
                                          "summary": "Better."})
    assert code == 201 and again["summary"] == "Better." and again["id"] == body["id"]
    code, approved = await api("POST", body["id"], "review", body={"action": "approve"})
    assert code == 200 and approved["example"]["reviewed"] is True
    assert (dirs["reviewed"] / "models" / "Churn-model.ipynb").exists()
    assert not (dirs["submissions"] / "models" / "Churn-model.ipynb").exists()
    code, body = await api("POST", approved["example"]["id"], "review",
                           body={"action": "approve"})
    assert code == 409
    # Reject and delete.
    code, second = await api("POST", body={"path": "work/my analysis.ipynb", "title": "Draft"})
    code, rejected = await api("POST", second["id"], "review", body={"action": "reject"})
    assert code == 200 and not (dirs["submissions"] / "Draft.ipynb").exists()
    code, third = await api("POST", body={"path": "work/my analysis.ipynb", "title": "Temp"})
    resp = await api("DELETE", third["id"], raw=True)
    assert resp.code == 204 and not (dirs["submissions"] / "Temp.ipynb").exists()
    code, body = await api("POST", second["id"], "review", body={"action": "maybe"})
    assert code == 404  # rejected already: gone


async def test_submit_refuses_another_users_example(api, jp_root_dir, dirs):
    write_nb(dirs["submissions"] / "Shared-name.ipynb", title="Theirs", author="someone-else")
    write_nb(jp_root_dir / "mine.ipynb", title="Mine")
    code, body = await api("POST", body={"path": "mine.ipynb", "title": "Shared name"})
    assert code == 409 and "someone-else" in body["message"]
    assert "Theirs" in (dirs["submissions"] / "Shared-name.ipynb").read_text()
    theirs = await find(api, "Theirs")
    resp = await api("DELETE", theirs["id"], raw=True)
    assert resp.code == 403


@pytest.mark.parametrize("body, status", [
    ({"path": "../etc/passwd", "title": "x"}, 400),
    ({"path": "nope.ipynb", "title": "x"}, 404),
    ({"path": "mine.ipynb"}, 400),
    ({"path": "notebook.txt", "title": "x"}, 404),
    ({"path": "p" * 300 + ".ipynb", "title": "x"}, 400),
    ({"path": ["mine.ipynb"], "title": "x"}, 400),
    ({"path": "mine.ipynb", "title": "x", "tags": {"a": 1}}, 400),
    ({"path": "mine.ipynb", "title": "x", "tags": ["t" * 101]}, 400),
    ({"path": "mine.ipynb", "title": "bell\x07"}, 400),
    ({"path": "mine.ipynb", "title": "x", "summary": "esc\x1b[2J"}, 400),
])
async def test_submit_bad_input(api, jp_root_dir, body, status):
    write_nb(jp_root_dir / "mine.ipynb")
    (jp_root_dir / "notebook.txt").write_text("hi")
    code, reply = await api("POST", body=body)
    assert code == status and "message" in reply


async def test_validation_records_pass_and_fail(api, dirs):
    write_nb(dirs["reviewed"] / "ok.ipynb", title="Passes",
             cells=[new_code_cell("x = 21 * 2\nassert x == 42")])
    write_nb(dirs["reviewed"] / "bad.ipynb", title="Fails",
             cells=[new_code_cell("raise ValueError('broken example')")])
    write_nb(dirs["reviewed"] / "skip.ipynb", title="Skipped", tags=[], validate=False)
    ids = [(await find(api, t))["id"] for t in ("Passes", "Fails")]
    code, job = await api("POST", "validations", body={"ids": ids})
    assert code == 202 and job["total"] == 2

    async def ended():
        job = (await api("GET", "validations", ids_job))[1]
        return job["status"] != "InProgress" and job

    ids_job = job["id"]
    job = await eventually(ended, 120, interval=0.5)
    results = {r["title"]: r for r in job["results"]}
    assert results["Passes"]["status"] == "passing"
    assert results["Fails"]["status"] == "failing"
    assert "ValueError: broken example" in results["Fails"]["error"]
    assert (await find(api, "Passes"))["validation"]["status"] == "passing"
    assert (await find(api, "Fails"))["validation"]["status"] == "failing"
    assert (await find(api, "Skipped"))["validation"]["status"] == "skipped"
    code, body = await api("POST", "validations", body={"ids": "all"})
    assert code == 400
