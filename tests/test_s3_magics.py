"""``%s3`` magics and the files module, in a real IPython shell against real SeaweedFS."""
from __future__ import annotations

import os
import uuid

import pytest
import requests
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell


@pytest.fixture
def ip(s3_env):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_mlstudio")
    return shell


@pytest.fixture
def prefix():
    return f"s3://mlstudio/magics-{uuid.uuid4().hex[:8]}"


def test_cp_up_ls_down_rm(ip, prefix, tmp_path, capsys):
    src = tmp_path / "data.csv"
    src.write_bytes(os.urandom(3 * 1024 * 1024))
    ip.run_line_magic("s3", f"cp {src} {prefix}/in/")
    out = capsys.readouterr()
    assert "copied 1 file" in out.out
    ip.run_line_magic("s3", f"ls {prefix}")
    out = capsys.readouterr().out
    assert "in/" in out and "PRE" in out
    ip.run_line_magic("s3", f"ls {prefix}/in")
    assert "data.csv" in capsys.readouterr().out
    back = tmp_path / "back.csv"
    ip.run_line_magic("s3", f"cp {prefix}/in/data.csv {back}")
    assert back.read_bytes() == src.read_bytes()
    ip.run_line_magic("s3", f"rm {prefix}/in/data.csv")
    assert "deleted 1 object" in capsys.readouterr().out
    ip.run_line_magic("s3", f"ls {prefix}/in/")
    assert "nothing under" in capsys.readouterr().out


def test_recursive_copy_between_folders_and_buckets(ip, prefix, tmp_path, capsys, s3_env):
    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "top.txt").write_text("top")
    (tree / "a" / "b" / "deep ünï.txt").write_text("deep")
    ip.run_line_magic("s3", f"cp --recursive {tree} {prefix}/tree")
    assert "copied 2 files" in capsys.readouterr().out
    s3_env.client().create_bucket(Bucket="other-bucket") if "other-bucket" not in [
        b["Name"] for b in s3_env.client().list_buckets()["Buckets"]] else None
    ip.run_line_magic("s3", f"cp -r {prefix}/tree s3://other-bucket/copy/")
    assert "copied 2 files" in capsys.readouterr().out
    out_dir = tmp_path / "out"
    ip.run_line_magic("s3", f"cp -r s3://other-bucket/copy/ {out_dir}")
    assert (out_dir / "a" / "b" / "deep ünï.txt").read_text() == "deep"
    ip.run_line_magic("s3", f"rm -r {prefix}/tree")
    assert "deleted 2 objects" in capsys.readouterr().out


def test_presign_returns_a_working_link(ip, prefix, tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("link me")
    ip.run_line_magic("s3", f"cp {f} {prefix}/f.txt")
    url = ip.run_line_magic("s3", f"presign --expires 60 {prefix}/f.txt")
    assert requests.get(url, timeout=10).text == "link me"


@pytest.mark.parametrize(
    "line, message",
    [
        ("ls http://not-s3/x", "not an s3:// URI"),
        ("ls s3://mlstudio/a/../b", "'..' segment"),
        ("ls s3://no-such-bucket-here/", "no such bucket"),
        ("cp /definitely/missing/file s3://mlstudio/x", "no file"),
        ("cp a b", "one side of cp must be an s3:// URI"),
        ("rm s3://mlstudio/folder/", "use --recursive"),
        ("presign --expires 99999999 s3://mlstudio/x", "between 1 second and 7 days"),
        ("frobnicate", "invalid choice"),
    ],
)
def test_bad_input_is_a_readable_usage_error(ip, line, message):
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("s3", line)
