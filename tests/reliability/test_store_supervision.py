"""The embedded store is supervised: killed, it is restarted on its port, data intact."""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.procs import wait_gone, weed_processes
from tests.servers import start_server

pytestmark = [pytest.mark.slow]


def _wait_status(server, accept, timeout: float = 60.0) -> dict:
    """Poll the status route until ``accept(status)``; return that status."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = server.get("mlstudio/api/status").json()
        if accept(last):
            return last
        time.sleep(0.1)
    raise AssertionError(f"status never matched; last: {last}")


def test_killed_store_is_restarted_on_its_port_and_status_says_why(tmp_path):
    server = start_server(tmp_path / "home")
    try:
        first = server.wait_healthy()
        endpoint = first["s3"]["endpoint_url"]
        client = server.s3_client()
        client.put_object(Bucket="mlstudio", Key="kept/data.csv", Body=b"1,2,3\n")
        (weed,) = weed_processes(server.data_dir / "s3")
        os.kill(weed.pid, signal.SIGKILL)
        assert wait_gone(weed.pid)

        down = _wait_status(server, lambda s: "SIGKILL" in s["s3"]["message"])
        assert "store process exited with signal SIGKILL" in down["s3"]["message"]

        back = _wait_status(server, lambda s: s["s3"]["healthy"] and s["s3"]["restarts"] == 1)
        assert back["s3"]["endpoint_url"] == endpoint  # kernels and jobs keep their endpoint
        assert "restarted" in back["s3"]["message"]
        (again,) = weed_processes(server.data_dir / "s3")
        assert again.pid != weed.pid
        assert client.get_object(Bucket="mlstudio", Key="kept/data.csv")["Body"].read() == (
            b"1,2,3\n")
        listing = server.get("mlstudio/api/s3/default/buckets/mlstudio/objects",
                             params={"prefix": "kept/"})
        assert listing.status_code == 200, listing.text
        assert "kept/data.csv" in listing.text
    finally:
        server.stop()
    assert weed_processes(server.data_dir / "s3") == []


def test_store_stopped_with_the_server_is_not_restarted(tmp_path):
    server = start_server(tmp_path / "home")
    (weed,) = weed_processes(server.data_dir / "s3")
    server.stop()
    assert wait_gone(weed.pid)
    assert weed_processes(server.data_dir / "s3") == []
