"""The inference contract of SageMaker's framework containers, on real model servers.

Scripts written for the scikit-learn / XGBoost containers (``sagemaker_containers``) and for
the inference toolkit (``sagemaker_inference``), the defaults of each framework (picked by
``--framework``, as an endpoint does from the model's image), default Accept types and their
override, and errors as the toolkits answer them, down to boto3's ``ModelError``.
"""
from __future__ import annotations

import io
import json
import pickle
import textwrap
from pathlib import Path

import numpy as np
import pytest
from botocore.exceptions import ClientError
from sklearn.linear_model import LogisticRegression

from tests.test_router import start_router

pytestmark = pytest.mark.timeout(180)

ROWS = [[0.1, 0.9, 0.3, 0.2], [0.8, 0.1, 0.5, 0.7], [0.5, 0.5, 0.5, 0.5]]
CSV_ROWS = "".join(",".join(map(str, row)) + "\n" for row in ROWS)


def _data(seed: int = 0):
    rng = np.random.RandomState(seed)
    x = rng.rand(80, 4)
    return x, (x[:, 0] + x[:, 1] > 1).astype(int)


def _npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(array))
    return buf.getvalue()


def _model_dir(root: Path, name: str, files: dict[str, bytes | str]) -> Path:
    folder = root / name
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(textwrap.dedent(content))
        else:
            target.write_bytes(content)
    return folder


def _recordio(rows) -> bytes:
    """RecordIO-protobuf as the SageMaker SDK's serializer writes it."""
    from sagemaker.amazon.common import write_numpy_to_dense_tensor

    buf = io.BytesIO()
    write_numpy_to_dense_tensor(buf, np.asarray(rows, dtype=np.float32))
    return buf.getvalue()


def _libsvm(rows) -> str:
    return "".join("0 " + " ".join(f"{i}:{v}" for i, v in enumerate(row)) + "\n"
                   for row in rows)


# A script of the kind SageMaker's scikit-learn examples ship (pandas on the CSV text,
# sagemaker_containers' worker.Response and encoders); it reports what it was handed.
SKLEARN_SCRIPT = """
    import json
    import os
    from io import StringIO

    import joblib
    import pandas as pd
    from sagemaker_containers.beta.framework import content_types, encoders, worker

    def model_fn(model_dir):
        return joblib.load(os.path.join(model_dir, "model.joblib"))

    def input_fn(input_data, content_type):
        seen = type(input_data).__name__
        if content_type == content_types.CSV:
            return seen, pd.read_csv(StringIO(input_data), header=None)
        if content_type.startswith("application/json"):
            text = input_data if isinstance(input_data, str) else input_data.decode()
            return seen, pd.DataFrame(json.loads(text))
        # NPY; anything else raises UnsupportedFormatError.
        return seen, pd.DataFrame(encoders.decode(input_data, content_type))

    def predict_fn(data, model):
        seen, frame = data
        if (frame.values < 0).any():
            raise ValueError("negative feature values")
        return seen, model.predict(frame.values)

    def output_fn(prediction, accept):
        seen, labels = prediction
        if accept == "application/json":
            body = {"instances": [{"label": int(v)} for v in labels], "seen": seen}
            return worker.Response(json.dumps(body), mimetype=accept)
        if accept == "text/csv":
            return worker.Response(encoders.encode(labels, accept), mimetype=accept)
        if accept == "application/vnd.refuse":
            return worker.Response(json.dumps({"refused": True}), status=409)
        raise RuntimeError(f"{accept} accept type is not supported by this script.")
"""


@pytest.fixture
def sklearn_model() -> LogisticRegression:
    return LogisticRegression().fit(*_data())


@pytest.fixture
def sklearn_script_dir(tmp_path, sklearn_model) -> Path:
    """A model folder: ``sklearn_model`` saved with joblib, served by SKLEARN_SCRIPT."""
    import joblib

    buf = io.BytesIO()
    joblib.dump(sklearn_model, buf)
    return _model_dir(tmp_path, "sk", {"model.joblib": buf.getvalue(),
                                       "code/inference.py": SKLEARN_SCRIPT})


def test_sklearn_script_gets_text_and_returns_worker_responses(serve, sklearn_script_dir,
                                                               sklearn_model):
    model_dir = sklearn_script_dir
    server = serve(model_dir, "--framework", "sklearn")
    csv_server = serve(model_dir, "--framework", "sklearn",
                       env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"})
    server.wait_ready()
    csv_server.wait_ready()
    labels = sklearn_model.predict(np.array(ROWS)).tolist()

    # CSV and JSON arrive as str, exactly for those two content types; NPY as bytes.
    resp = server.post(CSV_ROWS, "text/csv")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/json"  # no Accept: the default
    assert resp.json() == {"instances": [{"label": v} for v in labels], "seen": "str"}
    assert server.post(json.dumps(ROWS), "application/json").json()["seen"] == "str"
    resp = server.post(json.dumps(ROWS), "application/json; charset=utf-8")
    assert resp.json()["seen"] == "bytes"
    resp = server.post(_npy(ROWS), "application/x-npy", accept="*/*")
    assert resp.json() == {"instances": [{"label": v} for v in labels], "seen": "bytes"}

    # worker.Response: its mimetype and status are the answer's.
    resp = server.post(CSV_ROWS, "text/csv", accept="text/csv")
    assert resp.headers["Content-Type"] == "text/csv"
    assert resp.text == "".join(f"{v}\n" for v in labels)
    resp = server.post(CSV_ROWS, "text/csv", accept="application/vnd.refuse")
    assert resp.status_code == 409 and resp.json() == {"refused": True}

    # SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT answers requests without an Accept (or */*).
    for accept in (None, "*/*"):
        resp = csv_server.post(CSV_ROWS, "text/csv", accept=accept)
        assert resp.headers["Content-Type"] == "text/csv"
        assert resp.text == "".join(f"{v}\n" for v in labels)
    assert csv_server.post(CSV_ROWS, "text/csv", accept="application/json").json()["seen"] \
        == "str"

    # An exception in the script is a 500 carrying its message.
    resp = server.post("-1,0,0,0\n", "text/csv")
    assert resp.status_code == 500
    assert resp.json()["message"] == "ValueError: negative feature values"
    resp = server.post(CSV_ROWS, "text/csv", accept="image/png")
    assert resp.status_code == 500 and "image/png accept type" in resp.json()["message"]


# A script for the inference toolkit: its decoder / encoder, its errors, a tuple return.
TOOLKIT_SCRIPT = """
    from sagemaker_inference import decoder, encoder, errors

    def model_fn(model_dir, context):
        # A handler taking one more argument gets the request context.
        return 10.0 if context.system_properties["model_dir"] == model_dir else 0.0

    def input_fn(input_data, content_type):
        if content_type == "application/vnd.broken":
            raise errors.GenericInferenceToolkitError(422, "the rows are broken")
        return decoder.decode(input_data, content_type)

    def predict_fn(data, model):
        return data * model

    def output_fn(prediction, accept):
        if accept == "application/vnd.tuple":
            return "|".join(str(v) for v in prediction.ravel()), "text/x-bars"
        return encoder.encode(prediction, accept)
"""


def test_toolkit_script_tuples_and_status_codes(serve, tmp_path):
    pytest.importorskip("sagemaker_inference")
    model_dir = _model_dir(tmp_path, "tk", {"code/inference.py": TOOLKIT_SCRIPT})
    server = serve(model_dir)
    server.wait_ready()

    resp = server.post("[1, 2]", "application/json", accept="application/vnd.tuple")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/x-bars" and resp.text == "10.0|20.0"
    # A bare str from output_fn is sent as the Accept type.
    resp = server.post("1,2\n3,4\n", "text/csv", accept="text/csv")
    assert resp.headers["Content-Type"] == "text/csv"
    assert resp.text.split() == ["10.0,20.0", "30.0,40.0"]

    # The toolkit's UnsupportedFormatError: 415 from input_fn, 406 from output_fn.
    resp = server.post(b"abc", "text/plain")
    assert resp.status_code == 415
    assert resp.json()["message"].startswith(
        "Content type text/plain is not supported by this framework.")
    resp = server.post("[1]", "application/json", accept="image/png")
    assert resp.status_code == 406
    assert resp.json()["message"].startswith("Content type image/png is not supported")
    # BaseInferenceToolkitError answers its own status and message.
    resp = server.post(b"x", "application/vnd.broken")
    assert resp.status_code == 422 and resp.json()["message"] == "the rows are broken"


DTYPE_SCRIPT = """
    def model_fn(model_dir):
        return None

    def predict_fn(data, model):
        return [str(data.dtype), list(data.shape)]
"""


def test_framework_defaults_decode_as_their_containers(serve, tmp_path):
    """scikit-learn's container hands float32 rows to predict_fn; the generic default
    float64; NPY keeps its dtype."""
    model_dir = _model_dir(tmp_path, "dtype", {"code/inference.py": DTYPE_SCRIPT})
    sklearn, generic = serve(model_dir, "--framework", "sklearn"), serve(model_dir)
    sklearn.wait_ready()
    generic.wait_ready()
    assert sklearn.post("1,2\n3,4\n", "text/csv").json() == ["float32", [2, 2]]
    assert sklearn.post("[1, 2, 3]").json() == ["float32", [1, 3]]
    assert sklearn.post(_npy(np.zeros((2, 5))), "application/x-npy").json() == \
        ["float64", [2, 5]]
    assert generic.post("1,2\n3,4\n", "text/csv").json() == ["float64", [2, 2]]
    assert sklearn.post("1,2", "text/plain").status_code == 415


@pytest.fixture(scope="module")
def booster():
    import xgboost

    x, y = _data(1)
    return xgboost.train({"objective": "binary:logistic", "max_depth": 2},
                         xgboost.DMatrix(x, label=y), num_boost_round=5)


def test_xgboost_algorithm_mode(serve, tmp_path, booster):
    """No user module: the built-in algorithm's server (CSV by default, libsvm, RecordIO)."""
    import xgboost

    # The algorithm's model file: a pickle named xgboost-model, alone in the folder.
    model_dir = _model_dir(tmp_path, "algo", {"xgboost-model": pickle.dumps(booster)})
    server = serve(model_dir, "--framework", "xgboost")
    json_server = serve(model_dir, "--framework", "xgboost",
                        env={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "application/json"})
    batch_server = serve(model_dir, "--framework", "xgboost", env={"SAGEMAKER_BATCH": "true"})
    for started in (server, json_server, batch_server):
        started.wait_ready()
    expected = booster.predict(xgboost.DMatrix(np.array(ROWS)))

    def floats(resp) -> list[float]:
        assert resp.status_code == 200, resp.text
        return [float(v) for v in resp.text.split()]

    resp = server.post(CSV_ROWS, "text/csv")
    assert resp.headers["Content-Type"] == "text/csv"  # no Accept: the algorithm's CSV
    np.testing.assert_allclose(floats(resp), expected, rtol=1e-6)
    for kind in ("text/libsvm", "text/x-libsvm"):
        np.testing.assert_allclose(floats(server.post(_libsvm(ROWS), kind)), expected,
                                   rtol=1e-6)
    resp = server.post(_recordio(ROWS), "application/x-recordio-protobuf")
    np.testing.assert_allclose(floats(resp), expected, rtol=1e-6)

    resp = json_server.post(CSV_ROWS, "text/csv")
    assert resp.headers["Content-Type"] == "application/json"
    scores = [p["score"] for p in resp.json()["predictions"]]
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    resp = server.post(CSV_ROWS, "text/csv", accept="application/jsonlines")
    lines = [json.loads(line)["score"] for line in resp.text.splitlines()]
    np.testing.assert_allclose(lines, expected, rtol=1e-6)
    # In a transform job (SAGEMAKER_BATCH), one prediction per line whatever the Accept.
    resp = batch_server.post(CSV_ROWS, "text/csv", accept="application/json")
    assert resp.headers["Content-Type"] == "application/json"
    np.testing.assert_allclose(floats(resp), expected, rtol=1e-6)

    # The algorithm's own answers to what it cannot take.
    assert server.post(b"", "text/csv").status_code == 204
    resp = server.post("1,2", "text/plain")
    assert resp.status_code == 415
    assert resp.json()["message"] == "Content-type text/plain is not supported."
    resp = server.post(CSV_ROWS, "text/csv", accept="image/png")
    assert resp.status_code == 406 and resp.json()["message"].startswith(
        "Accept type image/png is not supported. Please use supported accept types:")
    resp = server.post("1,2,3,4,5,6,7\n", "text/csv")
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("Unable to evaluate payload provided:")


def test_xgboost_algorithm_selectable_inference_content(serve, tmp_path, booster):
    """SAGEMAKER_INFERENCE_OUTPUT: each row answers with the keys asked for, in every
    accept type the algorithm offers (RecordIO-protobuf read back with the SDK's parser)."""
    import io

    import xgboost
    from sagemaker.amazon.common import RecordDeserializer

    model_dir = _model_dir(tmp_path, "select", {"xgboost-model": pickle.dumps(booster)})
    keys = "predicted_label, probabilities,labels"
    server = serve(model_dir, "--framework", "xgboost",
                   env={"SAGEMAKER_INFERENCE_OUTPUT": keys})
    server.wait_ready()
    scores = booster.predict(xgboost.DMatrix(np.array(ROWS))).tolist()
    wanted = [{"predicted_label": int(p > 0.5), "probabilities": [1 - p, p],
               "labels": [0, 1]} for p in scores]

    resp = server.post(CSV_ROWS, "text/csv", accept="application/json")
    assert resp.status_code == 200, resp.text
    got = resp.json()["predictions"]
    assert [r["predicted_label"] for r in got] == [w["predicted_label"] for w in wanted]
    np.testing.assert_allclose([r["probabilities"] for r in got],
                               [w["probabilities"] for w in wanted], rtol=1e-6)
    assert all(r["labels"] == [0, 1] for r in got)
    lines = server.post(CSV_ROWS, "text/csv", accept="application/jsonlines").text
    assert [json.loads(line)["predicted_label"] for line in lines.splitlines()] == [
        w["predicted_label"] for w in wanted]
    rows = server.post(CSV_ROWS, "text/csv").text.splitlines()  # CSV: the keys' order
    assert [int(r.split(",")[0]) for r in rows] == [w["predicted_label"] for w in wanted]
    body = server.post(CSV_ROWS, "text/csv", accept="application/x-recordio-protobuf")
    assert body.headers["Content-Type"] == "application/x-recordio-protobuf"
    records = RecordDeserializer().deserialize(io.BytesIO(body.content), "")
    assert [r.label["predicted_label"].float32_tensor.values[0] for r in records] == [
        float(w["predicted_label"]) for w in wanted]
    np.testing.assert_allclose(
        [list(r.label["probabilities"].float32_tensor.values) for r in records],
        [w["probabilities"] for w in wanted], rtol=1e-5)
    resp = server.post(CSV_ROWS, "text/csv", accept="image/png")
    assert resp.status_code == 406

    # A regression objective offers predicted_score; a key it lacks answers NaN.
    x, y = _data(2)
    regressor = xgboost.train({"objective": "reg:squarederror", "max_depth": 2},
                              xgboost.DMatrix(x, label=y.astype(float)), num_boost_round=3)
    model_dir = _model_dir(tmp_path, "select-reg", {"xgboost-model": pickle.dumps(regressor)})
    server = serve(model_dir, "--framework", "xgboost",
                   env={"SAGEMAKER_INFERENCE_OUTPUT": "predicted_score,predicted_label"})
    server.wait_ready()
    got = server.post(CSV_ROWS, "text/csv", accept="application/json").json()["predictions"]
    expected = regressor.predict(xgboost.DMatrix(np.array(ROWS)))
    np.testing.assert_allclose([r["predicted_score"] for r in got], expected, rtol=1e-6)
    assert all(r["predicted_label"] != r["predicted_label"] for r in got)  # NaN


XGBOOST_SCRIPT = """
    import os

    import xgboost

    def model_fn(model_dir):
        booster = xgboost.Booster()
        booster.load_model(os.path.join(model_dir, "model.ubj"))
        return booster
"""


def test_xgboost_script_mode_defaults(serve, tmp_path, booster):
    """With a user module: the container's input_fn (a DMatrix from CSV, libsvm,
    RecordIO-protobuf) and sagemaker_containers' output (JSON by default)."""
    import xgboost

    model_dir = tmp_path / "xgb"
    model_dir.mkdir()
    booster.save_model(model_dir / "model.ubj")
    _model_dir(tmp_path, "xgb", {"code/inference.py": XGBOOST_SCRIPT})
    server = serve(model_dir, "--framework", "xgboost")
    server.wait_ready()
    expected = booster.predict(xgboost.DMatrix(np.array(ROWS)))
    for body, kind in [(CSV_ROWS, "text/csv"), (_libsvm(ROWS), "text/libsvm"),
                       (_recordio(ROWS), "application/x-recordio-protobuf")]:
        resp = server.post(body, kind)
        assert resp.status_code == 200, resp.text
        assert resp.headers["Content-Type"] == "application/json"
        np.testing.assert_allclose(resp.json(), expected, rtol=1e-6)
    resp = server.post(_libsvm(ROWS), "text/x-libsvm", accept="application/x-npy")
    np.testing.assert_allclose(np.load(io.BytesIO(resp.content)), expected, rtol=1e-6)
    resp = server.post("a b", "text/plain")
    assert resp.status_code == 415 and "text/plain is not supported" in resp.json()["message"]


# TorchScript files are what SageMaker's PyTorch containers load (and users still bring);
# torch deprecates the scripting API that makes one.
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_pytorch_defaults_torchscript_and_state_dict(serve, tmp_path):
    torch = pytest.importorskip("torch")

    torch.manual_seed(0)
    net = torch.nn.Linear(4, 2)
    scripted = torch.jit.script(net)
    jit_dir = tmp_path / "jit"
    jit_dir.mkdir()
    scripted.save(str(jit_dir / "model.pt"))
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    torch.save(net.state_dict(), state_dir / "model.pth")
    served_dir = _model_dir(tmp_path, "served", {"code/inference.py": """
        import os

        import torch

        def model_fn(model_dir):
            net = torch.nn.Linear(4, 2)
            net.load_state_dict(torch.load(os.path.join(model_dir, "model.pth")))
            return net
    """})
    torch.save(net.state_dict(), served_dir / "model.pth")

    jit, state, served = (serve(d, "--framework", "pytorch")
                          for d in (jit_dir, state_dir, served_dir))
    with torch.no_grad():
        expected = net(torch.tensor(ROWS)).numpy()

    jit.wait_ready()
    resp = jit.post(json.dumps(ROWS))
    assert resp.headers["Content-Type"] == "application/json"
    np.testing.assert_allclose(resp.json(), expected, rtol=1e-5)
    resp = jit.post(_npy(np.array(ROWS, dtype=np.float32)), "application/x-npy",
                    accept="application/x-npy")
    np.testing.assert_allclose(np.load(io.BytesIO(resp.content)), expected, rtol=1e-5)
    resp = jit.post(CSV_ROWS, "text/csv", accept="text/csv")
    rows = [[float(v) for v in line.split(",")] for line in resp.text.split()]
    np.testing.assert_allclose(rows, expected, rtol=1e-5)
    assert jit.post("1 2", "text/plain").status_code == 415

    # A state dict is no TorchScript: without a model_fn it cannot load, as in the toolkit.
    assert state.wait_exit() == 1
    assert state.status()["reason"] == (
        f"Failed to load {state_dir / 'model.pth'}. Please ensure model is saved using "
        "torchscript.")
    served.wait_ready()
    np.testing.assert_allclose(served.post(json.dumps(ROWS)).json(), expected, rtol=1e-5)


def test_model_errors_reach_boto3_as_sagemaker_answers_them(serve, tmp_path, sklearn_script_dir,
                                                            sklearn_model):
    """Through the router: ModelError (424) with the model server's status and message."""
    server = serve(sklearn_script_dir, "--framework", "sklearn")
    router = start_router(tmp_path)
    try:
        server.wait_ready()
        router.put("contract", [{"name": "AllTraffic", "weight": 1,
                                 "instances": [{"id": "i-1", "url": server.url}]}])
        client = router.runtime()
        reply = client.invoke_endpoint(EndpointName="contract", Body=CSV_ROWS,
                                       ContentType="text/csv")
        assert reply["ContentType"] == "application/json"
        labels = sklearn_model.predict(np.array(ROWS)).tolist()
        assert json.loads(reply["Body"].read())["instances"] == [{"label": v} for v in labels]

        with pytest.raises(client.exceptions.ModelError) as err:
            client.invoke_endpoint(EndpointName="contract", Body="-1,0,0,0\n",
                                   ContentType="text/csv")
        response = err.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
        assert response["OriginalStatusCode"] == 500
        assert "ValueError: negative feature values" in response["OriginalMessage"]
        assert response["Error"]["Message"].startswith(
            'Received server error (500) from model with message "')
        assert response["LogStreamArn"]

        with pytest.raises(ClientError) as err:
            client.invoke_endpoint(EndpointName="contract", Body=b"\x00", ContentType="text/plain")
        response = err.value.response
        assert response["Error"]["Code"] == "ModelError"
        assert response["OriginalStatusCode"] == 415
        assert "Content type text/plain is not supported" in response["OriginalMessage"]
        assert response["Error"]["Message"].startswith("Received client error (415)")
    finally:
        from jupyter_mlstudio.process import stop_group

        stop_group(router.proc)
