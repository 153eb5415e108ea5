"""Batch transform over a multi-file CSV prefix with the Python API, bad transform
requests, and endpoints that survive a restart of the Jupyter server."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

from tests.rest_client.deploy import DeployError, Model
from tests.procs import wait_for, wait_gone
from tests.servers import start_server
from tests.serving_support import (call, deploy, iris_like, joblib_bytes, kernel_environment,
                                   runtime, session, trained_model, upload_model)

pytestmark = [pytest.mark.slow]


@pytest.fixture
def server(tmp_path):
    server = start_server(tmp_path / "home")
    yield server
    server.stop()


def test_batch_transform_writes_one_out_per_input_file(server, monkeypatch):
    for key, value in kernel_environment(server).items():
        monkeypatch.setenv(key, value)
    s3 = server.s3_client()
    x, y = iris_like()
    model_uri = upload_model(server, "models/batch/model.tar.gz",
                             {"model.joblib": joblib_bytes(trained_model())})
    parts = {"part-0.csv": x[:50], "sub/part-1.csv": x[50:90], "part-2.csv": x[90:]}
    for name, rows in parts.items():
        text = "\n".join(",".join(f"{v:.6f}" for v in row) for row in rows) + "\n"
        s3.put_object(Bucket="mlstudio", Key=f"batch-in/{name}", Body=text.encode())

    model = Model(model_uri, session=session(server))
    transformer = model.transformer(instance_count=2, strategy="MultiRecord",
                                    assemble_with="Line", max_payload=1,
                                    max_concurrent_transforms=4,
                                    output_path="s3://mlstudio/batch-out")
    desc = transformer.transform("s3://mlstudio/batch-in/", content_type="text/csv",
                                 split_type="Line", join_source="Input", logs=False)
    assert desc["TransformJobStatus"] == "Completed", desc
    assert desc["Progress"]["files_done"] == 3 and desc["Progress"]["records_done"] == 120
    expected = trained_model().predict(x)
    offset = {"part-0.csv": 0, "sub/part-1.csv": 50, "part-2.csv": 90}
    for name, rows in parts.items():
        body = s3.get_object(Bucket="mlstudio", Key=f"batch-out/{name}.out")["Body"].read()
        lines = body.decode().strip().split("\n")
        assert len(lines) == len(rows)
        for i, line in enumerate(lines):
            *features, label = line.split(",")
            np.testing.assert_allclose([float(v) for v in features], rows[i], atol=1e-5)
            assert float(label) == expected[offset[name] + i]
    listed = call(server, "GET", "transform-jobs")[1]["TransformJobSummaries"]
    assert listed[0]["TransformJobName"] == transformer.latest_transform_job
    assert listed[0]["TransformJobStatus"] == "Completed"
    # The finished job's log says it is complete, followed or not, and a follow does not wait.
    for query in ("", "&follow=1&timeout=30"):
        started = time.monotonic()
        code, page = call(server, "GET", f"transform-jobs/{transformer.latest_transform_job}"
                          f"/logs?offset=0{query}")
        assert code == 200 and page["complete"] and page["text"], page
        end = page["next_offset"]
        code, page = call(server, "GET", f"transform-jobs/{transformer.latest_transform_job}"
                          f"/logs?offset={end}{query}")
        assert (page["text"], page["complete"]) == ("", True)
        assert time.monotonic() - started < 20  # answered without waiting out the timeout

    # A model that cannot read the input fails the job with the reason; nothing is written.
    call(server, "POST", "models", {"ModelName": "picky",
                                    "PrimaryContainer": {"ModelDataUrl": model_uri}})
    bad = Model(model_uri, name="picky", session=session(server)).transformer(
        output_path="s3://mlstudio/batch-bad")
    with pytest.raises(DeployError) as err:
        bad.transform("s3://mlstudio/batch-in/", content_type="application/xml",
                      split_type="Line", logs=False)
    assert "415" in str(err.value)
    assert s3.list_objects_v2(Bucket="mlstudio", Prefix="batch-bad/").get("KeyCount") == 0
    assert not s3.list_multipart_uploads(Bucket="mlstudio").get("Uploads")

    for body, word in [
        ({"TransformJobName": "t1", "ModelName": "picky"}, "TransformInput"),
        ({"TransformJobName": "t2", "ModelName": "picky", "BatchStrategy": "All",
          "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://mlstudio/x"}}},
          "TransformOutput": {"S3OutputPath": "s3://mlstudio/y"}}, "BatchStrategy"),
        ({"TransformJobName": "t3", "ModelName": "nope",
          "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://mlstudio/x"}}},
          "TransformOutput": {"S3OutputPath": "s3://mlstudio/y"}}, "no model"),
    ]:
        code, reply = call(server, "POST", "transform-jobs", body)
        assert code in (400, 404) and word in reply["message"], reply


def test_endpoints_survive_a_server_restart(tmp_path):
    home = tmp_path / "home"
    server = start_server(home)
    try:
        model_uri = upload_model(server, "models/keep/model.tar.gz",
                                 {"model.joblib": joblib_bytes(trained_model())})
        call(server, "POST", "models", {"ModelName": "keep",
                                        "PrimaryContainer": {"ModelDataUrl": model_uri}})
        desc = deploy(server, "keep", [{"VariantName": "v", "ModelName": "keep",
                                        "InitialInstanceCount": 2}])
        assert desc["EndpointStatus"] == "InService", desc
        url = desc["RuntimeUrl"]
        pids = [i["Pid"] for i in desc["ProductionVariants"][0]["Instances"]]
    finally:
        server.stop()
    assert all(wait_gone(pid) for pid in pids)

    server = start_server(home)
    try:
        def back():
            d = call(server, "GET", "endpoints/keep")[1]
            insts = d["ProductionVariants"][0]["Instances"]
            return d if len(insts) == 2 and all(i["Status"] == "InService" for i in insts) \
                else None

        desc = wait_for(back, timeout=90)
        assert desc["EndpointStatus"] == "InService" and desc["RuntimeUrl"] == url
        reply = runtime(server, url).invoke_endpoint(
            EndpointName="keep", Body=b"[[0,4,4,4]]", ContentType="application/json")
        assert json.loads(reply["Body"].read()) == [2]
    finally:
        server.stop()
