"""Every shipped example runs top to bottom on the embedded defaults (real kernels, real S3)."""
from __future__ import annotations

import subprocess

import pytest

from tests.servers import JUPYTER, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("validate") / "home")
    yield server
    server.stop()


def test_cli_validates_all_shipped_examples(server):
    env = {**server.env(), "JUPYTER_MLSTUDIO_URL": server.url,
           "JUPYTER_MLSTUDIO_TOKEN": server.token}
    result = subprocess.run([JUPYTER, "mlstudio", "examples", "validate"], env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed, 0 failed" in result.stdout, result.stdout
    listing = subprocess.run([JUPYTER, "mlstudio", "examples", "list"], env=env,
                             capture_output=True, text=True, timeout=60)
    shipped = [ln for ln in listing.stdout.splitlines() if "builtin:" in ln]
    assert len(shipped) == 5 and all(ln.startswith("passing") for ln in shipped), listing.stdout
