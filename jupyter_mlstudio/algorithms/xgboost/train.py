"""SageMaker's built-in XGBoost algorithm, trained as its container trains it.

Run in a training job's container contract with no script of the user's: reads
``/opt/ml/input/config/hyperparameters.json`` and ``inputdataconfig.json`` (or the
``SM_*`` folders), the ``train`` channel (required) and ``validation`` (optional) as CSV
(label first, no header) or libsvm by each channel's ContentType, trains with every core,
prints each round's metrics as XGBoost does (``[3]\\ttrain-rmse:…\\tvalidation-rmse:…``,
which SageMaker's regexes read) and saves ``xgboost-model`` in the model folder. A
problem with the data ends the job with ``ClientError: …`` in ``output/failure``.

Standalone: it imports only XGBoost and NumPy, the algorithm image's own libraries.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Iterator, NoReturn

import numpy as np
import xgboost as xgb

BASE = os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")
CONFIG = os.environ.get("SM_INPUT_CONFIG_DIR", os.path.join(BASE, "input", "config"))
DATA = os.environ.get("SM_INPUT_DATA_DIR", os.path.join(BASE, "input", "data"))
MODEL = os.environ.get("SM_MODEL_DIR", os.path.join(BASE, "model"))
OUTPUT = os.environ.get("SM_OUTPUT_DIR", os.path.join(BASE, "output"))
INTS = {"num_round", "early_stopping_rounds", "verbosity", "nthread", "max_depth",
        "refresh_leaf", "max_leaves", "max_bin", "one_drop", "num_class", "seed",
        "num_parallel_tree", "csv_weights", "max_cat_to_onehot", "max_cat_threshold"}
NOT_PARAMS = {"num_round", "early_stopping_rounds", "csv_weights", "_tuning_objective_metric",
              "save_model_on_termination", "_kfold", "_num_cv_round"}
MAXIMIZE = {"auc", "aucpr", "map", "ndcg", "r2", "accuracy", "f1"}
ADDED = {"mse", "r2", "accuracy", "f1"}


class DataError(Exception):
    """The data is not what the algorithm reads."""


def fail(message: str) -> NoReturn:
    os.makedirs(OUTPUT, exist_ok=True)
    with open(os.path.join(OUTPUT, "failure"), "w") as f:
        f.write(message)
    print(message, file=sys.stderr, flush=True)
    sys.exit(1)


def read_json(name: str) -> dict:
    try:
        with open(os.path.join(CONFIG, name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def files_of(channel: str) -> list[str]:
    folder = os.path.join(DATA, channel)
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        found += [os.path.join(root, n) for n in sorted(names) if not n.startswith(".")]
    return found


def content_kind(content_type: str | None) -> str:
    """SageMaker's XGBoost reads ``text/csv`` (``csv``) and ``text/libsvm`` (``libsvm``,
    its default); the rest it names but this server does not read."""
    kind = (content_type or "libsvm").split(";")[0].strip().lower()
    if kind in ("text/csv", "csv"):
        return "csv"
    if kind in ("text/libsvm", "text/x-libsvm", "libsvm"):
        return "libsvm"
    raise DataError(f"content type {content_type!r} is not supported here: use text/csv or "
                    "text/libsvm")


def lines_of(paths: list[str]) -> Iterator[tuple[str, int, bytes]]:
    """(file name, line number, line) of every non-empty line of the files."""
    for path in paths:
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                line = raw.strip()
                if line:
                    yield os.path.basename(path), n, line


def shown(line: bytes) -> str:
    return repr(line[:80].decode("utf-8", "replace"))


def load_csv(paths: list[str], weights: bool) -> xgb.DMatrix:
    parts = []
    for name, n, line in lines_of(paths):
        try:
            parts.append([float(v) for v in line.split(b",")])
        except ValueError:
            raise DataError(f"{name} line {n} is not numeric CSV (SageMaker's XGBoost takes "
                            "CSV without a header, the label in the first column): "
                            f"{shown(line)}") from None
    if not parts:
        raise DataError("the channel has no rows")
    widths = {len(p) for p in parts}
    if len(widths) != 1:
        raise DataError(f"the rows have different numbers of columns: {sorted(widths)}")
    rows = np.asarray(parts, dtype=np.float32)
    minimum = 3 if weights else 2
    if rows.shape[1] < minimum:
        raise DataError("a CSV row needs the label in its first column and at least one "
                        "feature" + (" (and the weight second, with csv_weights)" if weights
                                     else ""))
    if weights:
        return xgb.DMatrix(rows[:, 2:], label=rows[:, 0], weight=rows[:, 1])
    return xgb.DMatrix(rows[:, 1:], label=rows[:, 0])


def load_libsvm(paths: list[str]) -> xgb.DMatrix:
    with tempfile.NamedTemporaryFile("wb", suffix=".libsvm", delete=False) as joined:
        for name, n, line in lines_of(paths):
            tokens = line.split()
            try:
                float(tokens[0])
                for token in tokens[1:]:
                    index, _, value = token.partition(b":")
                    int(index), float(value)
            except ValueError:
                raise DataError(f"{name} line {n} is not libsvm (label index:value …): "
                                f"{shown(line)}") from None
            joined.write(line + b"\n")
    try:
        return xgb.DMatrix(f"{joined.name}?format=libsvm")
    finally:
        os.unlink(joined.name)


def load(channel: str, config: dict, weights: bool) -> xgb.DMatrix | None:
    paths = files_of(channel)
    if channel not in config and not paths:
        return None
    if not paths:
        raise DataError(f"the {channel} channel has no files")
    kind = content_kind(config.get(channel, {}).get("ContentType"))
    try:
        return load_csv(paths, weights) if kind == "csv" else load_libsvm(paths)
    except DataError as err:
        raise DataError(f"{channel} channel: {err}") from None


def added_metrics(names: list[str]):
    """A custom metric computing SageMaker's added metrics (mse, r2, accuracy, f1)."""
    def evaluate(predt: np.ndarray, dmatrix: xgb.DMatrix):
        y = dmatrix.get_label()
        found = []
        for name in names:
            if name == "mse":
                found.append((name, float(np.mean((predt - y) ** 2))))
            elif name == "r2":
                total = float(np.sum((y - y.mean()) ** 2)) or 1.0
                found.append((name, 1.0 - float(np.sum((y - predt) ** 2)) / total))
            else:
                guess = predt.argmax(axis=1) if predt.ndim > 1 else (predt > 0.5)
                if name == "accuracy":
                    found.append((name, float(np.mean(guess == y))))
                else:
                    tp = float(np.sum((guess == 1) & (y == 1)))
                    fp = float(np.sum((guess == 1) & (y != 1)))
                    fn = float(np.sum((guess != 1) & (y == 1)))
                    found.append((name, 2 * tp / (2 * tp + fp + fn) if tp else 0.0))
        return found
    return evaluate


def main() -> None:
    hps = read_json("hyperparameters.json")
    channels = read_json("inputdataconfig.json")
    weights = hps.get("csv_weights") == "1"
    try:
        train = load("train", channels, weights)
        validation = load("validation", channels, weights)
    except DataError as err:
        fail(f"ClientError: {err}")
    if train is None:
        fail("ClientError: the train channel is required")
    if validation is not None and validation.num_col() != train.num_col():
        fail(f"ClientError: the validation channel has {validation.num_col()} features, the "
             f"train channel {train.num_col()}")
    params: dict = {}
    for key, value in hps.items():
        if key in NOT_PARAMS:
            continue
        params[key] = int(float(value)) if key in INTS else value
    params.setdefault("nthread", int(os.environ.get("SM_NUM_CPUS") or os.cpu_count() or 1))
    metrics = [m.strip() for m in hps.get("eval_metric", "").split(",") if m.strip()]
    objective = hps.get("_tuning_objective_metric", "")
    if ":" in objective and objective.split(":", 1)[1] not in metrics:
        metrics.append(objective.split(":", 1)[1])  # what the tuning job reads
    native = [m for m in metrics if m not in ADDED]
    if native:
        params["eval_metric"] = native
    else:
        params.pop("eval_metric", None)
    evals = [(train, "train")] + ([(validation, "validation")] if validation is not None else [])
    added = [m for m in metrics if m in ADDED]
    rounds = int(float(hps["num_round"]))
    stopping = hps.get("early_stopping_rounds")
    try:
        booster = xgb.train(params, train, num_boost_round=rounds, evals=evals,
                            custom_metric=added_metrics(added) if added else None,
                            early_stopping_rounds=int(stopping) if stopping and
                            validation is not None else None,
                            maximize=(metrics[-1] in MAXIMIZE) if stopping and metrics
                            else None,
                            verbose_eval=True)
    except xgb.core.XGBoostError as err:
        fail(f"ClientError: XGBoost refused the data or the hyperparameters: "
             f"{str(err).splitlines()[0][:400]}")
    os.makedirs(MODEL, exist_ok=True)
    booster.save_model(os.path.join(MODEL, "xgboost-model"))
    print(f"saved the model after {booster.num_boosted_rounds()} rounds", flush=True)


if __name__ == "__main__":
    main()
