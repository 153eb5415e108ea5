"""Records and requests: splitting a byte stream into payloads, shaping the responses.

Payloads are cut straight out of the stream at line ends (no per-line work for
``MultiRecord``), so memory stays within one payload plus one read chunk.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from .spec import MiB, TransformError

Batch = tuple[bytes, int]  # (request body, number of records in it)


def _too_large(what: str, line: int, limit: int) -> TransformError:
    return TransformError(
        f"{what}: the record at line {line} is larger than MaxPayloadInMB "
        f"({limit // MiB} MB); raise MaxPayloadInMB or shorten the record")


def _clean(payload: bytes) -> bytes:
    """Lines ending in ``\\n``, without blank lines (they are not records)."""
    if not payload.endswith(b"\n"):
        payload += b"\n"
    if (payload.startswith((b"\n", b"\r\n")) or b"\n\n" in payload
            or b"\n\r\n" in payload):
        payload = b"".join(line + b"\n" for line in payload.split(b"\n") if line.strip(b"\r"))
    return payload


def multi_record(chunks: Iterable[bytes], limit: int, what: str) -> Iterator[Batch]:
    """As many whole lines per payload as fit in ``limit`` bytes."""
    buf = bytearray()
    lines_before = 0

    def cut() -> Iterator[bytes]:
        nonlocal lines_before
        while len(buf) > limit:
            end = buf.rfind(b"\n", 0, limit)
            if end < 0:
                raise _too_large(what, lines_before + 1, limit)
            with memoryview(buf) as view:  # one copy, not two
                payload = bytes(view[:end + 1])
            del buf[:end + 1]
            lines_before += payload.count(b"\n")
            yield payload

    def emit(payloads: Iterable[bytes]) -> Iterator[Batch]:
        for payload in payloads:
            cleaned = _clean(payload)
            if cleaned.strip(b"\r\n"):
                yield cleaned, cleaned.count(b"\n")

    for chunk in chunks:
        buf += chunk
        yield from emit(cut())
    if buf:
        if not buf.endswith(b"\n"):
            buf += b"\n"
        yield from emit(cut())
        yield from emit([bytes(buf)])


def single_record(chunks: Iterable[bytes], limit: int, what: str) -> Iterator[Batch]:
    """One line per payload."""
    buf = bytearray()
    line_no = 0
    for chunk in chunks:
        buf += chunk
        start = 0
        while True:
            end = buf.find(b"\n", start)
            if end < 0:
                break
            line_no += 1
            if end - start + 1 > limit:
                raise _too_large(what, line_no, limit)
            if buf[start:end].strip(b"\r"):
                yield bytes(buf[start:end + 1]), 1
            start = end + 1
        del buf[:start]
        if len(buf) >= limit:
            raise _too_large(what, line_no + 1, limit)
    if buf.strip(b"\r"):
        yield bytes(buf) + b"\n", 1


def whole_object(chunks: Iterable[bytes], limit: int, what: str) -> Iterator[Batch]:
    """The whole object as one payload (``SplitType`` None); nothing for an empty object."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise TransformError(
                f"{what}: the object is larger than MaxPayloadInMB ({limit // MiB} MB) and "
                "SplitType is None; use SplitType Line or raise MaxPayloadInMB")
        parts.append(chunk)
    if size:
        yield b"".join(parts), 1


def batches(chunks: Iterable[bytes], split_type: str, strategy: str, limit: int,
            what: str) -> Iterator[Batch]:
    """Payloads for one input object, following SplitType and BatchStrategy."""
    if split_type == "None":
        return whole_object(chunks, limit, what)
    if strategy == "SingleRecord":
        return single_record(chunks, limit, what)
    return multi_record(chunks, limit, what)


def is_json(content_type: str | None) -> bool:
    """Whether a media type is JSON or JSON Lines."""
    return content_type is not None and "json" in content_type.lower()


def _lines(data: bytes) -> list[bytes]:
    return [line.rstrip(b"\r") for line in data.split(b"\n") if line.strip(b"\r")]


def _split_response(response: bytes, count: int, accept_json: bool, what: str) -> list[Any]:
    """``count`` outputs from one response: one per line, or one per element of a JSON list."""
    lines = _lines(response)
    if len(lines) == count:
        return lines
    if count == 1:
        return [response.strip()]
    if accept_json:
        try:
            value = json.loads(response)
        except ValueError:
            value = None
        if isinstance(value, dict) and len(value) == 1:
            value = next(iter(value.values()))
        if isinstance(value, list) and len(value) == count:
            return value
    raise TransformError(
        f"{what}: the model returned {len(lines)} output lines for {count} input records; "
        "JoinSource Input needs one output per input record")


def _json_value(piece: Any) -> Any:
    if not isinstance(piece, bytes):
        return piece
    try:
        return json.loads(piece)
    except ValueError:
        return piece.decode("utf-8", errors="replace")


def _csv_value(piece: Any) -> bytes:
    if isinstance(piece, bytes):
        return piece
    if isinstance(piece, (str, int, float)) and not isinstance(piece, bool):
        return str(piece).encode()
    return json.dumps(piece).encode()


def join_input(payload: bytes, response: bytes, *, split_type: str, content_type: str | None,
               accept: str | None, what: str) -> bytes:
    """Each input record with its prediction (SageMaker's ``JoinSource: Input``).

    CSV: ``<input line>,<output line>``; JSON: the input object plus ``SageMakerOutput``.
    """
    in_json = is_json(content_type)
    records = [payload] if in_json and split_type == "None" else _lines(payload)
    outputs = _split_response(response, len(records), is_json(accept), what)
    joined = []
    for record, piece in zip(records, outputs):
        if in_json:
            try:
                obj = json.loads(record)
            except ValueError:
                obj = None
            if not isinstance(obj, dict):
                raise TransformError(
                    f"{what}: JoinSource Input with JSON input needs each record to be a "
                    "JSON object")
            obj["SageMakerOutput"] = _json_value(piece)
            joined.append(json.dumps(obj).encode())
        else:
            joined.append(record + b"," + _csv_value(piece))
    return b"\n".join(joined) + b"\n"


def assemble(response: bytes, assemble_with: str) -> bytes:
    """A response as it goes into the output: newline-terminated when AssembleWith is Line."""
    if assemble_with == "Line" and response and not response.endswith(b"\n"):
        return response + b"\n"
    return response
