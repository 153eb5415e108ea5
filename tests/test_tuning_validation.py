"""Tuning job requests SageMaker refuses are refused here too, each with a clear message,
and nothing is left behind."""
from __future__ import annotations

import copy

import pytest

from tests.tuning_support import tuning_api, tuning_body
from tests.wire_support import sagemaker_call


@pytest.fixture
def jp_base_url():
    return "/"


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}}}


def _ranges(**kinds):
    return {f"{kind}ParameterRanges": items for kind, items in kinds.items()}


CONTINUOUS = {"Name": "x", "MinValue": "0", "MaxValue": "1", "ScalingType": "Linear"}
BAD = [
    ("min >= max", {"ranges": _ranges(Continuous=[{**CONTINUOUS, "MinValue": "1"}])},
     "MinValue 1 must be less than MaxValue 1"),
    ("log with 0", {"ranges": _ranges(Continuous=[{**CONTINUOUS, "ScalingType":
                                                   "Logarithmic"}])},
     "Logarithmic scaling needs a range of values greater than 0"),
    ("reverse log", {"ranges": _ranges(Continuous=[{**CONTINUOUS, "MaxValue": "2",
                                                    "ScalingType": "ReverseLogarithmic"}])},
     "ReverseLogarithmic scaling needs a range within 0 <= x < 1"),
    ("integer not integer", {"ranges": _ranges(Integer=[{**CONTINUOUS, "MaxValue": "2.5"}])},
     "is not an integer"),
    ("no values", {"ranges": _ranges(Categorical=[{"Name": "k", "Values": []}])},
     "Values must have at least 1 items"),
    ("too many values", {"ranges": _ranges(Categorical=[
        {"Name": "k", "Values": [str(i) for i in range(31)]}])}, "must have at most 30 items"),
    ("grid continuous", {"strategy": "Grid", "ranges": _ranges(Continuous=[CONTINUOUS])},
     "the Grid strategy takes categorical ranges only, not x"),
    ("too many jobs", {"max_jobs": 501}, "MaxNumberOfTrainingJobs must be at most 500"),
    ("too parallel", {"parallel": 101}, "MaxParallelTrainingJobs must be at most 100"),
    ("hyperband early", {"strategy": "Hyperband", "static": {"epochs": "5"},
                         "TrainingJobEarlyStoppingType": "Auto"},
     "TrainingJobEarlyStoppingType must be Off with the Hyperband strategy"),
    ("hyperband no max", {"strategy": "Hyperband"}, "MaxResource is required"),
    ("hyperband min", {"strategy": "Hyperband", "StrategyConfig": {
        "HyperbandStrategyConfig": {"MinResource": 5, "MaxResource": 5}}},
     "MinResource must be less than MaxResource"),
    ("strategy config", {"StrategyConfig": {"HyperbandStrategyConfig": {"MaxResource": 5}}},
     "StrategyConfig is for the Hyperband strategy only"),
    ("static and tuned", {"static": {"x": "0.5"}}, "x cannot be both static and tuned"),
    ("unknown strategy", {"strategy": "Genetic"}, "Strategy must be one of"),
    ("autotune", {"ranges": {"AutoParameters": [{"Name": "x", "ValueHint": "0.1"}]}},
     "Autotune) is not supported here"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
async def test_bad_tuning_requests_are_refused_with_the_reason(
        case, jp_fetch, mlstudio_app, jp_root_dir):
    _, options, message = case
    api = tuning_api(jp_fetch)
    config = {k: v for k, v in options.items()
              if k not in ("ranges", "strategy", "max_jobs", "parallel", "static")}
    body = tuning_body("bad", jp_root_dir, strategy=options.get("strategy", "Bayesian"),
                       max_jobs=options.get("max_jobs", 4), parallel=options.get("parallel", 2),
                       ranges=options.get("ranges"), static=options.get("static"), **config)
    code, reply = await api("POST", body=body)
    assert code == 400, reply
    assert message in reply["message"], reply
    code, listing = await api("GET")
    assert listing["HyperParameterTuningJobSummaries"] == []


async def test_definitions_objectives_parents_and_names(jp_fetch, mlstudio_app, jp_root_dir):
    api = tuning_api(jp_fetch)
    body = tuning_body("bad", jp_root_dir)
    wrong = copy.deepcopy(body)
    wrong["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"][
        "MetricName"] = "validation:auc"
    code, reply = await api("POST", body=wrong)
    assert code == 400 and "objective metric 'validation:auc' is not among the metric " \
        "definitions" in reply["message"], reply

    neither = copy.deepcopy(body)
    del neither["TrainingJobDefinition"]
    code, reply = await api("POST", body=neither)
    assert code == 400 and "exactly one of TrainingJobDefinition" in reply["message"]

    missing_source = copy.deepcopy(body)
    missing_source["TrainingJobDefinition"]["StaticHyperParameters"][
        "sagemaker_submit_directory"] = '"no-such-folder"'
    code, reply = await api("POST", body=missing_source)
    assert code == 400 and "TrainingJobDefinition: sagemaker_submit_directory" in \
        reply["message"], reply

    orphan = copy.deepcopy(body)
    orphan["WarmStartConfig"] = {"ParentHyperParameterTuningJobs": [
        {"HyperParameterTuningJobName": "nobody"}], "WarmStartType": "TransferLearning"}
    code, reply = await api("POST", body=orphan)
    assert code == 404 and "nobody" in reply["message"], reply

    long_name = copy.deepcopy(body)
    long_name["HyperParameterTuningJobName"] = "x" * 33
    code, reply = await api("POST", body=long_name)
    assert code == 400 and "HyperParameterTuningJobName" in reply["message"], reply

    code, reply = await api("GET", "nobody")
    assert code == 404
    code, reply = await api("GET", "nobody", "training-jobs", params={"SortBy": "Size"})
    assert code in (400, 404)


async def test_the_wire_answers_as_sagemaker(jp_fetch, mlstudio_app, jp_http_port,
                                             jp_root_dir):
    body = tuning_body("bad", jp_root_dir, max_jobs=501)
    code, reply = await sagemaker_call(mlstudio_app, jp_http_port,
                                       "CreateHyperParameterTuningJob", body)
    assert (code, reply["__type"]) == (400, "ValidationException"), reply
    assert "MaxNumberOfTrainingJobs must be at most 500" in reply["message"]
    code, reply = await sagemaker_call(mlstudio_app, jp_http_port,
                                       "DescribeHyperParameterTuningJob",
                                       {"HyperParameterTuningJobName": "nobody"})
    assert (code, reply["__type"]) == (400, "ResourceNotFound"), reply
    code, reply = await sagemaker_call(mlstudio_app, jp_http_port,
                                       "ListTrainingJobsForHyperParameterTuningJob",
                                       {"HyperParameterTuningJobName": "nobody",
                                        "SortBy": "Size"})
    assert (code, reply["__type"]) == (400, "ValidationException"), reply


async def test_a_definition_without_a_role_takes_the_servers(jp_fetch, mlstudio_app,
                                                             jp_root_dir):
    api = tuning_api(jp_fetch)
    body = tuning_body("roleless", jp_root_dir, max_jobs=1, parallel=1)
    del body["TrainingJobDefinition"]["RoleArn"]
    code, reply = await api("POST", body=body)
    assert code == 201, reply
    code, job = await api("GET", "roleless")
    assert job["TrainingJobDefinition"]["RoleArn"] == mlstudio_app.execution_role_arn
