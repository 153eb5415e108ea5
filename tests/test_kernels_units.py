"""Small parts of the kernel installers, without a server: names, options, log, jars, envs."""
from __future__ import annotations

import io
import tarfile
import threading
import zipfile

import pytest

from jupyter_mlstudio.kernels.envs import Environments
from jupyter_mlstudio.kernels.errors import KernelsError
from jupyter_mlstudio.kernels.installers.base import Option
from jupyter_mlstudio.kernels.installers.scala_jars import cached_jars, extract_jars
from jupyter_mlstudio.kernels.names import check_kernel_name

JARS = ["scala-compiler-2.13.18.jar", "scala-library-2.13.18.jar", "scala-reflect-2.13.18.jar",
        "jline-3.29.0-jdk8.jar"]


@pytest.mark.parametrize("name", ["ir", "scala", "py-env.2", "a_b", "0x"])
def test_valid_names(name):
    assert check_kernel_name(name) == name


@pytest.mark.parametrize("name", ["", "Ab", "a b", ".hidden", "-x", "a/b", "installs", None])
def test_invalid_names(name):
    with pytest.raises(KernelsError) as err:
        check_kernel_name(name)
    assert err.value.status == 400 and err.value.reason == "InvalidName"


def test_options_coerce_and_refuse():
    packages = Option("packages", "list", "", [])
    assert packages.coerce(None) == [] and packages.coerce("six\n\n tabulate ") == [
        "six", "tabulate"]
    assert packages.coerce(["numpy>=1,<3"]) == ["numpy>=1,<3"]
    with pytest.raises(KernelsError):
        packages.coerce([1])
    choice = Option("backend", "choice", "", "auto", ["auto", "builtin"])
    assert choice.coerce("builtin") == "builtin"
    with pytest.raises(KernelsError):
        choice.coerce("other")


@pytest.mark.parametrize("kind, value", [
    ("string", "/usr/bin/python3\x00-c"), ("string", "a\nb"), ("string", "x" * 100_001),
    ("text", "six\x00\n"), ("text", "six\x1b[2J"), ("list", ["six", "a\x00"]),
    ("list", ["six\r"]), ("list", ["x"] * 1001), ("bool", 1), ("string", 5),
])
def test_options_refuse_control_characters_and_huge_values(kind, value):
    with pytest.raises(KernelsError) as err:
        Option("o", kind, "", None).coerce(value)
    assert err.value.status == 400 and "option 'o'" in err.value.message


def test_text_options_keep_their_lines():
    assert Option("r", "text", "", "").coerce("six\r\n\tnumpy\n") == "six\r\n\tnumpy\n"


def _archive_members():
    return {f"pyspark-4.3.0/deps/jars/{j}": j.encode() * 10 for j in JARS} | {
        "pyspark-4.3.0/deps/jars/scala-xml_2.13-2.1.0.jar": b"no",
        "pyspark-4.3.0/deps/jars/jline-2.14.6.jar": b"no"}


def test_extract_jars_from_an_sdist_and_a_wheel(tmp_path):
    sdist = tmp_path / "pyspark.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        for name, data in _archive_members().items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    found = extract_jars(sdist, tmp_path / "a", threading.Event())
    assert sorted(found) == sorted(JARS)
    assert (tmp_path / "a" / JARS[0]).read_bytes() == JARS[0].encode() * 10

    wheel = tmp_path / "pyspark.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in _archive_members().items():
            zf.writestr(name.replace("pyspark-4.3.0/deps/jars", "pyspark/jars"), data)
    assert sorted(extract_jars(wheel, tmp_path / "b", threading.Event())) == sorted(JARS)
    assert cached_jars(tmp_path / "b") is None  # no manifest: not a cache


def test_environment_builds_roll_back_and_restore(tmp_path):
    envs = Environments(tmp_path)
    old = envs.path("k")
    old.mkdir()
    (old / "marker").write_text("old")
    build = envs.begin("k", "job1")
    assert not old.exists() and build.backup is not None
    build.env.mkdir()
    (build.env / "half").write_text("half-built")
    envs.rollback(build)
    assert (old / "marker").read_text() == "old" and not (old / "half").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if ".trash-" not in p.name) == ["k"]
