"""Selectable inference content of SageMaker's built-in XGBoost algorithm.

With ``SAGEMAKER_INFERENCE_OUTPUT`` (e.g. ``predicted_label,probabilities``) in the model's
environment, the algorithm's server answers each row with those keys, worked out from the
raw prediction and the booster's objective, instead of the bare score:

=================  ====================================================================
``predicted_label``  the class (binary: score > 0.5, or > 0 for logitraw; softprob: argmax)
``labels``           every class (``[0, 1]``, or ``0 … num_class-1``)
``probability``      the predicted class's probability (binary: the score)
``probabilities``    every class's (binary: ``[1 - p, p]``)
``raw_score`` / ``raw_scores``  the same from the raw output
``predicted_score``  the regression prediction
=================  ====================================================================

A key the objective has no value for answers NaN. JSON is ``{"predictions": [...]}``,
JSON Lines one object a line, CSV the values in the order asked, RecordIO-protobuf one
record a row with each key a ``label`` tensor.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
from typing import Any

import numpy as np

from .codecs import CSV, JSON, JSONLINES, RECORDIO_PROTOBUF, InferenceError
from .recordio import write_labels

VARIABLE = "SAGEMAKER_INFERENCE_OUTPUT"
ACCEPTS = [JSON, JSONLINES, RECORDIO_PROTOBUF, CSV]
_CLASSIFIER = ["predicted_label", "labels", "probability", "probabilities", "raw_score",
               "raw_scores"]
KEYS_BY_OBJECTIVE = {
    **{o: ["predicted_score"] for o in ("reg:squarederror", "reg:logistic", "reg:gamma",
                                        "reg:tweedie")},
    "binary:logistic": _CLASSIFIER,
    "binary:logitraw": ["predicted_label", "labels", "raw_score", "raw_scores"],
    "binary:hinge": _CLASSIFIER,
    "multi:softmax": _CLASSIFIER,
    "multi:softprob": _CLASSIFIER,
}
NAN = float("nan")


def selected_keys() -> list[str] | None:
    """The keys ``SAGEMAKER_INFERENCE_OUTPUT`` asks for, or None when it is not set."""
    value = os.environ.get(VARIABLE)
    if value is None:
        return None
    return [k for k in value.replace(" ", "").lower().split(",") if k]


def objective_of(model: Any) -> tuple[str, int]:
    """(the booster's objective, its number of classes; 0 when not multi-class)."""
    booster = model.get_booster() if hasattr(model, "get_booster") else model
    learner = json.loads(booster.save_config())["learner"]
    classes = int(float(learner.get("learner_model_param", {}).get("num_class", 0) or 0))
    return learner["objective"]["name"], classes


def _row(score: Any, objective: str, classes: int, keys: list[str]) -> dict[str, Any]:
    """One prediction's values of ``keys`` (NaN where the objective has none)."""
    softprob = objective == "multi:softprob"
    probabilistic = objective in ("binary:hinge", "binary:logistic", "multi:softmax")
    scored = probabilistic or objective == "binary:logitraw"

    def pair() -> list[float]:
        return [1.0 - score, score]

    if softprob:
        label: Any = int(np.argmax(score))
    elif objective in ("binary:hinge", "multi:softmax"):
        label = score
    elif objective == "binary:logistic":
        label = int(score > 0.5)
    elif objective == "binary:logitraw":
        label = int(score > 0)
    else:
        label = NAN
    values = {
        "predicted_label": label,
        "labels": [0, 1] if objective.startswith("binary:") else
        list(range(classes)) if objective.startswith("multi:") and classes else NAN,
        "probability": max(score) if softprob else score if probabilistic else NAN,
        "probabilities": list(score) if softprob else pair() if probabilistic else NAN,
        "raw_score": max(score) if softprob else score if scored else NAN,
        "raw_scores": list(score) if softprob else pair() if scored else NAN,
        "predicted_score": score,
    }
    return {k: values[k] for k in keys}


def select(predictions: list[Any], keys: list[str], objective: str,
           classes: int = 0) -> list[dict[str, Any]]:
    """Each prediction's values of ``keys``; an objective without them is a 400."""
    if objective not in KEYS_BY_OBJECTIVE:
        raise InferenceError(f"Objective `{objective}` unsupported for selectable inference "
                             "content.", 400)
    unknown = [k for k in keys if k not in _CLASSIFIER + ["predicted_score"]]
    if unknown:
        raise InferenceError(f"{VARIABLE} names unknown keys {unknown}; the keys are "
                             f"{_CLASSIFIER + ['predicted_score']}", 400)
    return [_row(p, objective, classes, keys) for p in predictions]


def _numbers(value: Any) -> list[float]:
    return [float(v) for v in value] if isinstance(value, list) else [float(value)]


def encode(content: list[dict[str, Any]], keys: list[str], accept: str) -> tuple[Any, str]:
    """The selected content in ``accept``'s format (406 for any other)."""
    if accept == JSON:
        return json.dumps({"predictions": content}), JSON
    if accept == JSONLINES:
        return "".join(json.dumps(row) + "\n" for row in content), JSONLINES
    if accept == CSV:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in content:
            writer.writerow([row[k] for k in keys if k in row])
        return out.getvalue(), CSV
    if accept == RECORDIO_PROTOBUF:
        return write_labels([{k: _numbers(v) for k, v in row.items()
                              if not (isinstance(v, float) and math.isnan(v))}
                             for row in content]), RECORDIO_PROTOBUF
    raise InferenceError(f"Accept type {accept} is not supported. Please use supported "
                         f"accept types: {ACCEPTS}.", 406)
