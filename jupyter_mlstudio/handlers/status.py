"""``GET /mlstudio/api/status``."""
from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import MLStudioHandler


class StatusHandler(MLStudioHandler):
    """Version, S3 endpoint (never credentials), backends and the health of each part."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.mlstudio.status_service.status())
