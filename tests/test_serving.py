"""Real-time endpoints end to end: a real training job's model served by real model servers
behind the router, invoked with boto3's sagemaker-runtime, through the Jupyter server and
with the Python API; A/B weights, auto-scaling under load, a killed instance, bad input."""
from __future__ import annotations

import itertools
import json
import os
import signal
import textwrap
import threading
import time
from collections import Counter

import numpy as np
import pytest
import requests
from botocore.exceptions import ClientError

from jupyter_mlstudio.client import MLStudioAPIError, MLStudioClient
from tests.rest_client.estimator import SKLearn
from tests.rest_client.serializers import CSVSerializer, NumpyDeserializer, NumpySerializer
from tests.procs import wait_for, wait_gone
from tests.servers import start_server
from tests.serving_support import (call, deploy, invoke_many, iris_like, joblib_bytes,
                                   kernel_environment, row_json, runtime, session,
                                   signer, trained_model, upload_model, wait_status)

pytestmark = [pytest.mark.slow]

TRAIN_SCRIPT = """
import argparse, os
import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression


def model_fn(model_dir):
    # What SageMaker's scikit-learn container calls: the training script serves too.
    return joblib.load(os.path.join(model_dir, "model.joblib"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    args = parser.parse_args()
    data = np.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), delimiter=",")
    model = LogisticRegression(C=args.C, max_iter=500).fit(data[:, 1:], data[:, 0])
    joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("serving") / "home"
    server = start_server(home, "server", "--ServingService.metrics_period=2",
                          "--ServingService.wait_for_instance=20")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_env(server):
    """The Python API configured as inside one of the server's kernels."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in kernel_environment(server).items():
            mp.setenv(key, value)
        yield


@pytest.fixture(scope="module")
def estimator(server, api_env, tmp_path_factory):
    """A real training job's estimator (its model.tar.gz is in the server's store)."""
    x, y = iris_like()
    rows = "\n".join(",".join(str(v) for v in [label, *feat]) for label, feat in zip(y, x))
    server.s3_client().put_object(Bucket="mlstudio", Key="deploy-data/train.csv",
                                  Body=rows.encode())
    src = tmp_path_factory.mktemp("src")
    (src / "train.py").write_text(textwrap.dedent(TRAIN_SCRIPT))
    est = SKLearn(entry_point="train.py", source_dir=str(src), hyperparameters={"C": 1.0},
                  client=MLStudioClient(server.url, server.token))
    est.fit({"train": "s3://mlstudio/deploy-data/"}, logs=False)
    assert est.model_data.endswith("output/model.tar.gz")
    return est


@pytest.fixture(scope="module")
def model_uri(server):
    """A model.tar.gz holding only a joblib model (served by the defaults)."""
    return upload_model(server, "models/plain/model.tar.gz",
                        {"model.joblib": joblib_bytes(trained_model())})


def test_estimator_deploys_and_serves_json_csv_npy_through_boto3_and_the_proxy(
        server, estimator):
    predictor = estimator.deploy(initial_instance_count=1, endpoint_name="sk-endpoint")
    desc = predictor.describe()
    assert desc["EndpointStatus"] == "InService"
    assert desc["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    assert desc["RuntimeUrl"].startswith("http://127.0.0.1:")
    x, y = iris_like()
    assert predictor.predict(x[:5]) == [float(v) for v in y[:5]]

    predictor.serializer, predictor.deserializer = NumpySerializer(), NumpyDeserializer()
    np.testing.assert_array_equal(predictor.predict(x[40:45]), y[40:45])
    predictor.serializer = CSVSerializer()
    np.testing.assert_array_equal(predictor.predict(x[80:83]), y[80:83])

    # boto3's own client, unchanged, against RuntimeUrl.
    rt = runtime(server, desc["RuntimeUrl"])
    reply = rt.invoke_endpoint(EndpointName="sk-endpoint", Body=row_json(x[:2]),
                               ContentType="application/json", Accept="application/json")
    assert json.loads(reply["Body"].read()) == [0.0, 0.0]
    assert reply["InvokedProductionVariant"] == "AllTraffic"
    with pytest.raises(ClientError) as err:
        rt.invoke_endpoint(EndpointName="no-such-endpoint", Body=b"[[1,2,3,4]]",
                           ContentType="application/json")
    assert err.value.response["Error"]["Code"] == "ValidationError"

    # The authenticated route of the Jupyter server.
    path = "mlstudio/api/endpoints/sk-endpoint/invocations"
    resp = server.request("POST", path, data=row_json(x[40:41]),
                          headers={"Content-Type": "application/json"})
    assert resp.status_code == 200 and resp.json() == [1.0]
    assert resp.headers["X-Amzn-Invoked-Production-Variant"] == "AllTraffic"
    anonymous = requests.post(f"{server.url}{path}", data=b"[[1,2,3,4]]", timeout=10)
    assert anonymous.status_code == 403
    wrong_type = server.request("POST", path, data=b"<x/>",
                                headers={"Content-Type": "application/xml"})
    assert wrong_type.status_code == 415 and "application/xml" in wrong_type.json()["message"]
    huge = server.request("POST", path, data=b"[" + b"1," * 3_500_000 + b"1]",
                          headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and "6 MB" in huge.json()["message"]
    with pytest.raises(ClientError) as err:  # the router refuses it too
        rt.invoke_endpoint(EndpointName="sk-endpoint", Body=b"1," * 3_500_000,
                           ContentType="text/csv")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413

    # Metrics are recorded per variant (the server samples every 2 s here).
    def counted() -> int:
        points = call(server, "GET", "endpoints/sk-endpoint/metrics")[1]["Variants"]
        return sum(p["Invocations"] for p in points.get("AllTraffic", []))

    assert wait_for(lambda: counted() >= 1, timeout=30)

    predictor.delete_endpoint()
    wait_for(lambda: call(server, "GET", "endpoints/sk-endpoint")[0] == 404, timeout=60)
    assert call(server, "GET", "endpoint-configs/sk-endpoint")[0] == 404


XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def test_model_image_picks_its_framework_defaults(server):
    """A model of SageMaker's XGBoost image is served as the built-in algorithm would: its
    xgboost-model file, libsvm in, CSV out by default; its Environment changes the default."""
    import pickle

    import xgboost

    x, y = iris_like()
    booster = xgboost.train({"objective": "multi:softmax", "num_class": 3},
                            xgboost.DMatrix(x, label=y), num_boost_round=3)
    uri = upload_model(server, "models/xgb-algo/model.tar.gz",
                       {"xgboost-model": pickle.dumps(booster)})
    for name, env in [("xgb-csv", {}),
                      ("xgb-json", {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "application/json"})]:
        code, reply = call(server, "POST", "models", {"ModelName": name, "PrimaryContainer": {
            "Image": XGBOOST_IMAGE, "ModelDataUrl": uri, "Environment": env}})
        assert code == 201, reply
    desc = deploy(server, "xgb", [
        {"VariantName": variant, "ModelName": f"xgb-{variant}", "InitialInstanceCount": 1,
         "InitialVariantWeight": 1} for variant in ("csv", "json")])
    assert desc["EndpointStatus"] == "InService", desc
    rt = runtime(server, desc["RuntimeUrl"])
    rows = x[[0, 45, 100]]
    libsvm = "".join(" ".join(f"{i}:{v}" for i, v in enumerate(row)) + "\n" for row in rows)
    expected = booster.predict(xgboost.DMatrix(rows)).tolist()

    reply = rt.invoke_endpoint(EndpointName="xgb", Body=libsvm, ContentType="text/libsvm",
                               TargetVariant="csv")
    assert reply["ContentType"] == "text/csv"
    assert [float(v) for v in reply["Body"].read().split()] == expected == [0.0, 1.0, 2.0]
    reply = rt.invoke_endpoint(EndpointName="xgb", Body=libsvm, ContentType="text/libsvm",
                               TargetVariant="json")
    assert reply["ContentType"] == "application/json"
    assert json.loads(reply["Body"].read()) == {"predictions": [{"score": v} for v in expected]}
    with pytest.raises(rt.exceptions.ModelError) as err:
        rt.invoke_endpoint(EndpointName="xgb", Body=b"[[1, 2]]", ContentType="text/plain",
                           TargetVariant="csv")
    assert err.value.response["OriginalStatusCode"] == 415
    assert call(server, "DELETE", "endpoints/xgb")[0] == 204


def test_ab_split_follows_weights_and_changes_live(server, model_uri):
    for name in ("ab-model-a", "ab-model-b"):
        code, reply = call(server, "POST", "models", {
            "ModelName": name, "PrimaryContainer": {"ModelDataUrl": model_uri}})
        assert code == 201, reply
    desc = deploy(server, "ab", [
        {"VariantName": "A", "ModelName": "ab-model-a", "InitialInstanceCount": 1,
         "InitialVariantWeight": 0.7},
        {"VariantName": "B", "ModelName": "ab-model-b", "InitialInstanceCount": 1,
         "InitialVariantWeight": 0.3}])
    assert desc["EndpointStatus"] == "InService", desc
    url = desc["RuntimeUrl"]
    replies = invoke_many(server, url, "ab", [b"[[0,0,0,0]]"] * 1000)
    assert all(r["status"] == 200 for r in replies)
    share = Counter(r["variant"] for r in replies)
    assert abs(share["A"] / 1000 - 0.7) <= 0.05, share
    assert abs(share["B"] / 1000 - 0.3) <= 0.05, share

    # TargetVariant pins a request to a variant.
    rt = runtime(server, url)
    for variant in ("A", "B"):
        reply = rt.invoke_endpoint(EndpointName="ab", Body=b"[[0,0,0,0]]",
                                   ContentType="application/json", TargetVariant=variant)
        assert reply["InvokedProductionVariant"] == variant

    # New weights apply while requests are in flight; none is dropped.
    load = {"stop": False, "replies": []}

    def background() -> None:
        while not load["stop"]:
            load["replies"] += invoke_many(server, url, "ab", [b"[[0,0,0,0]]"] * 20,
                                           threads=4)

    worker = threading.Thread(target=background)
    worker.start()
    try:
        code, reply = call(server, "POST", "endpoints/ab/weights-and-capacities", {
            "DesiredWeightsAndCapacities": [{"VariantName": "A", "DesiredWeight": 0},
                                            {"VariantName": "B", "DesiredWeight": 1}]})
        assert code == 200, reply
        wait_status(server, "ab")
    finally:
        load["stop"] = True
        worker.join()
    assert load["replies"] and all(r["status"] == 200 for r in load["replies"])
    after = Counter(r["variant"]
                    for r in invoke_many(server, url, "ab", [b"[[0,0,0,0]]"] * 100))
    assert after == {"B": 100}
    desc = wait_status(server, "ab")
    assert {v["VariantName"]: v["CurrentWeight"] for v in desc["ProductionVariants"]} == \
        {"A": 0.0, "B": 1.0}

    # All weights zero is refused; so is an unknown variant.
    code, reply = call(server, "POST", "endpoints/ab/weights-and-capacities", {
        "DesiredWeightsAndCapacities": [{"VariantName": "B", "DesiredWeight": 0}]})
    assert code == 400 and "weight above 0" in reply["message"]
    code, reply = call(server, "POST", "endpoints/ab/weights-and-capacities", {
        "DesiredWeightsAndCapacities": [{"VariantName": "C", "DesiredWeight": 1}]})
    assert code == 400 and "no variant 'C'" in reply["message"]
    assert call(server, "DELETE", "endpoints/ab")[0] == 204


def test_autoscaling_scales_out_under_load_and_back_in(server, model_uri):
    call(server, "POST", "models", {"ModelName": "scaled",
                                    "PrimaryContainer": {"ModelDataUrl": model_uri}})
    desc = deploy(server, "scaled", [{"VariantName": "main", "ModelName": "scaled",
                                      "InitialInstanceCount": 1}])
    assert desc["EndpointStatus"] == "InService", desc
    code, policy = call(server, "PUT", "endpoints/scaled/variants/main/scaling", {
        "MinCapacity": 1, "MaxCapacity": 3, "TargetValue": 600,
        "ScaleOutCooldown": 0, "ScaleInCooldown": 4})
    assert code == 200 and policy["PredefinedMetricType"] == \
        "SageMakerVariantInvocationsPerInstance"
    code, reply = call(server, "PUT", "endpoints/scaled/variants/main/scaling", {
        "MinCapacity": 3, "MaxCapacity": 2, "TargetValue": 10})
    assert code == 400 and "MinCapacity" in reply["message"]

    stop = threading.Event()
    answered: list[int] = []

    auth = signer(server)

    def load() -> None:  # ~50 requests/s = 3000 per minute on one instance: over target
        http = requests.Session()
        http.auth = auth
        while not stop.is_set():
            resp = http.post(f"{desc['RuntimeUrl']}/endpoints/scaled/invocations",
                             data=b"[[0,0,0,0]]",
                             headers={"Content-Type": "application/json"}, timeout=30)
            answered.append(resp.status_code)
            time.sleep(0.02)

    workers = [threading.Thread(target=load) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        def instances() -> int:
            d = call(server, "GET", "endpoints/scaled")[1]
            return d["ProductionVariants"][0]["CurrentInstanceCount"]

        wait_for(lambda: instances() >= 2, timeout=60)
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert answered and set(answered) == {200}
    wait_for(lambda: instances() == 1, timeout=90)
    activities = call(server, "GET", "endpoints/scaled/scaling-activities")[1][
        "ScalingActivities"]
    assert [a["StatusCode"] for a in activities[:2]] == ["Successful", "Successful"]
    assert activities[0]["ToCount"] == 1 and "below the target" in activities[0]["Cause"]
    assert any(a["ToCount"] > a["FromCount"] and "above the target" in a["Cause"]
               for a in activities)
    points = call(server, "GET", "endpoints/scaled/metrics")[1]["Variants"]["main"]
    assert max(p["InstanceCount"] for p in points) >= 2
    assert call(server, "DELETE", "endpoints/scaled")[0] == 204


def test_killed_instance_loses_no_request_and_is_restarted(server, model_uri):
    call(server, "POST", "models", {"ModelName": "sturdy",
                                    "PrimaryContainer": {"ModelDataUrl": model_uri}})
    desc = deploy(server, "sturdy", [{"VariantName": "main", "ModelName": "sturdy",
                                      "InitialInstanceCount": 2}])
    victim = desc["ProductionVariants"][0]["Instances"][0]
    bodies = [b"[[4,4,0,0]]"] * 600
    results: list = []
    replies = itertools.count(1)
    flowing = threading.Event()  # set once 50 replies are back: the rest are in flight

    def answered() -> None:
        if next(replies) == 50:
            flowing.set()

    worker = threading.Thread(target=lambda: results.extend(
        invoke_many(server, desc["RuntimeUrl"], "sturdy", bodies, threads=6,
                    answered=answered)))
    worker.start()
    assert flowing.wait(60)
    os.killpg(victim["Pid"], signal.SIGKILL)
    worker.join()
    assert len(results) == 600
    assert Counter(r["status"] for r in results) == {200: 600}
    assert all(json.loads(r["body"]) == [1.0] for r in results)
    assert wait_gone(victim["Pid"])

    def restarted():
        d = call(server, "GET", "endpoints/sturdy")[1]
        inst = {i["InstanceId"]: i for i in d["ProductionVariants"][0]["Instances"]}
        i = inst[victim["InstanceId"]]
        return i["Status"] == "InService" and i["Restarts"] >= 1 and i["Pid"] != victim["Pid"]

    wait_for(restarted, timeout=60)
    assert call(server, "DELETE", "endpoints/sturdy")[0] == 204


def test_delete_with_requests_in_flight_lets_them_finish(server, tmp_path):
    running = tmp_path / "running"  # each invocation marks that it has started
    slow = upload_model(server, "models/slow/model.tar.gz", {
        "model.joblib": joblib_bytes(trained_model()),
        "code/inference.py": textwrap.dedent(f"""
            import time

            def predict_fn(data, model):
                with open({str(running)!r}, "a") as f:
                    f.write("started\\n")
                time.sleep(1.5)
                return model.predict(data)
        """).encode()})
    call(server, "POST", "models", {"ModelName": "slow",
                                    "PrimaryContainer": {"ModelDataUrl": slow}})
    desc = deploy(server, "slow", [{"VariantName": "main", "ModelName": "slow",
                                    "InitialInstanceCount": 1}])
    results: list = []
    worker = threading.Thread(target=lambda: results.extend(
        invoke_many(server, desc["RuntimeUrl"], "slow", [b"[[0,0,0,0]]"] * 3, threads=3)))
    worker.start()
    wait_for(running.exists, timeout=30)
    assert call(server, "DELETE", "endpoints/slow")[0] == 204
    worker.join()
    assert [r["status"] for r in results] == [200, 200, 200]
    wait_for(lambda: call(server, "GET", "endpoints/slow")[0] == 404, timeout=30)
    later = invoke_many(server, desc["RuntimeUrl"], "slow", [b"[[0,0,0,0]]"])
    assert later[0]["status"] == 400


def test_bad_models_and_requests_get_clear_errors(server, model_uri):
    cases = [
        ({"ModelName": "bad name!", "PrimaryContainer": {"ModelDataUrl": model_uri}},
         "ModelName"),
        ({"ModelName": "no-data", "PrimaryContainer": {}}, "ModelDataUrl"),
        ({"ModelName": "bad-uri", "PrimaryContainer": {"ModelDataUrl": "/etc/passwd"}},
         "ModelDataUrl"),
        ({"ModelName": "x", "PrimaryContainer": {"ModelDataUrl": model_uri}, "Evil": 1},
         "unknown fields"),
    ]
    for body, word in cases:
        code, reply = call(server, "POST", "models", body)
        assert code == 400 and word in reply["message"], (body, reply)
    code, reply = call(server, "POST", "endpoint-configs", {
        "EndpointConfigName": "ghost", "ProductionVariants": [
            {"VariantName": "v", "ModelName": "no-such-model"}]})
    assert code == 400 and "no-such-model" in reply["message"]
    code, reply = call(server, "POST", "endpoints", {"EndpointName": "e",
                                                     "EndpointConfigName": "no-such"})
    assert code == 404

    # A missing archive, a corrupt one and a model_fn that raises: Failed with the reason.
    broken = {
        "missing": "s3://mlstudio/models/none/model.tar.gz",
        "corrupt": "s3://mlstudio/models/corrupt/model.tar.gz",
        "raising": upload_model(server, "models/raising/model.tar.gz", {
            "code/inference.py": b"def model_fn(model_dir):\n"
                                 b"    raise ValueError('weights are damaged')\n"}),
    }
    server.s3_client().put_object(Bucket="mlstudio", Key="models/corrupt/model.tar.gz",
                                  Body=b"this is not a tar archive")
    for name, uri in broken.items():
        assert call(server, "POST", "models", {"ModelName": f"m-{name}",
                                               "PrimaryContainer": {"ModelDataUrl": uri}})[0] \
            == 201
        desc = deploy(server, f"e-{name}", [{"VariantName": "v", "ModelName": f"m-{name}"}])
        assert desc["EndpointStatus"] == "Failed", desc
        expected = {"missing": "does not exist", "corrupt": "not a readable tar.gz",
                    "raising": "weights are damaged"}[name]
        assert expected in desc["FailureReason"], desc
        sagemaker_words = {  # SageMaker's own sentence comes first
            "missing": f'Failed to download model data from URL: "{uri}".',
            "corrupt": "model archive",
            "raising": "The primary container for production variant v did not pass the "
                       "ping health check. Please check CloudWatch logs for this endpoint."}
        assert desc["FailureReason"].startswith(sagemaker_words[name]), desc
        assert desc["ProductionVariants"][0]["Instances"] == []
        assert call(server, "DELETE", f"endpoints/e-{name}")[0] == 204

    with pytest.raises(MLStudioAPIError) as err:
        session(server).create_endpoint(EndpointName="dup", EndpointConfigName="e-missing")
        session(server).create_endpoint(EndpointName="dup", EndpointConfigName="e-missing")
    assert err.value.status == 409
