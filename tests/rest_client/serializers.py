"""Request serializers and response deserializers, named as in the SageMaker Python SDK."""
from __future__ import annotations

import csv
import io
import json
from typing import Any


def _tolist(data: Any) -> Any:
    return data.tolist() if hasattr(data, "tolist") else data


class JSONSerializer:
    content_type = "application/json"

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, (bytes, str)):
            return data.encode() if isinstance(data, str) else data
        return json.dumps(_tolist(data)).encode()


class CSVSerializer:
    """One CSV row per record: a 1-D sequence is one row, a 2-D one many."""

    content_type = "text/csv"

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, (bytes, str)):
            return data.encode() if isinstance(data, str) else data
        rows = _tolist(data)
        if rows and not isinstance(rows[0], (list, tuple)):
            rows = [rows]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue().encode()


class NumpySerializer:
    content_type = "application/x-npy"

    def serialize(self, data: Any) -> bytes:
        import numpy as np

        buffer = io.BytesIO()
        np.save(buffer, np.asarray(data), allow_pickle=False)
        return buffer.getvalue()


class JSONDeserializer:
    accept = "application/json"

    def deserialize(self, body: bytes, content_type: str) -> Any:
        return json.loads(body)


class CSVDeserializer:
    accept = "text/csv"

    def deserialize(self, body: bytes, content_type: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(body.decode())))


class NumpyDeserializer:
    accept = "application/x-npy"

    def deserialize(self, body: bytes, content_type: str) -> Any:
        import numpy as np

        if content_type.startswith("application/x-npy"):
            return np.load(io.BytesIO(body), allow_pickle=False)
        if content_type.startswith("application/json"):
            return np.asarray(json.loads(body))
        return np.genfromtxt(io.StringIO(body.decode()), delimiter=",")


class BytesDeserializer:
    accept = "*/*"

    def deserialize(self, body: bytes, content_type: str) -> bytes:
        return body
