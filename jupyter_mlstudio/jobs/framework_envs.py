"""Python environments standing in for SageMaker framework images, built on first use.

A framework image names a framework and its version in the tag
(``sagemaker-scikit-learn:1.2-1-cpu-py3`` is scikit-learn 1.2,
``pytorch-training:2.1.0-cpu-py310`` PyTorch 2.1). Such a job runs in a venv holding that
framework at that major.minor version (the newest patch release with a wheel for this
Python; the nearest minor version of the same major release where that has none, said in
the job log), what the image carries besides (pandas for scikit-learn, …) and SageMaker's
toolkits ``sagemaker-training`` and ``sagemaker-inference``. An environment is built once,
in place, under a lock (two jobs never build the same one twice) and is complete once its
record file exists; a half-built one is built again.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..sagemaker.images import framework_of

RECORD = "mlstudio-framework-env.json"
PIP_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Framework:
    """How a framework's image is reproduced: its PyPI package, what the image carries
    besides it, and the first release built for NumPy 2 (older ones get ``numpy<2``)."""

    package: str
    extras: tuple[str, ...] = ()
    numpy2_from: tuple[int, int] | None = None


FRAMEWORKS: dict[str, Framework] = {
    "sklearn": Framework("scikit-learn", ("pandas", "joblib"), (1, 4)),
    "xgboost": Framework("xgboost", ("pandas", "scikit-learn"), (2, 1)),
    "pytorch": Framework("torch", (), (2, 3)),
    "tensorflow": Framework("tensorflow", (), (2, 18)),
    "mxnet": Framework("mxnet", (), None),
    "huggingface": Framework("transformers", (), (4, 41)),
}
TOOLKITS = ("sagemaker-training", "sagemaker-inference")
_VERSION = re.compile(r"^(\d+)\.(\d+)")
_TRANSFORMERS = re.compile(r"-transformers(\d+)\.(\d+)")


class FrameworkEnvError(Exception):
    """No environment can be built for the image (the message says why)."""


@dataclass(frozen=True)
class ImageFramework:
    """What a framework image asks for: the framework and its major.minor version."""

    image: str
    framework: str
    release: tuple[int, int]
    torch: tuple[int, int] | None = None  # Hugging Face images: the PyTorch under it

    @property
    def name(self) -> str:
        """The environment's folder name, e.g. ``sklearn-1.2-py311``."""
        py = f"py{sys.version_info.major}{sys.version_info.minor}"
        torch = f"-torch{self.torch[0]}.{self.torch[1]}" if self.torch else ""
        return f"{self.framework}-{self.release[0]}.{self.release[1]}{torch}-{py}"


def image_framework(image: str | None) -> ImageFramework | None:
    """The framework and version a SageMaker framework image's tag names, if it does."""
    framework = framework_of(image)
    if not framework or not image:
        return None
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    match = _VERSION.match(tag)
    if not match:
        return None
    release = (int(match.group(1)), int(match.group(2)))
    if framework == "huggingface":
        transformers = _TRANSFORMERS.search(tag)
        if not transformers or "tensorflow" in image:
            return None
        return ImageFramework(image, framework,
                              (int(transformers.group(1)), int(transformers.group(2))),
                              torch=release)
    return ImageFramework(image, framework, release)


def installed_release(package: str, python: str = sys.executable) -> tuple[int, int] | None:
    """The major.minor version of ``package`` in the server's own Python, if present."""
    if python != sys.executable:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        match = _VERSION.match(version(package))
    except PackageNotFoundError:
        return None
    return (int(match.group(1)), int(match.group(2))) if match else None


def served_by_server(wanted: ImageFramework) -> bool:
    """Whether the server's own Python already has the image's framework version."""
    fw = FRAMEWORKS[wanted.framework]
    if installed_release(fw.package) != wanted.release:
        return False
    return wanted.torch is None or installed_release("torch") == wanted.torch


def available_versions(package: str) -> list[str]:
    """Releases of ``package`` with a wheel for this Python, newest first (pip's index)."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", package, "--only-binary=:all:",
         "--disable-pip-version-check"],
        capture_output=True, text=True, timeout=120)
    for line in result.stdout.splitlines():
        if line.startswith("Available versions:"):
            return [v.strip() for v in line.partition(":")[2].split(",") if v.strip()]
    detail = (result.stderr or result.stdout).strip().splitlines()
    raise FrameworkEnvError(f"pip found no release of {package} for Python "
                            f"{sys.version_info.major}.{sys.version_info.minor}"
                            + (f": {detail[-1]}" if detail else ""))


def choose_release(package: str, wanted: tuple[int, int],
                   versions: list[str]) -> tuple[int, int]:
    """``wanted`` if a release of it is installable, else the nearest minor version of the
    same major release (the newer one on a tie); none: an error naming what exists."""
    releases = {(int(m.group(1)), int(m.group(2)))
                for m in (_VERSION.match(v) for v in versions) if m}
    if wanted in releases:
        return wanted
    same_major = [r for r in releases if r[0] == wanted[0]]
    if not same_major:
        have = ", ".join(f"{a}.{b}" for a, b in sorted(releases)[-6:]) or "none"
        raise FrameworkEnvError(
            f"{package} {wanted[0]}.{wanted[1]} cannot be installed for Python "
            f"{sys.version_info.major}.{sys.version_info.minor} (releases with a wheel for "
            f"it: {have})")
    return min(same_major, key=lambda r: (abs(r[1] - wanted[1]), -r[1]))


def requirements(wanted: ImageFramework, release: tuple[int, int]) -> list[str]:
    """What pip installs for the image: the framework at ``release``, what the image
    carries, the toolkits, and ``numpy<2`` for frameworks built before NumPy 2."""
    fw = FRAMEWORKS[wanted.framework]
    reqs = [f"{fw.package}=={release[0]}.{release[1]}.*", *fw.extras, *TOOLKITS]
    if wanted.torch:
        reqs.append(f"torch=={wanted.torch[0]}.{wanted.torch[1]}.*")
    old = fw.numpy2_from is not None and release < fw.numpy2_from
    if fw.numpy2_from is None or old or (wanted.torch and wanted.torch < (2, 3)):
        reqs.append("numpy<2")
    return reqs


def read_record(env: Path) -> dict | None:
    try:
        return json.loads((env / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str | os.PathLike[str]], say: Callable[[str], None],
         should_stop: Callable[[], bool]) -> int:
    """Run ``command`` with its output line by line to ``say``; killed when
    ``should_stop`` says so (checked at every line)."""
    proc = subprocess.Popen([str(c) for c in command], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                                 "PYTHONPATH": ""})
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.strip():
                say(line.rstrip())
            if should_stop():
                proc.kill()
                break
        return proc.wait(timeout=PIP_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def ensure(root: Path, wanted: ImageFramework, say: Callable[[str], None],
           should_stop: Callable[[], bool] = lambda: False,
           pip_options: tuple[str, ...] = ()) -> str:
    """The Python of the environment for ``wanted``, built under ``root`` if not yet
    there; the build's progress goes to ``say``. Raises :class:`FrameworkEnvError`."""
    env = root / wanted.name
    python = env / "bin" / "python"
    record = read_record(env)
    if record is not None:
        say(f"framework environment {wanted.name}: {record['summary']} (cached)")
        return str(python)
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f".{wanted.name}.lock"):
        record = read_record(env)  # another job may have built it meanwhile
        if record is not None:
            say(f"framework environment {wanted.name}: {record['summary']} (built meanwhile)")
            return str(python)
        return _build(env, wanted, say, should_stop, pip_options)


def _build(env: Path, wanted: ImageFramework, say: Callable[[str], None],
           should_stop: Callable[[], bool], pip_options: tuple[str, ...]) -> str:
    package = FRAMEWORKS[wanted.framework].package
    release = choose_release(package, wanted.release, available_versions(package))
    if release != wanted.release:
        say(f"{package} {wanted.release[0]}.{wanted.release[1]} (named by {wanted.image}) "
            f"has no release installable for Python {sys.version_info.major}."
            f"{sys.version_info.minor}; using {release[0]}.{release[1]}, the nearest")
    reqs = requirements(wanted, release)
    say(f"building the framework environment {wanted.name} for {wanted.image}: "
        f"{' '.join(reqs)} (first use; later jobs reuse it)")
    shutil.rmtree(env, ignore_errors=True)  # a build that did not finish
    python = env / "bin" / "python"
    if _run([sys.executable, "-m", "venv", "--without-pip", env], say, should_stop) != 0:
        raise FrameworkEnvError(f"could not create a venv at {env}")
    code = _run([sys.executable, "-m", "pip", "--python", python, "install",
                 "--progress-bar", "off", "--only-binary", package, *pip_options, *reqs],
                say, should_stop)
    if should_stop():
        raise FrameworkEnvError("stopped while the framework environment was being built")
    if code != 0:
        raise FrameworkEnvError(f"pip could not install {' '.join(reqs)} (exit code {code}; "
                                "the job log has pip's output)")
    found = subprocess.run([python, "-c", f"import importlib.metadata as m; "
                            f"print(m.version({package!r}))"],
                           capture_output=True, text=True, timeout=120)
    summary = f"{package} {found.stdout.strip() or '?'}"
    (env / RECORD).write_text(json.dumps({"image": wanted.image, "summary": summary,
                                          "requirements": reqs}), "utf-8")
    say(f"framework environment {wanted.name} is ready: {summary}")
    return str(python)
