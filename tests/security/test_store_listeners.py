"""Every listener of the embedded store refuses whoever lacks the server's secrets.

``weed mini`` opens a dozen ports (``s3-ports.json``) and a few unix sockets. Only
the S3 gateway may answer, and only signed requests; the filer, master, volume and
admin servers and every gRPC port refuse a client without the store's certificate,
whether the caller is this user without it or another local account.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import boto3
import pytest
import requests

from jupyter_mlstudio.s3.embedded import EmbeddedS3Server
from tests.local_user import run_as_other_user

pytestmark = [pytest.mark.slow]

SECRET = b"the object nobody else may read " * 8

# Tries every port with plain HTTP and with HTTPS (no client certificate) and each
# method, the way curl would; also the store's unix sockets and private files.
# Standard library only: it also runs as another account with the system Python.
PROBE = r'''
import glob, http.client, json, socket, ssl, sys
ports, s3_port, key, sockets, files = json.loads(sys.argv[1])
paths = ["/buckets/mlstudio/" + key, "/dir/assign", "/dir/lookup?volumeId=1", "/1,0123456789",
         "/health", "/metrics", "/", "/vol/grow?count=1", "/cluster/status"]
out = {"http": [], "sockets": {}, "files": {}, "s3": {}}
def attempt(port, tls, method, path):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = (http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx) if tls
            else http.client.HTTPConnection("127.0.0.1", port, timeout=5))
    try:
        body = None
        headers = {"Origin": "http://evil.example"}
        if method in ("PUT", "POST"):
            body = (b"--x\r\nContent-Disposition: form-data; name=file; filename=x\r\n\r\n"
                    b"PWNED\r\n--x--\r\n")
            headers["Content-Type"] = "multipart/form-data; boundary=x"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read(65536)
        return {"status": resp.status, "body": data.decode("latin-1"),
                "cors": resp.getheader("Access-Control-Allow-Origin")}
    except Exception as err:
        return {"error": type(err).__name__}
    finally:
        conn.close()
for port in ports:
    for tls in (False, True):
        for method in ("GET", "PUT", "POST", "DELETE"):
            for path in paths:
                r = attempt(port, tls, method, path)
                r.update(port=port, tls=tls, method=method, path=path)
                out["http"].append(r)
for method in ("GET", "PUT", "DELETE"):
    out["s3"][method] = attempt(s3_port, False, method, "/mlstudio/" + key)
for path in sockets:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(path)
        out["sockets"][path] = "connected"
    except Exception as err:
        out["sockets"][path] = type(err).__name__
    finally:
        s.close()
for path in files:
    try:
        open(path, "rb").read(1)
        out["files"][path] = "read"
    except Exception as err:
        out["files"][path] = type(err).__name__
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    server = EmbeddedS3Server(tmp_path_factory.mktemp("locked") / "mlstudio")
    server.start()
    server.client().put_object(Bucket="mlstudio", Key="private/model.tar.gz", Body=SECRET)
    yield server
    server.stop()


def _probe_arguments(store: EmbeddedS3Server) -> str:
    ports = json.loads(store.ports_path.read_text())
    others = sorted({p for name, p in ports.items() if name != "s3.port"})
    sockets = sorted(str(p) for p in Path("/tmp").glob("seaweedfs-*.sock")
                     if any(p.name.endswith(f"-{port}.sock") for port in ports.values()))
    sockets += sorted(str(p) for p in store.security_dir.glob("*.sock"))
    files = [str(store.security_dir / n) for n in ("security.toml", "store.key", "store.crt")]
    files.append(str(store.identities_path))
    return json.dumps([others, ports["s3.port"], "private/model.tar.gz", sockets, files])


def _assert_refused(result: dict, store: EmbeddedS3Server) -> None:
    answered = [r for r in result["http"] if "status" in r]
    opened = [r for r in answered if r["status"] < 400]
    assert not opened, "store ports answered without credentials: " + repr(
        [(r["port"], r["tls"], r["method"], r["path"], r["status"]) for r in opened[:10]])
    leaked = [r for r in answered if "the object nobody else" in r["body"]]
    assert not leaked, [(r["port"], r["method"], r["path"]) for r in leaked]
    assert not [r for r in answered if r.get("cors")], "a store port sends CORS headers"
    for method, reply in result["s3"].items():
        assert reply.get("status") == 403, (method, reply)
        assert not reply.get("cors"), (method, reply)
    # Nothing was written, overwritten or deleted.
    body = store.client().get_object(Bucket="mlstudio", Key="private/model.tar.gz")["Body"]
    assert body.read() == SECRET
    listed = store.client().list_objects_v2(Bucket="mlstudio").get("Contents", [])
    assert [o["Key"] for o in listed] == ["private/model.tar.gz"]


def test_every_port_refuses_this_user_without_the_store_certificate(store):
    import subprocess

    proc = subprocess.run([sys.executable, "-I", "-c", PROBE, _probe_arguments(store)],
                          capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(proc.stdout)
    assert len(result["http"]) >= 9 * 2 * 4 * 9  # nine ports, both schemes, four methods
    _assert_refused(result, store)


def test_every_port_socket_and_file_refuses_another_local_user(store):
    result = run_as_other_user(PROBE, _probe_arguments(store), timeout=300)
    _assert_refused(result, store)
    assert result["sockets"], "the store's unix sockets were not found"
    assert all(v == "PermissionError" for v in result["sockets"].values()), result["sockets"]
    assert all(v == "PermissionError" for v in result["files"].values()), result["files"]


def test_certificate_alone_does_not_open_the_filer(store):
    """Even with the store's certificate, the filer and volume server want a signed token."""
    ports = json.loads(store.ports_path.read_text())
    cert = (str(store.security_dir / "store.crt"), str(store.security_dir / "store.key"))
    for port in (ports["filer.port"], ports["volume.port"]):
        reply = requests.get(f"https://127.0.0.1:{port}/buckets/mlstudio/private/model.tar.gz",
                             cert=cert, verify=str(store.security_dir / "ca.crt"), timeout=5)
        assert reply.status_code == 401, (port, reply.status_code)
        assert SECRET not in reply.content


def test_secrets_change_at_each_start_and_stay_private(tmp_path):
    server = EmbeddedS3Server(tmp_path / "mlstudio")
    server.start()
    try:
        first = (server.security_dir / "security.toml").read_text()
        assert (server.security_dir.stat().st_mode & 0o777) == 0o700
        for item in server.security_dir.iterdir():
            if item.is_file():
                assert (item.stat().st_mode & 0o077) == 0, item
        assert not (server.security_dir / "ca.key").exists()  # nobody can issue another
        server.stop()
        server.start()
        second = (server.security_dir / "security.toml").read_text()
        assert first != second
        assert server.client().list_buckets()["Buckets"]
    finally:
        server.stop()


def test_weed_gets_no_secret_of_the_server(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-secret-value")
    monkeypatch.setenv("JUPYTER_MLSTUDIO_TOKEN", "server-token-value")
    server = EmbeddedS3Server(tmp_path / "mlstudio")
    server.spawn()
    try:
        server.wait_until_serving()
        environ = Path(f"/proc/{server.pid}/environ").read_bytes()
        assert b"server-secret-value" not in environ
        assert b"server-token-value" not in environ
        assert b"GOMEMLIMIT=" in environ
    finally:
        server.stop()


def test_unsigned_s3_requests_are_refused(store):
    anonymous = boto3.client("s3", endpoint_url=store.endpoint_url, region_name="us-east-1",
                             aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="wrong")
    with pytest.raises(Exception):
        anonymous.get_object(Bucket="mlstudio", Key="private/model.tar.gz")
    assert requests.get(f"{store.endpoint_url}/mlstudio/private/model.tar.gz",
                        timeout=5).status_code == 403


def test_ports_whose_tmp_socket_another_user_holds_are_not_used(tmp_path):
    """weed puts some unix sockets in /tmp, named by port: one planted there by
    another user would receive the store's internal traffic, so those ports are
    given up for fresh ones."""
    import pwd
    import socket

    from tests.local_user import other_user

    uid = pwd.getpwnam(other_user()).pw_uid
    server = EmbeddedS3Server(tmp_path / "mlstudio")
    server.start()
    ports = json.loads(server.ports_path.read_text())
    server.stop()
    planted = Path(f"/tmp/seaweedfs-filer-grpc-{ports['filer.port.grpc']}.sock")
    squatter = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    squatter.bind(str(planted))
    squatter.listen(1)
    os.chown(planted, uid, -1)
    try:
        server.start()
        moved = json.loads(server.ports_path.read_text())
        assert moved["filer.port.grpc"] != ports["filer.port.grpc"]
        assert planted.exists() and planted.lstat().st_uid == uid  # left alone
        server.client().put_object(Bucket="mlstudio", Key="k", Body=b"v")
        squatter.settimeout(0.5)
        with pytest.raises(TimeoutError):
            squatter.accept()  # nothing of the store's talked to it
    finally:
        server.stop()
        squatter.close()
        planted.unlink(missing_ok=True)
