"""REST routes of the kernel installers under ``/mlstudio/api/kernels``."""
from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..handlers.base import AUTH_RESOURCES, API_PREFIX, MLStudioHandler
from .service import KernelsService

_ID = r"(?P<install_id>[0-9a-f]{1,32})"


class KernelsBaseHandler(MLStudioHandler):
    auth_resource = AUTH_RESOURCES["kernels"]

    @property
    def kernels(self) -> KernelsService:
        return self.mlstudio.kernels_service


class KernelsHandler(KernelsBaseHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Installed kernelspecs, installable kinds with their options, recent installs."""
        self.write_json(self.kernels.list())


class KernelHandler(KernelsBaseHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.write_json(self.kernels.describe(name))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        self.write_json(self.kernels.uninstall(name))


class InstallsHandler(KernelsBaseHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json({"installs": self.kernels.installs()})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Start an install; 202 with the install resource to poll."""
        job = await self.kernels.start_install(self.json_body())
        self.set_header("Location", f"{self.base_url.rstrip('/')}{API_PREFIX}/kernels/installs/"
                        f"{job['id']}")
        self.write_json(job, 202)


class InstallHandler(KernelsBaseHandler):
    @web.authenticated
    @authorized
    async def get(self, install_id: str) -> None:
        self.write_json(self.kernels.describe_install(install_id))


class InstallLogHandler(KernelsBaseHandler):
    @web.authenticated
    @authorized
    async def get(self, install_id: str) -> None:
        """``?offset=N`` (from ``next_offset``), ``?wait=S``: long-poll up to S (<= 30) s."""
        self.write_json(await self.kernels.read_log(
            install_id, self.int_argument("offset", 0),
            self.number_argument("wait", 0.0, high=3600.0)))


class InstallCancelHandler(KernelsBaseHandler):
    @web.authenticated
    @authorized
    async def post(self, install_id: str) -> None:
        self.write_json(await self.kernels.cancel(install_id), 202)


def kernels_handlers() -> list[tuple]:
    base = rf"{API_PREFIX}/kernels"
    return [
        (base, KernelsHandler),
        (rf"{base}/installs", InstallsHandler),
        (rf"{base}/installs/{_ID}", InstallHandler),
        (rf"{base}/installs/{_ID}/log", InstallLogHandler),
        (rf"{base}/installs/{_ID}/cancel", InstallCancelHandler),
        (rf"{base}/(?P<name>[^/]+)", KernelHandler),
    ]
