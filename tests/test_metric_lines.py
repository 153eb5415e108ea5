"""Metric regexes see a line as SageMaker does: from CloudWatch Logs, a tab as ``#011``."""
from __future__ import annotations

import json

from jupyter_mlstudio.jobs.metrics import MetricParser

#: the regexes of SageMaker's own XGBoost algorithm (its container's metric definitions)
XGBOOST = [{"Name": "validation:rmse",
            "Regex": ".*\\[[0-9]+\\].*#011validation-rmse:(\\S+)"},
           {"Name": "train:rmse",
            "Regex": ".*\\[[0-9]+\\]#011train-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"},
           {"Name": "loss", "Regex": "loss\\s+([0-9.]+)"}]


def points(tmp_path, lines):
    path = tmp_path / "metrics.jsonl"
    parser = MetricParser(XGBOOST, path)
    for line in lines:
        parser.feed(line)
    parser.close()
    return [(p["name"], p["value"], p["step"])
            for p in map(json.loads, path.read_text().splitlines())]


def test_tabs_read_as_cloudwatch_writes_them(tmp_path):
    found = points(tmp_path, ["[0]\ttrain-rmse:0.50\tvalidation-rmse:0.61",
                              "[1]\ttrain-rmse:0.40\tvalidation-rmse:0.52",
                              "epoch 1 loss\t0.25"])
    assert found == [("validation:rmse", 0.61, 0), ("train:rmse", 0.5, 0),
                     ("validation:rmse", 0.52, 1), ("train:rmse", 0.4, 1),
                     ("loss", 0.25, 0)]  # \\s matches the printed tab: counted once
