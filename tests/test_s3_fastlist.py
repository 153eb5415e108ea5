"""The fast ListObjectsV2 reader gives exactly what botocore's parser gives, on a real store."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.s3 import fastlist

pytestmark = [pytest.mark.slow]  # its 2,500 keys take ~20 s to put

BUCKET = "fastlist"
KEYS = ["a.txt", "data/x.csv", "data/sub/y.json", "data/ünï cödé/z 1.txt", "data/plus+amp&.bin",
        "data/<tag>.xml", "data/", "deep/" + "/".join("abcdef") + "/leaf"]
KEYS += [f"many/{i:04d}" for i in range(2500)]


@pytest.fixture(scope="module")
def clients(embedded_store):
    plain = embedded_store.client()
    fast = fastlist.install(embedded_store.client())
    plain.create_bucket(Bucket=BUCKET)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: plain.put_object(Bucket=BUCKET, Key=k, Body=k.encode()), KEYS))
    return plain, fast


def _without_metadata(reply: dict) -> dict:
    return {k: v for k, v in reply.items() if k != "ResponseMetadata"}


@pytest.mark.parametrize("kwargs", [
    {},
    {"Delimiter": "/"},
    {"Prefix": "data/", "Delimiter": "/"},
    {"Prefix": "data/ünï cödé/"},
    {"Prefix": "many/", "MaxKeys": 1000},
    {"Prefix": "nothing-here/", "Delimiter": "/"},
    {"StartAfter": "data/"},
])
def test_same_reply_as_botocore(clients, kwargs):
    plain, fast = clients
    assert _without_metadata(fast.list_objects_v2(Bucket=BUCKET, **kwargs)) == \
        _without_metadata(plain.list_objects_v2(Bucket=BUCKET, **kwargs))


def test_same_pages_with_continuation_tokens(clients):
    plain, fast = clients
    pages = [[_without_metadata(p) for p in c.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix="many/", PaginationConfig={"PageSize": 700})]
        for c in clients]
    assert len(pages[0]) == 4 and pages[0] == pages[1]
    assert sum(p["KeyCount"] for p in pages[1]) == 2500
    assert all(o["LastModified"].utcoffset() == timedelta(0) for o in pages[1][0]["Contents"])


def test_the_fast_reader_is_the_one_used(clients, monkeypatch):
    _, fast = clients
    calls = []
    real = fastlist.parse_list_objects_v2
    monkeypatch.setattr(fastlist, "parse_list_objects_v2",
                        lambda body: calls.append(len(body)) or real(body))
    assert fast.list_objects_v2(Bucket=BUCKET, Prefix="many/")["KeyCount"] == 1000
    assert len(calls) == 1 and calls[0] > 100_000  # the whole page went through it


def test_errors_stay_botocores(clients):
    _, fast = clients
    with pytest.raises(ClientError) as err:
        fast.list_objects_v2(Bucket="no-such-bucket-here")
    assert err.value.response["Error"]["Code"] == "NoSuchBucket"


def test_unknown_reply_is_left_to_botocore():
    reply = {"status_code": 200, "body": b"<Other/>"}
    custom: dict = {}
    fastlist._before_parse(response_dict=reply, customized_response_dict=custom)
    assert custom == {} and reply["body"] == b"<Other/>"
    with pytest.raises(ValueError):
        fastlist.parse_list_objects_v2(b"<Other/>")
