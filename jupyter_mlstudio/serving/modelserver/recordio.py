"""``application/x-recordio-protobuf``: the SageMaker SDK's ``RecordSet`` format.

A body is a run of RecordIO frames (``uint32`` magic ``0xced7230a``, ``uint32`` length whose
top three bits are a continuation flag, the payload, zero padding to 4 bytes); each payload is
an ``aialgs.data.Record`` protobuf message whose ``features["values"]`` tensor is one row:
dense (``values``) or sparse (``values`` at ``keys``, ``shape[0]`` columns). The protobuf wire
format is read and written directly: the message has a handful of fields and needs no
generated code. Answers of SageMaker's algorithms are records whose ``label`` map holds
one float32 tensor per key (:func:`write_labels`).
"""
from __future__ import annotations

import struct
from typing import Iterator

import numpy as np

MAGIC = 0xCED7230A
_LENGTH_MASK = (1 << 29) - 1

# Field numbers of the aialgs.data messages.
_RECORD_FEATURES, _RECORD_LABEL = 1, 2
_FLOAT32_TENSOR = 2
_ENTRY_KEY, _ENTRY_VALUE = 1, 2
_VALUE_TENSORS = {2: "<f4", 3: "<f8", 7: "int32"}  # float32, float64, int32 tensors
_TENSOR_VALUES, _TENSOR_KEYS, _TENSOR_SHAPE = 1, 2, 3

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


class RecordIOError(ValueError):
    """The body is not RecordIO-framed protobuf records."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise RecordIOError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise RecordIOError("varint too long")


def _fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """``(field number, wire type, value)`` of each field of a protobuf message."""
    pos = 0
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        value: int | bytes
        if wire == _VARINT:
            value, pos = _varint(buf, pos)
        elif wire == _I64:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == _I32:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == _LEN:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        else:
            raise RecordIOError(f"unsupported protobuf wire type {wire}")
        if pos > len(buf):
            raise RecordIOError("truncated protobuf field")
        yield number, wire, value


def _bytes(value: int | bytes) -> bytes:
    """A length-delimited or fixed-width field's content."""
    if isinstance(value, int):
        raise RecordIOError("a varint field where bytes were expected")
    return value


def _int(value: int | bytes) -> int:
    """A varint field's value."""
    if not isinstance(value, int):
        raise RecordIOError("a bytes field where a varint was expected")
    return value


def _varints(buf: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(buf):
        value, pos = _varint(buf, pos)
        out.append(value)
    return out


def _tensor(buf: bytes, dtype: str) -> tuple[np.ndarray, list[int], list[int]]:
    """``(values, keys, shape)`` of a Float32/Float64/Int32Tensor message."""
    chunks: list[np.ndarray] = []
    keys: list[int] = []
    shape: list[int] = []
    for number, wire, value in _fields(buf):
        if number == _TENSOR_VALUES:
            if dtype == "int32":
                ints = _varints(_bytes(value)) if wire == _LEN else [_int(value)]
                # Negative int32 values arrive as 64-bit two's complement varints.
                chunks.append(np.array(ints, dtype=np.uint64).astype(np.int64).astype(np.int32))
            else:
                chunks.append(np.frombuffer(_bytes(value), dtype=dtype))
        elif number in (_TENSOR_KEYS, _TENSOR_SHAPE):
            target = keys if number == _TENSOR_KEYS else shape
            target.extend(_varints(_bytes(value)) if wire == _LEN else [_int(value)])
    values = np.concatenate(chunks) if chunks else np.array([], dtype=dtype)
    return values, keys, shape


def _features_row(record: bytes) -> tuple[np.ndarray, list[int], list[int]] | None:
    """The ``features["values"]`` tensor of one Record, if it has one."""
    for number, wire, entry in _fields(record):
        if number != _RECORD_FEATURES or wire != _LEN:
            continue
        key, value = None, b""
        for field, _, content in _fields(_bytes(entry)):
            if field == _ENTRY_KEY:
                key = bytes(content).decode("utf-8")
            elif field == _ENTRY_VALUE:
                value = bytes(content)
        if key != "values":
            continue
        for field, _, content in _fields(value):
            if field in _VALUE_TENSORS:
                return _tensor(bytes(content), _VALUE_TENSORS[field])
    return None


def records(body: bytes) -> Iterator[bytes]:
    """The payload of each RecordIO frame in ``body``."""
    pos = 0
    view = memoryview(body)
    while pos < len(body):
        if pos + 8 > len(body):
            raise RecordIOError(f"truncated RecordIO header at byte {pos}")
        magic, word = struct.unpack_from("<II", body, pos)
        if magic != MAGIC:
            raise RecordIOError(f"no RecordIO magic number at byte {pos}")
        length = word & _LENGTH_MASK
        pos += 8
        if pos + length > len(body):
            raise RecordIOError(f"truncated record at byte {pos}")
        yield bytes(view[pos:pos + length])
        pos += (length + 3) & ~3


def read_features(body: bytes):
    """The rows of a RecordIO-protobuf body: a 2-D numpy array, or a scipy CSR matrix if any
    record is sparse."""
    rows = [row for row in map(_features_row, records(body)) if row is not None]
    if not rows:
        raise RecordIOError("no record with a features[\"values\"] tensor")
    if not any(keys for _, keys, _ in rows):
        return np.vstack([values.reshape(1, -1) for values, _, _ in rows])
    from scipy.sparse import csr_matrix

    width = max(max([shape[0] if shape else 0] + [k + 1 for k in keys])
                for _, keys, shape in rows)
    data = np.concatenate([values for values, _, _ in rows])
    indices = np.concatenate([np.asarray(keys, dtype=np.int64) for _, keys, _ in rows])
    indptr = np.cumsum([0] + [len(keys) for _, keys, _ in rows])
    return csr_matrix((data, indices, indptr), shape=(len(rows), width))


def _varint_bytes(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _length_field(number: int, payload: bytes) -> bytes:
    return _varint_bytes(number << 3 | _LEN) + _varint_bytes(len(payload)) + payload


def frame(payload: bytes) -> bytes:
    """One RecordIO frame holding ``payload``."""
    padding = b"\0" * (-len(payload) % 4)
    return struct.pack("<II", MAGIC, len(payload)) + payload + padding


def write_labels(rows: list[dict[str, list[float]]]) -> bytes:
    """RecordIO-protobuf records, one per row, each key's numbers a float32 tensor in the
    record's ``label`` map (as SageMaker's algorithms answer)."""
    out = bytearray()
    for row in rows:
        record = bytearray()
        for key, values in row.items():
            packed = np.asarray(values, dtype="<f4").tobytes()
            tensor = _length_field(_TENSOR_VALUES, packed)
            value = _length_field(_FLOAT32_TENSOR, tensor)
            entry = _length_field(_ENTRY_KEY, key.encode()) + _length_field(_ENTRY_VALUE, value)
            record += _length_field(_RECORD_LABEL, entry)
        out += frame(bytes(record))
    return bytes(out)


def read_labels(body: bytes) -> list[dict[str, list[float]]]:
    """The ``label`` map of each record in ``body`` (the inverse of :func:`write_labels`)."""
    rows = []
    for record in records(body):
        row: dict[str, list[float]] = {}
        for number, wire, entry in _fields(record):
            if number != _RECORD_LABEL or wire != _LEN:
                continue
            key, value = "", b""
            for field, _, content in _fields(bytes(entry)):
                if field == _ENTRY_KEY:
                    key = bytes(content).decode("utf-8")
                elif field == _ENTRY_VALUE:
                    value = bytes(content)
            for field, _, content in _fields(value):
                if field in _VALUE_TENSORS:
                    row[key] = _tensor(bytes(content), _VALUE_TENSORS[field])[0].tolist()
        rows.append(row)
    return rows
