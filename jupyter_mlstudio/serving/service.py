"""Endpoints: create, update, scale, describe, delete; traffic metrics and auto-scaling.

Every endpoint is a row in the database (what DescribeEndpoint reports) and, while it
is in service, an :class:`~.fleet.EndpointRuntime` of model-server processes behind the
router. At start the service re-creates the endpoints the database lists, so endpoints
survive a restart of the Jupyter server.
"""
from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError
from traitlets import Bool, Float, Int, List, Unicode
from traitlets.config import LoggingConfigurable

from .. import optml
from ..aws.credentials import Keyring, kernel_keyring
from ..db import Database
from ..runfolders import remove_orphans, temp_folders
from ..db.models import Endpoint, EndpointMetric, ScalableTarget, ScalingActivity, utcnow
from ..sagemaker.paging import ListFilter, list_page, page
from ..sagemaker.rows import require
from ..sagemaker.names import RESOURCE_NAME
from ..sagemaker.images import framework_of
from ..engine.engine import JobEngine
from ..engine.joblog import TimedLines
from ..sagemaker.errors import ResourceInUse, ResourceNotFound, ValidationError
from ..sagemaker.times import iso
from . import autoscaling
from .artifacts import ArtifactError, fetch_model
from .fleet import EndpointRuntime, Fleet, Variant, variant_of
from .environment import serving_environment
from .instances import (SOCKET_FOLDER_PREFIX, InstanceFailed, InstanceOptions, SocketFolder,
                        free_port)
from ..sagemaker.arns import arn
from .resources import Resources
from .router.process import RouterError, RouterProcess
from .scalingtargets import ScalingTargets, resource_id
from .transformjobs import TransformJobs
from .specs import (validate_endpoint, validate_scaling_policy,
                    validate_weights_and_capacities)

log = logging.getLogger(__name__)
LIVE = ("Creating", "InService", "Updating", "SystemUpdating")
HISTORY = 10  # metric periods kept in memory per variant for auto-scaling


def failure_reason(err: BaseException) -> str:
    """An endpoint's FailureReason: SageMaker's words for a container that did not come up
    or a model it could not download, followed by what went wrong here."""
    detail = getattr(err, "message", None) or str(err)
    if isinstance(err, InstanceFailed) and err.variant:
        return (f"The primary container for production variant {err.variant} did not pass "
                f"the ping health check. Please check CloudWatch logs for this endpoint. "
                f"({detail})")
    if isinstance(err, ArtifactError) and err.uri:
        return (f'Failed to download model data from URL: "{err.uri}". Please ensure that '
                f"there is an object located at the URL and that the role passed to "
                f"CreateModel has permissions to download the object. ({detail})")
    return detail


class ServingService(LoggingConfigurable):
    """Real-time endpoints on this machine: model servers behind one router."""

    router_host = Unicode("127.0.0.1", config=True,
                          help="Address the endpoint router binds (sagemaker-runtime "
                          "clients call it). Keep 127.0.0.1 unless other hosts must reach "
                          "endpoints without going through the Jupyter server.")
    router_port = Int(0, config=True,
                      help="Port of the endpoint router. 0: a free port, chosen once and "
                      "kept across restarts so RuntimeUrl stays the same.")
    router_allowed_hosts = List(Unicode(), config=True,
                                help="Further Host header values (name:port) the endpoint "
                                "router answers to, for clients that reach it by another "
                                "name than 127.0.0.1, localhost, [::1] or router_host. Any "
                                "other Host is refused (DNS-rebinding protection).")
    python = Unicode("", config=True,
                     help="Python that runs model servers (needs jupyter_mlstudio and the "
                     "model's libraries). Default: the Jupyter server's own; a model whose "
                     "Image names a framework runs on that framework's environment (see "
                     "c.LocalBackend.framework_environments and "
                     "build_framework_environments).")
    model_server_workers = Int(1, config=True,
                               help="Worker processes per model-server instance "
                               "(SAGEMAKER_MODEL_SERVER_WORKERS in a model's Environment "
                               "overrides it).")
    max_payload_mb = Int(6, config=True, help="Largest request body an endpoint accepts, "
                         "in MB (SageMaker's limit is 6).")
    invocation_timeout = Int(60, config=True,
                             help="Seconds an invocation may take before it fails with 504.")
    instance_start_timeout = Float(180.0, config=True,
                                   help="Seconds an instance may take to load its model.")
    wait_for_instance = Int(30, config=True,
                            help="Seconds the router holds a request while no instance of "
                            "the endpoint is ready (starting or restarting) before 503.")
    max_instances = Int(8, config=True, help="Largest instance count of one variant.")
    metrics_period = Float(60.0, config=True,
                           help="Seconds per traffic data point; auto-scaling is evaluated "
                           "once per period.")
    restore_endpoints = Bool(True, config=True,
                             help="Re-create the endpoints in the database when the server "
                             "starts.")

    def __init__(self, *, db: Database, engine: JobEngine, data_dir: Path, region: str,
                 s3_client: Callable,
                 environment: Callable[[], dict[str, str]],
                 interpreter: Callable[[str | None, str, Callable[[str], None]], str],
                 credentials: Callable[[], Keyring] | None = None,
                 opt_ml: Callable[[], optml.Isolation] = optml.isolation,
                 **kwargs: Any) -> None:
        """``credentials``: the keys invocations may be signed with (default: the kernels'
        own, see :func:`~jupyter_mlstudio.aws.credentials.kernel_keyring`); ``opt_ml``:
        whether instances get a private /opt/ml (the training backend's setting)."""
        super().__init__(**kwargs)
        self.db = db
        self.folder = data_dir / "serving"
        self.region = region
        self.s3_client = s3_client
        self.environment = environment
        self.interpreter = interpreter
        self.opt_ml = opt_ml
        self.credentials = credentials or (lambda: kernel_keyring(self.environment()))
        self._keyring: Keyring | None = None
        self.sockets = SocketFolder()
        self.resources = Resources(db, region, self.max_instances)
        self.scaling = ScalingTargets(db, self.max_instances)
        self.transforms = TransformJobs(db, engine, self.resources, self.folder, s3_client,
                                        environment, self._options)
        self.router: RouterProcess | None = None
        self.fleet: Fleet | None = None
        self._tasks: dict[str, asyncio.Task] = {}
        self._loop_task: asyncio.Task | None = None
        self._start_lock = asyncio.Lock()
        self._previous: dict[tuple[str, str], dict[str, int]] = {}
        self._rates: dict[tuple[str, str], deque] = defaultdict(lambda: deque(maxlen=HISTORY))
        self._last_scale_out: dict[tuple[str, str], float] = {}
        self._last_scaling: dict[tuple[str, str], float] = {}
        #: Called when the router had to move to another port (``runtime_url`` changed).
        self.on_runtime_url_change: Callable[[], None] | None = None

    # -- lifecycle --------------------------------------------------------------------
    async def start(self) -> None:
        """Re-create the endpoints that were live when the server last stopped."""
        # Model-server sockets of a server that was killed (kill -9) are cleared.
        await asyncio.to_thread(remove_orphans, temp_folders(SOCKET_FOLDER_PREFIX))
        await asyncio.to_thread(self.opt_ml)  # probed once, off the event loop
        if not self.restore_endpoints:
            return
        with self.db.session() as s:
            names = list(s.scalars(select(Endpoint.name).where(Endpoint.status.in_(LIVE))))
        for name in names:
            self._spawn(name, self._restore(name))

    async def _ensure_router(self) -> Fleet:
        """Start the router (once: it restarts itself) and the fleet behind it."""
        async with self._start_lock:
            if self.fleet is not None:
                return self.fleet
            if self.router is not None:  # an earlier start failed: let go of its port
                await self.router.stop()
            port = self.router_port or await asyncio.to_thread(self._remembered_port)
            self.router = RouterProcess(
                self.router_host, port, self.folder, python=sys.executable,
                max_payload_mb=self.max_payload_mb, timeout=self.invocation_timeout,
                wait_for_instance=self.wait_for_instance,
                allowed_hosts=tuple(self.router_allowed_hosts), on_start=self._republish)
            try:
                await self.router.start()
            except RouterError:
                if self.router_port:
                    raise
                port = free_port(self.router_host)  # the remembered port was taken
                await asyncio.to_thread(self.db.set_state, "serving.router_port", port)
                self.router.port = port
                await self.router.start()
                if self.on_runtime_url_change is not None:
                    self.on_runtime_url_change()
            self.fleet = Fleet(self.router, self._note_instance_failure)
            self.fleet.start_watching()
            if self._loop_task is None:
                self._loop_task = asyncio.ensure_future(self._metrics_loop())
            return self.fleet

    async def _publish_credentials(self, force: bool = False) -> None:
        """Give the router the keyring if it changed (or always, with ``force``)."""
        keyring = await asyncio.to_thread(self.credentials)
        if force or keyring != self._keyring:
            assert self.router is not None  # called once the router runs
            await self.router.put_credentials(keyring)
            self._keyring = keyring

    async def _republish(self) -> None:
        """A (re)started router knows nothing: give it the keyring and every table."""
        await self._publish_credentials(force=True)
        if self.fleet is not None:
            await asyncio.gather(*(self.fleet.publish(rt)
                                   for rt in list(self.fleet.endpoints.values())))
            log.info("endpoint router restarted; %d endpoint(s) republished",
                     len(self.fleet.endpoints))

    def reserve_router_port(self) -> None:
        """Decide the router's port now (it starts with the first endpoint), so that
        :attr:`runtime_url` is known before: kernels get it at their start."""
        if not self.router_port:
            self._remembered_port()

    def _remembered_port(self) -> int:
        port = self.db.get_state("serving.router_port")
        if not port:
            port = free_port(self.router_host)
            self.db.set_state("serving.router_port", port)
        return int(port)

    async def shutdown(self) -> None:
        """Stop endpoints' processes and the router (the database keeps the endpoints)."""
        tasks = [*self._tasks.values(), *([self._loop_task] if self._loop_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.fleet is not None:
            await self.fleet.close()
        if self.router is not None:
            await self.router.stop()
        self.sockets.remove()

    def running(self) -> list[str]:
        """Endpoints with live processes (for the server's activity report)."""
        return list(self.fleet.endpoints) if self.fleet else []

    @property
    def runtime_url(self) -> str | None:
        if self.router is not None:
            return self.router.url
        port = self.router_port or self.db.get_state("serving.router_port")
        host = "127.0.0.1" if self.router_host in ("0.0.0.0", "") else self.router_host
        return f"http://{host}:{port}" if port else None

    def _spawn(self, name: str, work) -> None:
        task = asyncio.ensure_future(work)
        self._tasks[name] = task
        task.add_done_callback(lambda t: self._tasks.pop(name, None)
                               if self._tasks.get(name) is t else None)

    async def settle(self, name: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the endpoint's pending change to end; the
        wait stops nothing."""
        task = self._tasks.get(name)
        if task is not None and timeout > 0:
            await asyncio.wait({task}, timeout=timeout)

    # -- database helpers ---------------------------------------------------------------
    def _row(self, name: str) -> Endpoint:
        with self.db.session() as s:
            return require(s, Endpoint, name, f"Could not find endpoint \"{name}\".")

    def _update(self, name: str, **fields: Any) -> bool:
        """Set ``fields`` on the endpoint's row; False if the row is gone (or went while
        this ran: a delete finishing)."""
        try:
            with self.db.session() as s:
                row = s.get(Endpoint, name)
                if row is None:
                    return False
                for key, value in fields.items():
                    setattr(row, key, value)
        except StaleDataError:
            return False
        return True

    def _note_instance_failure(self, name: str, reason: str) -> None:
        log.warning("endpoint %s: %s", name, reason)

    # -- building runtimes -----------------------------------------------------------
    def _options(self, container: dict[str, Any]) -> InstanceOptions:
        env = container.get("Environment") or {}
        image = container.get("Image")
        python = self.interpreter(image, self.python or sys.executable,
                                  lambda line: log.info("model image %s: %s", image, line))
        workers = env.get("SAGEMAKER_MODEL_SERVER_WORKERS")
        return InstanceOptions(
            python=python,
            framework=framework_of(container.get("Image")),
            workers=int(workers) if workers and workers.isdigit() else self.model_server_workers,
            max_payload_mb=self.max_payload_mb,
            timeout=self.invocation_timeout,
            start_timeout=self.instance_start_timeout,
            environment=serving_environment(self.environment(), env),
            sockets=self.sockets,
            isolation=self.opt_ml(),
        )

    async def _runtime(self, name: str, variants: list[dict[str, Any]]) -> EndpointRuntime:
        """A runtime for ``variants`` ([{VariantName, ModelName, weight}]), not started."""
        rt = EndpointRuntime(name, self.folder / "endpoints" / name)
        client = self.s3_client()
        for v in variants:
            model = await asyncio.to_thread(self.resources.model, v["ModelName"])
            container = model.spec["PrimaryContainer"]
            files = await asyncio.to_thread(fetch_model, client, container,
                                            self.folder / "models")
            options = await asyncio.to_thread(self._options, container)  # may build an env
            rt.variants[v["VariantName"]] = Variant(v["VariantName"], v["ModelName"], files,
                                                    options, v["weight"])
        return rt

    # -- endpoints --------------------------------------------------------------------
    async def create_endpoint(self, body: dict[str, Any]) -> dict[str, Any]:
        """``CreateEndpoint``: recorded as Creating at once, InService once instances answer."""
        spec = validate_endpoint(body)
        name = spec["EndpointName"]
        config = await asyncio.to_thread(self.resources.endpoint_config,
                                         spec["EndpointConfigName"])
        variants = [{"VariantName": v["VariantName"], "ModelName": v["ModelName"],
                     "CurrentWeight": v["InitialVariantWeight"],
                     "DesiredWeight": v["InitialVariantWeight"],
                     "CurrentInstanceCount": 0,
                     "DesiredInstanceCount": v["InitialInstanceCount"]}
                    for v in config.spec["ProductionVariants"]]

        def insert() -> None:
            with self.db.session() as s:
                if s.get(Endpoint, name) is not None:
                    raise ResourceInUse(f"Cannot create already existing endpoint \"{name}\".")
                s.add(Endpoint(name=name, config_name=config.name, status="Creating",
                               variants=variants))

        await asyncio.to_thread(insert)
        self._spawn(name, self._bring_up(name, variants, creating=True))
        return {"EndpointArn": arn(self.region, "endpoint", name)}

    async def _bring_up(self, name: str, variants: list[dict[str, Any]], creating: bool) -> None:
        """Start an endpoint's instances and route to them; Failed with the reason if not."""
        try:
            fleet = await self._ensure_router()
            rt = await self._runtime(name, [{**v, "weight": v["DesiredWeight"]}
                                            for v in variants])
            fleet.endpoints[name] = rt
            await fleet.publish(rt)  # requests wait in the router while instances start
            await fleet.launch(rt, {v["VariantName"]: v["DesiredInstanceCount"]
                                    for v in variants})
            await fleet.publish(rt)
        except (ArtifactError, InstanceFailed, RouterError, ResourceNotFound,
                ValidationError, OSError) as err:
            await self._fail(name, failure_reason(err))
            return
        done = [{**v, "CurrentWeight": v["DesiredWeight"],
                 "CurrentInstanceCount": v["DesiredInstanceCount"]} for v in variants]
        await asyncio.to_thread(self._update, name, status="InService", variants=done,
                                **({"failure_reason": None} if creating else {}))

    async def _fail(self, name: str, reason: str) -> None:
        log.warning("endpoint %s failed: %s", name, reason)
        if self.fleet is not None and name in self.fleet.endpoints:
            await self.fleet.retire(self.fleet.endpoints[name], drain_timeout=1)
        await asyncio.to_thread(self._update, name, status="Failed", failure_reason=reason)

    async def _restore(self, name: str) -> None:
        row = await asyncio.to_thread(self._row, name)
        variants = [{**v, "DesiredWeight": v["CurrentWeight"],
                     "DesiredInstanceCount": max(v["CurrentInstanceCount"],
                                                 1 if row.status != "Creating" else
                                                 v["DesiredInstanceCount"])}
                    for v in row.variants]
        await self._bring_up(name, variants, creating=row.status == "Creating")

    def describe_endpoint(self, name: str) -> dict[str, Any]:
        """``DescribeEndpoint`` plus ``RuntimeUrl``, each variant's instances and scaling."""
        row = self._row(name)
        instances = self.fleet.describe_instances(name) if self.fleet else {}
        scaling = self.scaling.effective(name).get(name, {})
        variants = []
        for v in row.variants:
            item = {k: v[k] for k in ("VariantName", "CurrentWeight", "DesiredWeight",
                                      "CurrentInstanceCount", "DesiredInstanceCount")}
            item["ModelName"] = v["ModelName"]
            item["Instances"] = instances.get(v["VariantName"], [])
            if v["VariantName"] in scaling:
                item["AutoScaling"] = scaling[v["VariantName"]]
            variants.append(item)
        reply: dict[str, Any] = {
            "EndpointName": row.name,
            "EndpointArn": arn(self.region, "endpoint", row.name),
            "EndpointConfigName": row.config_name,
            "EndpointStatus": row.status,
            "ProductionVariants": variants,
            "CreationTime": iso(row.created_at),
            "LastModifiedTime": iso(row.updated_at),
            "RuntimeUrl": self.runtime_url,
        }
        if row.failure_reason:
            reply["FailureReason"] = row.failure_reason
        return reply

    def list_endpoints(self, filters: ListFilter) -> dict[str, Any]:
        with self.db.session() as s:
            rows, token = list_page(s, Endpoint, filters)
        return {"Endpoints": [{"EndpointName": r.name,
                               "EndpointArn": arn(self.region, "endpoint", r.name),
                               "EndpointStatus": r.status,
                               "CreationTime": iso(r.created_at),
                               "LastModifiedTime": iso(r.updated_at)} for r in rows],
                "NextToken": token}

    async def delete_endpoint(self, name: str) -> None:
        """``DeleteEndpoint``: requests in flight finish, then the instances stop."""
        row = await asyncio.to_thread(self._row, name)
        if row.status == "Deleting":
            raise ResourceInUse(f"endpoint {name!r} is already being deleted")
        await asyncio.to_thread(self._update, name, status="Deleting")
        task = self._tasks.get(name)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._spawn(name, self._tear_down(name))

    async def _tear_down(self, name: str) -> None:
        try:
            if self.fleet is not None and name in self.fleet.endpoints:
                await self.fleet.retire(self.fleet.endpoints[name],
                                        drain_timeout=self.invocation_timeout)
            elif self.router is not None and self.router.alive():
                await self.router.delete_endpoint(name)
        except RouterError as err:
            log.warning("endpoint %s: %s", name, err)
        finally:
            await asyncio.to_thread(self._remove, name)

    def _remove(self, name: str) -> None:
        with self.db.session() as s:
            for table in (EndpointMetric, ScalingActivity, ScalableTarget):
                s.execute(delete(table).where(table.endpoint_name == name))
            row = s.get(Endpoint, name)
            if row is not None:
                s.delete(row)
        for key in [k for k in self._rates if k[0] == name]:
            self._rates.pop(key, None)
            self._previous.pop(key, None)

    def _require_in_service(self, name: str) -> Endpoint:
        row = self._row(name)
        if row.status != "InService" or self.fleet is None or name not in self.fleet.endpoints:
            raise ValidationError(f"endpoint {name!r} is {row.status}; it can change only "
                                  "when InService")
        return row

    async def update_endpoint(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """``UpdateEndpoint``: new instances from another config, then the old ones retire."""
        spec = validate_endpoint({**body, "EndpointName": name}, operation="UpdateEndpoint")
        row = await asyncio.to_thread(self._require_in_service, name)
        config = await asyncio.to_thread(self.resources.endpoint_config,
                                         spec["EndpointConfigName"])
        await asyncio.to_thread(self._update, name, status="Updating")
        self._spawn(name, self._switch(name, row, config.name, config.spec))
        return {"EndpointArn": arn(self.region, "endpoint", name)}

    async def _switch(self, name: str, row: Endpoint, config_name: str,
                      config: dict[str, Any]) -> None:
        fleet = await self._ensure_router()
        old = fleet.endpoints[name]
        variants = [{"VariantName": v["VariantName"], "ModelName": v["ModelName"],
                     "weight": v["InitialVariantWeight"]} for v in config["ProductionVariants"]]
        try:
            fresh = await self._runtime(name, variants)
            await fleet.launch(fresh, {v["VariantName"]: v["InitialInstanceCount"]
                                       for v in config["ProductionVariants"]})
        except (ArtifactError, InstanceFailed, ResourceNotFound, ValidationError,
                OSError) as err:
            reason = getattr(err, "message", None) or str(err)
            await asyncio.to_thread(self._update, name, status="InService",
                                    failure_reason=f"Update rolled back: {reason}")
            return
        async with old.lock:
            fleet.endpoints[name] = fresh
            await fleet.publish(fresh)
            await fleet.retire(old, self.invocation_timeout, keep_route=True)
        state = [{"VariantName": v["VariantName"], "ModelName": v["ModelName"],
                  "CurrentWeight": v["InitialVariantWeight"],
                  "DesiredWeight": v["InitialVariantWeight"],
                  "CurrentInstanceCount": v["InitialInstanceCount"],
                  "DesiredInstanceCount": v["InitialInstanceCount"]}
                 for v in config["ProductionVariants"]]
        await asyncio.to_thread(self.scaling.keep_variants, name, set(fresh.variants))
        await asyncio.to_thread(self._update, name, status="InService", variants=state,
                                config_name=config_name, failure_reason=None)

    async def update_weights_and_capacities(self, name: str,
                                            body: dict[str, Any]) -> dict[str, Any]:
        """``UpdateEndpointWeightsAndCapacities``: weights at once, capacity as instances start."""
        row = await asyncio.to_thread(self._require_in_service, name)
        changes = validate_weights_and_capacities(
            body, [v["VariantName"] for v in row.variants], self.max_instances)
        weights = {v["VariantName"]: v["CurrentWeight"] for v in row.variants}
        weights.update({c["VariantName"]: c["DesiredWeight"] for c in changes
                        if "DesiredWeight" in c})
        if not any(w > 0 for w in weights.values()):
            raise ValidationError("at least one production variant needs a weight above 0")
        await asyncio.to_thread(self._update, name, status="Updating")
        self._spawn(name, self._apply_changes(name, changes, "UpdateEndpointWeightsAndCapacities"))
        return {"EndpointArn": arn(self.region, "endpoint", name)}

    async def _apply_changes(self, name: str, changes: list[dict[str, Any]], cause: str) -> None:
        fleet = await self._ensure_router()
        rt = fleet.endpoints[name]
        reason = None
        async with rt.lock:
            for change in changes:
                variant = rt.variants[change["VariantName"]]
                if "DesiredWeight" in change:
                    variant.weight = change["DesiredWeight"]
            await fleet.publish(rt)
            for change in changes:
                if "DesiredInstanceCount" in change:
                    try:
                        await self._scale(rt, rt.variants[change["VariantName"]],
                                          change["DesiredInstanceCount"], cause)
                    except InstanceFailed as err:
                        reason = f"Scaling {change['VariantName']} failed: {err}"
        await asyncio.to_thread(self._store_variants, name, rt, "InService", reason)

    def _store_variants(self, name: str, rt: EndpointRuntime, status: str | None,
                        reason: str | None = None) -> None:
        with self.db.session() as s:
            row = s.get(Endpoint, name)
            if row is None:
                return
            state = []
            for v in row.variants:
                live = rt.variants.get(v["VariantName"])
                if live is not None:
                    count = len(live.instances)
                    v = {**v, "CurrentWeight": live.weight, "DesiredWeight": live.weight,
                         "CurrentInstanceCount": count, "DesiredInstanceCount": count}
                state.append(v)
            row.variants = state
            if status:
                row.status = status
            if reason is not None:
                row.failure_reason = reason

    async def _scale(self, rt: EndpointRuntime, variant: Variant, count: int,
                     cause: str) -> None:
        """Change a variant's instance count and record the activity."""
        before = len(variant.instances)
        if count == before:
            return
        activity = await asyncio.to_thread(self._record_activity, rt.name, variant.name,
                                           before, count, cause)
        status = "Successful"
        assert self.fleet is not None  # scaling happens behind a running router
        try:
            await self.fleet.set_count(rt, variant, count, self.invocation_timeout)
        except InstanceFailed:
            status = "Failed"
            raise
        finally:
            await asyncio.to_thread(self._end_activity, activity, status,
                                    len(variant.instances))
            key = (rt.name, variant.name)
            now = time.monotonic()
            self._last_scaling[key] = now
            if count > before:
                self._last_scale_out[key] = now

    def _record_activity(self, endpoint: str, variant: str, before: int, after: int,
                         cause: str) -> int:
        with self.db.session() as s:
            activity = ScalingActivity(endpoint_name=endpoint, variant_name=variant,
                                       from_count=before, to_count=after, cause=cause,
                                       status="InProgress")
            s.add(activity)
            s.flush()
            return activity.id

    def _end_activity(self, activity_id: int, status: str, count: int) -> None:
        with self.db.session() as s:
            activity = s.get_one(ScalingActivity, activity_id)
            activity.status, activity.ended_at = status, utcnow()
            activity.to_count = count

    # -- auto-scaling --------------------------------------------------------------------
    async def put_scaling_policy(self, name: str, variant: str,
                                 body: dict[str, Any]) -> dict[str, Any]:
        """Register the variant as a scalable target with a target-tracking policy (the
        REST route's one object, see :func:`.specs.validate_scaling_policy`)."""
        policy = validate_scaling_policy(body, self.max_instances)
        await asyncio.to_thread(self.scaling.set_flat, name, variant, policy)
        await self.scaling_changed(name)
        return policy

    async def delete_scaling_policy(self, name: str, variant: str) -> None:
        """Deregister the variant: no bounds, no policy."""
        await asyncio.to_thread(self._row, name)
        await asyncio.to_thread(self.scaling.deregister, name, variant)

    async def scaling_changed(self, name: str) -> None:
        """Apply a variant's new bounds now (a count outside them changes at once, as
        Application Auto Scaling does), not at the next metrics period."""
        if self.fleet is not None:
            await self._autoscale(only=name)

    def scaling_activities(self, name: str | None, max_results: int = 50,
                           variant: str | None = None, next_token: str = "") -> dict[str, Any]:
        """``DescribeScalingActivities`` of one endpoint's variants (of one ``variant``;
        of every endpoint's without ``name``), newest first, in pages."""
        query = select(ScalingActivity)
        if name is not None:
            self._row(name)
            query = query.where(ScalingActivity.endpoint_name == name)
        if variant is not None:
            query = query.where(ScalingActivity.variant_name == variant)
        with self.db.session() as s:
            rows, token = page(s, query, ScalingActivity.id.desc(), next_token, max_results)
        return {"ScalingActivities": [{
            "ActivityId": str(r.id),
            "ResourceId": resource_id(r.endpoint_name, r.variant_name),
            "VariantName": r.variant_name,
            "Description": f"Setting desired instance count to {r.to_count}.",
            "Cause": r.cause,
            "FromCount": r.from_count,
            "ToCount": r.to_count,
            "StatusCode": r.status,
            "StartTime": iso(r.started_at),
            "EndTime": iso(r.ended_at),
        } for r in rows], "NextToken": token}

    # -- metrics ------------------------------------------------------------------------
    async def _metrics_loop(self) -> None:
        while True:
            await asyncio.sleep(self.metrics_period)
            try:
                await self._sample()
            except Exception:  # one bad period must not end metrics and scaling
                log.exception("sampling endpoint metrics failed")

    async def _sample(self) -> None:
        if self.router is None or self.fleet is None:
            return
        try:
            await self._publish_credentials()  # credentials that rotate (instance roles)
            stats = (await self.router.stats()).get("endpoints", {})
        except RouterError as err:
            log.warning("%s", err)
            return
        now = time.time()
        points = []
        for name, rt in list(self.fleet.endpoints.items()):
            for vname, variant in rt.variants.items():
                counters = stats.get(name, {}).get("variants", {}).get(vname, {})
                key = (name, vname)
                totals = {k: int(counters.get(k, 0)) for k in
                          ("invocations", "errors", "model_latency_us", "overhead_latency_us")}
                before = self._previous.get(key, {k: 0 for k in totals})
                delta = {k: max(totals[k] - before.get(k, 0), 0) for k in totals}
                if totals["invocations"] < before.get("invocations", 0):
                    delta = totals  # the router restarted: its counters began again
                self._previous[key] = totals
                calls = delta["invocations"]
                points.append(EndpointMetric(
                    endpoint_name=name, variant_name=vname, timestamp=now,
                    period=self.metrics_period, invocations=calls, errors=delta["errors"],
                    model_latency_us=delta["model_latency_us"] / calls if calls else 0.0,
                    overhead_latency_us=delta["overhead_latency_us"] / calls if calls else 0.0,
                    instances=sum(1 for i in variant.instances if i.status == "InService")))
                self._rates[key].append(calls * 60.0 / self.metrics_period)
        if points:
            await asyncio.to_thread(self._store_points, points)
        await self._autoscale()

    def _store_points(self, points: list[EndpointMetric]) -> None:
        with self.db.session() as s:
            s.add_all(points)

    def _in_service(self) -> list[Endpoint]:
        with self.db.session() as s:
            return list(s.scalars(select(Endpoint).where(Endpoint.status == "InService")))

    async def _autoscale(self, only: str | None = None) -> None:
        rows = await asyncio.to_thread(self._in_service)
        policies = await asyncio.to_thread(self.scaling.effective, only)
        now = time.monotonic()
        assert self.fleet is not None  # scaling happens behind a running router
        for row in rows:
            rt = self.fleet.endpoints.get(row.name)
            if rt is None or rt.lock.locked() or only not in (None, row.name):
                continue
            for vname, policy in policies.get(row.name, {}).items():
                variant = rt.variants.get(vname)
                if variant is None:
                    continue
                key = (row.name, vname)
                decision = autoscaling.decide(
                    policy, len(variant.instances), list(self._rates[key]),
                    now - self._last_scale_out.get(key, float("-inf")),
                    now - self._last_scaling.get(key, float("-inf")))
                if decision is not None:
                    self._spawn(row.name, self._autoscale_variant(row.name, rt, variant,
                                                                  decision))

    async def _autoscale_variant(self, name: str, rt: EndpointRuntime, variant: Variant,
                                 decision: autoscaling.Decision) -> None:
        await asyncio.to_thread(self._update, name, status="Updating")
        reason = None
        async with rt.lock:
            try:
                await self._scale(rt, variant, decision.to_count,
                                  f"target tracking: {decision.cause}")
            except InstanceFailed as err:
                reason = f"Auto-scaling {variant.name} failed: {err}"
        await asyncio.to_thread(self._store_variants, name, rt, "InService", reason)

    def metrics(self, name: str, since: float = 0.0) -> dict[str, Any]:
        """Per-variant traffic points after ``since`` (epoch seconds), oldest first."""
        self._row(name)
        with self.db.session() as s:
            rows = list(s.scalars(select(EndpointMetric)
                                  .where(EndpointMetric.endpoint_name == name,
                                         EndpointMetric.timestamp > since)
                                  .order_by(EndpointMetric.id)))
        series: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            series.setdefault(r.variant_name, []).append({
                "Timestamp": r.timestamp, "Invocations": r.invocations, "Errors": r.errors,
                "InvocationsPerMinute": r.invocations * 60.0 / r.period if r.period else 0,
                "ModelLatency": r.model_latency_us, "OverheadLatency": r.overhead_latency_us,
                "InstanceCount": r.instances})
        return {"Period": self.metrics_period, "Variants": series}

    def instance_logs(self, name: str) -> dict[str, dict[str, TimedLines]]:
        """The timed log of each model-server instance the endpoint has had (those that
        stopped too), by variant and instance id; ResourceNotFound if there are none and
        no such endpoint."""
        folder = self.folder / "endpoints" / name / "instances"
        logs = sorted(folder.glob("*.log")) if RESOURCE_NAME.match(name) and \
            folder.is_dir() else []
        if not logs:
            self._row(name)
        found: dict[str, dict[str, TimedLines]] = {}
        for path in logs:
            found.setdefault(variant_of(path.stem), {})[path.stem] = TimedLines(path)
        return found

    def logs(self, name: str, max_bytes: int = 64 * 1024) -> dict[str, Any]:
        """The end of each instance's model-server log."""
        self._row(name)
        rt = self.fleet.endpoints.get(name) if self.fleet else None
        if rt is None:
            return {"Logs": []}
        return {"Logs": [{"VariantName": v.name, "InstanceId": i.id,
                          "Text": i.log_tail(max_bytes)}
                         for v in rt.variants.values() for i in v.instances]}
