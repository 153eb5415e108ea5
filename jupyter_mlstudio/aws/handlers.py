"""AWS wire routes under ``/mlstudio/aws/<service>``: signed with SigV4, not the Jupyter token.

``boto3.client("sagemaker", endpoint_url=<server>/mlstudio/aws/sagemaker)`` posts here,
``boto3.client("logs", …/mlstudio/aws/logs)`` (CloudWatch Logs) and
``boto3.client("application-autoscaling", …/mlstudio/aws/application-autoscaling)``
likewise.
Every request must carry an AWS Signature Version 4 made with credentials the server
gives its kernels (see :mod:`..aws.credentials`); there is no other way in. A browser
cannot forge such a signature, so the XSRF cookie check is not needed and not made.
"""
from __future__ import annotations

import getpass
import inspect
import json
import os
import time
from typing import TYPE_CHECKING, Any, cast

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import User
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from ..sagemaker.tags import TagStore
from .credentials import Credential, Keyring, kernel_keyring
from .json_protocol import CONTENT_TYPE, AwsError, operation_name, parse_body
from .api import AwsJsonApi
from .autoscaling_api import AutoScalingApi
from .kms_api import KmsApi
from .logs_api import LogsApi
from .sagemaker_api import SageMakerApi, Services
from .sigv4 import SignedRequest, verify

if TYPE_CHECKING:
    from ..app import MLStudioApp

AWS_PREFIX = "/mlstudio/aws"
#: The variable boto3 reads each service's address from (in kernels): its route here.
ENDPOINT_VARIABLES = {"AWS_ENDPOINT_URL_SAGEMAKER": "sagemaker",
                      "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "logs",
                      "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING": "application-autoscaling"}
# The kernels' credentials change only with the store's or the environment's; looking
# them up (boto3's chain) on every request would cost more than the request itself.
_KEYRING_MAX_AGE = 30.0


class AwsHandler(ExtensionHandlerMixin, JupyterHandler):
    """Base of the wire routes: SigV4 authentication and AWS-shaped errors."""

    #: The signing name boto3 uses for this service.
    signing_name = ""

    @property
    def mlstudio(self) -> "MLStudioApp":
        return cast("MLStudioApp", self.extensionapp)  # the extension that routes here

    def check_xsrf_cookie(self) -> None:
        """Signed requests need no XSRF cookie: only a holder of the secret can sign."""

    def keyring(self) -> Keyring:
        cache = self.settings.setdefault("mlstudio_aws_keyring", {})
        if time.monotonic() - cache.get("at", -_KEYRING_MAX_AGE) >= _KEYRING_MAX_AGE:
            cache["keyring"] = kernel_keyring(self.mlstudio.s3.kernel_environment())
            cache["at"] = time.monotonic()
        return cache["keyring"]

    def authenticate(self) -> None:
        """Verify the request's signature; AwsError (403) if it is not validly signed."""
        request = self.request
        path, _, query = request.uri.partition("?")
        signed = SignedRequest(method=request.method, path=path, query=query,
                               headers=list(request.headers.get_all()), body=request.body)
        verify(signed, self.keyring(), service=self.signing_name)

    def write_aws(self, document: dict[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", CONTENT_TYPE)
        self.finish(json.dumps(document, default=str))

    def write_aws_error(self, err: AwsError) -> None:
        if err.status >= 500:
            self.log.error("AWS wire request failed: %s", err.message)
        self.set_header("x-amzn-ErrorType", err.code)
        self.write_aws(err.document(), err.status)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Anything unexpected is still an AWS-shaped error, never a traceback page."""
        code = "InternalFailure" if status_code >= 500 else "ValidationException"
        self.set_header("x-amzn-ErrorType", code)
        self.set_header("Content-Type", CONTENT_TYPE)
        self.finish(json.dumps({"__type": code, "message": self._reason}))


class AwsJsonHandler(AwsHandler):
    """An AWS JSON 1.1 service: ``POST`` with ``X-Amz-Target: <prefix>.<Operation>``,
    authenticated, dispatched to the service's :class:`~.api.AwsJsonApi`."""

    def make_api(self) -> AwsJsonApi:
        """The service's dispatcher (made once per server)."""
        raise NotImplementedError

    @property
    def api(self) -> AwsJsonApi:
        key = f"mlstudio_aws_api_{self.signing_name}"
        api = self.settings.get(key)
        if api is None:
            api = self.settings[key] = self.make_api()
        return api

    @allow_unauthenticated
    async def post(self) -> None:
        try:
            self.authenticate()
            operation = operation_name(self.request.headers.get("X-Amz-Target"),
                                       self.api.target_prefix)
            params = parse_body(self.request.body)
            await self.authorize(operation, params)
            self.write_aws(await self.api.call(operation, params))
        except AwsError as err:
            self.write_aws_error(err)

    async def authorize(self, operation: str, params: dict[str, Any]) -> None:
        """Ask jupyter_server's authorizer, as for the area's REST routes, on behalf of
        the server's own user (whose kernels hold the signing keys); AccessDenied if not."""
        access = self.api.access(operation, params)
        if access is None:
            return
        action, resource = access
        allowed = self.authorizer.is_authorized(self, self.wire_user(), action, resource)
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if not allowed:
            self.log.warning("wire request %s refused by the authorizer (%s on %s)",
                             operation, action, resource)
            raise AwsError("AccessDeniedException",
                           f"User is not authorized to perform: {self.signing_name}:"
                           f"{operation} ({action} on {resource} refused by the server's "
                           "authorizer)", 400)

    def wire_user(self) -> User:
        """Who signs wire requests: the server's user, through its kernels' keys."""
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # a uid with no passwd entry (containers)
            name = f"uid-{os.getuid()}"
        return User(username=name, name=name, display_name=name)


class SageMakerHandler(AwsJsonHandler):
    """``SageMaker.<Operation>``."""

    signing_name = "sagemaker"

    def make_api(self) -> SageMakerApi:
        return SageMakerApi(Services(training=self.mlstudio.training_service,
                                     tuning=self.mlstudio.tuning_service,
                                     serving=self.mlstudio.serving_service,
                                     region=self.mlstudio.s3.region or "us-east-1",
                                     notebook=self.mlstudio.notebook_instance,
                                     tags=TagStore(self.mlstudio.db),
                                     settle_seconds=self.mlstudio.sagemaker_api_settle_seconds))


class KmsHandler(AwsJsonHandler):
    """``TrentService.<Operation>`` for the embedded store's SSE-KMS, signed by the store.

    Only the store's own key pair is accepted here: kernels have no business with the
    key that wraps the store's data keys.
    """

    signing_name = "kms"

    def keyring(self) -> Keyring:
        keys = self.mlstudio.store_keys
        if keys is None:
            return Keyring()
        cred = keys.credential
        return Keyring([Credential(cred.access_key_id, cred.secret_access_key)])

    def make_api(self) -> KmsApi:
        keys = self.mlstudio.store_keys
        if keys is None:  # no embedded store: its empty keyring refuses every request first
            raise AwsError("UnsupportedOperationException",
                           "KMS serves only the embedded object store's key", 400)
        return KmsApi(keys)


class LogsHandler(AwsJsonHandler):
    """CloudWatch Logs: ``Logs_20140328.<Operation>`` on the jobs' and endpoints' logs."""

    signing_name = "logs"

    def make_api(self) -> LogsApi:
        return LogsApi(self.mlstudio.training_service, self.mlstudio.serving_service,
                       self.mlstudio.s3.region or "us-east-1")


class AutoScalingHandler(AwsJsonHandler):
    """Application Auto Scaling: ``AnyScaleFrontendService.<Operation>`` on variants."""

    signing_name = "application-autoscaling"

    def make_api(self) -> AutoScalingApi:
        return AutoScalingApi(self.mlstudio.serving_service,
                              self.mlstudio.s3.region or "us-east-1")


def aws_handlers() -> list[tuple]:
    routes = {"sagemaker": SageMakerHandler, "kms": KmsHandler, "logs": LogsHandler,
              "application-autoscaling": AutoScalingHandler}
    return [(rf"{AWS_PREFIX}/{route}/?", handler) for route, handler in routes.items()]
