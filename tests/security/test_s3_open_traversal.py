"""The S3 browser's "open" (copy into the workspace) against a store that keeps any key."""
from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from tests.security.moto_s3 import files_under, moto_s3

KEYS = ["data/../../../../escaped", "a//b.csv", "./x.csv", "a/./x.csv", "/abs.csv",
        "a\\..\\..\\..\\escaped", "..", "dir/.."]


@pytest.fixture(scope="module")
def store():
    with moto_s3() as s3:
        yield s3


@pytest.fixture
def jp_server_config(store):
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
            "S3": {"connections": {"moto": {
                "endpoint_url": store.endpoint, "region": "us-east-1",
                "access_key_id_env": "MOTO_KEY", "secret_access_key_env": "MOTO_SECRET"}}}}


@pytest.fixture
def open_key(jp_fetch, mlstudio_app, monkeypatch):
    monkeypatch.setenv("MOTO_KEY", "testing")
    monkeypatch.setenv("MOTO_SECRET", "testing")

    async def call(key: str):
        try:
            resp = await jp_fetch("mlstudio", "api", "s3", "moto", "buckets", "traversal",
                                  "open", method="POST", body=json.dumps({"key": key}))
        except HTTPClientError as err:
            resp = err.response
        return resp.code, json.loads(resp.body)

    return call


async def test_open_refuses_keys_that_would_leave_the_folder(store, open_key, jp_root_dir):
    before = files_under(jp_root_dir)
    for key in KEYS:
        store.client.put_object(Bucket="traversal", Key=key, Body=b"evil")
    for key in KEYS:
        code, reply = await open_key(key)
        assert code == 400 and reply["reason"] in ("InvalidKey", "UnsafeKey"), (key, reply)
    assert files_under(jp_root_dir) == before  # nothing written in the workspace...
    names = {"escaped", "b.csv", "x.csv", "abs.csv"}
    assert not [p for p in files_under(jp_root_dir.parent) if p.name in names]  # ...or out
    store.client.put_object(Bucket="traversal", Key="ok/a\\b.csv", Body=b"fine")
    code, reply = await open_key("ok/a\\b.csv")
    assert code == 200 and (jp_root_dir / reply["path"]).read_bytes() == b"fine"
    assert reply["path"] == "s3/traversal/ok/a\\b.csv"
