"""The one parser of JSON request bodies: strict, bounded in size and depth, never recursing."""
from __future__ import annotations

import pytest

from jupyter_mlstudio.errors import MLStudioError
from jupyter_mlstudio.jsonbody import MAX_DEPTH, nests_deeper, parse_json, parse_json_object


def nested(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"[1]" + b"}" * (depth - 1)


def test_depth_is_measured_outside_strings_and_without_recursion():
    assert not nests_deeper(nested(MAX_DEPTH))
    assert nests_deeper(nested(MAX_DEPTH + 1))
    assert not nests_deeper(b'{"a": "' + b"[{" * 10_000 + b'"}')
    assert not nests_deeper(b'{"a": "\\"[[[[", "b": [[["\\\\"]]]}', limit=4)
    assert nests_deeper(b'{"a": "\\"[[[[", "b": [[[["\\\\"]]]]}', limit=4)
    assert nests_deeper(b"[" * 1_000_000)
    assert parse_json_object(nested(MAX_DEPTH))["a"]


@pytest.mark.parametrize("raw, words", [
    (b"[" * 100_000 + b"]" * 100_000, "deeper than 64 levels"),
    (nested(MAX_DEPTH + 1), "deeper than 64 levels"),
    (b"[1, 2]", "must be a JSON object, not an array"),
    (b'"text"', "not a string"),
    (b"null", "not null"),
    (b"\xff{}", "not UTF-8"),
    (b'\xef\xbb\xbf{"a": 1}', "not valid JSON"),
    (b'{"a": NaN}', "NaN is not a JSON number"),
    (b'{"a": Infinity}', "Infinity is not a JSON number"),
    (b'{"a": 1e400}', "too large for a float"),
    (b'{"a": "\\udc00"}', "unpaired UTF-16 surrogate"),
    (b'{"\\ud800": 1}', "unpaired UTF-16 surrogate"),
    (b'{"a": 1', "not valid JSON"),
    (b'{"a": "' + b"9" * 5000 + b'"}', None),
])
def test_bad_bodies_are_400_naming_the_problem(raw, words):
    if words is None:
        assert parse_json_object(raw)["a"]
        return
    with pytest.raises(MLStudioError) as err:
        parse_json_object(raw)
    assert err.value.status == 400 and err.value.reason == "BadJSON"
    assert words in err.value.message


def test_size_is_bounded_and_empty_is_an_empty_object():
    with pytest.raises(MLStudioError) as err:
        parse_json(b"[" + b"1," * 1000 + b"1]", max_bytes=1000)
    assert err.value.status == 413 and err.value.reason == "BodyTooLarge"
    assert parse_json_object(b"") == {} and parse_json_object(b"  \n") == {}
    assert parse_json_object(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001F600"}
