"""The router's routing table: endpoints, their variants and instances, and their counters."""
from __future__ import annotations

import random
from typing import Any
from urllib.parse import unquote, urlsplit

from .upstream import UNIX_SCHEME, Instance, UpstreamSettings


class TableError(ValueError):
    """A control-API table the router cannot accept."""


class VariantStats:
    """Cumulative counters of one variant; they outlive table replacements that keep it."""

    __slots__ = ("invocations", "errors", "model_latency_us", "overhead_latency_us")

    def __init__(self) -> None:
        self.invocations = 0
        self.errors = 0
        self.model_latency_us = 0
        self.overhead_latency_us = 0


class Variant:
    """One production variant: its weight, instances and instance choice."""

    __slots__ = ("name", "weight", "instances", "stats", "header", "_rr")

    def __init__(self, name: str, weight: float, instances: list[Instance], stats: VariantStats):
        self.name = name
        self.weight = weight
        self.instances = instances
        self.stats = stats
        # The reply header naming this variant, built once.
        self.header = b"X-Amzn-Invoked-Production-Variant: " + name.encode("latin-1") + b"\r\n"
        self._rr = 0

    def pick(self) -> Instance | None:
        """The healthy instance with the fewest requests in flight; ties take turns."""
        instances = self.instances
        n = len(instances)
        if n == 1:
            only = instances[0]
            return only if only.healthy else None
        if n == 0:
            return None
        start = self._rr
        self._rr = (start + 1) % n
        best = None
        least = 1 << 62
        for k in range(n):
            inst = instances[(start + k) % n]
            if inst.healthy and inst.in_flight < least:
                best = inst
                least = inst.in_flight
                if least == 0:
                    break
        return best

    def has_healthy(self) -> bool:
        """Whether any instance of the variant is healthy."""
        return any(inst.healthy for inst in self.instances)


class Endpoint:
    """An immutable routing table for one endpoint (a PUT replaces the whole object)."""

    __slots__ = ("name", "variants", "by_name", "weighted", "total_weight", "instances")

    def __init__(self, name: str, variants: list[Variant]):
        self.name = name
        self.variants = variants
        self.by_name = {v.name: v for v in variants}
        self.weighted = [v for v in variants if v.weight > 0]
        self.total_weight = sum(v.weight for v in self.weighted)
        self.instances = {inst.id: inst for v in variants for inst in v.instances}

    def choose(self) -> tuple[Variant, Instance | None]:
        """A variant drawn by weight and its best instance; if that variant has no healthy
        instance, a draw among the positively weighted variants that have one."""
        weighted = self.weighted
        variant = weighted[0]
        if len(weighted) > 1:
            r = random.random() * self.total_weight
            for v in weighted:
                r -= v.weight
                if r < 0:
                    variant = v
                    break
            else:
                variant = weighted[-1]
        inst = variant.pick()
        if inst is not None:
            return variant, inst
        alive = [v for v in weighted if v.has_healthy()]
        if not alive:
            return variant, None
        r = random.random() * sum(v.weight for v in alive)
        for v in alive:
            r -= v.weight
            if r < 0:
                return v, v.pick()
        return alive[-1], alive[-1].pick()

    def describe(self) -> dict[str, Any]:
        """The table in the shape the control API accepts."""
        return {
            "variants": [
                {
                    "name": v.name,
                    "weight": v.weight,
                    "instances": [{"id": i.id, "url": i.url} for i in v.instances],
                }
                for v in self.variants
            ]
        }


class EndpointStats:
    """Counters of one endpoint, plus the removed instances still finishing requests."""

    __slots__ = ("variants", "errors", "retired")

    def __init__(self) -> None:
        self.variants: dict[str, VariantStats] = {}
        # Failures that no variant can own (e.g. nothing healthy to route to, no target).
        self.errors = 0
        # (variant name, its counters, instance) of removed instances still draining.
        self.retired: list[tuple[str, VariantStats, Instance]] = []


def _check_url(url: Any) -> tuple[str, int | None]:
    """(host, port) of ``http://host:port``, or (socket path, None) of ``http+unix://…``."""
    if not isinstance(url, str):
        raise TableError("instance url must be a string")
    parts = urlsplit(url)
    if parts.scheme == UNIX_SCHEME:
        path = unquote(parts.netloc)
        if not path.startswith("/"):
            raise TableError(f"instance url {url!r} must be {UNIX_SCHEME}://<quoted path>")
        return path, None
    if parts.scheme != "http" or not parts.hostname:
        raise TableError(f"instance url {url!r} must be http://host:port")
    try:
        port = parts.port or 80
    except ValueError as err:
        raise TableError(f"instance url {url!r}: {err}") from None
    return parts.hostname, port


def _parse_spec(body: Any) -> list[tuple[str, float, list[tuple[str, str, str, int | None]]]]:
    """Validate a PUT body into (variant, weight, [(id, url, host, port)]) triples."""
    if not isinstance(body, dict) or not isinstance(body.get("variants"), list):
        raise TableError('body must be {"variants": [...]}')
    seen_variants: set[str] = set()
    seen_ids: set[str] = set()
    spec = []
    for v in body["variants"]:
        if not isinstance(v, dict):
            raise TableError("each variant must be an object")
        name = v.get("name")
        if not isinstance(name, str) or not name or name in seen_variants:
            raise TableError(f"variant name {name!r} is missing, invalid or repeated")
        seen_variants.add(name)
        weight = v.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise TableError(f"variant {name}: weight must be a number >= 0")
        instances = []
        for i in v.get("instances") or []:
            if not isinstance(i, dict):
                raise TableError(f"variant {name}: each instance must be an object")
            iid = i.get("id")
            if not isinstance(iid, str) or not iid or iid in seen_ids:
                raise TableError(f"instance id {iid!r} is missing, invalid or repeated")
            seen_ids.add(iid)
            host, port = _check_url(i.get("url"))
            instances.append((iid, i["url"], host, port))
        spec.append((name, float(weight), instances))
    return spec


def _variant_entry(s: VariantStats, weight: float, **extra: Any) -> dict[str, Any]:
    return {
        "weight": weight,
        "invocations": s.invocations,
        "errors": s.errors,
        "model_latency_us": s.model_latency_us,
        "overhead_latency_us": s.overhead_latency_us,
        "instances": {},
        **extra,
    }


class RoutingTable:
    """All endpoints and their counters; replaced per endpoint by the control API."""

    def __init__(self, settings: UpstreamSettings):
        self.settings = settings
        self.endpoints: dict[str, Endpoint] = {}
        self.stats: dict[str, EndpointStats] = {}

    def put(self, name: str, body: Any) -> Endpoint:
        """Replace ``name``'s table with ``body``; raises TableError if it is invalid."""
        spec = _parse_spec(body)
        old = self.endpoints.get(name)
        old_instances = old.instances if old is not None else {}
        stats = self.stats.get(name)
        if stats is None:
            stats = self.stats[name] = EndpointStats()
        variants = []
        kept: set[int] = set()
        for vname, weight, specs in spec:
            instances = []
            for iid, url, host, port in specs:
                inst = old_instances.get(iid)
                if inst is not None and inst.url == url:
                    kept.add(id(inst))
                else:
                    previous = inst
                    inst = Instance(iid, url, host, port, self.settings)
                    if previous is not None:
                        inst.invocations = previous.invocations
                        inst.failures = previous.failures
                # Listing an instance vouches for it: the service re-registers restarts.
                inst.healthy = True
                instances.append(inst)
            vstats = stats.variants.get(vname) or VariantStats()
            variants.append(Variant(vname, weight, instances, vstats))
        stats.variants = {v.name: v.stats for v in variants}
        if old is not None:
            for v in old.variants:
                for inst in v.instances:
                    if id(inst) not in kept:
                        inst.retire()
                        stats.retired.append((v.name, v.stats, inst))
        endpoint = Endpoint(name, variants)
        self.endpoints[name] = endpoint
        return endpoint

    def delete(self, name: str) -> bool:
        """Remove ``name``; requests in flight finish. False if there was no such endpoint."""
        old = self.endpoints.pop(name, None)
        if old is None:
            return False
        stats = self.stats.get(name)
        if stats is not None:
            stats.variants = {}  # an endpoint made again under this name counts afresh
        for v in old.variants:
            for inst in v.instances:
                inst.retire()
                if stats is not None:
                    stats.retired.append((v.name, v.stats, inst))
        return True

    def snapshot(self) -> dict[str, Any]:
        """Cumulative counters in the control API's ``stats`` shape."""
        out: dict[str, Any] = {}
        for name in list(self.stats):
            stats = self.stats[name]
            stats.retired = [r for r in stats.retired if r[2].in_flight > 0]
            endpoint = self.endpoints.get(name)
            if endpoint is None and not stats.retired:
                del self.stats[name]
                continue
            variants: dict[str, Any] = {}
            current = endpoint.variants if endpoint is not None else []
            for v in current:
                variants[v.name] = _variant_entry(v.stats, v.weight)
                variants[v.name]["instances"] = {i.id: i.describe() for i in v.instances}
            for vname, vstats, inst in stats.retired:
                entry = variants.get(vname)
                if entry is None:
                    # A variant that left the table: still counting its last requests.
                    entry = variants[vname] = _variant_entry(vstats, 0.0, removed=True)
                shown = entry["instances"].get(inst.id)
                if shown is None:
                    entry["instances"][inst.id] = dict(inst.describe(), removed=True)
                else:
                    shown["in_flight"] += inst.in_flight
            out[name] = {"errors": stats.errors, "variants": variants}
        return {"endpoints": out}
