"""Which built-in algorithm a training job names, and what running it takes.

A job runs a built-in algorithm when its ``TrainingImage`` is one of SageMaker's
algorithm images (``sagemaker.image_uris.retrieve("xgboost", region, "1.7-1")``, or the
short name ``xgboost``) and no script of the user's is named (no ``sagemaker_program``,
no ``ContainerEntrypoint``): SageMaker's algorithm mode.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..sagemaker.images import framework_of
from .hyperparameters import check_hyperparameters
from . import xgboost_spec

#: hyperparameters the SDK adds to every job (never the algorithm's own)
SDK_ADDED = {"sagemaker_region", "sagemaker_job_name", "sagemaker_container_log_level",
             "sagemaker_enable_cloudwatch_metrics", "sagemaker_estimator_class_name",
             "sagemaker_estimator_module"}


@dataclass(frozen=True)
class Algorithm:
    """A built-in algorithm: its training program (a folder copied as the job's code)
    and what the server checks and adds."""

    name: str
    folder: Path
    program: str
    check: Callable[[dict[str, str]], None]
    metric_definitions: Callable[[], list[dict[str, str]]]


def _check_xgboost(hps: dict[str, str]) -> None:
    check_hyperparameters("XGBoost", xgboost_spec.HYPERPARAMETERS, hps, SDK_ADDED)


ALGORITHMS = {
    "xgboost": Algorithm("xgboost", Path(__file__).parent / "xgboost", "train.py",
                         _check_xgboost, xgboost_spec.metric_definitions),
}


def algorithm_for(algorithm_spec: dict[str, Any], hyperparameters: dict[str, str]
                  ) -> Algorithm | None:
    """The built-in algorithm a job runs, or None (a script, or no algorithm image)."""
    if "sagemaker_program" in hyperparameters or algorithm_spec.get("ContainerEntrypoint"):
        return None
    return ALGORITHMS.get(framework_of(algorithm_spec.get("TrainingImage")) or "")


def with_metrics(algorithm: Algorithm, given: list[dict[str, str]]) -> list[dict[str, str]]:
    """The job's metric definitions: the user's, then the algorithm's own (SageMaker
    adds them to every job of the algorithm)."""
    names = {d["Name"] for d in given}
    return given + [d for d in algorithm.metric_definitions() if d["Name"] not in names]
