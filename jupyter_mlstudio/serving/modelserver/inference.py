"""The SageMaker inference toolkits' contract around the user's handlers (no web here).

User code may define ``model_fn``, ``input_fn``, ``predict_fn``, ``output_fn`` or
``transform_fn`` (and the toolkit's ``pre_model_fn`` / ``model_warmup_fn``); whatever it
leaves out falls back to the defaults of the model's framework (:mod:`.flavours`).

As the toolkits do: the body reaches the handlers as ``str`` when the Content-Type is
exactly ``application/json`` or ``text/csv``, as ``bytes`` otherwise; a missing
Content-Type is JSON; a missing or ``*/*`` Accept is ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``
or the framework's default; a handler may take one more argument, the request context.
``output_fn`` / ``transform_fn`` may return bytes, str, ``(body, content_type)`` or a
response object (``sagemaker_containers``' ``worker.Response``, any Flask/Werkzeug
response). An ``UnsupportedFormatError`` (the toolkits' or ours) answers 415 from
``input_fn`` and 406 from ``output_fn``, as ``sagemaker_containers``' Transformer answers it
(the framework containers' wrappers turn it into a 500); the inference toolkit's
``BaseInferenceToolkitError`` answers its ``status_code``; anything else raised answers 500.

User modules can import ``sagemaker_inference`` (installed with the ``serving`` extra)
and, where the real package is not installed, ``sagemaker_containers.beta.framework``
(the compatible modules in ``compat/``).
"""
from __future__ import annotations

import importlib.util
import inspect
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from . import codecs
from .codecs import JSON, InferenceError, Reply, UnsupportedFormatError
from .flavours import GENERIC, Flavour, ModelLoadError, describe, flavour_for

__all__ = ["Handlers", "InferenceError", "JSON", "ModelLoadError", "Reply",
           "UnsupportedFormatError", "build_handlers", "describe", "find_user_module",
           "handlers_for", "invoke", "load_model"]

DEFAULT_ACCEPT_ENV = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"
COMPAT_DIR = Path(__file__).with_name("compat")


class Context:
    """What a handler taking a ``context`` argument gets (the toolkit passes its model
    server's context): ``system_properties`` with ``model_dir`` and ``gpu_id``."""

    def __init__(self, model_dir: str) -> None:
        self.system_properties = {"model_dir": model_dir, "gpu_id": None}
        self.model_name = "model"


@dataclass
class Handlers:
    """The functions serving one model: the user's where defined, else the defaults."""

    model_fn: Callable[[str], Any]
    input_fn: Callable[[Any, str], Any]
    predict_fn: Callable[[Any, Any], Any]
    output_fn: Callable[[Any, str], Any]
    transform_fn: Callable[[Any, Any, str, str], Any] | None = None
    pre_model_fn: Callable[[str], Any] | None = None
    model_warmup_fn: Callable[[str, Any], Any] | None = None
    default_accept: str = JSON
    user_model_fn: bool = False
    flavour: Flavour = field(default=GENERIC)


def add_compat_modules() -> None:
    """Let user code import ``sagemaker_containers`` where the real package is missing."""
    if importlib.util.find_spec("sagemaker_containers") is None \
            and str(COMPAT_DIR) not in sys.path:
        sys.path.append(str(COMPAT_DIR))


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
    add_compat_modules()
    if code_dir is None and program:
        code_dir = model_dir / "code"
    if code_dir is not None:
        return load_user_module(code_dir, program or "inference.py")
    default = model_dir / "code" / "inference.py"
    if default.is_file():
        return load_user_module(default.parent, default.name)
    return None


def _with_context(fn: Callable, args: int, context: Context, name: str) -> Callable:
    """``fn`` called with ``args`` arguments, plus the context if it takes one more."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return fn
    if len(params) == args + 1:
        return lambda *a: fn(*a, context)
    if len(params) != args and not any(p.kind == p.VAR_POSITIONAL for p in params):
        # The toolkit's check, made once at load instead of at every call.
        raise ModelLoadError(f"{name} takes {len(params)} arguments but {args} are given")
    return fn


def build_handlers(module: ModuleType | None, flavour: Flavour = GENERIC,
                   model_dir: str = "") -> Handlers:
    """The user's handlers from ``module``, each missing one replaced by ``flavour``'s."""
    context = Context(model_dir)

    def user(name: str, args: int) -> Callable | None:
        found = getattr(module, name, None) if module is not None else None
        return _with_context(found, args, context, name) if callable(found) else None

    transform_fn = user("transform_fn", 4)
    if transform_fn is not None and module is not None:
        both = [n for n in ("input_fn", "predict_fn", "output_fn") if hasattr(module, n)]
        if both:
            # As SageMaker's toolkits: one of them would silently never run.
            raise ModelLoadError(
                f"{module.__file__} defines transform_fn and {', '.join(both)}; use either "
                "transform_fn or input_fn/predict_fn/output_fn"
            )
    model_fn = user("model_fn", 1)
    return Handlers(
        model_fn=model_fn or flavour.model_fn,
        input_fn=user("input_fn", 2) or flavour.input_fn,
        predict_fn=user("predict_fn", 2) or flavour.predict_fn,
        output_fn=user("output_fn", 2) or flavour.output_fn,
        transform_fn=transform_fn or (None if module is not None else flavour.transform_fn),
        pre_model_fn=user("pre_model_fn", 1),
        model_warmup_fn=user("model_warmup_fn", 2),
        default_accept=os.environ.get(DEFAULT_ACCEPT_ENV) or flavour.default_accept,
        user_model_fn=model_fn is not None,
        flavour=flavour,
    )


def handlers_for(model_dir: Path, code_dir: Path | None, program: str | None,
                 framework: str | None) -> Handlers:
    """The handlers serving ``model_dir`` as SageMaker's container for ``framework``."""
    module = find_user_module(model_dir, code_dir, program)
    return build_handlers(module, flavour_for(framework, module is not None), str(model_dir))


def load_model(handlers: Handlers, model_dir: Path) -> Any:
    """``pre_model_fn``, ``model_fn``, ``model_warmup_fn``; any failure becomes a
    :class:`ModelLoadError` with a one-line reason."""
    directory = str(model_dir)
    step = "pre_model_fn"
    try:
        if handlers.pre_model_fn is not None:
            handlers.pre_model_fn(directory)
        step = "model_fn"
        model = handlers.model_fn(directory)
        step = "model_warmup_fn"
        if handlers.model_warmup_fn is not None:
            handlers.model_warmup_fn(directory, model)
        return model
    except ModelLoadError:
        raise
    except BaseException as err:
        if step == "model_fn" and not handlers.user_model_fn:
            raise ModelLoadError(f"cannot load the model in {model_dir}: {describe(err)}") from err
        raise ModelLoadError(f"{step} raised {describe(err)}") from err


def _is_response(result: Any) -> bool:
    return hasattr(result, "get_data") and isinstance(getattr(result, "status_code", None), int)


def to_reply(result: Any, accept: str) -> Reply:
    """Normalise what ``output_fn`` / ``transform_fn`` returned."""
    if isinstance(result, Reply):
        return result
    if _is_response(result):
        content_type = getattr(result, "content_type", None) or getattr(result, "mimetype", None)
        return Reply(bytes(result.get_data()), content_type or accept, result.status_code)
    content_type = codecs.choose_accept(accept) or accept
    if isinstance(result, tuple) and len(result) == 2:
        result, content_type = result[0], str(result[1] or content_type)
    if isinstance(result, (bytes, bytearray, memoryview)):
        return Reply(bytes(result), content_type)
    if isinstance(result, str):
        return Reply(result.encode("utf-8"), content_type)
    # Lenient: a user handler returning plain data gets it JSON-encoded.
    return Reply(codecs.array_to_json(result).encode(), JSON)


def _answer(err: Exception, status: int) -> InferenceError | None:
    """The answer the toolkits give ``err`` raised where a failure answers ``status``:
    their UnsupportedFormatError answers ``status``; their BaseInferenceToolkitError its
    own ``status_code``; ours say their status."""
    if type(err).__name__ == "UnsupportedFormatError":
        return InferenceError(str(err), status)
    if isinstance(err, InferenceError):
        return err
    code = getattr(err, "status_code", None)
    if isinstance(code, int) and 400 <= code < 600:
        return InferenceError(str(getattr(err, "message", None) or err), code)
    return None


def invoke(handlers: Handlers, model: Any, body: bytes, content_type: str,
           accept: str) -> Reply:
    """One request through ``transform_fn``, or ``input_fn``, ``predict_fn``, ``output_fn``."""
    content_type = content_type or JSON
    if not accept or accept == codecs.ANY:
        accept = handlers.default_accept
    data = codecs.request_content(body, content_type)
    status = 500
    try:
        if handlers.transform_fn is not None:
            result = handlers.transform_fn(model, data, content_type, accept)
        else:
            status = 415
            decoded = handlers.input_fn(data, content_type)
            status = 500
            prediction = handlers.predict_fn(decoded, model)
            status = 406
            result = handlers.output_fn(prediction, accept)
    except Exception as err:
        answer = _answer(err, status)
        if answer is None or answer is err:
            raise
        raise answer from err
    return to_reply(result, accept)
