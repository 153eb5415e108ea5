"""A faster reading of ``ListObjectsV2`` replies for the browser's S3 clients.

botocore turns each reply into Python through its generic, model-driven XML parser,
which costs more than the request itself for a page of 1,000 keys. This hooks
botocore's ``before-parse`` event to read the page in one pass with ElementTree and
hand botocore the result, so signing, retries, error replies and botocore's own
after-call steps (URL-decoding of keys) stay botocore's. A reply this reader does not
understand is left to botocore untouched.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

EVENT = "before-parse.s3.ListObjectsV2"
_EMPTY = b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></ListBucketResult>'
_INTS = {"MaxKeys", "KeyCount"}


def _timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _entry(element: ET.Element, cut: int) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for field in element:
        tag, text = field.tag[cut:], field.text or ""
        if tag == "Size":
            item["Size"] = int(text)
        elif tag == "LastModified":
            item["LastModified"] = _timestamp(text)
        elif tag in ("Key", "ETag", "StorageClass"):
            item[tag] = text
    return item


def parse_list_objects_v2(body: bytes) -> dict[str, Any]:
    """The fields of a ListObjectsV2 reply, shaped as botocore returns them."""
    root = ET.fromstring(body)
    cut = root.tag.index("}") + 1 if root.tag.startswith("{") else 0
    if root.tag[cut:] != "ListBucketResult":
        raise ValueError(f"not a ListBucketResult: {root.tag}")
    reply: dict[str, Any] = {}
    contents: list[dict[str, Any]] = []
    prefixes: list[dict[str, str]] = []
    for element in root:
        tag = element.tag[cut:]
        if tag == "Contents":
            contents.append(_entry(element, cut))
        elif tag == "CommonPrefixes":
            prefixes.extend({"Prefix": p.text or ""} for p in element if p.tag[cut:] == "Prefix")
        elif tag == "IsTruncated":
            reply[tag] = (element.text or "").strip() == "true"
        elif tag in _INTS:
            reply[tag] = int(element.text or 0)
        elif len(element) == 0:
            reply[tag] = element.text or ""
    if contents:
        reply["Contents"] = contents
    if prefixes:
        reply["CommonPrefixes"] = prefixes
    return reply


def _before_parse(response_dict: dict[str, Any], customized_response_dict: dict[str, Any],
                  **_: Any) -> None:
    body = response_dict.get("body")
    if response_dict.get("status_code") != 200 or not isinstance(body, bytes):
        return
    try:
        parsed = parse_list_objects_v2(body)
    except (ET.ParseError, ValueError):
        return  # botocore's parser has the last word
    customized_response_dict.update(parsed)
    response_dict["body"] = _EMPTY


def install(client: Any) -> Any:
    """Make ``client`` (a boto3 S3 client) read ListObjectsV2 replies this way."""
    client.meta.events.register(EVENT, _before_parse, unique_id="mlstudio-fast-list")
    return client
