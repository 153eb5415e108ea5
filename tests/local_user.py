"""Run code as another local account, the way a second user of a shared machine would."""
from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess

import pytest

PROBE_USER = "mlstudio-probe"
SYSTEM_PYTHON = "/usr/bin/python3"


def other_user() -> str:
    """The name of an unprivileged account (created when missing); skips when not root."""
    if os.geteuid() != 0:
        pytest.skip("creating and switching to another local account needs root")
    if not shutil.which("runuser") or not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip("runuser or the system python3 is missing")
    try:
        pwd.getpwnam(PROBE_USER)
    except KeyError:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                               "/usr/sbin/nologin", PROBE_USER], capture_output=True, text=True)
        # 9: made meanwhile by a test in another worker.
        assert made.returncode in (0, 9), made.stderr
    return PROBE_USER


def run_as_other_user(script: str, *args: str, timeout: float = 120) -> dict:
    """Run ``script`` (Python source printing one JSON document) as the other account
    with the system Python and no environment of ours; return what it printed."""
    user = other_user()
    proc = subprocess.run(
        [shutil.which("runuser") or "runuser", "-u", user, "--",
         SYSTEM_PYTHON, "-I", "-c", script, *args],
        capture_output=True, text=True, timeout=timeout, cwd="/",
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
