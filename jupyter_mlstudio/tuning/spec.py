"""Validation of ``CreateHyperParameterTuningJob`` requests, with SageMaker's rules.

botocore's model of the request checks every member's type, enum, length and pattern;
this module adds what SageMaker checks beyond it (ranges, limits, strategy options, the
objective among the metric definitions) and normalises the request into the spec the
tuning job runs from: every training job definition complete, with its own objective
and ranges, whether the request gave one ``TrainingJobDefinition`` or several.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from ..algorithms.catalog import algorithm_for, with_metrics
from ..sagemaker.errors import ValidationError
from ..sagemaker.validation import check_request
from .ranges import Definition, SearchSpace, parse_ranges

#: SageMaker's limits for one tuning job (its default service quotas).
MAX_TRAINING_JOBS = 500
MAX_PARALLEL_JOBS = 100
MAX_DEFINITIONS = 10
MAX_HYPERBAND_RESOURCE = 20_000
#: static hyperparameters Hyperband reads MaxResource from when the request has none
EPOCH_KEYS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")
TUNING_METRIC = "_tuning_objective_metric"
#: CreateTrainingJob members a training job definition carries over to its trials
_CARRIED = ("AlgorithmSpecification", "RoleArn", "InputDataConfig", "VpcConfig",
            "OutputDataConfig", "StoppingCondition", "EnableNetworkIsolation",
            "EnableInterContainerTrafficEncryption", "EnableManagedSpotTraining",
            "CheckpointConfig", "RetryStrategy", "Environment")


def training_request(definition: dict[str, Any], job_name: str,
                     tuned: dict[str, str]) -> dict[str, Any]:
    """The CreateTrainingJob request of one trial of ``definition``."""
    body = {k: definition[k] for k in _CARRIED if k in definition}
    body["TrainingJobName"] = job_name
    body["HyperParameters"] = {**definition.get("StaticHyperParameters", {}), **tuned}
    resources = definition.get("ResourceConfig")
    if resources is None:  # HyperParameterTuningResourceConfig: its first instance kind
        config = definition.get("HyperParameterTuningResourceConfig") or {}
        first = (config.get("InstanceConfigs") or [{}])[0]
        resources = {k: v for k, v in {**config, **first}.items()
                     if k in ("InstanceType", "InstanceCount", "VolumeSizeInGB",
                              "VolumeKmsKeyId")}
    body["ResourceConfig"] = resources
    return body


def _objective_json(static: dict[str, str], metric: str) -> str:
    """``_tuning_objective_metric`` as SageMaker adds it: JSON-quoted beside a script
    mode estimator's JSON-encoded hyperparameters, bare otherwise."""
    return json.dumps(metric) if "sagemaker_program" in static else metric


def _definitions(body: dict[str, Any], config: dict[str, Any]) -> list[dict[str, Any]]:
    single, several = body.get("TrainingJobDefinition"), body.get("TrainingJobDefinitions")
    if (single is None) == (several is None):
        raise ValidationError("give exactly one of TrainingJobDefinition and "
                              "TrainingJobDefinitions")
    if several is None:
        objective = config.get("HyperParameterTuningJobObjective")
        if objective is None:
            raise ValidationError("HyperParameterTuningJobConfig.HyperParameterTuningJob"
                                  "Objective is required")
        assert single is not None  # one of the two is given
        return [{**single, "TuningObjective": single.get("TuningObjective") or objective,
                 "HyperParameterRanges": config.get("ParameterRanges") or {}}]
    if len(several) > MAX_DEFINITIONS:
        raise ValidationError(f"TrainingJobDefinitions may hold at most {MAX_DEFINITIONS}")
    names = [d.get("DefinitionName") for d in several]
    if not all(names) or len(set(names)) != len(names):
        raise ValidationError("each of TrainingJobDefinitions needs its own DefinitionName")
    found = []
    for d in several:
        if d.get("TuningObjective") is None:
            raise ValidationError(f"TrainingJobDefinitions {d['DefinitionName']}: "
                                  "TuningObjective is required")
        found.append({**d, "HyperParameterRanges": d.get("HyperParameterRanges") or {}})
    return found


def _check_definition(d: dict[str, Any], where: str) -> Definition:
    ranges = parse_ranges(d["HyperParameterRanges"], f"{where}.HyperParameterRanges")
    static = d.get("StaticHyperParameters") or {}
    both = sorted(r.name for r in ranges if r.name in static)
    if both:
        raise ValidationError(f"{where}: {', '.join(both)} cannot be both static and tuned")
    metric = d["TuningObjective"]["MetricName"]
    definitions = d["AlgorithmSpecification"].get("MetricDefinitions") or []
    algorithm = algorithm_for(d["AlgorithmSpecification"], static)
    if algorithm is not None:  # a built-in algorithm's own metrics count
        definitions = with_metrics(algorithm, definitions)
    defined = [m["Name"] for m in definitions]
    if metric not in defined:
        raise ValidationError(f"{where}: the objective metric {metric!r} is not among the "
                              "metric definitions of AlgorithmSpecification.MetricDefinitions"
                              f" ({', '.join(defined[:10]) or 'none'}"
                              f"{', …' if len(defined) > 10 else ''})")
    if "ResourceConfig" not in d and "HyperParameterTuningResourceConfig" not in d:
        raise ValidationError(f"{where}: ResourceConfig is required")
    return Definition(d.get("DefinitionName") or "", tuple(ranges))


def _hyperband(config: dict[str, Any], definitions: list[dict[str, Any]]) -> None:
    strategy_config = config.get("StrategyConfig")
    if config["Strategy"] != "Hyperband":
        if strategy_config:
            raise ValidationError("StrategyConfig is for the Hyperband strategy only")
        return
    if config.get("TrainingJobEarlyStoppingType", "Off") != "Off":
        raise ValidationError("TrainingJobEarlyStoppingType must be Off with the Hyperband "
                              "strategy, which stops training jobs early itself")
    hyperband = dict((strategy_config or {}).get("HyperbandStrategyConfig") or {})
    if "MaxResource" not in hyperband:
        static = definitions[0].get("StaticHyperParameters") or {}
        key = next((k for k in EPOCH_KEYS if k in static), None)
        try:
            hyperband["MaxResource"] = int(json.loads(static[key])) if key else None
        except (TypeError, ValueError):
            hyperband["MaxResource"] = None
        if hyperband["MaxResource"] is None:
            raise ValidationError("HyperbandStrategyConfig.MaxResource is required when no "
                                  f"static hyperparameter ({', '.join(EPOCH_KEYS)}) gives it")
    hyperband.setdefault("MinResource", 1)
    if not 1 <= hyperband["MaxResource"] <= MAX_HYPERBAND_RESOURCE:
        raise ValidationError(f"HyperbandStrategyConfig.MaxResource must be between 1 and "
                              f"{MAX_HYPERBAND_RESOURCE}")
    if hyperband["MinResource"] >= hyperband["MaxResource"]:
        raise ValidationError("HyperbandStrategyConfig.MinResource must be less than "
                              "MaxResource")
    config["StrategyConfig"] = {"HyperbandStrategyConfig": hyperband}


def _limits(config: dict[str, Any], space: SearchSpace) -> None:
    limits = config["ResourceLimits"]
    if config["Strategy"] == "Grid":
        limits.setdefault("MaxNumberOfTrainingJobs", min(space.size(), MAX_TRAINING_JOBS))
    elif "MaxNumberOfTrainingJobs" not in limits:
        raise ValidationError("ResourceLimits.MaxNumberOfTrainingJobs is required (except "
                              "with the Grid strategy)")
    if limits["MaxNumberOfTrainingJobs"] > MAX_TRAINING_JOBS:
        raise ValidationError(f"ResourceLimits.MaxNumberOfTrainingJobs must be at most "
                              f"{MAX_TRAINING_JOBS}")
    if limits["MaxParallelTrainingJobs"] > MAX_PARALLEL_JOBS:
        raise ValidationError(f"ResourceLimits.MaxParallelTrainingJobs must be at most "
                              f"{MAX_PARALLEL_JOBS}")


def objective_metrics(spec: dict[str, Any]) -> dict[str, str]:
    """The objective metric of each training job definition, by its name ('' for one)."""
    return {d.get("DefinitionName") or "": d["TuningObjective"]["MetricName"]
            for d in spec["Definitions"]}


def search_space(spec: dict[str, Any]) -> SearchSpace:
    """The search space of a validated spec."""
    definitions = [_check_definition(d, f"TrainingJobDefinitions[{i}]")
                   for i, d in enumerate(spec["Definitions"])]
    return SearchSpace(definitions, grid=spec["HyperParameterTuningJobConfig"]["Strategy"]
                       == "Grid")


def validate_tuning_job(body: dict[str, Any],
                        check_training: Callable[[dict[str, Any]], None],
                        default_role: str = "") -> dict[str, Any]:
    """A complete, normalised CreateHyperParameterTuningJob request, or a ValidationError.

    ``check_training`` checks a trial's CreateTrainingJob request as training jobs are
    checked (each definition is tried with its ranges' lowest values). A definition
    without ``RoleArn`` (SageMaker requires one; training jobs here do not) takes
    ``default_role``, the server's execution role.
    """
    check_request("CreateHyperParameterTuningJob",
                  {k: v for k, v in body.items() if k != "Backend"},
                  optional={"TrainingJobDefinition.RoleArn", "TrainingJobDefinitions[].RoleArn"})
    config = json.loads(json.dumps(body["HyperParameterTuningJobConfig"]))
    config.setdefault("TrainingJobEarlyStoppingType", "Off")
    definitions = _definitions(body, config)
    for i, d in enumerate(definitions):
        if not d.get("RoleArn") and default_role:
            d["RoleArn"] = default_role
        where = "TrainingJobDefinition" if len(definitions) == 1 \
            else f"TrainingJobDefinitions[{i}]"
        definition = _check_definition(d, where)
        if config["Strategy"] == "Grid":
            loose = [r.name for r in definition.ranges if r.kind != "Categorical"]
            if loose:
                raise ValidationError(f"{where}: the Grid strategy takes categorical ranges "
                                      f"only, not {', '.join(loose)}")
        # what SageMaker describes (and the SDK's attach reads) besides the request's
        # HyperParameterTuningResourceConfig
        d.setdefault("ResourceConfig", training_request(d, "x", {})["ResourceConfig"])
        static = dict(d.get("StaticHyperParameters") or {})
        static.setdefault(TUNING_METRIC, _objective_json(static, d["TuningObjective"][
            "MetricName"]))
        d["StaticHyperParameters"] = static
        lowest = {r.name: r.values[0] if r.kind == "Categorical" else r.to_value(
            r.from_value(repr(r.low))) for r in definition.ranges}
        try:
            check_training(training_request(d, "tuning-check", lowest))
        except ValidationError as err:
            raise ValidationError(f"{where}: {err.message}") from None
    spec = {"HyperParameterTuningJobName": body["HyperParameterTuningJobName"],
            "HyperParameterTuningJobConfig": config, "Definitions": definitions,
            "Single": "TrainingJobDefinition" in body}
    space = search_space(spec)
    if config["Strategy"] == "Grid" and space.size() == 0:
        raise ValidationError("the Grid strategy needs at least one categorical range")
    _limits(config, space)
    _hyperband(config, definitions)
    if body.get("WarmStartConfig"):
        if config["Strategy"] == "Grid":
            raise ValidationError("WarmStartConfig cannot be used with the Grid strategy")
        spec["WarmStartConfig"] = body["WarmStartConfig"]
    for key in ("Tags", "Autotune"):
        if body.get(key):
            spec[key] = body[key]
    if spec.get("Autotune"):
        raise ValidationError("Autotune is not supported here: give the strategy and ranges")
    return spec
