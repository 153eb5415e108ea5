"""Base class of every REST handler of the extension."""
from __future__ import annotations

import asyncio
import functools
import getpass
import json
import os
import re
from typing import TYPE_CHECKING, Any, cast, overload

from jupyter_server.auth.decorator import authorized
from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..sagemaker.paging import ListFilter
from ..errors import MLStudioError
from ..jsonbody import parse_json_object

if TYPE_CHECKING:
    from ..app import MLStudioApp

API_PREFIX = "/mlstudio/api"
#: The authorizer's resource of each area (``c.ServerApp.authorizer_class`` sees these):
#: a deployer may allow, say, the S3 browser and the examples but not endpoints.
AUTH_RESOURCES = {
    "status": "mlstudio.status",
    "s3": "mlstudio.s3",
    "examples": "mlstudio.examples",
    "kernels": "mlstudio.kernels",
    "training": "mlstudio.training",
    "tuning": "mlstudio.tuning",
    "endpoints": "mlstudio.endpoints",
    "transform": "mlstudio.transform",
}
#: Largest integer a query argument may hold: exact in JSON numbers (and JavaScript).
MAX_INT_ARGUMENT = 2**53
_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")
_NUMBER = re.compile(r"[0-9eE.+-]{1,40}")  # no "nan" / "inf"; float() judges the rest
#: Longest error message answered (and logged): a message may quote a huge value.
MAX_MESSAGE = 2000
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# jupyter_server's own providers: one person per server, anonymous users per token request.
_SINGLE_USER_PROVIDERS = (IdentityProvider, PasswordIdentityProvider)


def _bounded(name: str, number: Any, low: Any, high: Any) -> Any:
    if not low <= number <= high:
        raise MLStudioError(400, f"'{name}' must be between {low} and {high}", "InvalidArgument")
    return number


class MLStudioHandler(ExtensionHandlerMixin, APIHandler):
    """JSON in, JSON out; errors as ``{"message", "reason"}`` and never a traceback.

    Authorization goes through jupyter_server's authorizer with the area's resource
    (``auth_resource``, one of :data:`AUTH_RESOURCES`), so deployers can restrict each
    area like any other API.
    """

    auth_resource = AUTH_RESOURCES["status"]

    @property
    def mlstudio(self) -> "MLStudioApp":
        return cast("MLStudioApp", self.extensionapp)  # the extension that routes here

    @property
    def user_name(self) -> str:
        """A stable name for the person behind the request (authors of shared examples).

        jupyter_server's default identity provider makes up a new anonymous user for
        token-authenticated requests, but a single-user server has one person: the OS
        user (or JupyterHub's user). Other identity providers name users themselves.
        """
        if type(self.identity_provider) in _SINGLE_USER_PROVIDERS:
            return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
        user = self.current_user
        return getattr(user, "username", None) or str(user)

    def _handle_request_exception(self, e: BaseException) -> None:
        # Domain errors become JSON replies with their own status, like HTTPErrors.
        if isinstance(e, MLStudioError):
            message = e.message if len(e.message) <= MAX_MESSAGE else (
                e.message[:MAX_MESSAGE] + " …")  # messages may quote what the caller sent
            try:
                raise web.HTTPError(e.status, message.replace("%", "%%"), reason=e.reason)
            except web.HTTPError as http_error:
                super()._handle_request_exception(http_error)
            return
        super()._handle_request_exception(e)

    @overload
    def int_argument(self, name: str, default: int, low: int = ...,
                     high: int = ...) -> int: ...

    @overload
    def int_argument(self, name: str, default: None = None, low: int = ...,
                     high: int = ...) -> int | None: ...

    def int_argument(self, name: str, default: int | None = None, low: int = 0,
                     high: int = MAX_INT_ARGUMENT) -> int | None:
        """An integer query argument in ``[low, high]`` (``default`` when absent), or a 400."""
        value = self.get_argument(name, None)
        if value in (None, ""):
            return default
        if not _INTEGER.fullmatch(value):
            raise MLStudioError(400, f"'{name}' must be an integer", "InvalidArgument")
        return _bounded(name, int(value), low, high)

    def list_filter(self) -> ListFilter:
        """A ``List*`` route's query: SageMaker's request members as query arguments."""
        names = ("NameContains", "StatusEquals", "SortBy", "SortOrder", "NextToken",
                 "CreationTimeAfter", "CreationTimeBefore", "LastModifiedTimeAfter",
                 "LastModifiedTimeBefore")
        params: dict[str, Any] = {n: self.get_argument(n, "") for n in names}
        params["MaxResults"] = self.int_argument("MaxResults", 50, low=1)
        return ListFilter.from_request(params)

    def number_argument(self, name: str, default: float, low: float = 0.0,
                        high: float = float(MAX_INT_ARGUMENT)) -> float:
        """A finite number query argument in ``[low, high]`` (``default`` when absent)."""
        value = self.get_argument(name, None)
        if value in (None, ""):
            return default
        try:
            if not _NUMBER.fullmatch(value):
                raise ValueError(value)
            number = float(value)
        except ValueError:
            raise MLStudioError(400, f"'{name}' must be a number", "InvalidArgument") from None
        return _bounded(name, number, low, high)

    def bool_argument(self, name: str, default: Any = False) -> Any:
        """A yes / no query argument (``default`` when absent or blank), or a 400."""
        value = (self.get_argument(name, None) or "").lower()
        if not value:
            return default
        if value not in _TRUE and value not in _FALSE:
            raise MLStudioError(400, f"'{name}' must be true or false", "InvalidArgument")
        return value in _TRUE

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 saying what is wrong."""
        return parse_json_object(self.request.body)

    async def in_thread(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a worker thread (services block on the database)."""
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data, default=str))


class NotFoundHandler(MLStudioHandler):
    """Unknown routes under the API prefix: a JSON 404 instead of an HTML page."""

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        raise web.HTTPError(404, f"no such API route: {API_PREFIX}/{path}", reason="NotFound")

    post = put = patch = delete = get
