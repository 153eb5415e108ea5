"""Every shipped example runs top to bottom on the embedded defaults (real kernels, real S3)."""
from __future__ import annotations

import subprocess

import pytest

from tests.kernels_support import TEST_CACHE
from tests.servers import JUPYTER, start_server

pytestmark = [pytest.mark.slow, pytest.mark.kernel]

SHIPPED = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The Scala jars come from the cache the kernel tests share: downloaded once, not per run.
    server = start_server(tmp_path_factory.mktemp("validate") / "home", "server",
                          f"--ScalaKernelInstaller.cache_dir={TEST_CACHE / 'scala'}")
    yield server
    server.stop()


def test_cli_validates_all_shipped_examples(server):
    env = {**server.env(), "JUPYTER_MLSTUDIO_URL": server.url,
           "JUPYTER_MLSTUDIO_TOKEN": server.token}
    # The Scala example needs the Scala kernel, which a user installs the same way.
    installed = subprocess.run([JUPYTER, "mlstudio", "kernels", "install", "scala"], env=env,
                               capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    result = subprocess.run([JUPYTER, "mlstudio", "examples", "validate"], env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{SHIPPED} passed, 0 failed" in result.stdout, result.stdout
    listing = subprocess.run([JUPYTER, "mlstudio", "examples", "list"], env=env,
                             capture_output=True, text=True, timeout=60)
    shipped = [ln for ln in listing.stdout.splitlines() if "builtin:" in ln]
    assert len(shipped) == SHIPPED, listing.stdout
    assert all(ln.startswith("passing") for ln in shipped), listing.stdout
    assert any("builtin:scala/scala-basics.ipynb" in ln for ln in shipped), listing.stdout
