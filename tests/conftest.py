"""Shared fixtures: a clean environment, real Jupyter servers and real S3 stores."""
from __future__ import annotations

import os
import socket
import threading

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# Never probe a cloud metadata service from tests, and start from no AWS settings.
_AWS_VARS = [k for k in os.environ if k.startswith("AWS_")] + [
    "JUPYTER_MLSTUDIO_URL",
    "JUPYTER_MLSTUDIO_TOKEN",
    "MLSTUDIO_DEFAULT_BUCKET",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path_factory):
    for name in _AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # No ~/.aws of the developer's may leak in.
    empty = tmp_path_factory.mktemp("aws")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))


@pytest.fixture
def jp_argv():
    """In-process servers take the suite's defaults (``tests.servers.TEST_CONFIG``)."""
    from tests.servers import TEST_CONFIG

    return [f"--{cls}.{name}={value}" for cls, traits in TEST_CONFIG.items()
            for name, value in traits.items()]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}}}


@pytest.fixture
def mlstudio_app(jp_serverapp, jp_asyncio_loop):
    """The extension app inside pytest-jupyter's server, with its S3 store ready."""
    (ext,) = jp_serverapp.extension_manager.extension_apps["jupyter_mlstudio"]
    jp_asyncio_loop.run_until_complete(ext._start_jupyter_server_extension(jp_serverapp))
    assert ext.s3.startup_error is None, ext.s3.startup_error
    return ext


@pytest.fixture
def api(jp_fetch, mlstudio_app):
    """The training-jobs REST routes of the in-process server (a module may define its own)."""
    from tests.training_support import training_api

    return training_api(jp_fetch)


@pytest.fixture
def s3(mlstudio_app):
    """A boto3 S3 client of the in-process server's store."""
    return mlstudio_app.s3.client()


@pytest.fixture(scope="session")
def embedded_store(tmp_path_factory):
    """One real SeaweedFS store for the tests that only need S3 (not a Jupyter server)."""
    from jupyter_mlstudio.s3.embedded import EmbeddedS3Server

    store = EmbeddedS3Server(tmp_path_factory.mktemp("store") / "mlstudio")
    store.start()
    yield store
    store.stop()


@pytest.fixture
def s3_env(embedded_store, monkeypatch):
    """The environment a kernel started by the server gets, pointing at ``embedded_store``."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", embedded_store.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", embedded_store.credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", embedded_store.credentials.secret_access_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return embedded_store


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (an S3 endpoint that does not answer)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve(tmp_path):
    """Start model servers: ``serve(model_dir, *args, env=...)``; all stopped at the end."""
    from tests.serving_support import model_servers

    with model_servers(tmp_path) as start:
        yield start


@pytest.fixture
def silent_index():
    """A package index that accepts connections and never answers: pip waits on it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/simple"
    server.close()
    for conn in held:
        conn.close()
