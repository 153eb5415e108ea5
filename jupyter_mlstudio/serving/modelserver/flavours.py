"""The default handlers of each SageMaker framework container, picked by the model's image.

What a handler left undefined in the user's module falls back to, and the default Accept:

* ``sklearn`` (SageMaker's scikit-learn container): JSON / CSV / NPY in (JSON and CSV as
  float32), ``model.predict``, JSON / CSV / NPY out; Accept defaults to JSON.
* ``xgboost`` with a user module (framework mode): CSV / libsvm / RecordIO-protobuf (and JSON,
  NPY) in as a ``DMatrix``, ``predict(validate_features=False)``, JSON / CSV / NPY out,
  Accept defaults to JSON. Without one (the built-in algorithm): the algorithm's own
  server, whose Accept defaults to CSV (see :func:`xgboost_algorithm_transform`).
* ``pytorch`` (the PyTorch inference toolkit): see :mod:`.torch_handlers`.
* anything else (``python``, no image, frameworks without defaults here): scikit-learn,
  XGBoost or pickled models found by file name, JSON / CSV / NPY in and out.

Every flavour loads a scikit-learn / XGBoost / pickled model when no ``model_fn`` is given
(the containers ask for one; serving such models needs none here).
``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` overrides the default Accept of every flavour.
"""
from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import codecs, xgboost_select
from .codecs import CSV, JSON, JSONLINES, LIBSVM, NPY, NPZ, RECORDIO_PROTOBUF, X_LIBSVM
from .codecs import InferenceError, UnsupportedFormatError

_PICKLE_SUFFIXES = (".pkl", ".pickle")
_XGBOOST_SUFFIXES = (".json", ".ubj", ".bst", ".xgb")
# The file name SageMaker's built-in XGBoost algorithm saves its model under.
XGBOOST_MODEL = "xgboost-model"


class ModelLoadError(Exception):
    """The model could not be loaded; the message is the one-line reason shown to users."""


@dataclass(frozen=True)
class Flavour:
    """One framework's defaults."""

    name: str
    default_accept: str
    model_fn: Callable[[str], Any]
    input_fn: Callable[[Any, str], Any]
    predict_fn: Callable[[Any, Any], Any]
    output_fn: Callable[[Any, str], Any]
    # A default that replaces the three above (the built-in XGBoost algorithm's server).
    transform_fn: Callable[[Any, Any, str, str], Any] | None = None


def describe(err: BaseException, limit: int = 500) -> str:
    """``ValueError: bad weights``, on one line and capped at ``limit`` characters."""
    text = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- default model_fn ---------------------------------------------------------------


def _is_model_file(path: Path) -> bool:
    name = path.name.lower()
    if name.startswith(".") or not path.is_file():
        return False
    if name in ("model", XGBOOST_MODEL) or name.endswith(".joblib") \
            or name.endswith(_PICKLE_SUFFIXES):
        return True
    if name.endswith(".json"):
        # Only an XGBoost model document counts, not any metadata that sits beside it.
        with open(path, "rb") as f:
            return b'"learner"' in f.read(4096)
    return name.endswith(_XGBOOST_SUFFIXES)


def find_model_file(model_dir: Path) -> Path:
    """The one model file in ``model_dir`` (top level first, then below, ``code/`` aside)."""
    if not model_dir.is_dir():
        raise ModelLoadError(f"model directory {model_dir} does not exist")
    top = sorted(p for p in model_dir.iterdir() if _is_model_file(p))
    if not top:
        top = sorted(
            p for p in model_dir.rglob("*")
            if p.parent != model_dir and p.relative_to(model_dir).parts[0] != "code"
            and _is_model_file(p)
        )
    if len(top) == 1:
        return top[0]
    if top:
        names = ", ".join(str(p.relative_to(model_dir)) for p in top)
        raise ModelLoadError(f"more than one model file in {model_dir}: {names}")
    present = sorted(str(p.relative_to(model_dir)) for p in model_dir.rglob("*") if p.is_file())
    shown = ", ".join(present[:20]) + (" ..." if len(present) > 20 else "")
    raise ModelLoadError(
        f"no model file in {model_dir}: found {shown or 'nothing'} (expected *.joblib, "
        f"*.pkl, *.pickle, model, {XGBOOST_MODEL}, or an XGBoost *.json/*.ubj/*.bst/*.xgb)"
    )


def _load_booster(path: Path) -> Any:
    import xgboost

    booster = xgboost.Booster()
    booster.load_model(str(path))
    return booster


def load_model_file(path: Path) -> Any:
    """A scikit-learn / XGBoost / pickled model from ``path``, by its name; a file of the
    built-in XGBoost algorithm is a pickle or an XGBoost model, whichever loads."""
    name = path.name.lower()
    try:
        if name.endswith(_XGBOOST_SUFFIXES):
            return _load_booster(path)
        import joblib

        if name.endswith(".joblib"):
            return joblib.load(path)
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except Exception:
            if name == XGBOOST_MODEL:
                return _load_booster(path)
            return joblib.load(path)
    except Exception as err:
        raise ModelLoadError(f"cannot load model file {path}: {describe(err)}") from err


def default_model_fn(model_dir: str) -> Any:
    """Load the one scikit-learn / XGBoost / pickled model file in ``model_dir``."""
    return load_model_file(find_model_file(Path(model_dir)))


def xgboost_algorithm_model_fn(model_dir: str) -> Any:
    """As the built-in algorithm: its model is the one file in ``model_dir``, whatever its
    name (dot files aside); else the usual search."""
    folder = Path(model_dir)
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")] \
        if folder.is_dir() else []
    if len(files) == 1 and files[0].suffix.lower() not in (".joblib",) + _PICKLE_SUFFIXES \
            + _XGBOOST_SUFFIXES:
        path = files[0]
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except Exception:
            try:
                return _load_booster(path)
            except Exception as err:
                raise ModelLoadError(f"cannot load model file {path}: {describe(err)}") \
                    from err
    return default_model_fn(model_dir)


# ---- generic and scikit-learn defaults -------------------------------------------------

_ARRAY_DECODERS: dict[str, Callable[[Any], Any]] = {
    JSON: lambda data: codecs.json_to_array(data, unwrap=True),
    CSV: codecs.csv_to_array,
    NPY: codecs.npy_to_array,
    NPZ: codecs.npz_to_sparse,
    LIBSVM: codecs.libsvm_to_sparse,
    X_LIBSVM: codecs.libsvm_to_sparse,
    RECORDIO_PROTOBUF: codecs.recordio_to_array,
}


def default_input_fn(input_data: Any, content_type: str) -> Any:
    """JSON, CSV, NPY (and NPZ, libsvm, RecordIO-protobuf) into an array."""
    decoder = _ARRAY_DECODERS.get(codecs.media_type(content_type))
    if decoder is None:
        raise UnsupportedFormatError(content_type)
    return decoder(input_data)


def _is_booster(model: Any) -> bool:
    cls = type(model)
    return cls.__name__ == "Booster" and cls.__module__.startswith("xgboost")


def default_predict_fn(data: Any, model: Any) -> Any:
    """``model.predict(data)``; an XGBoost ``Booster`` predicts on a ``DMatrix``."""
    if _is_booster(model):
        import xgboost

        if not isinstance(data, xgboost.DMatrix):
            data = xgboost.DMatrix(data)
        return model.predict(data, validate_features=False)
    return model.predict(data)


def default_output_fn(prediction: Any, accept: str) -> tuple[bytes, str]:
    """``prediction`` in the JSON, CSV or NPY the Accept header asks for."""
    kind = codecs.choose_accept(accept)
    if kind is None:
        raise UnsupportedFormatError(accept)
    return codecs.encode(prediction, kind), kind


def sklearn_input_fn(input_data: Any, content_type: str) -> Any:
    """As the scikit-learn container: JSON and CSV as float32 rows, NPY as saved."""
    array = default_input_fn(input_data, content_type)
    if codecs.media_type(content_type) in (JSON, CSV):
        if array.ndim == 1:
            array = array.reshape(1, -1)
        try:
            array = array.astype(np.float32)
        except (TypeError, ValueError) as err:
            raise InferenceError(f"the rows are not numbers: {err}") from err
    return array


def sklearn_predict_fn(data: Any, model: Any) -> Any:
    if _is_booster(model):
        return default_predict_fn(data, model)
    return model.predict(data)


# ---- XGBoost ---------------------------------------------------------------------------

_DMATRIX_DECODERS: dict[str, Callable[[Any], Any]] = {
    CSV: codecs.sniffed_csv_to_array,
    LIBSVM: codecs.libsvm_to_sparse,
    X_LIBSVM: codecs.libsvm_to_sparse,
    RECORDIO_PROTOBUF: codecs.recordio_to_array,
    JSON: codecs.json_to_array,
    NPY: codecs.npy_to_array,
}


def xgboost_input_fn(input_data: Any, content_type: str) -> Any:
    """As the XGBoost container: CSV, libsvm, RecordIO-protobuf (also JSON, NPY) into a
    ``DMatrix``."""
    import xgboost

    kind = codecs.media_type(content_type)
    decoder = _DMATRIX_DECODERS.get(kind)
    if decoder is None:
        raise UnsupportedFormatError(kind)
    return xgboost.DMatrix(decoder(input_data))


def xgboost_predict_fn(data: Any, model: Any) -> Any:
    if _is_booster(model):
        return model.predict(data, validate_features=False)
    return model.predict(data)


ALGORITHM_ACCEPTS = [JSON, JSONLINES, CSV]


def _algorithm_decode(input_data: Any, content_type: str) -> Any:
    kind = codecs.media_type(content_type)
    decoder = _DMATRIX_DECODERS.get(kind)
    if decoder is None:
        raise InferenceError(f"Content-type {content_type} is not supported.", 415)
    name = {CSV: "csv", LIBSVM: "libsvm", X_LIBSVM: "libsvm"}.get(kind, kind)
    try:
        import xgboost

        return xgboost.DMatrix(decoder(input_data))
    except Exception as err:
        raise InferenceError(
            f"Loading {name} data failed with Exception, please ensure data is in {name} "
            f"format:\n {type(err)}\n {err}", 415) from err


def _algorithm_accept(accept: str) -> str:
    kind = codecs.media_type(accept)
    if not kind or kind == codecs.ANY:
        return CSV
    if kind not in ALGORITHM_ACCEPTS:
        raise InferenceError(
            f"Accept type {accept} is not supported. Please use supported accept types: "
            f"{ALGORITHM_ACCEPTS}.", 406)
    return kind


def xgboost_algorithm_transform(model: Any, input_data: Any, content_type: str,
                                accept: str) -> Any:
    """The built-in XGBoost algorithm's server: an empty body is 204; a body it cannot
    read 415; a failed prediction 400; an Accept other than JSON, JSON Lines or CSV 406
    (checked after predicting, as there). JSON is ``{"predictions": [{"score": p}, ...]}``;
    in a transform job (``SAGEMAKER_BATCH``) every answer is one prediction per line."""
    if not input_data:
        return codecs.Reply(b"", None, 204)
    dmatrix = _algorithm_decode(input_data, content_type)
    try:
        predictions = xgboost_predict_fn(dmatrix, model).tolist()
    except Exception as err:
        raise InferenceError(f"Unable to evaluate payload provided: {err}", 400) from err
    keys = xgboost_select.selected_keys()
    if keys is not None:  # SAGEMAKER_INFERENCE_OUTPUT: the keys asked for, per row
        kind = codecs.media_type(accept)
        kind = CSV if not kind or kind == codecs.ANY else kind
        objective, classes = xgboost_select.objective_of(model)
        content = xgboost_select.select(predictions, keys, objective, classes)
        return xgboost_select.encode(content, keys, kind)
    kind = _algorithm_accept(accept)
    if os.environ.get("SAGEMAKER_BATCH"):
        return "".join(f"{p}\n" for p in predictions), kind
    if kind == CSV:
        return codecs.array_to_csv(predictions), kind
    scores = [{"score": p} for p in predictions]
    if kind == JSONLINES:
        return "".join(json.dumps(s) + "\n" for s in scores), kind
    return json.dumps({"predictions": scores}), kind


# ---- the flavours ----------------------------------------------------------------------

GENERIC = Flavour("generic", JSON, default_model_fn, default_input_fn, default_predict_fn,
                  default_output_fn)
SKLEARN = Flavour("sklearn", JSON, default_model_fn, sklearn_input_fn, sklearn_predict_fn,
                  default_output_fn)
XGBOOST = Flavour("xgboost", JSON, default_model_fn, xgboost_input_fn, xgboost_predict_fn,
                  default_output_fn)
XGBOOST_ALGORITHM = Flavour("xgboost-algorithm", CSV, xgboost_algorithm_model_fn,
                            default_input_fn, xgboost_predict_fn, default_output_fn,
                            transform_fn=xgboost_algorithm_transform)


def flavour_for(framework: str | None, user_module: bool) -> Flavour:
    """The defaults of ``framework`` (``sagemaker.images.framework_of`` of the image);
    XGBoost without a user module is the built-in algorithm."""
    if framework == "sklearn":
        return SKLEARN
    if framework == "xgboost":
        return XGBOOST if user_module else XGBOOST_ALGORITHM
    if framework == "pytorch":
        from .torch_handlers import PYTORCH

        return PYTORCH
    return GENERIC
