"""The PyTorch inference toolkit's default handlers (imported only to serve a PyTorch image).

* ``model_fn``: ``model.pt``, else the one ``*.pt`` / ``*.pth`` file, loaded with
  ``torch.jit.load`` (TorchScript); anything else, such as a ``model.pth`` state dict,
  needs the user's own ``model_fn``, and fails to load with the toolkit's message.
* ``input_fn``: JSON and CSV into a float32 tensor, NPY into a tensor of its own dtype
  (NPZ: a scipy sparse matrix).
* ``predict_fn``: the model in eval mode under ``torch.no_grad()``, on the GPU if any.
* ``output_fn``: tensors as lists, into the first of the Accept header's types that is
  JSON, CSV or NPY. Accept defaults to JSON.
"""
from __future__ import annotations

import io
import json
import os
from typing import Any

import numpy as np

from . import codecs
from .codecs import CSV, JSON, NPY, NPZ, UnsupportedFormatError
from .flavours import Flavour, ModelLoadError

DEFAULT_MODEL_FILENAME = "model.pt"


def _device():
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def model_fn(model_dir: str) -> Any:
    """The TorchScript model in ``model_dir``."""
    import torch

    path = os.path.join(model_dir, DEFAULT_MODEL_FILENAME)
    if not os.path.exists(path):
        found = sorted(name for name in os.listdir(model_dir)
                       if os.path.isfile(os.path.join(model_dir, name))
                       and os.path.splitext(name)[1] in (".pt", ".pth"))
        if len(found) != 1:
            raise ModelLoadError(
                f"Exactly one .pth or .pt file is required for PyTorch models: {found}")
        path = os.path.join(model_dir, found[0])
    device = _device()
    try:
        model = torch.jit.load(path, map_location=device)
    except RuntimeError as err:
        raise ModelLoadError(
            f"Failed to load {path}. Please ensure model is saved using torchscript.") from err
    return model.to(device)


def _decode(input_data: Any, kind: str) -> Any:
    if kind == JSON:
        return np.array(json.loads(input_data))
    if kind == CSV:
        return np.genfromtxt(io.StringIO(codecs.as_text(input_data)), delimiter=",")
    if kind == NPY:
        return codecs.npy_to_array(input_data)
    if kind == NPZ:
        return codecs.npz_to_sparse(input_data)
    raise UnsupportedFormatError(kind)


def input_fn(input_data: Any, content_type: str) -> Any:
    """JSON / CSV as a float32 tensor, NPY as a tensor, on the device the model is on."""
    import torch

    kind = codecs.media_type(content_type)
    array = _decode(input_data, kind)
    if kind == NPZ:
        return array
    tensor = torch.FloatTensor(array) if kind in codecs.TEXT_TYPES else torch.from_numpy(array)
    return tensor.to(_device())


def predict_fn(data: Any, model: Any) -> Any:
    import torch

    with torch.no_grad():
        device = _device()
        model = model.to(device)
        model.eval()
        return model(data.to(device))


def output_fn(prediction: Any, accept: str) -> tuple[bytes, str]:
    """The first JSON, CSV or NPY type the Accept header lists."""
    import torch

    if isinstance(prediction, torch.Tensor):
        prediction = prediction.detach().cpu().numpy().tolist()
    for kind in accept.replace(" ", "").split(","):
        kind = codecs.media_type(kind)
        if kind in codecs.ENCODERS:
            return codecs.encode(prediction, kind), kind
    raise UnsupportedFormatError(accept)


PYTORCH = Flavour("pytorch", JSON, model_fn, input_fn, predict_fn, output_fn)
