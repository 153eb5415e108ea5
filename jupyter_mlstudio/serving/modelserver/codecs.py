"""Request and response encodings of the inference contract, and its errors.

What SageMaker's inference toolkits hand the handlers: the body as ``str`` when the
Content-Type header is exactly ``application/json`` or ``text/csv`` (their ``UTF8_TYPES``),
``bytes`` otherwise. The decoders turn a body (``str`` or ``bytes``) into arrays; the
encoders turn array-likes into JSON, CSV or NPY the way the toolkits' encoders do (a 1-D
array is one CSV row per value).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
NPZ = "application/x-npz"
JSONLINES = "application/jsonlines"
LIBSVM = "text/libsvm"
X_LIBSVM = "text/x-libsvm"
RECORDIO_PROTOBUF = "application/x-recordio-protobuf"
ANY = "*/*"
# The content types whose bodies the toolkits decode to str, compared with the whole header.
TEXT_TYPES = (JSON, CSV)


@dataclass
class Reply:
    """What one invocation answers: a body, its content type, a status."""

    body: bytes
    content_type: str | None
    status: int = 200


class InferenceError(Exception):
    """An error answered with ``status`` and this message, not as a server error."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class UnsupportedFormatError(InferenceError):
    """A content type or accept type no decoder or encoder handles; named, and worded, as
    the toolkits' own error. Answered 415 from ``input_fn``, 406 from ``output_fn``."""

    status = 415

    def __init__(self, content_type: str) -> None:
        super().__init__(
            f"Content type {content_type} is not supported by this framework.\n\n"
            "Please implement input_fn to to deserialize the request data or an output_fn to\n"
            "serialize the response. For more information, see the SageMaker Python SDK README."
        )
        self.content_type = content_type


def media_type(header: str | None) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv``."""
    if not header:
        return ""
    return header.split(";", 1)[0].strip().lower()


def request_content(body: bytes, content_type: str) -> bytes | str:
    """What handlers receive: ``str`` for exactly ``application/json`` / ``text/csv``."""
    if content_type in TEXT_TYPES:
        return body.decode("utf-8")
    return body


def as_text(data: bytes | str) -> str:
    return data if isinstance(data, str) else bytes(data).decode("utf-8")


def as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


# ---- decoders --------------------------------------------------------------------------


def json_to_array(data: bytes | str, unwrap: bool = False) -> np.ndarray:
    """``np.array(json.loads(body))``; with ``unwrap``, an object's ``instances`` or
    ``inputs`` (the TensorFlow Serving request shapes)."""
    try:
        value = json.loads(data)
    except ValueError as err:
        raise InferenceError(f"body is not valid JSON: {err}") from err
    if unwrap and isinstance(value, dict):
        for key in ("instances", "inputs"):
            if key in value:
                value = value[key]
                break
        else:
            raise InferenceError('a JSON object body needs an "instances" or "inputs" key')
    try:
        return np.array(value)
    except ValueError as err:
        raise InferenceError(f"JSON body is not an array of records: {err}") from err


def csv_to_array(data: bytes | str) -> np.ndarray:
    """Rows of numbers as a 2-D float array (one row per line)."""
    lines = as_text(data).splitlines()
    if not any(line.strip() for line in lines):
        raise InferenceError("CSV body has no rows")
    try:
        # numpy's C parser: as fast as splitting by hand for one row, faster for many.
        return np.loadtxt(lines, delimiter=",", ndmin=2, dtype=np.float64)
    except ValueError as err:
        raise InferenceError(f"CSV body is not rows of numbers: {err}") from err


def npy_to_array(data: bytes | str) -> np.ndarray:
    try:
        return np.load(io.BytesIO(as_bytes(data)), allow_pickle=False)
    except Exception as err:
        raise InferenceError(f"body is not a .npy array: {type(err).__name__}: {err}") from err


def npz_to_sparse(data: bytes | str):
    """A scipy sparse matrix saved with ``scipy.sparse.save_npz``."""
    import scipy.sparse

    try:
        return scipy.sparse.load_npz(io.BytesIO(as_bytes(data)))
    except Exception as err:
        raise InferenceError(f"body is not a .npz sparse matrix: {err}") from err


def libsvm_to_sparse(data: bytes | str):
    """``label index:value ...`` lines as a CSR matrix; indices are column numbers as
    XGBoost's own libsvm reader takes them, labels (tokens without ``:``) are ignored."""
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    lines = as_text(data).strip().split("\n")
    try:
        for row, line in enumerate(lines):
            for token in line.split():
                if ":" in token:
                    index, value = token.split(":", 1)
                    rows.append(row)
                    cols.append(int(index))
                    values.append(float(value))
    except ValueError as err:
        raise InferenceError(f"body is not libsvm rows: {err}") from err
    width = max(cols) + 1 if cols else 0
    return csr_matrix((values, (rows, cols)), shape=(len(lines), width), dtype=np.float64)


def recordio_to_array(data: bytes | str):
    """The features of RecordIO-protobuf records: a 2-D array, or CSR if sparse."""
    from .recordio import RecordIOError, read_features

    try:
        return read_features(as_bytes(data))
    except RecordIOError as err:
        raise InferenceError(f"body is not RecordIO-protobuf records: {err}") from err


def sniffed_csv_to_array(data: bytes | str) -> np.ndarray:
    """CSV as XGBoost's container reads it: the delimiter sniffed from the first line,
    empty fields as NaN."""
    text = as_text(data).strip()
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n")[0][:512]).delimiter
    except csv.Error:
        delimiter = ","
    if delimiter.isalnum():
        delimiter = ","
    rows = [["nan" if v == "" else v for v in line.split(delimiter)] for line in text.split("\n")]
    try:
        return np.array(rows).astype(float)
    except ValueError as err:
        raise InferenceError(f"CSV body is not rows of numbers: {err}") from err


# ---- encoders --------------------------------------------------------------------------


def _tolist(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def array_to_json(prediction: Any) -> str:
    if isinstance(prediction, np.ndarray):
        prediction = prediction.tolist()
    return json.dumps(prediction, default=_tolist)


def array_to_csv(prediction: Any) -> str:
    """One line per row; a 1-D array is a column (one value per line)."""
    array = np.asarray(prediction)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 1:
        return "".join(f"{v}\n" for v in array.tolist())
    return "".join(",".join(map(str, row)) + "\n"
                   for row in array.reshape(len(array), -1).tolist())


def array_to_npy(prediction: Any) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(prediction), allow_pickle=False)
    return buf.getvalue()


ENCODERS: dict[str, Callable[[Any], str | bytes]] = {
    JSON: array_to_json,
    CSV: array_to_csv,
    NPY: array_to_npy,
}


def encode(prediction: Any, content_type: str) -> bytes:
    """``prediction`` as JSON, CSV or NPY; :class:`UnsupportedFormatError` otherwise."""
    encoder = ENCODERS.get(content_type)
    if encoder is None:
        raise UnsupportedFormatError(content_type)
    return as_bytes(encoder(prediction))


def choose_accept(accept: str | None, supported=ENCODERS) -> str | None:
    """The supported media type an Accept header prefers (``q`` values, then order;
    ``*/*`` and ``application/*`` mean JSON, ``text/*`` CSV), or None."""
    if not accept or accept == ANY:
        return JSON
    if accept in supported:
        return accept
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
        if kind in supported:
            return kind
        if kind in (ANY, "application/*") and JSON in supported:
            return JSON
        if kind == "text/*" and CSV in supported:
            return CSV
    return None
