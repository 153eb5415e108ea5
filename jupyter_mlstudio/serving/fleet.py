"""The running side of endpoints: each variant's instances and the router's tables.

The fleet starts model-server instances, tells the router where they are, restarts an
instance whose process dies, and changes capacity without dropping a request: an
instance leaves the routing table first and is stopped only once the router reports
nothing in flight to it.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .artifacts import ModelFiles
from .instances import Instance, InstanceFailed, InstanceOptions
from .router.process import RouterError, RouterProcess

log = logging.getLogger(__name__)
WATCH_INTERVAL = 0.5
RESTART_BACKOFF = (0.5, 1, 2, 5, 10, 30)


@dataclass
class Variant:
    """One production variant while it runs."""

    name: str
    model_name: str
    files: ModelFiles
    options: InstanceOptions
    weight: float
    instances: list[Instance] = field(default_factory=list)


@dataclass
class EndpointRuntime:
    """The variants of one endpoint; ``lock`` serialises capacity and config changes."""

    name: str
    folder: Path
    variants: dict[str, Variant] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def new_instance(self, variant: Variant) -> Instance:
        """An instance of ``variant``, named ``<variant>-<n>`` (see :func:`variant_of`)."""
        return Instance(f"{variant.name}-{next(self._ids)}", variant.files,
                        self.folder / "instances", variant.options)

    def all_instances(self) -> list[Instance]:
        return [i for v in self.variants.values() for i in v.instances]


def variant_of(instance_id: str) -> str:
    """The variant an endpoint's instance belongs to, from its id."""
    return instance_id.rsplit("-", 1)[0]


class Fleet:
    """Every endpoint's instances, kept in step with the router."""

    def __init__(self, router: RouterProcess, on_instance_failed: Callable[[str, str], None]):
        self.router = router
        self.endpoints: dict[str, EndpointRuntime] = {}
        self._on_instance_failed = on_instance_failed
        self._restarting: dict[str, asyncio.Task] = {}
        self._watch_task: asyncio.Task | None = None

    # -- lifecycle --------------------------------------------------------------------
    def start_watching(self) -> None:
        if self._watch_task is None or self._watch_task.done():
            self._watch_task = asyncio.ensure_future(self._watch())

    async def close(self) -> None:
        """Stop every instance and the watchdog (endpoints are re-created at the next start)."""
        tasks = [t for t in [self._watch_task, *self._restarting.values()] if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(i.stop(grace=3) for rt in self.endpoints.values()
                               for i in rt.all_instances()), return_exceptions=True)
        self.endpoints.clear()

    # -- routing ------------------------------------------------------------------------
    async def publish(self, rt: EndpointRuntime) -> None:
        """Push the endpoint's table to the router: weights and the instances in service."""
        table = [{"name": v.name, "weight": v.weight,
                  "instances": [{"id": i.id, "url": i.url} for i in v.instances
                                if i.status == "InService"]}
                 for v in rt.variants.values()]
        await self.router.put_endpoint(rt.name, table)

    async def drain(self, endpoint: str, ids: set[str], timeout: float) -> None:
        """Wait until the router has no request in flight to any of ``ids``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while ids and loop.time() < deadline:
            try:
                stats = await self.router.stats()
            except RouterError:
                return
            variants = stats.get("endpoints", {}).get(endpoint, {}).get("variants", {})
            busy = {iid for v in variants.values()
                    for iid, s in v.get("instances", {}).items()
                    if iid in ids and s.get("in_flight", 0) > 0}
            if not busy:
                return
            await asyncio.sleep(0.05)

    # -- creating and changing ----------------------------------------------------------
    async def launch(self, rt: EndpointRuntime, counts: dict[str, int]) -> None:
        """Start ``counts[variant]`` instances of each variant; all or nothing."""
        started: list[Instance] = []
        try:
            for variant in rt.variants.values():
                for _ in range(counts[variant.name]):
                    variant.instances.append(rt.new_instance(variant))
            waits = [i.start() for i in rt.all_instances()]
            results = await asyncio.gather(*waits, return_exceptions=True)
            started = rt.all_instances()
            for result in results:
                if isinstance(result, BaseException):
                    raise result
        except BaseException:
            await asyncio.gather(*(i.stop(grace=2) for i in started), return_exceptions=True)
            for variant in rt.variants.values():
                variant.instances.clear()
            raise

    async def set_count(self, rt: EndpointRuntime, variant: Variant, count: int,
                        drain_timeout: float) -> None:
        """Grow or shrink a variant to ``count`` instances without losing a request."""
        current = len(variant.instances)
        if count > current:
            fresh = [rt.new_instance(variant) for _ in range(count - current)]
            results = await asyncio.gather(*(i.start() for i in fresh), return_exceptions=True)
            ok = [i for i, r in zip(fresh, results) if not isinstance(r, BaseException)]
            variant.instances.extend(ok)
            await self.publish(rt)
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                raise failed[0] if isinstance(failed[0], InstanceFailed) else \
                    InstanceFailed(str(failed[0]))
        elif count < current:
            leaving = variant.instances[count:]
            variant.instances = variant.instances[:count]
            await self.publish(rt)
            await self.drain(rt.name, {i.id for i in leaving}, drain_timeout)
            await asyncio.gather(*(i.stop() for i in leaving), return_exceptions=True)

    async def retire(self, rt: EndpointRuntime, drain_timeout: float,
                     keep_route: bool = False) -> None:
        """Stop all of ``rt``'s instances after the requests in flight to them finish.

        Unless ``keep_route``, the endpoint leaves the router first (new requests are
        refused, those in flight complete).
        """
        if not keep_route:
            self.endpoints.pop(rt.name, None)
            try:
                await self.router.delete_endpoint(rt.name)
            except RouterError as err:
                log.warning("endpoint %s: %s", rt.name, err)
        instances = rt.all_instances()
        await self.drain(rt.name, {i.id for i in instances}, drain_timeout)
        await asyncio.gather(*(i.stop() for i in instances), return_exceptions=True)

    # -- keeping instances alive ------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            for rt in list(self.endpoints.values()):
                for variant in rt.variants.values():
                    for inst in variant.instances:
                        if inst.status == "InService" and inst.exited() is not None \
                                and inst.id not in self._restarting:
                            self._restarting[inst.id] = asyncio.ensure_future(
                                self._restart(rt, inst))

    async def _restart(self, rt: EndpointRuntime, inst: Instance) -> None:
        """Bring a crashed instance back (the router retries its requests meanwhile)."""
        try:
            inst.status = "Restarting"
            log.warning("endpoint %s: instance %s exited (code %s); restarting", rt.name,
                        inst.id, inst.exited())
            await self.publish(rt)
            for delay in RESTART_BACKOFF:
                await inst.stop(grace=1)
                inst.restarts += 1
                try:
                    await inst.start()
                except InstanceFailed as err:
                    self._on_instance_failed(rt.name, f"instance {inst.id}: {err}")
                    await asyncio.sleep(delay)
                    continue
                if rt.name in self.endpoints and any(inst in v.instances
                                                     for v in rt.variants.values()):
                    await self.publish(rt)
                else:
                    await inst.stop()
                return
            inst.status = "Failed"
        except RouterError as err:
            log.warning("endpoint %s: %s", rt.name, err)
        finally:
            self._restarting.pop(inst.id, None)

    def describe_instances(self, name: str) -> dict[str, list[dict[str, Any]]]:
        """Each variant's instances: id, status, pid, restarts."""
        rt = self.endpoints.get(name)
        if rt is None:
            return {}
        return {v.name: [{"InstanceId": i.id, "Status": i.status, "Pid": i.pid,
                          "Restarts": i.restarts} for i in v.instances]
                for v in rt.variants.values()}
