"""Base class of every REST handler of the extension."""
from __future__ import annotations

import getpass
import json
import os
from typing import TYPE_CHECKING, Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..errors import MLStudioError

if TYPE_CHECKING:
    from ..app import MLStudioApp

API_PREFIX = "/mlstudio/api"
AUTH_RESOURCE = "mlstudio"
# jupyter_server's own providers: one person per server, anonymous users per token request.
_SINGLE_USER_PROVIDERS = (IdentityProvider, PasswordIdentityProvider)


class MLStudioHandler(ExtensionHandlerMixin, APIHandler):
    """JSON in, JSON out; errors as ``{"message", "reason"}`` and never a traceback.

    Authorization goes through jupyter_server's authorizer with the resource
    ``mlstudio``, so deployers can restrict the extension like any other API.
    """

    auth_resource = AUTH_RESOURCE

    @property
    def mlstudio(self) -> "MLStudioApp":
        return self.extensionapp  # type: ignore[return-value]

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
            try:
                raise web.HTTPError(e.status, e.message.replace("%", "%%"), reason=e.reason)
            except web.HTTPError as http_error:
                super()._handle_request_exception(http_error)
            return
        super()._handle_request_exception(e)

    def int_argument(self, name: str, default: int | None = None,
                     low: int | None = None) -> int | None:
        """An integer query argument (``default`` when absent), or a 400 naming it."""
        value = self.get_argument(name, None)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except ValueError:
            raise MLStudioError(400, f"'{name}' must be an integer", "InvalidArgument") from None
        if low is not None and number < low:
            raise MLStudioError(400, f"'{name}' must be at least {low}", "InvalidArgument")
        return number

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 saying what is wrong."""
        if not self.request.body:
            return {}
        try:
            body = json.loads(self.request.body)
        except (ValueError, UnicodeDecodeError) as err:
            raise web.HTTPError(400, f"request body is not valid JSON: {err}", reason="BadJSON")
        if not isinstance(body, dict):
            raise web.HTTPError(400, "request body must be a JSON object", reason="BadJSON")
        return body

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
