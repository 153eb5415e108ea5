"""The model server as the service runs it: a real process answering real HTTP."""
from __future__ import annotations

import io
import json
import os
import pickle
import signal
import textwrap
import threading
import time
from pathlib import Path

import joblib
import numpy as np
import psutil
import pytest
import requests
from sklearn.linear_model import LinearRegression, LogisticRegression

from jupyter_mlstudio.s3.ports import free_ports
from tests.procs import wait_for
from tests.serving_support import ModelServer, wait_ping

pytestmark = pytest.mark.timeout(120)

ROWS = [[0.1, 0.9, 0.3, 0.2], [0.8, 0.1, 0.5, 0.7], [0.5, 0.5, 0.5, 0.5]]


def _data(seed: int = 0):
    rng = np.random.RandomState(seed)
    X = rng.rand(60, 4)
    return X, (X[:, 0] + X[:, 1] > 1).astype(int)


@pytest.fixture
def sklearn_dir(tmp_path) -> tuple[Path, LogisticRegression]:
    """A model directory holding a LogisticRegression saved with joblib."""
    model_dir = tmp_path / "sk"
    model_dir.mkdir()
    model = LogisticRegression().fit(*_data())
    joblib.dump(model, model_dir / "model.joblib")
    (model_dir / "notes.txt").write_text("not a model")
    return model_dir, model


def _npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(array))
    return buf.getvalue()


def _write_code(model_dir: Path, source: str) -> None:
    (model_dir / "code").mkdir(exist_ok=True)
    (model_dir / "code" / "inference.py").write_text(textwrap.dedent(source))


def test_sklearn_codecs_and_errors(serve, sklearn_dir):
    model_dir, model = sklearn_dir
    server = serve(model_dir)
    server.wait_ready()
    assert server.status() == {"status": "ready", "reason": None, "pid": server.proc.pid}
    expected = model.predict(np.array(ROWS)).tolist()
    csv_rows = "\n".join(",".join(map(str, r)) for r in ROWS) + "\n"

    # Every input encoding gives the in-process model's predictions.
    for body, content_type in [
        (json.dumps(ROWS), "application/json"),
        (json.dumps({"instances": ROWS}), "application/json; charset=utf-8"),
        (json.dumps({"inputs": ROWS}), "application/json"),
        (csv_rows, "text/csv"),
        (_npy(ROWS), "application/x-npy"),
    ]:
        resp = server.post(body, content_type)
        assert resp.status_code == 200, resp.text
        assert resp.headers["Content-Type"] == "application/json"
        assert resp.json() == expected

    # Every Accept gives the same predictions in its encoding.
    for accept in [None, "*/*", "application/json"]:
        resp = server.post(json.dumps(ROWS), accept=accept)
        assert resp.headers["Content-Type"] == "application/json"
        assert resp.json() == expected
    resp = server.post(json.dumps(ROWS), accept="text/csv")
    assert resp.headers["Content-Type"] == "text/csv"
    assert resp.text == "".join(f"{v}\n" for v in expected)
    resp = server.post(csv_rows, "text/csv", accept="application/x-npy")
    assert resp.headers["Content-Type"] == "application/x-npy"
    assert np.load(io.BytesIO(resp.content)).tolist() == expected
    resp = server.post(json.dumps(ROWS), accept="image/png;q=1, text/csv;q=0.5")
    assert resp.headers["Content-Type"] == "text/csv"

    sent = time.perf_counter()
    latency = server.post(json.dumps(ROWS)).headers["X-Mlstudio-Model-Latency"]
    round_trip_us = (time.perf_counter() - sent) * 1e6
    # Microseconds of model time: some, and no more than the whole round trip.
    assert latency.isdigit() and 0 < int(latency) <= round_trip_us

    resp = server.post(csv_rows, "text/plain")
    assert resp.status_code == 415
    # The toolkits' UnsupportedFormatError, word for word.
    assert resp.json()["message"].startswith(
        "Content type text/plain is not supported by this framework.\n\n"
        "Please implement input_fn to to deserialize the request data or an output_fn")
    resp = server.post(json.dumps(ROWS), accept="image/png")
    assert resp.status_code == 406
    assert resp.json()["message"].startswith("Content type image/png is not supported")
    assert server.post("1,2\n3", "text/csv").status_code == 400
    assert server.post("{not json", "application/json").status_code == 400
    assert server.post("[[1, 2], [3]]", "application/json").status_code == 400

    # 7 MB is over the default 6 MB limit, announced by Content-Length or streamed chunked.
    big = b"1," * (7 * 1024 * 1024 // 2)
    resp = server.post(big, "text/csv")
    assert resp.status_code == 413 and "6 MB" in resp.json()["message"]
    resp = server.post((big[i:i + 65536] for i in range(0, len(big), 65536)), "text/csv")
    assert resp.status_code == 413
    assert server.post(json.dumps(ROWS)).json() == expected

    params = requests.get(f"{server.url}/execution-parameters", timeout=5).json()
    assert params == {"MaxConcurrentTransforms": 1, "BatchStrategy": "MultiRecord",
                      "MaxPayloadInMB": 6}
    assert "Traceback" not in server.log()


def test_xgboost_booster_and_pickle(serve, tmp_path):
    import xgboost

    X, y = _data(1)
    xgb_dir = tmp_path / "xgb"
    xgb_dir.mkdir()
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 2},
                            xgboost.DMatrix(X, label=y), num_boost_round=5)
    booster.save_model(xgb_dir / "model.json")
    (xgb_dir / "metrics.json").write_text('{"auc": 0.9}')  # not taken for a model
    pkl_dir = tmp_path / "pkl"
    pkl_dir.mkdir()
    regression = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0, 4.0])
    (pkl_dir / "model.pkl").write_bytes(pickle.dumps(regression))

    xgb_server, pkl_server = serve(xgb_dir), serve(pkl_dir)
    xgb_server.wait_ready()
    pkl_server.wait_ready()

    expected = booster.predict(xgboost.DMatrix(np.array(ROWS)))
    got = xgb_server.post(json.dumps(ROWS)).json()
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    resp = xgb_server.post(_npy(ROWS), "application/x-npy", accept="application/x-npy")
    np.testing.assert_allclose(np.load(io.BytesIO(resp.content)), expected, rtol=1e-6)

    expected = regression.predict(np.array(ROWS))
    resp = pkl_server.post("0.1,0.9,0.3,0.2\n0.8,0.1,0.5,0.7\n0.5,0.5,0.5,0.5", "text/csv",
                           accept="text/csv")
    np.testing.assert_allclose([float(v) for v in resp.text.split()], expected)


def test_user_handlers_timeout_errors_and_graceful_stop(serve, tmp_path):
    model_dir = tmp_path / "user"
    model_dir.mkdir()
    (model_dir / "scale.txt").write_text("3")
    _write_code(model_dir, """
        import json
        import os
        import time

        from helper import offset  # a sibling module of inference.py

        def model_fn(model_dir):
            with open(os.path.join(model_dir, "scale.txt")) as f:
                return {"scale": float(f.read())}

        def input_fn(body, content_type):
            assert content_type == "application/vnd.values+json", content_type
            return json.loads(body)

        def predict_fn(data, model):
            if data.get("mark"):  # tells the test this invocation is running
                open(data["mark"], "w").close()
            time.sleep(data.get("sleep", 0))
            if data.get("fail"):
                raise ValueError("bad input value")
            return [v * model["scale"] + offset() for v in data["values"]]

        def output_fn(prediction, accept):
            return json.dumps({"out": prediction, "accept": accept}), "application/vnd.out+json"
    """)
    (model_dir / "code" / "helper.py").write_text("def offset():\n    return 1\n")
    server = serve(model_dir, "--timeout", "1")
    server.wait_ready()
    kind = "application/vnd.values+json"

    resp = server.post(json.dumps({"values": [1, 2]}), kind, accept="text/csv")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/vnd.out+json"
    assert resp.json() == {"out": [4.0, 7.0], "accept": "text/csv"}
    assert server.post(json.dumps({"values": [1]}), kind).json()["accept"] == "application/json"

    # Cut at the 1 s time-out: answered long before the user code could have finished.
    started = time.monotonic()
    resp = server.post(json.dumps({"values": [1], "sleep": 60}), kind)
    assert resp.status_code == 504
    assert "time-out" in resp.json()["message"]
    assert time.monotonic() - started < 60
    assert "X-Mlstudio-Model-Latency" in resp.headers

    resp = server.post(json.dumps({"values": [1], "fail": True}), kind)
    assert resp.status_code == 500
    assert resp.json()["message"] == "ValueError: bad input value"
    assert "Traceback" not in resp.text and "predict_fn" not in resp.text
    assert "Traceback" in server.log() and "bad input value" in server.log()
    assert server.post(json.dumps({"values": [0]}), kind).json()["out"] == [1.0]

    # SIGTERM lets the request in flight finish.
    result: dict = {}
    running = tmp_path / "running"

    def slow_request() -> None:
        result["resp"] = server.post(
            json.dumps({"values": [2], "sleep": 0.7, "mark": str(running)}), kind)

    thread = threading.Thread(target=slow_request)
    thread.start()
    wait_for(running.exists, timeout=10, interval=0.02)
    os.kill(server.proc.pid, signal.SIGTERM)
    thread.join(10)
    assert result["resp"].status_code == 200
    assert result["resp"].json()["out"] == [7.0]
    server.wait_exit(10)


def test_transform_fn_with_default_model_fn(serve, sklearn_dir):
    model_dir, model = sklearn_dir
    _write_code(model_dir, """
        import numpy as np

        def transform_fn(model, body, content_type, accept):
            lines = body.decode().splitlines()
            rows = np.array([[float(v) for v in line.split()] for line in lines])
            return " ".join(str(p) for p in model.predict(rows)).encode()
    """)
    server = serve(model_dir)
    server.wait_ready()
    body = "\n".join(" ".join(map(str, r)) for r in ROWS)
    resp = server.post(body, "text/x-spaced", accept="text/plain")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert resp.text == " ".join(str(p) for p in model.predict(np.array(ROWS)))


def test_training_script_serves_without_running_main(serve, sklearn_dir, tmp_path):
    model_dir, model = sklearn_dir
    source = tmp_path / "source"
    source.mkdir()
    marker = tmp_path / "training-ran"
    (source / "common.py").write_text("MODEL_FILE = 'model.joblib'\n")
    (source / "train.py").write_text(textwrap.dedent(f"""
        import os

        import joblib
        from common import MODEL_FILE

        def model_fn(model_dir):
            return joblib.load(os.path.join(model_dir, MODEL_FILE))

        if __name__ == "__main__":
            open({str(marker)!r}, "w").write("ran")
            raise SystemExit("the training block must not run when serving")
    """))
    server = serve(model_dir, "--code-dir", str(source), env={"SAGEMAKER_PROGRAM": "train.py"})
    server.wait_ready()
    assert server.post(json.dumps(ROWS)).json() == model.predict(np.array(ROWS)).tolist()
    assert not marker.exists()


def test_ping_is_503_until_the_model_is_loaded(serve, sklearn_dir):
    model_dir, model = sklearn_dir
    _write_code(model_dir, """
        import os
        import time

        import joblib

        def model_fn(model_dir):
            time.sleep(2)
            return joblib.load(os.path.join(model_dir, "model.joblib"))
    """)
    server = serve(model_dir)
    # The server writes "ready" to its status file just before /ping answers 200, so a
    # status read after a reply bounds what that reply may be: "loading" read after it
    # means the reply was 503; a 200 means the status reads "ready".
    seen: list[int] = []
    loading_seen = 0

    def observe() -> bool:
        nonlocal loading_seen
        try:
            code = requests.get(f"{server.url}/ping", timeout=2).status_code
        except requests.ConnectionError:
            return False
        invoked = server.post(json.dumps(ROWS)).status_code if code == 503 else None
        status = server.status()["status"]
        if not seen or seen[-1] != code:
            seen.append(code)
        if code == 200:
            assert status == "ready"
            return True
        assert code == 503 and status in ("loading", "ready"), (code, status)
        if status == "loading":
            loading_seen += 1
            assert invoked == 503
        return False

    wait_for(observe, timeout=30, interval=0.05)
    assert seen == [503, 200]
    assert loading_seen > 0
    assert server.status()["status"] == "ready"
    assert server.post(json.dumps(ROWS)).json() == model.predict(np.array(ROWS)).tolist()


def test_failed_loads_exit_1_with_a_reason(serve, tmp_path, sklearn_dir):
    raising, _ = sklearn_dir
    _write_code(raising, """
        def model_fn(model_dir):
            raise ValueError("bad weights")
    """)
    missing = tmp_path / "missing"
    missing.mkdir()
    (missing / "a.txt").write_text("hello")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "model.joblib").write_bytes(b"this is not a joblib file")
    broken = tmp_path / "broken"
    broken.mkdir()
    _write_code(broken, "import no_such_module_here\n")
    both = tmp_path / "both"
    both.mkdir()
    _write_code(both, """
        def transform_fn(model, body, content_type, accept):
            return body

        def input_fn(body, content_type):
            return body
    """)

    servers = {name: serve(path) for name, path in [
        ("raising", raising), ("missing", missing), ("corrupt", corrupt), ("broken", broken),
        ("both", both)]}
    for server in servers.values():
        assert server.wait_exit() == 1, server.log()
        assert server.status()["status"] == "failed"
        assert server.status()["pid"] == server.proc.pid
        assert "Traceback" in server.log()

    assert servers["raising"].status()["reason"] == "model_fn raised ValueError: bad weights"
    reason = servers["missing"].status()["reason"]
    assert reason.startswith(f"no model file in {missing}: found a.txt")
    reason = servers["corrupt"].status()["reason"]
    assert "cannot load model file" in reason and "model.joblib" in reason
    reason = servers["broken"].status()["reason"]
    assert "inference.py" in reason and "No module named 'no_such_module_here'" in reason
    assert "defines transform_fn and input_fn" in servers["both"].status()["reason"]
    for server in servers.values():
        assert "\n" not in server.status()["reason"]


def test_two_workers(serve, sklearn_dir):
    model_dir, model = sklearn_dir
    server = serve(model_dir, "--workers", "2")
    server.wait_ready()
    expected = model.predict(np.array(ROWS)).tolist()
    for _ in range(20):
        assert server.post(json.dumps(ROWS)).json() == expected
    assert len(psutil.Process(server.proc.pid).children()) >= 2
    assert server.status() == {"status": "ready", "reason": None, "pid": server.proc.pid}
    params = requests.get(f"{server.url}/execution-parameters", timeout=5).json()
    assert params["MaxConcurrentTransforms"] == 2


def test_two_workers_failing_exit_1(serve, tmp_path):
    model_dir = tmp_path / "empty"
    model_dir.mkdir()
    server = serve(model_dir, "--workers", "2")
    assert server.wait_exit() == 1, server.log()
    assert server.status()["status"] == "failed"
    assert server.status()["reason"].startswith(f"no model file in {model_dir}")


def test_off_the_main_thread_invocations_run_in_a_thread_pool(tmp_path):
    """Where no SIGALRM handler can be set (an app served off the main thread)."""
    import uvicorn

    from jupyter_mlstudio.serving.modelserver.server import ServerConfig, create_app

    code = tmp_path / "code"
    code.mkdir()
    (code / "pool_handlers.py").write_text(textwrap.dedent("""
        import time

        def model_fn(model_dir):
            return 2

        def predict_fn(data, model):
            time.sleep(float(data[0][1]))
            return data * model
    """))
    config = ServerConfig(model_dir=str(tmp_path), code_dir=str(code),
                          program="pool_handlers.py", timeout=0.5)
    (port,) = free_ports(1)
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        client = ModelServer(None, url, tmp_path / "none", tmp_path / "none")
        wait_ping(url, None, 20)
        assert client.post("[[1, 0]]").json() == [[2, 0]]
        assert client.post("[[1, 2]]").status_code == 504
        assert client.post("[[3, 0]]").json() == [[6, 0]]
    finally:
        server.should_exit = True
        thread.join(10)
