"""Each area is its own resource for jupyter_server's authorizer, so a deployer can grant
some areas and not others."""
from __future__ import annotations

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.handlers.base import AUTH_RESOURCES


class NoEndpointsAuthorizer(Authorizer):
    """Everything but endpoints, and transform jobs only to read."""

    seen: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource) -> bool:
        NoEndpointsAuthorizer.seen.append((action, resource))
        if resource == AUTH_RESOURCES["endpoints"]:
            return False
        return not (resource == AUTH_RESOURCES["transform"] and action != "read")


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True},
                          "authorizer_class": NoEndpointsAuthorizer}}


async def _status(jp_fetch, *path, method="GET", body=None) -> int:
    try:
        reply = await jp_fetch("mlstudio", "api", *path, method=method, body=body)
    except HTTPClientError as err:
        return err.code
    return reply.code


async def test_a_refused_area_answers_403_and_the_others_still_work(jp_fetch, mlstudio_app):
    NoEndpointsAuthorizer.seen.clear()
    assert await _status(jp_fetch, "endpoints") == 403
    assert await _status(jp_fetch, "models") == 403
    assert await _status(jp_fetch, "transform-jobs") == 200
    assert await _status(jp_fetch, "transform-jobs", method="POST", body="{}") == 403
    assert await _status(jp_fetch, "training-jobs") == 200
    assert await _status(jp_fetch, "s3", "connections") == 200
    assert await _status(jp_fetch, "status") == 200
    resources = {resource for _, resource in NoEndpointsAuthorizer.seen}
    assert {AUTH_RESOURCES[a] for a in ("endpoints", "transform", "training", "s3",
                                        "status")} <= resources
