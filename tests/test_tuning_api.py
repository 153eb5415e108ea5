"""Hyperparameter tuning jobs through the REST routes, on real training jobs."""
from __future__ import annotations

import asyncio

import pytest

from tests.tuning_support import tuning_api, tuning_body, wait_tuning

pytestmark = pytest.mark.slow


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "LocalBackend": {"max_concurrent_jobs": 2, "stop_grace": 2.0},
    }


@pytest.fixture
def tuning(jp_fetch, mlstudio_app):
    return tuning_api(jp_fetch)


async def test_bayesian_tuning_job_runs_its_trials_and_finds_the_best(
        tuning, api, jp_root_dir):
    code, reply = await tuning("POST", body=tuning_body("tune-a", jp_root_dir, max_jobs=4))
    assert code == 201, reply
    assert reply["HyperParameterTuningJobArn"].endswith(":hyper-parameter-tuning-job/tune-a")
    job = await wait_tuning(tuning, "tune-a")
    assert job["HyperParameterTuningJobStatus"] == "Completed", job
    assert job["TrainingJobStatusCounters"]["Completed"] == 4
    assert job["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 0, "Failed": 0}
    code, page = await tuning("GET", "tune-a", "training-jobs",
                              params={"SortBy": "FinalObjectiveMetricValue",
                                      "SortOrder": "Ascending"})
    trials = page["TrainingJobSummaries"]
    assert len(trials) == 4
    best = job["BestTrainingJob"]
    assert best["TrainingJobName"] == trials[0]["TrainingJobName"]
    tuned = best["TunedHyperParameters"]
    x, depth = float(tuned["x"]), int(tuned["depth"])
    expected = (x - 0.3) ** 2 + (depth - 4) ** 2 / 10 + 1 / 3
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == \
        pytest.approx(expected, abs=1e-5)
    code, trial = await api("GET", best["TrainingJobName"])
    assert trial["TuningJobArn"] == reply["HyperParameterTuningJobArn"]
    assert trial["HyperParameters"]["x"] == tuned["x"]
    assert trial["HyperParameters"]["_tuning_objective_metric"] == '"validation:loss"'


async def trials_of(tuning, name: str, **params: str) -> list[dict]:
    found, token = [], ""
    while True:
        code, page = await tuning("GET", name, "training-jobs",
                                  params={**params, "MaxResults": "2",
                                          **({"NextToken": token} if token else {})})
        assert code == 200, page
        found += page["TrainingJobSummaries"]
        token = page.get("NextToken")
        if not token:
            return found


async def test_random_search_with_the_same_seed_tries_the_same_hyperparameters(
        tuning, jp_root_dir):
    ranges = {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0.001",
                                             "MaxValue": "1", "ScalingType": "Logarithmic"}],
              "CategoricalParameterRanges": [{"Name": "kind", "Values": ["a", "b"]}]}
    for name in ("rand-a", "rand-b"):
        code, reply = await tuning("POST", body=tuning_body(
            name, jp_root_dir, strategy="Random", max_jobs=3, parallel=1, ranges=ranges))
        assert code == 201, reply
    tried = []
    for name in ("rand-a", "rand-b"):
        job = await wait_tuning(tuning, name)
        assert job["HyperParameterTuningJobStatus"] == "Completed"
        trials = await trials_of(tuning, name)  # paged two at a time, by name
        expected = [f"{name}-00{i}" for i in (1, 2, 3)]
        assert [t["TrainingJobName"][:10] for t in trials] == expected
        for t in trials:
            assert 0.001 <= float(t["TunedHyperParameters"]["x"]) <= 1
            assert t["TunedHyperParameters"]["kind"] in ("a", "b")
        tried.append([t["TunedHyperParameters"] for t in trials])
    assert tried[0] == tried[1]


async def test_grid_search_tries_every_combination_once(tuning, jp_root_dir):
    ranges = {"CategoricalParameterRanges": [{"Name": "kind", "Values": ["a", "b"]},
                                             {"Name": "depth", "Values": ["2", "4"]}]}
    body = tuning_body("grid", jp_root_dir, strategy="Grid", parallel=2, ranges=ranges)
    del body["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    code, reply = await tuning("POST", body=body)
    assert code == 201, reply
    job = await wait_tuning(tuning, "grid")
    assert job["HyperParameterTuningJobStatus"] == "Completed"
    assert job["HyperParameterTuningJobConfig"]["ResourceLimits"][
        "MaxNumberOfTrainingJobs"] == 4
    combos = sorted((t["TunedHyperParameters"]["kind"], t["TunedHyperParameters"]["depth"])
                    for t in await trials_of(tuning, "grid"))
    assert combos == [("a", "2"), ("a", "4"), ("b", "2"), ("b", "4")]
    assert job["BestTrainingJob"]["TunedHyperParameters"] == {"kind": "a", "depth": "4"}


async def test_hyperband_stops_trials_at_its_rungs(tuning, jp_root_dir):
    body = tuning_body("hyperband", jp_root_dir, strategy="Hyperband", max_jobs=9, parallel=2,
                       static={"epochs": "9", "pause": "0.3"},
                       StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 1}})
    code, reply = await tuning("POST", body=body)
    assert code == 201, reply
    job = await wait_tuning(tuning, "hyperband")
    assert job["HyperParameterTuningJobStatus"] == "Completed", job
    assert job["HyperParameterTuningJobConfig"]["StrategyConfig"] == {
        "HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 9}}  # from epochs
    code, curves = await tuning("GET", "hyperband", "curves")
    steps = {c["TrainingJobName"]: len(c["Points"]) for c in curves["Curves"]}
    stopped = [c for c in curves["Curves"] if c["EarlyStopped"]]
    assert stopped, steps
    for c in stopped:
        assert c["TrainingJobStatus"] == "Stopped" and len(c["Points"]) < 9
    assert sum(steps.values()) < 9 * 9
    assert job["ObjectiveStatusCounters"]["Succeeded"] == 9


async def test_early_stopping_auto_stops_trials_behind_the_median(tuning, jp_root_dir):
    body = tuning_body("early", jp_root_dir, strategy="Random", max_jobs=6, parallel=1,
                       static={"epochs": "8", "pause": "0.4"},
                       TrainingJobEarlyStoppingType="Auto")
    code, reply = await tuning("POST", body=body)
    assert code == 201, reply
    job = await wait_tuning(tuning, "early")
    assert job["HyperParameterTuningJobStatus"] == "Completed"
    assert job["TrainingJobStatusCounters"]["Stopped"] >= 1, job
    code, curves = await tuning("GET", "early", "curves")
    for c in curves["Curves"]:
        if c["EarlyStopped"]:
            assert c["TrainingJobStatus"] == "Stopped" and len(c["Points"]) < 8


async def test_warm_start_seeds_the_search_and_reports_the_overall_best(tuning, jp_root_dir):
    code, _ = await tuning("POST", body=tuning_body("parent", jp_root_dir, strategy="Random",
                                                    max_jobs=4, parallel=2))
    parent = await wait_tuning(tuning, "parent")
    body = tuning_body("child", jp_root_dir, max_jobs=2, parallel=1)
    body["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
        "WarmStartType": "IdenticalDataAndAlgorithm"}
    code, reply = await tuning("POST", body=body)
    assert code == 201, reply
    child = await wait_tuning(tuning, "child")
    assert child["HyperParameterTuningJobStatus"] == "Completed"
    assert child["WarmStartConfig"]["WarmStartType"] == "IdenticalDataAndAlgorithm"
    value = (lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    overall = child["OverallBestTrainingJob"]
    assert value(overall) == min(value(parent["BestTrainingJob"]),
                                 value(child["BestTrainingJob"]))
    code, log = await tuning_log(tuning, "child")
    assert "4 training jobs of parent seed the search" in log


async def tuning_log(tuning, name):
    code, page = await tuning("GET", name, "log", params={"offset": "0"})
    assert page["complete"], page
    return code, page["text"]


async def test_completion_criteria_end_the_job_early(tuning, jp_root_dir):
    body = tuning_body("target", jp_root_dir, max_jobs=6, parallel=1,
                       TuningJobCompletionCriteria={"TargetObjectiveMetricValue": 50.0})
    code, reply = await tuning("POST", body=body)
    assert code == 201, reply
    job = await wait_tuning(tuning, "target")
    assert job["HyperParameterTuningJobStatus"] == "Completed"
    assert sum(job["TrainingJobStatusCounters"].values()) == 1

    ranges = {"CategoricalParameterRanges": [{"Name": "kind", "Values": ["b"]}]}
    body = tuning_body("patience", jp_root_dir, strategy="Random", max_jobs=20, parallel=1,
                       ranges=ranges, TuningJobCompletionCriteria={
                           "BestObjectiveNotImproving": {
                               "MaxNumberOfTrainingJobsNotImproving": 3}})
    code, reply = await tuning("POST", body=body)
    job = await wait_tuning(tuning, "patience")
    assert job["HyperParameterTuningJobStatus"] == "Completed"
    # every trial is the same; the first is the best and three more do not improve on it
    assert sum(job["TrainingJobStatusCounters"].values()) == 4
    assert job["TuningJobCompletionDetails"]["NumberOfTrainingJobsObjectiveNotImproving"] == 3


async def test_stop_stops_every_running_trial(tuning, jp_root_dir):
    body = tuning_body("halt", jp_root_dir, max_jobs=6, parallel=2,
                       static={"epochs": "1000", "pause": "0.2"})
    code, reply = await tuning("POST", body=body)
    assert code == 201, reply
    for _ in range(200):
        code, job = await tuning("GET", "halt")
        if job["TrainingJobStatusCounters"]["InProgress"] == 2:
            break
        await asyncio.sleep(0.1)
    assert (await tuning("POST", "halt", "stop"))[0] == 200
    job = await wait_tuning(tuning, "halt")
    assert job["HyperParameterTuningJobStatus"] == "Stopped"
    trials = await trials_of(tuning, "halt")
    assert len(trials) == 2 and {t["TrainingJobStatus"] for t in trials} == {"Stopped"}
    code, reply = await tuning("POST", "halt", "stop")
    assert code == 400


async def test_a_tuning_job_whose_trials_all_fail_fails_with_the_reason(tuning, jp_root_dir):
    body = tuning_body("doomed", jp_root_dir, max_jobs=3, parallel=3, static={"fail": "1"})
    code, reply = await tuning("POST", body=body)
    job = await wait_tuning(tuning, "doomed")
    assert job["HyperParameterTuningJobStatus"] == "Failed"
    assert "All training jobs failed" in job["FailureReason"]
    assert job["TrainingJobStatusCounters"]["NonRetryableError"] == 3

    body = tuning_body("mute", jp_root_dir, max_jobs=2, parallel=2, static={"silent": "1"})
    code, reply = await tuning("POST", body=body)
    job = await wait_tuning(tuning, "mute")
    assert job["HyperParameterTuningJobStatus"] == "Failed"
    assert job["TrainingJobStatusCounters"]["Completed"] == 2
    assert job["ObjectiveStatusCounters"]["Failed"] == 2
    assert "BestTrainingJob" not in job
    trials = await trials_of(tuning, "mute")
    assert all("objective metric 'validation:loss' was not found" in t["FailureReason"]
               for t in trials)
