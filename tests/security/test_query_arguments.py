"""Numeric query arguments of every GET route: one bounded parser, 400s naming the argument."""
from __future__ import annotations

import json

import pytest

#: (path under /mlstudio/api, argument) of every numeric query argument.
NUMERIC_ARGUMENTS = [
    ("training-jobs", "MaxResults"),
    ("training-jobs/hostile-x/logs", "offset"),
    ("training-jobs/hostile-x/metrics", "after"),
    ("models", "MaxResults"),
    ("endpoint-configs", "MaxResults"),
    ("endpoints", "MaxResults"),
    ("endpoints/hostile-x/scaling-activities", "MaxResults"),
    ("transform-jobs", "MaxResults"),
    ("transform-jobs/hostile-x/logs", "offset"),
    ("examples", "next_token"),
    ("examples", "max_results"),
    ("s3/default/buckets/mlstudio/objects", "page_size"),
    ("kernels/installs/abc123/log", "offset"),
    ("kernels/installs/abc123/log", "wait"),
]
HOSTILE = ["99999999999999999999", str(2**53 + 1), "-1", "1e400", "nan", "inf", "0x10",
           "1_000", "\uff11", " ", "1" * 5000, "true"]


@pytest.mark.parametrize("path, argument", NUMERIC_ARGUMENTS)
async def test_hostile_numbers_in_query_arguments_are_400(jp_fetch, mlstudio_app, path,
                                                          argument):
    for value in HOSTILE:
        resp = await jp_fetch("mlstudio", "api", *path.split("/"), params={argument: value},
                              raise_error=False)
        if value == " ":  # blank: the default applies
            assert resp.code in (200, 404), (path, argument, resp.body)
            continue
        body = json.loads(resp.body)
        assert resp.code == 400 and body["reason"] == "InvalidArgument", (argument, value, body)
        assert f"'{argument}'" in body["message"]


@pytest.mark.parametrize("path, argument", [
    ("examples", "reviewed"),
    ("s3/default/buckets/mlstudio/objects", "recursive"),
])
async def test_yes_no_arguments_take_only_yes_or_no(jp_fetch, mlstudio_app, path, argument):
    for value in ("maybe", "2", "tru"):
        resp = await jp_fetch("mlstudio", "api", *path.split("/"),
                              params={argument: value}, raise_error=False)
        body = json.loads(resp.body)
        assert resp.code == 400 and f"'{argument}'" in body["message"], (value, body)
    resp = await jp_fetch("mlstudio", "api", "examples", params={"reviewed": "false"})
    assert all(not e["reviewed"] for e in json.loads(resp.body)["examples"])
