"""The status route, through a real Jupyter server (pytest-jupyter)."""
from __future__ import annotations

import json

import pytest

from jupyter_mlstudio import __version__


async def test_status_reports_the_embedded_store(jp_fetch, mlstudio_app):
    resp = await jp_fetch("mlstudio", "api", "status")
    assert resp.code == 200
    body = json.loads(resp.body)
    assert body["version"] == __version__
    assert body["healthy"] is True
    s3 = body["s3"]
    assert s3["embedded"] is True
    assert s3["endpoint_url"] == mlstudio_app.s3.endpoint_url
    assert s3["endpoint_url"].startswith("http://127.0.0.1:")
    assert s3["healthy"] is True, s3["message"]
    assert s3["default_bucket"] == "mlstudio"
    db = body["database"]
    assert db["healthy"] is True and db["revision"] == mlstudio_app.db.head_revision()
    local = next(b for b in body["backends"] if b["name"] == "local")
    assert local["available"] and local["default"]


async def test_status_never_contains_credentials(jp_fetch, mlstudio_app):
    resp = await jp_fetch("mlstudio", "api", "status")
    creds = mlstudio_app.s3.embedded.credentials
    text = resp.body.decode()
    assert creds.secret_access_key not in text
    assert creds.access_key_id not in text


async def test_unauthenticated_request_is_refused(jp_serverapp, http_server_client, jp_base_url):
    for headers in ({}, {"Authorization": "token not-the-token"}):
        resp = await http_server_client.fetch(
            f"{jp_base_url}mlstudio/api/status", headers=headers, raise_error=False
        )
        assert resp.code == 403
        assert b"mlstudio" not in resp.body and b"endpoint_url" not in resp.body


async def test_unknown_api_route_is_a_json_404(jp_fetch, mlstudio_app):
    with pytest.raises(Exception) as info:
        await jp_fetch("mlstudio", "api", "no-such-thing")
    resp = info.value.response
    assert resp.code == 404
    body = json.loads(resp.body)
    assert "no-such-thing" in body["message"]
    assert "traceback" not in body or not body["traceback"]
