"""The installed package: server extension enabled and lab extension OK with no manual step."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.servers import JUPYTER


def _run(*args: str) -> str:
    result = subprocess.run([JUPYTER, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def test_server_extension_is_enabled():
    out = _run("server", "extension", "list")
    assert re.search(r"jupyter_mlstudio\s+enabled", out), out
    assert re.search(r"jupyter_mlstudio\s+\S+\s+OK", out), out


@pytest.mark.slow
def test_lab_extension_is_enabled_and_ok():
    out = _run("labextension", "list")
    assert re.search(r"jupyter-mlstudio v\S+ enabled OK", out), out
