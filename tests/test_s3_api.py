"""The S3 browser API against the real embedded SeaweedFS store."""
from __future__ import annotations

import json
import os
import asyncio
import time

import pytest
import requests

from tests.procs import eventually, wait_for
from tests.rest_support import rest_api

MiB = 1024 * 1024


@pytest.fixture
def jp_server_config(closed_port):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "S3": {
            "part_size": 5 * MiB,
            "connections": {
                "down": {
                    "endpoint_url": f"http://127.0.0.1:{closed_port}",
                    "access_key_id_env": "DOWN_KEY",
                    "secret_access_key_env": "DOWN_SECRET",
                },
                "wrongkeys": {"access_key_id_env": "DOWN_KEY",
                              "secret_access_key_env": "DOWN_SECRET"},
            },
        },
    }


@pytest.fixture
def api(jp_fetch, mlstudio_app, monkeypatch):
    monkeypatch.setenv("DOWN_KEY", "AKIDOWN")
    monkeypatch.setenv("DOWN_SECRET", "not-a-secret")
    # 'wrongkeys' talks to the embedded store with credentials it does not know.
    spec = mlstudio_app.s3_service.connections._connections["wrongkeys"]
    spec.endpoint_url = mlstudio_app.s3.endpoint_url

    return rest_api(jp_fetch, "s3", empty_body=b"", empty_for=("POST", "PUT"))


def B(*rest):  # path under the default connection's 'mlstudio' bucket
    return ("default", "buckets", "mlstudio", *rest)


async def put(api, key, data, **params):
    return await api("PUT", *B("upload"), params={"key": key, **params}, body=data)


async def test_connections_never_show_credentials(api, mlstudio_app):
    code, body = await api("GET", "connections")
    assert code == 200
    names = [c["name"] for c in body["connections"]]
    assert names[0] == "default" and {"down", "wrongkeys"} <= set(names)
    text = json.dumps(body)
    assert mlstudio_app.s3.embedded.credentials.secret_access_key not in text
    assert "not-a-secret" not in text


async def test_buckets_list_and_create(api):
    code, body = await api("GET", "default", "buckets")
    assert code == 200 and "mlstudio" in [b["name"] for b in body["buckets"]]
    code, body = await api("POST", "default", "buckets", body={"name": "new-data"})
    assert code == 201
    code, body = await api("GET", "default", "buckets")
    assert "new-data" in [b["name"] for b in body["buckets"]]
    for bad in ("Bad_Name", "ab", "a..b", "192.168.1.1", "-lead"):
        code, body = await api("POST", "default", "buckets", body={"name": bad})
        assert code == 400 and body["reason"] == "InvalidBucketName", bad


async def test_upload_download_roundtrip_with_unicode_and_spaces(api):
    key = "dir one/naïve data ✓.bin"
    data = os.urandom(3 * MiB + 17)
    code, body = await put(api, key, data)
    assert code == 201 and body["size"] == len(data)
    resp = await api("GET", *B("download"), params={"key": key}, raw=True)
    assert resp.code == 200 and resp.body == data
    assert resp.headers["Content-Type"] == "application/octet-stream"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    resp = await api("GET", *B("download"), params={"key": key}, raw=True,
                     headers={"Range": "bytes=100-199"})
    assert resp.code == 206 and resp.body == data[100:200]
    assert resp.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    code, meta = await api("GET", *B("object"), params={"key": key})
    assert code == 200 and meta["size"] == len(data)
    await put(api, "empty.txt", b"")
    resp = await api("GET", *B("download"), params={"key": "empty.txt", "inline": "1"}, raw=True)
    assert resp.code == 200 and resp.body == b""
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert resp.headers["Content-Disposition"].startswith("inline;")


async def test_multipart_upload_of_several_parts(api, mlstudio_app):
    data = os.urandom(12 * MiB + 5)  # three 5 MiB parts
    code, body = await put(api, "big/blob.bin", data)
    assert code == 201 and body["etag"].endswith("-3"), body
    resp = await api("GET", *B("download"), params={"key": "big/blob.bin"}, raw=True)
    assert resp.body == data


async def test_listing_pages_and_folders(api):
    for i in range(5):
        await put(api, f"list/f{i}.txt", b"x" * i)
    await put(api, "list/sub/inner.txt", b"y")
    code, first = await api("GET", *B("objects"), params={"prefix": "list/", "page_size": "3"})
    assert code == 200 and first["truncated"] and first["next_token"]
    code, second = await api("GET", *B("objects"), params={
        "prefix": "list/", "page_size": "3", "continuation_token": first["next_token"]})
    names = [o["name"] for o in first["objects"] + second["objects"]]
    folders = [f["name"] for f in first["folders"] + second["folders"]]
    assert sorted(names) == [f"f{i}.txt" for i in range(5)]
    assert folders == ["sub/"]
    entry = first["objects"][0]
    assert {"name", "key", "size", "last_modified", "storage_class"} <= set(entry)
    code, found = await api("GET", *B("objects"), params={"prefix": "list/s", "recursive": "1"})
    assert [o["key"] for o in found["objects"]] == ["list/sub/inner.txt"]


async def test_folder_delete_prefix_and_batches(api, mlstudio_app):
    code, _ = await api("POST", *B("folders"), body={"prefix": "made"})
    assert code == 201
    code, listing = await api("GET", *B("objects"), params={"prefix": ""})
    assert "made/" in [f["prefix"] for f in listing["folders"]]
    client = mlstudio_app.s3.client()
    for i in range(1203):  # more than one DeleteObjects batch
        client.put_object(Bucket="mlstudio", Key=f"many/{i:05d}", Body=b"")
    code, body = await api("POST", *B("delete"), body={"prefixes": ["many/"], "keys": ["made/"]})
    assert code == 200 and body["deleted"] == 1204 and body["errors"] == []
    assert client.list_objects_v2(Bucket="mlstudio", Prefix="many/").get("KeyCount") == 0
    await put(api, "gone/a/b/c.txt", b"x")
    code, body = await api("POST", *B("delete"), body={"prefixes": ["gone/"]})
    assert code == 200 and body["errors"] == []
    code, listing = await api("GET", *B("objects"), params={"prefix": ""})
    assert "gone/" not in [f["prefix"] for f in listing["folders"]]


async def test_copy_and_move_objects_and_folders(api, mlstudio_app):
    await put(api, "src/a.txt", b"A")
    await put(api, "src/deep/b.txt", b"B")
    code, body = await api("POST", *B("copy"), body={"source": "src/a.txt", "dest": "dst/a.txt"})
    assert code == 200 and body["copied"] == 1
    code, body = await api("POST", *B("copy"), body={"source": "src/", "dest": "moved/",
                                                     "move": True})
    assert code == 200 and body["copied"] == 2
    client = mlstudio_app.s3.client()
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="mlstudio").get("Contents", [])]
    assert "moved/deep/b.txt" in keys and "dst/a.txt" in keys
    assert not [k for k in keys if k.startswith("src/")]
    code, body = await api("POST", *B("copy"), body={"source": "moved/", "dest": "moved/x/"})
    assert code == 400


async def test_presigned_link_works_and_expires(api):
    await put(api, "share/report.txt", b"shared")
    code, body = await api("POST", *B("presign"), body={"key": "share/report.txt", "expires_in": 2})
    assert code == 200
    assert requests.get(body["url"], timeout=10).content == b"shared"  # works at once
    wait_for(lambda: requests.get(body["url"], timeout=10).status_code == 403, timeout=30,
             interval=0.25, message="the presigned link did not expire")
    body = {"key": "share/report.txt", "expires_in": 10**9}
    code, body = await api("POST", *B("presign"), body=body)
    assert code == 400 and body["reason"] == "InvalidExpiry"


async def test_open_in_workspace_and_upload_from_workspace(api, jp_root_dir):
    await put(api, "nb/analysis.ipynb", b'{"cells": []}')
    code, body = await api("POST", *B("open"), body={"key": "nb/analysis.ipynb"})
    assert code == 200 and body["path"] == "s3/mlstudio/nb/analysis.ipynb"
    assert (jp_root_dir / body["path"]).read_bytes() == b'{"cells": []}'
    code, again = await api("POST", *B("open"), body={"key": "nb/analysis.ipynb"})
    assert again == {"path": body["path"], "downloaded": False}
    (jp_root_dir / "local.csv").write_text("a,b\n1,2\n")
    code, body = await api("POST", *B("upload-from-workspace"),
                           body={"path": "local.csv", "key": "up/local.csv"})
    assert code == 201 and body["size"] == 8
    code, body = await api("POST", *B("upload-from-workspace"),
                           body={"path": "local.csv", "key": "up/local.csv"})
    assert code == 409 and body["reason"] == "ObjectExists"
    for bad in ("../outside.csv", "/etc/passwd", "a/../../x"):
        code, body = await api("POST", *B("upload-from-workspace"),
                               body={"path": bad, "key": "up/x"})
        assert code == 400 and body["reason"] == "PathOutsideWorkspace", bad


async def test_bad_inputs_are_clear_json_errors(api):
    cases = [
        (("GET", *B("objects")), {"prefix": "a/../b/"}, 400, "InvalidKey"),
        (("GET", *B("object")), {"key": "../etc/passwd"}, 400, "InvalidKey"),
        (("GET", *B("object")), {"key": "nope/missing.txt"}, 404, "404"),
        (("GET", "default", "buckets", "no-such-bucket", "objects"), {}, 404, "NoSuchBucket"),
        (("GET", "default", "buckets", "Bad..Name", "objects"), {}, 400, "InvalidBucketName"),
        (("GET", "nosuchconn", "buckets"), {}, 404, "NoSuchConnection"),
        (("GET", *B("download")), {"key": "x", "page_size": "z"}, 404, None),
    ]
    for (method, *path), params, status, reason in cases:
        code, body = await api(method, *path, params=params)
        assert code == status, (path, params, body)
        assert "message" in body and "Traceback" not in json.dumps(body)
        if reason:
            assert body["reason"] == reason, body
    code, body = await api("POST", *B("delete"), body={"keys": "not-a-list"})
    assert code == 400
    code, body = await api("POST", *B("folders"), body=b"{not json")
    assert code == 400 and body["reason"] == "BadJSON"


async def test_control_characters_in_keys_are_refused_everywhere(api, mlstudio_app):
    for key in ("nul\x00key.txt", "tab\tkey.txt", "line\nbreak.txt", "esc\x1b.txt"):
        code, body = await put(api, key, b"data")
        assert (code, body["reason"]) == (400, "InvalidKey"), (key, body)
        for route, payload in (("copy", {"source": "a.txt", "dest": key}),
                               ("copy", {"source": key, "dest": "a.txt"}),
                               ("copy", {"source": "a.txt", "dest": key, "move": True}),
                               ("folders", {"prefix": key}),
                               ("delete", {"keys": [key]}),
                               ("delete", {"prefixes": [key + "/"]}),
                               ("presign", {"key": key}),
                               ("open", {"key": key}),
                               ("upload-from-workspace", {"path": "x.csv", "key": key})):
            code, body = await api("POST", *B(route), body=payload)
            assert (code, body["reason"]) == (400, "InvalidKey"), (route, payload, body)
        for route in ("object", "download"):
            code, body = await api("GET", *B(route), params={"key": key})
            assert (code, body["reason"]) == (400, "InvalidKey"), (route, key, body)
        code, body = await api("GET", *B("objects"), params={"prefix": key})
        assert (code, body["reason"]) == (400, "InvalidKey"), body
    listed = mlstudio_app.s3.client().list_objects_v2(Bucket="mlstudio").get("Contents", [])
    assert not [o["Key"] for o in listed if "key" in o["Key"] or "break" in o["Key"]]
    code, body = await api("PUT", *B("upload"), params={"key": b"\xff.bin"}, body=b"x")
    assert code == 400


async def test_numbers_and_flags_in_bodies_have_their_types(api):
    await put(api, "typed/a.txt", b"A")
    for expires in (True, False, "60", 1.5, None, [60]):
        code, body = await api("POST", *B("presign"), body={"key": "typed/a.txt",
                                                            "expires_in": expires})
        assert code == 400 and "expires_in" in body["message"], (expires, body)
    for flag in ("yes", 1, "false"):
        code, body = await api("POST", *B("copy"), body={"source": "typed/a.txt",
                                                         "dest": "typed/b.txt", "move": flag})
        assert code == 400 and "'move'" in body["message"], body
    code, meta = await api("GET", *B("object"), params={"key": "typed/a.txt"})
    assert code == 200
    code, meta = await api("GET", *B("object"), params={"key": "typed/b.txt"})
    assert code == 404


async def test_unreachable_endpoint_and_rejected_credentials(api):
    code, body = await api("GET", "down", "buckets")
    assert code == 504 and "did not answer" in body["message"]
    code, body = await api("GET", "wrongkeys", "buckets")
    assert code == 502 and "rejected" in body["message"]
    # The server keeps serving.
    code, _ = await api("GET", "default", "buckets")
    assert code == 200


async def test_upload_without_overwrite_refuses_existing(api):
    await put(api, "keep/me.txt", b"original")
    code, body = await put(api, "keep/me.txt", b"clobber", overwrite="0")
    assert code == 409 and body["reason"] == "ObjectExists"
    resp = await api("GET", *B("download"), params={"key": "keep/me.txt"}, raw=True)
    assert resp.body == b"original"


async def test_cut_upload_leaves_no_object_and_no_multipart(
    jp_serverapp, mlstudio_app, http_server_client, jp_base_url, jp_auth_header
):
    port = http_server_client.get_http_port()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    path = f"{jp_base_url}mlstudio/api/s3/default/buckets/mlstudio/upload?key=cut/partial.bin"
    total = 20 * MiB
    head = (
        f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: {jp_auth_header['Authorization']}\r\n"
        f"Content-Length: {total}\r\n\r\n"
    )
    writer.write(head.encode())
    for _ in range(12):  # 12 MiB of 20: at least two parts are sent to S3
        writer.write(os.urandom(MiB))
        await writer.drain()
    client = mlstudio_app.s3.client()

    def uploads():
        listed = client.list_multipart_uploads(Bucket="mlstudio").get("Uploads", [])
        return [u for u in listed if u["Key"] == "cut/partial.bin"]

    def parts_sent() -> int:
        return sum(len(client.list_parts(Bucket="mlstudio", Key=u["Key"],
                                         UploadId=u["UploadId"]).get("Parts", []))
                   for u in uploads())

    await eventually(lambda: parts_sent() >= 2, 30, message="no two parts reached S3")
    writer.close()
    await eventually(lambda: not uploads(), 30, message="the cut upload was not aborted")
    assert client.list_objects_v2(Bucket="mlstudio", Prefix="cut/").get("KeyCount") == 0


async def test_server_keeps_answering_during_a_large_transfer(api, jp_fetch):
    data = os.urandom(8 * MiB) * 16  # 128 MiB
    started = time.monotonic()
    upload = asyncio.ensure_future(put(api, "big/concurrent.bin", data))
    latencies = []
    while not upload.done():
        t0 = time.monotonic()
        resp = await jp_fetch("mlstudio", "api", "status")
        latencies.append(time.monotonic() - t0)
        assert resp.code == 200
        await asyncio.sleep(0.05)
    code, body = await upload
    transfer = time.monotonic() - started
    assert code == 201 and body["size"] == len(data)
    # Answered all along the transfer, however fast this machine is: status replies kept
    # coming back while it ran, none waiting a large part of it (a server the transfer
    # blocks answers once, at its end).
    assert len(latencies) >= 5, (transfer, latencies)
    assert max(latencies) < transfer / 2, (transfer, latencies)
    # (tornado's test client holds at most 100 MB: fetch a large range)
    download = asyncio.ensure_future(
        api("GET", *B("download"), params={"key": "big/concurrent.bin"}, raw=True,
            headers={"Range": f"bytes=0-{80 * MiB - 1}"}))
    while not download.done():
        resp = await jp_fetch("mlstudio", "api", "status")
        assert resp.code == 200
        await asyncio.sleep(0.05)
    assert (await download).body == data[: 80 * MiB]
