"""``sagemaker_containers``' encoders: array-likes to and from JSON, CSV and NPY.

``encode`` / ``decode`` take exactly ``application/json``, ``text/csv`` or
``application/x-npy`` and raise ``UnsupportedFormatError`` for anything else. A CSV body
decodes to floats, squeezed (one row is a 1-D array); a 1-D array encodes as a column.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from jupyter_mlstudio.serving.modelserver import codecs

from . import _content_types, _errors


def array_to_npy(array_like) -> bytes:
    return codecs.array_to_npy(array_like)


def npy_to_numpy(npy_array) -> np.ndarray:
    return codecs.npy_to_array(npy_array)


def array_to_json(array_like) -> str:
    return codecs.array_to_json(array_like)


def json_to_numpy(string_like, dtype=None) -> np.ndarray:
    return np.array(codecs.json_to_array(string_like), dtype=dtype)


def csv_to_numpy(string_like, dtype=None) -> np.ndarray:
    try:
        return codecs.csv_to_array(string_like).squeeze().astype(dtype)
    except (codecs.InferenceError, ValueError) as err:
        raise _errors.ClientError(f"Error while decoding csv: {err}") from err


def array_to_csv(array_like) -> str:
    return codecs.array_to_csv(array_like)


_encoders_map: dict[str, Callable[[Any], bytes | str]] = {
    _content_types.NPY: array_to_npy,
    _content_types.CSV: array_to_csv,
    _content_types.JSON: array_to_json,
}
_decoders_map: dict[str, Callable[[Any], np.ndarray]] = {
    _content_types.NPY: npy_to_numpy,
    _content_types.CSV: csv_to_numpy,
    _content_types.JSON: json_to_numpy,
}


def decode(obj, content_type: str) -> np.ndarray:
    decoder = _decoders_map.get(content_type)
    if decoder is None:
        raise _errors.UnsupportedFormatError(content_type)
    return decoder(obj)


def encode(array_like, content_type: str):
    encoder = _encoders_map.get(content_type)
    if encoder is None:
        raise _errors.UnsupportedFormatError(content_type)
    return encoder(array_like)
