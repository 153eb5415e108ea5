"""Inference handlers with the SageMaker inference toolkit's semantics (no web here).

User code may define ``model_fn``, ``input_fn``, ``predict_fn``, ``output_fn`` or
``transform_fn``; whatever it leaves out falls back to the defaults below, which serve
scikit-learn, XGBoost and pickled models with JSON, CSV and NPY.
"""
from __future__ import annotations

import importlib.util
import io
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
SUPPORTED = (JSON, CSV, NPY)

_PICKLE_SUFFIXES = (".pkl", ".pickle")
_XGBOOST_SUFFIXES = (".json", ".ubj", ".bst", ".xgb")


class InferenceError(Exception):
    """An error answered with ``status`` and this message, not as a server error."""

    status = 400


class UnsupportedContentType(InferenceError):
    status = 415


class UnsupportedAccept(InferenceError):
    status = 406


class ModelLoadError(Exception):
    """The model could not be loaded; the message is the one-line reason shown to users."""


@dataclass
class Handlers:
    """The functions serving one model: the user's where defined, else the defaults."""

    model_fn: Callable[[str], Any]
    input_fn: Callable[[bytes, str], Any]
    predict_fn: Callable[[Any, Any], Any]
    output_fn: Callable[[Any, str], Any]
    transform_fn: Callable[[Any, bytes, str, str], Any] | None = None
    user_model_fn: bool = False


def media_type(header: str | None) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv``."""
    if not header:
        return ""
    return header.split(";", 1)[0].strip().lower()


def _module_name(path: Path) -> str:
    return path.stem if path.stem.isidentifier() else "user_inference_module"


def load_user_module(code_dir: Path, program: str) -> ModuleType:
    """Import ``program`` from ``code_dir`` (put on ``sys.path`` for its sibling imports).

    The module gets its own name, not ``__main__``, so a training script's
    ``if __name__ == "__main__"`` block does not run.
    """
    path = code_dir / program
    if not path.suffix:
        path = path.with_suffix(".py")
    if not path.is_file():
        raise ModelLoadError(f"user code {path} does not exist")
    code = str(code_dir)
    if code not in sys.path:
        sys.path.insert(0, code)
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModelLoadError(f"cannot import {path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered under its own name, so pickles referring to its classes resolve.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as err:
        sys.modules.pop(name, None)
        raise ModelLoadError(f"cannot import {path}: {describe(err)}") from err
    return module


def find_user_module(
    model_dir: Path, code_dir: Path | None, program: str | None
) -> ModuleType | None:
    """The user module: ``code_dir/program`` if given, else ``model_dir/code/inference.py``."""
    if code_dir is None and program:
        code_dir = model_dir / "code"
    if code_dir is not None:
        return load_user_module(code_dir, program or "inference.py")
    default = model_dir / "code" / "inference.py"
    if default.is_file():
        return load_user_module(default.parent, default.name)
    return None


def build_handlers(module: ModuleType | None) -> Handlers:
    """The user's handlers from ``module``, each missing one replaced by its default."""

    def pick(name: str, default: Callable) -> Callable:
        found = getattr(module, name, None) if module is not None else None
        return found if callable(found) else default

    model_fn = pick("model_fn", default_model_fn)
    transform_fn = getattr(module, "transform_fn", None) if module is not None else None
    if callable(transform_fn):
        both = [n for n in ("input_fn", "predict_fn", "output_fn") if hasattr(module, n)]
        if both:
            # As SageMaker's toolkit: one of them would silently never run.
            raise ModelLoadError(
                f"{module.__file__} defines transform_fn and {', '.join(both)}; use either "
                "transform_fn or input_fn/predict_fn/output_fn"
            )
    else:
        transform_fn = None
    return Handlers(
        model_fn=model_fn,
        input_fn=pick("input_fn", default_input_fn),
        predict_fn=pick("predict_fn", default_predict_fn),
        output_fn=pick("output_fn", default_output_fn),
        transform_fn=transform_fn,
        user_model_fn=model_fn is not default_model_fn,
    )


def load_model(handlers: Handlers, model_dir: Path) -> Any:
    """Call ``model_fn``; any failure becomes a :class:`ModelLoadError` with a one-line reason."""
    try:
        return handlers.model_fn(str(model_dir))
    except ModelLoadError:
        raise
    except BaseException as err:
        if not handlers.user_model_fn:
            raise ModelLoadError(f"cannot load the model in {model_dir}: {describe(err)}") from err
        raise ModelLoadError(f"model_fn raised {describe(err)}") from err


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
    if name == "model" or name.endswith(".joblib") or name.endswith(_PICKLE_SUFFIXES):
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
        "*.pkl, *.pickle, model, or an XGBoost *.json/*.ubj/*.bst/*.xgb)"
    )


def default_model_fn(model_dir: str) -> Any:
    """Load the one scikit-learn / XGBoost / pickled model file in ``model_dir``."""
    path = find_model_file(Path(model_dir))
    name = path.name.lower()
    try:
        if name.endswith(_XGBOOST_SUFFIXES):
            import xgboost

            booster = xgboost.Booster()
            booster.load_model(str(path))
            return booster
        import joblib

        if name.endswith(".joblib"):
            return joblib.load(path)
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except Exception:
            return joblib.load(path)
    except Exception as err:
        raise ModelLoadError(f"cannot load model file {path}: {describe(err)}") from err


# ---- default input_fn / predict_fn / output_fn -------------------------------------------


def _unsupported(content_type: str) -> UnsupportedContentType:
    return UnsupportedContentType(
        f"content type {content_type or '(none)'} is not supported; "
        f"use one of {', '.join(SUPPORTED)}"
    )


def _decode_json(body: bytes) -> np.ndarray:
    try:
        data = json.loads(body)
    except ValueError as err:
        raise InferenceError(f"body is not valid JSON: {err}") from err
    if isinstance(data, dict):
        for key in ("instances", "inputs"):
            if key in data:
                data = data[key]
                break
        else:
            raise InferenceError('a JSON object body needs an "instances" or "inputs" key')
    try:
        return np.asarray(data)
    except ValueError as err:
        raise InferenceError(f"JSON body is not an array of records: {err}") from err


def _decode_csv(body: bytes) -> np.ndarray:
    lines = body.decode("utf-8", errors="replace").splitlines()
    if not any(line.strip() for line in lines):
        raise InferenceError("CSV body has no rows")
    try:
        # numpy's C parser: as fast as splitting by hand for one row, faster for many.
        return np.loadtxt(lines, delimiter=",", ndmin=2, dtype=np.float64)
    except ValueError as err:
        raise InferenceError(f"CSV body is not rows of numbers: {err}") from err


def _decode_npy(body: bytes) -> np.ndarray:
    try:
        return np.load(io.BytesIO(body), allow_pickle=False)
    except Exception as err:
        raise InferenceError(f"body is not a .npy array: {describe(err)}") from err


_DECODERS: dict[str, Callable[[bytes], np.ndarray]] = {
    JSON: _decode_json,
    CSV: _decode_csv,
    NPY: _decode_npy,
}


def default_input_fn(body: bytes, content_type: str) -> np.ndarray:
    """Decode a JSON, CSV or NPY body into a numpy array."""
    decoder = _DECODERS.get(media_type(content_type))
    if decoder is None:
        raise _unsupported(content_type)
    return decoder(body)


def _is_booster(model: Any) -> bool:
    cls = type(model)
    return cls.__name__ == "Booster" and cls.__module__.startswith("xgboost")


def default_predict_fn(data: Any, model: Any) -> Any:
    """``model.predict(data)``; an XGBoost ``Booster`` predicts on a ``DMatrix``."""
    if _is_booster(model):
        import xgboost

        return model.predict(xgboost.DMatrix(data))
    return model.predict(data)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encode_json(prediction: Any) -> bytes:
    if isinstance(prediction, np.ndarray):
        prediction = prediction.tolist()
    return json.dumps(prediction, default=_json_default).encode()


def _encode_csv(prediction: Any) -> bytes:
    array = np.asarray(prediction)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 1:
        rows = [str(v) for v in array.tolist()]
    else:
        rows = [",".join(map(str, row)) for row in array.reshape(len(array), -1).tolist()]
    return ("\n".join(rows) + "\n").encode()


def _encode_npy(prediction: Any) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(prediction), allow_pickle=False)
    return buf.getvalue()


_ENCODERS: dict[str, Callable[[Any], bytes]] = {
    JSON: _encode_json,
    CSV: _encode_csv,
    NPY: _encode_npy,
}


def choose_accept(accept: str | None) -> str | None:
    """The first supported media type in an Accept header, ``application/json`` for any."""
    if not accept or accept == "*/*" or accept == JSON:
        return JSON
    ranked = []
    for position, part in enumerate(accept.split(",")):
        kind, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, kind.strip().lower()))
    for neg_quality, _, kind in sorted(ranked):
        if neg_quality >= 0:
            continue
        if kind in _ENCODERS:
            return kind
        if kind in ("*/*", "application/*"):
            return JSON
        if kind == "text/*":
            return CSV
    return None


def default_output_fn(prediction: Any, accept: str) -> tuple[bytes, str]:
    """Encode ``prediction`` as the Accept header asks: JSON (default), CSV or NPY."""
    kind = choose_accept(accept)
    if kind is None:
        raise UnsupportedAccept(
            f"accept type {accept} is not supported; use one of {', '.join(SUPPORTED)}"
        )
    return _ENCODERS[kind](prediction), kind


def to_response(result: Any, accept: str) -> tuple[bytes, str]:
    """Normalise what ``output_fn`` / ``transform_fn`` returned into (body, content type)."""
    content_type = choose_accept(accept) or accept
    if isinstance(result, tuple) and len(result) == 2:
        result, content_type = result[0], str(result[1] or content_type)
    if isinstance(result, (bytes, bytearray, memoryview)):
        return bytes(result), content_type
    if isinstance(result, str):
        return result.encode(), content_type
    # Lenient: a user handler returning plain data gets it JSON-encoded.
    return _encode_json(result), JSON


def invoke(
    handlers: Handlers, model: Any, body: bytes, content_type: str, accept: str
) -> tuple[bytes, str]:
    """One request through ``transform_fn``, or ``input_fn``, ``predict_fn``, ``output_fn``."""
    if not accept or accept == "*/*":
        accept = JSON
    if not content_type:
        content_type = JSON
    if handlers.transform_fn is not None:
        return to_response(handlers.transform_fn(model, body, content_type, accept), accept)
    data = handlers.input_fn(body, content_type)
    prediction = handlers.predict_fn(data, model)
    return to_response(handlers.output_fn(prediction, accept), accept)
