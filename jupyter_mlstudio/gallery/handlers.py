"""REST routes of the example gallery under ``/mlstudio/api/examples``."""
from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..handlers.base import AUTH_RESOURCES, API_PREFIX, MLStudioHandler
from .errors import GalleryError
from .service import GalleryService

_ID = r"(?P<example_id>[A-Za-z0-9_-]+)"


class GalleryHandler(MLStudioHandler):
    auth_resource = AUTH_RESOURCES["examples"]

    @property
    def gallery(self) -> GalleryService:
        return self.mlstudio.gallery_service


class ExamplesHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.gallery.run(
            self.gallery.list,
            category=self.get_argument("category", ""),
            tag=self.get_argument("tag", ""),
            q=self.get_argument("q", ""),
            source=self.get_argument("source", ""),
            reviewed=self.bool_argument("reviewed", None),
            offset=self.int_argument("next_token", 0, low=0),
            limit=self.int_argument("max_results", 100, low=1),
        ))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """Submit one of the user's notebooks as an (unreviewed) example."""
        body = self.json_body()
        self.write_json(await self.gallery.run(self.gallery.submit, self.user_name, body), 201)


class ExampleHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def get(self, example_id: str) -> None:
        self.write_json(await self.gallery.run(self.gallery.describe, example_id))

    @web.authenticated
    @authorized
    async def delete(self, example_id: str) -> None:
        await self.gallery.run(self.gallery.delete, self.user_name, example_id)
        self.set_status(204)
        self.finish()


class PreviewHandler(GalleryHandler):
    """Rendered, sanitised HTML; the CSP forbids script even if something slipped through."""

    @web.authenticated
    @authorized
    async def get(self, example_id: str) -> None:
        html = await self.gallery.run(self.gallery.preview, example_id)
        self.set_header("Content-Security-Policy",
                        "sandbox; default-src 'none'; script-src 'none'; "
                        "img-src data: 'self'; style-src 'unsafe-inline' 'self'; font-src data:")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(html, set_content_type="text/html; charset=utf-8")


class UseHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def post(self, example_id: str) -> None:
        body = self.json_body()
        folder, name = body.get("folder"), body.get("name")
        strip = body.get("strip_outputs", False)
        for label, value in (("folder", folder), ("name", name)):
            if value is not None and not isinstance(value, str):
                raise GalleryError(400, f"'{label}' must be a string", "InvalidArgument")
        if not isinstance(strip, bool):
            raise GalleryError(400, "'strip_outputs' must be true or false", "InvalidArgument")
        self.write_json(await self.gallery.run(
            self.gallery.use, example_id, folder, name, strip), 201)


class ReviewHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def post(self, example_id: str) -> None:
        action = self.json_body().get("action")
        self.write_json(await self.gallery.run(
            self.gallery.review, self.user_name, example_id, action))


class ValidationsHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Recent validation runs, newest first."""
        self.write_json({"validations": self.gallery.validations()})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        ids = self.json_body().get("ids")
        self.write_json(await self.gallery.start_validation(ids), 202)


class ValidationHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.write_json(self.gallery.validation(job_id))


class ValidationStopHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        self.write_json(await self.gallery.stop_validation(job_id), 202)


class ValidationLogHandler(GalleryHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        """``?offset=N`` (from ``next_offset``), ``?wait=S``: long-poll up to S (<= 30) s."""
        self.write_json(await self.gallery.validation_log(
            job_id, self.int_argument("offset", 0),
            self.number_argument("wait", 0.0, high=3600.0)))


def gallery_handlers() -> list[tuple]:
    base = rf"{API_PREFIX}/examples"
    return [
        (base, ExamplesHandler),
        (rf"{base}/validations", ValidationsHandler),
        (rf"{base}/validations/(?P<job_id>[0-9a-f]{{1,32}})", ValidationHandler),
        (rf"{base}/validations/(?P<job_id>[0-9a-f]{{1,32}})/stop", ValidationStopHandler),
        (rf"{base}/validations/(?P<job_id>[0-9a-f]{{1,32}})/log", ValidationLogHandler),
        (rf"{base}/{_ID}", ExampleHandler),
        (rf"{base}/{_ID}/preview", PreviewHandler),
        (rf"{base}/{_ID}/use", UseHandler),
        (rf"{base}/{_ID}/review", ReviewHandler),
    ]
