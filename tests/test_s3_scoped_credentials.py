"""Credentials scoped to some buckets: the configured bucket list keeps the browser usable."""
from __future__ import annotations

import json

import pytest

from jupyter_mlstudio.s3.embedded import EmbeddedS3Server


@pytest.fixture(scope="module")
def scoped_store(tmp_path_factory):
    store = EmbeddedS3Server(tmp_path_factory.mktemp("scoped") / "mlstudio")
    doc = json.loads(store.identities_path.read_text())
    doc["identities"].append({
        "name": "reader",
        "credentials": [{"accessKey": "READERKEY", "secretKey": "READER-SECRET"}],
        "actions": ["Read:shared", "List:shared"],
    })
    store.identities_path.write_text(json.dumps(doc))
    store.start()
    admin = store.client()
    for bucket in ("shared", "private"):
        admin.create_bucket(Bucket=bucket)
    admin.put_object(Bucket="shared", Key="data/a.csv", Body=b"a\n1\n")
    yield store
    store.stop()


@pytest.fixture
def jp_server_config(scoped_store, monkeypatch):
    monkeypatch.setenv("READER_KEY", "READERKEY")
    monkeypatch.setenv("READER_SECRET", "READER-SECRET")
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "S3": {"connections": {"team": {
            "endpoint_url": scoped_store.endpoint_url, "region": "us-east-1",
            "access_key_id_env": "READER_KEY", "secret_access_key_env": "READER_SECRET",
            "buckets": ["shared"]}}},
    }


async def test_configured_buckets_shown_and_browsable(jp_fetch, mlstudio_app):
    resp = await jp_fetch("mlstudio", "api", "s3", "team", "buckets")
    body = json.loads(resp.body)
    by_name = {b["name"]: b for b in body["buckets"]}
    assert "shared" in by_name and "private" not in by_name
    resp = await jp_fetch("mlstudio", "api", "s3", "team", "buckets", "shared", "objects",
                          params={"prefix": "data/"})
    assert [o["name"] for o in json.loads(resp.body)["objects"]] == ["a.csv"]
    with pytest.raises(Exception) as info:
        await jp_fetch("mlstudio", "api", "s3", "team", "buckets", "private", "objects")
    assert info.value.response.code == 403
    assert json.loads(info.value.response.body)["reason"] == "AccessDenied"
