"""A configured S3 endpoint that does not answer: the server starts and says so."""
from __future__ import annotations

import json

import pytest


@pytest.fixture
def jp_server_config(closed_port):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "MLStudioApp": {"s3_endpoint_url": f"http://127.0.0.1:{closed_port}", "s3_timeout": 1.0},
    }


@pytest.fixture(autouse=True)
def _credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")


async def test_unreachable_endpoint_is_reported(jp_fetch, jp_serverapp, closed_port):
    resp = await jp_fetch("mlstudio", "api", "status")
    body = json.loads(resp.body)
    assert body["s3"]["embedded"] is False
    assert body["s3"]["endpoint_url"] == f"http://127.0.0.1:{closed_port}"
    assert body["s3"]["healthy"] is False
    assert "did not answer" in body["s3"]["message"]
    assert body["healthy"] is False
    # The rest of the server keeps answering.
    assert body["database"]["healthy"] is True
    assert (await jp_fetch("api", "status")).code == 200
