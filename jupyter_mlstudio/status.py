"""The extension's status: what is configured and whether each part is healthy."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from ._version import __version__
from .backends import JobBackend
from .db import Database
from .optml import Isolation
from .probe import CachedProbe
from .s3.store import S3Store


class StatusService:
    """Collects the status document served by the status route and the CLI."""

    def __init__(
        self,
        *,
        s3: S3Store,
        db: Database,
        backends: dict[str, type[JobBackend]],
        running: type[JobBackend],
        opt_ml: Callable[[], Isolation] | None = None,
    ) -> None:
        self.s3 = s3
        self.db = db
        self.backends = backends
        self.running = running
        self.opt_ml = opt_ml
        self._db_probe = CachedProbe(db.check, max_age=2.0)

    async def status(self) -> dict[str, Any]:
        """The status document. Contains no credential of any kind."""
        s3_health = await self.s3.health()
        db_ok, db_message, revision = await self._db_probe.get()
        backends = self.backend_status()
        return {
            "version": __version__,
            "healthy": s3_health.healthy and db_ok and any(b["available"] for b in backends),
            "s3": {
                "endpoint_url": self.s3.endpoint_url or None,
                "embedded": self.s3.embedded is not None,
                "region": self.s3.region,
                "default_bucket": self.s3.default_bucket,
                "healthy": s3_health.healthy,
                "message": s3_health.message,
                "restarts": self.s3.supervisor.state.restarts if self.s3.supervisor else 0,
            },
            "database": {
                "url": self.db.safe_url,
                "healthy": db_ok,
                "revision": revision,
                "message": db_message,
            },
            "backends": backends,
            # Whether jobs and model servers see their own /opt/ml, or why not.
            **({"opt_ml": (await asyncio.to_thread(self.opt_ml)).as_dict()}
               if self.opt_ml else {}),
        }

    def backend_status(self) -> list[dict[str, Any]]:
        """The installed backends and the one that runs jobs (``default``), which is listed
        under its dotted path when it is not an installed entry point."""
        listed = dict(sorted(self.backends.items()))
        if self.running not in listed.values():
            listed[f"{self.running.__module__}.{self.running.__qualname__}"] = self.running
        out = []
        for name, cls in listed.items():
            try:
                avail = cls.availability()
                available, message = avail.available, avail.message
            except Exception as err:  # a plugin's check must not break the status
                available, message = False, f"availability check failed: {err}"
            out.append(
                {
                    "name": name,
                    "class": f"{cls.__module__}.{cls.__qualname__}",
                    "available": available,
                    "default": cls is self.running,
                    "message": message,
                }
            )
        return out
