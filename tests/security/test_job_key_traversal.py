"""S3 keys that climb out of a folder never reach the disk: channels, ``%s3 cp``."""
from __future__ import annotations

import os

import pytest

from jupyter_mlstudio.s3 import files
from jupyter_mlstudio.s3.errors import S3Error
from jupyter_mlstudio.s3.localpaths import UnsafeKey, local_path, relative_key
from tests.security.moto_s3 import channel, files_under, job_request, moto_s3, run_runner

#: Keys under ``data/train/`` that must not be copied to disk, and why.
CLIMBING = [
    "data/train/../../../../../escaped",
    "data/train/..",
    "data/train/./b",
    "data/train/a//b",
    "data/train//../escaped",
    "data/train/a\\..\\..\\escaped",
]

LIST_SCRIPT = """
import os
for root, dirs, names in os.walk(os.environ["SM_CHANNEL_TRAIN"]):
    for n in names:
        print("FILE", os.path.relpath(os.path.join(root, n), os.environ["SM_CHANNEL_TRAIN"]))
"""


@pytest.fixture(scope="module")
def store():
    with moto_s3() as s3:
        yield s3


@pytest.mark.parametrize("rel, why", [
    ("../x", "'..'"), ("a/./b", "'.'"), ("a//b", "'//'"), ("/abs", "absolute"),
    ("..", "'..'"), ("a\\..\\x", "'..'"), ("", "no file"), ("a\x00b", "NUL"),
])
def test_local_path_refuses_climbing_paths(tmp_path, rel, why):
    with pytest.raises(UnsafeKey) as err:
        local_path(tmp_path, rel, f"k/{rel}")
    assert why in err.value.message and repr(f"k/{rel}") in err.value.message


def test_local_path_refuses_links_out_and_keeps_plain_names(tmp_path):
    target = tmp_path / "target"
    (target / "inside").mkdir(parents=True)
    (target / "out").symlink_to(tmp_path)
    with pytest.raises(UnsafeKey, match="symbolic link"):
        local_path(target, "out/x")
    assert local_path(target, "inside/a\\b.csv") == target / "inside" / "a\\b.csv"
    assert relative_key("data/train//x", "data/train/") == "x"
    assert relative_key("data/train/x", "data/train") == "x"
    assert relative_key("data/train.csv", "data/train.csv") == "train.csv"


@pytest.mark.parametrize("bad", CLIMBING)
def test_recursive_cp_refuses_before_writing(store, tmp_path, bad):
    store.client.put_object(Bucket="traversal", Key="data/train/ok.csv", Body=b"ok")
    store.client.put_object(Bucket="traversal", Key=bad, Body=b"evil")
    dest = tmp_path / "a" / "b" / "c" / "d" / "dest"
    dest.mkdir(parents=True)
    try:
        with pytest.raises(S3Error) as err:
            files.cp("s3://traversal/data/train/", str(dest), recursive=True, s3=store.client)
    finally:
        store.client.delete_object(Bucket="traversal", Key=bad)
    assert err.value.reason == "UnsafeKey" and repr(bad) in err.value.message
    assert files_under(tmp_path) == set()  # nothing half-written, nothing outside


def test_recursive_cp_through_a_link_in_the_target_is_refused(store, tmp_path):
    store.client.put_object(Bucket="traversal", Key="linked/out/x.csv", Body=b"evil")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "out").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(UnsafeKey):
        files.cp("s3://traversal/linked/", str(dest), recursive=True, s3=store.client)
    assert files_under(tmp_path / "elsewhere") == set()


def test_plain_keys_with_backslashes_copy_inside(store, tmp_path):
    store.client.put_object(Bucket="traversal", Key="plain/a\\b.csv", Body=b"1")
    store.client.put_object(Bucket="traversal", Key="plain/sub/c.csv", Body=b"2")
    pairs = files.cp("s3://traversal/plain", str(tmp_path / "d"), recursive=True,
                     s3=store.client)
    assert len(pairs) == 2
    assert files_under(tmp_path) == {tmp_path / "d" / "a\\b.csv", tmp_path / "d" / "sub" / "c.csv"}


@pytest.mark.parametrize("layout", [
    {"mode": "File", "distribution": "FullyReplicated", "count": 1},
    {"mode": "FastFile", "distribution": "FullyReplicated", "count": 1},
    {"mode": "File", "distribution": "ShardedByS3Key", "count": 2},
])
def test_channel_with_climbing_key_fails_the_job(store, tmp_path, layout):
    bad = CLIMBING[0]
    for key in ("data/train/ok-1.csv", "data/train/ok-2.csv", bad):
        store.client.put_object(Bucket="traversal", Key=key, Body=b"x")
    job_dir = tmp_path / "a" / "b" / "job"
    request = job_request("climb", [channel("train", "s3://traversal/data/train/",
                                            layout["distribution"], layout["mode"])],
                          count=layout["count"], mode=layout["mode"])
    try:
        state = run_runner(job_dir, request, LIST_SCRIPT, store.environment())
    finally:
        store.client.delete_object(Bucket="traversal", Key=bad)
    assert state["TrainingJobStatus"] == "Failed", state
    assert repr(bad) in state["FailureReason"] and "channel train" in state["FailureReason"]
    outside = {p for p in files_under(tmp_path) if job_dir not in p.parents
               and p.parent != tmp_path / "a" / "b" / "code"}
    assert outside == set()
    assert not (job_dir / "data").exists() or files_under(job_dir / "data") == set()


def test_channel_layout_is_the_key_below_the_prefix(store, tmp_path):
    for key in ("layout/train/a.csv", "layout/train/sub/b.csv", "layout/train/c\\d.csv"):
        store.client.put_object(Bucket="traversal", Key=key, Body=b"x")
    request = job_request("layout", [channel("train", "s3://traversal/layout/train")])
    state = run_runner(tmp_path / "job", request, LIST_SCRIPT, store.environment())
    assert state["TrainingJobStatus"] == "Completed", state.get("FailureReason")
    listed = {line[5:] for line in (tmp_path / "job" / "output.log").read_text().splitlines()
              if line.startswith("FILE ")}
    assert listed == {"a.csv", os.path.join("sub", "b.csv"), "c\\d.csv"}


def test_s3_magic_names_the_refused_key(store, tmp_path, monkeypatch):
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    for name, value in store.environment().items():
        monkeypatch.setenv(name, value)
    bad = "magic/../../escaped"
    store.client.put_object(Bucket="traversal", Key=bad, Body=b"evil")
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_mlstudio")
    dest = tmp_path / "a" / "dest"
    try:
        with pytest.raises(UsageError, match="refusing to copy"):
            shell.run_line_magic("s3", f"cp --recursive s3://traversal/magic {dest}")
    finally:
        store.client.delete_object(Bucket="traversal", Key=bad)
    assert files_under(tmp_path) == set()
