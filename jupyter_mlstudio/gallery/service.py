"""The gallery's operations: list, preview, use, submit, review, delete, validate."""
from __future__ import annotations

import asyncio
import builtins
import errno
import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import nbformat
from sqlalchemy import select

from ..db import Database
from ..db.models import ExampleValidation, utcnow
from ..engine.context import JobContext
from ..engine.engine import JobEngine, JobNotFound
from ..engine.kinds import JobKind
from ..workspace import check_path_lengths, relative_to_root, resolve_in_root
from .catalog import Catalog, Example
from .config import Gallery
from .errors import GalleryError
from .ids import check_relpath, encode_id
from .sources import ExampleSource
from .validation import ValidationResult, validate_notebook

MAX_PAGE = 500
KIND = "example-validation"
# What a rendered notebook may keep: text structure, tables, code, links and images.
# No script, no event handler, no style attribute, no iframe or form.
_PREVIEW_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "kbd", "li", "ol", "p", "pre", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_PREVIEW_ATTRIBUTES = {
    "*": ["class", "id", "title"],
    "a": ["href", "title", "class", "id"],
    "img": ["src", "alt", "width", "height", "title"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
}
# The page template's own scripts (MathJax, RequireJS loaders) are dropped too.
_SCRIPT_TAG = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)


def clean_html(element: Any) -> str:
    """nbconvert's ``clean_html`` filter with a fuller allow-list of harmless tags."""
    import bleach

    text = element.decode() if isinstance(element, bytes) else str(element)
    return bleach.clean(text, tags=_PREVIEW_TAGS, attributes=_PREVIEW_ATTRIBUTES,
                        protocols={"http", "https", "mailto", "data"}, strip=True)


_SLUG = re.compile(r"[^\w\- ]+", re.UNICODE)


def slugify(text: str) -> str:
    """A file name from a title: letters (any script), digits, '-' and '_'."""
    slug = "-".join(_SLUG.sub("", text).split()).strip("-_")
    return slug[:80] or "example"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tabs and new lines are text
MAX_TAG = 100


def _str(body: dict[str, Any], name: str, required: bool = False, limit: int = 500) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit \
            or _CONTROL.search(value):
        raise GalleryError(400, f"'{name}' must be a string of at most {limit} characters "
                           "without control characters" + (" and is required" if required
                                                           else ""), "InvalidArgument")
    return value.strip()


def _tags(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(
            isinstance(t, str) and len(t) <= MAX_TAG and not _CONTROL.search(t) for t in value):
        raise GalleryError(400, f"'tags' must be a list of strings of at most {MAX_TAG} "
                           "characters", "InvalidArgument")
    return [t.strip() for t in value if t.strip()][:20]


class GalleryService:
    """Everything the gallery's handlers and the CLI call."""

    def __init__(self, config: Gallery, sources: list[ExampleSource], db: Database,
                 root_dir: str, engine: JobEngine) -> None:
        self.config = config
        self.catalog = Catalog(sources, config.max_notebook_bytes)
        self.db = db
        self.root_dir = root_dir
        self.engine = engine
        # one run at a time by default: each example starts its own kernel
        engine.register(JobKind(KIND, self._validate_all))

    async def run(self, fn, *args, **kwargs):
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))

    # -- listing -----------------------------------------------------------------
    def _validation_records(self) -> dict[str, ExampleValidation]:
        with self.db.session() as s:
            return {r.example_id: r for r in s.scalars(select(ExampleValidation))}

    @staticmethod
    def _badge(example: Example, record: ExampleValidation | None) -> dict[str, Any]:
        if example.meta.error:
            return {"status": "invalid", "error": example.meta.error}
        if not example.meta.validate:
            return {"status": "skipped"}
        if record is None or abs(record.mtime - example.stat.mtime) > 1e-6:
            return {"status": "not-run"}
        return {"status": record.status, "duration": round(record.duration, 2),
                "error": record.error, "validated_at": record.validated_at.isoformat()}

    def list(self, *, category: str = "", tag: str = "", q: str = "", source: str = "",
             reviewed: bool | None = None, offset: int = 0,
             limit: int = 100) -> dict[str, Any]:
        """A page of examples matching the filters, with the categories and tags of all."""
        examples = self.catalog.examples()
        records = self._validation_records()
        categories = sorted({e.category for e in examples if e.category})
        tags = sorted({t for e in examples for t in e.meta.tags})
        needle = q.lower().strip()

        def matches(e: Example) -> bool:
            if category and e.category != category and not e.category.startswith(category + "/"):
                return False
            if tag and tag not in e.meta.tags:
                return False
            if source and e.source.name != source:
                return False
            if reviewed is not None and e.source.reviewed != reviewed:
                return False
            if needle:
                text = " ".join([e.meta.title, e.meta.summary, " ".join(e.meta.tags),
                                 e.stat.relpath, e.meta.author]).lower()
                return all(word in text for word in needle.split())
            return True

        selected = [e for e in examples if matches(e)]
        limit = max(1, min(limit, MAX_PAGE))
        page = selected[offset: offset + limit]
        nxt = offset + limit if offset + limit < len(selected) else None
        return {
            "examples": [e.to_dict(self._badge(e, records.get(e.id))) for e in page],
            "total": len(selected),
            "next_token": str(nxt) if nxt is not None else None,
            "categories": categories,
            "tags": tags,
            "sources": [s.describe() for s in self.catalog.sources.values()],
        }

    def describe(self, example_id: str) -> dict[str, Any]:
        example = self.catalog.get(example_id)
        record = self._validation_records().get(example_id)
        return example.to_dict(self._badge(example, record))

    # -- preview ------------------------------------------------------------------
    def preview(self, example_id: str) -> str:
        """The notebook as sanitised HTML: no script of the example can run in the page."""
        from nbconvert import HTMLExporter

        example = self.catalog.get(example_id)
        if example.meta.error:
            raise GalleryError(422, f"cannot preview: {example.meta.error}", "InvalidNotebook")
        data = example.source.read(example.stat.relpath, self.config.max_notebook_bytes)
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        exporter = HTMLExporter(template_name="lab", sanitize_html=True, embed_images=True,
                                exclude_input_prompt=False)
        exporter.register_filter("clean_html", clean_html)
        html, _ = exporter.from_notebook_node(nb)
        return _SCRIPT_TAG.sub("", html)

    # -- use ------------------------------------------------------------------------
    def use(self, example_id: str, folder: str | None, name: str | None,
            strip_outputs: bool) -> dict[str, Any]:
        """Copy an example into the workspace; never overwrites (``name-1``, ``name-2``…)."""
        example = self.catalog.get(example_id)
        if example.meta.error:
            raise GalleryError(422, f"cannot use: {example.meta.error}", "InvalidNotebook")
        data = example.source.read(example.stat.relpath, self.config.max_notebook_bytes)
        if strip_outputs:
            data = _strip_outputs(data)
        folder = folder if folder is not None else self.config.workspace_folder
        name = name or example.stat.relpath.rsplit("/", 1)[-1]
        if not name.endswith(".ipynb"):
            name += ".ipynb"
        if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
            raise GalleryError(400, f"invalid notebook name {name!r}", "InvalidName")
        check_path_lengths(name, "InvalidName")
        target_dir = resolve_in_root(self.root_dir, folder or ".")
        check_path_lengths(str(target_dir / name), "InvalidName")
        try:
            target_dir.mkdir(parents=True, exist_ok=True)
            path = _create_exclusive(target_dir / name, data)
        except (FileExistsError, NotADirectoryError):
            raise GalleryError(409, f"folder {folder!r} is a file, not a folder",
                               "NotAFolder") from None
        except PermissionError:
            raise GalleryError(403, f"no permission to write into {folder!r}",
                               "PermissionDenied") from None
        except OSError as err:
            if err.errno != errno.ENAMETOOLONG:
                raise
            raise GalleryError(400, f"notebook name {name!r} is too long",
                               "InvalidName") from None
        return {"path": relative_to_root(self.root_dir, path)}

    # -- submit, review, delete ------------------------------------------------------------
    def _submission_source(self) -> ExampleSource:
        for s in self.catalog.sources.values():
            if s.writable and not s.reviewed:
                return s
        raise GalleryError(403, "no writable source accepts submissions", "NoSubmissionSource")

    def _reviewed_target(self) -> ExampleSource:
        for s in self.catalog.sources.values():
            if s.writable and s.reviewed:
                return s
        raise GalleryError(403, "no writable reviewed source to promote into", "NoReviewedSource")

    def is_reviewer(self, user: str) -> bool:
        return not self.config.reviewers or user in self.config.reviewers

    def submit(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        """Share one of the user's notebooks to the submissions source."""
        path = _str(body, "path", required=True, limit=4096)
        title = _str(body, "title", required=True, limit=200)
        summary = _str(body, "summary", limit=2000)
        category = _str(body, "category", limit=200).strip("/")
        tags = _tags(body.get("tags"))
        source_file = resolve_in_root(self.root_dir, path)
        if source_file.suffix != ".ipynb" or not source_file.is_file():
            raise GalleryError(404, f"no notebook {path!r} in the workspace", "NoSuchNotebook")
        if source_file.stat().st_size > self.config.max_notebook_bytes:
            raise GalleryError(413, "notebook is too large to share", "TooLarge")
        try:
            nb = json.loads(source_file.read_bytes())
            assert isinstance(nb, dict) and isinstance(nb.get("cells"), list)
        except (ValueError, AssertionError):
            raise GalleryError(400, f"{path!r} is not a valid notebook", "InvalidNotebook")
        nb.setdefault("metadata", {})["mlstudio"] = {
            **(nb["metadata"].get("mlstudio") or {}),
            "title": title, "summary": summary, "tags": tags, "author": user,
        }
        data = json.dumps(nb, indent=1, ensure_ascii=False).encode("utf-8")
        target = self._submission_source()
        relpath = "/".join(p for p in [*(slugify(c) for c in category.split("/") if c),
                                       slugify(title) + ".ipynb"])
        relpath = check_relpath(relpath)
        existing = target.stat(relpath)
        if existing is not None:
            owner = self.catalog.get(encode_id(target.name, relpath)).meta.author
            if owner != user:
                raise GalleryError(409, f"an example named {relpath!r} by {owner or 'someone'}"
                                   " already exists: choose another title", "ExampleExists")
            target.replace(relpath, data)
        else:
            target.create(relpath, data)
        return self.describe(encode_id(target.name, relpath))

    def review(self, user: str, example_id: str, action: str) -> dict[str, Any]:
        """Approve (move to the reviewed source) or reject (delete) a submission."""
        if not self.is_reviewer(user):
            raise GalleryError(403, "only reviewers may review examples", "NotAReviewer")
        example = self.catalog.get(example_id)
        if example.source.reviewed:
            raise GalleryError(409, "this example is already reviewed", "AlreadyReviewed")
        relpath = example.stat.relpath
        if action == "approve":
            target = self._reviewed_target()
            data = example.source.read(relpath, self.config.max_notebook_bytes)
            target.create(relpath, data)
            example.source.delete(relpath)
            approved = self.describe(encode_id(target.name, relpath))
            return {"action": "approved", "example": approved}
        if action == "reject":
            example.source.delete(relpath)
            return {"action": "rejected", "id": example_id}
        raise GalleryError(400, "action must be 'approve' or 'reject'", "InvalidAction")

    def delete(self, user: str, example_id: str) -> None:
        """Delete a submission: its author, or a reviewer."""
        example = self.catalog.get(example_id)
        if example.meta.author != user and not (self.config.reviewers and self.is_reviewer(user)):
            raise GalleryError(403, "you can delete only your own submissions", "NotTheAuthor")
        example.source.delete(example.stat.relpath)

    # -- validation ----------------------------------------------------------------------
    async def start_validation(self, ids: builtins.list[str] | None) -> dict[str, Any]:
        """Validate the given examples (default: all that opt in) as a job of the engine."""
        if ids is not None and (not isinstance(ids, list)
                                or not all(isinstance(i, str) for i in ids)):
            raise GalleryError(400, "'ids' must be a list of example ids", "InvalidArgument")
        targets = await self.run(lambda: [self.catalog.get(i) for i in ids] if ids else [
            e for e in self.catalog.examples() if e.meta.validate and not e.meta.error])
        job = await self.engine.submit(KIND, f"{len(targets)} examples",
                                       {"ids": [e.id for e in targets]})
        return _validation_view(job)

    def _job(self, job_id: str) -> dict[str, Any]:
        try:
            return self.engine.get(KIND, job_id)
        except JobNotFound:
            raise GalleryError(404, f"no validation run {job_id!r}", "NoSuchValidation") \
                from None

    def validation(self, job_id: str) -> dict[str, Any]:
        return _validation_view(self._job(job_id))

    def validations(self) -> builtins.list[dict[str, Any]]:
        """Recent validation runs, newest first."""
        return [_validation_view(j) for j in self.engine.jobs(KIND)]

    async def stop_validation(self, job_id: str) -> dict[str, Any]:
        """Stop a run: the example being run stops with its kernel; results so far stay."""
        self._job(job_id)
        return _validation_view(await self.engine.stop(KIND, job_id))

    async def validation_log(self, job_id: str, offset: int, wait: float) -> dict[str, Any]:
        self._job(job_id)
        return await self.engine.follow_log(KIND, job_id, offset, wait)

    async def _validate_all(self, job: JobContext) -> str:
        ids = job.spec["ids"]
        results: list[dict[str, Any]] = []
        job.report(total=len(ids), done=0, results=results)
        for n, example_id in enumerate(ids, 1):
            try:
                example = await self.run(self.catalog.get, example_id)
            except GalleryError as err:
                results.append({"id": example_id, "title": example_id, "status": "failing",
                                "duration": 0.0, "error": err.message})
                job.log(f"[{n}/{len(ids)}] {example_id}: {err.message}\n")
                job.report(done=n, results=results)
                continue
            job.log(f"[{n}/{len(ids)}] {example.meta.title} ({example.id}) …\n")
            result = await self._validate_one(example)
            results.append({"id": example.id, "title": example.meta.title,
                            "status": result.status, "duration": round(result.duration, 2),
                            "error": result.error})
            job.log(f"        {result.status} in {result.duration:.1f} s"
                    + (f": {result.error}" if result.error else "") + "\n")
            job.report(done=n, results=results)
        failing = sum(r["status"] != "passing" for r in results)
        return f"{len(results) - failing} passed, {failing} failed"

    async def _validate_one(self, example: Example) -> ValidationResult:
        if example.meta.error:
            return ValidationResult("failing", 0.0, example.meta.error)
        data = await self.run(example.source.read, example.stat.relpath,
                              self.config.max_notebook_bytes)
        result = await validate_notebook(
            data, kernel_name=example.meta.kernel,
            cell_timeout=self.config.cell_timeout,
            notebook_timeout=self.config.notebook_timeout,
        )
        await self.run(self._record, example, result)
        return result

    def _record(self, example: Example, result: ValidationResult) -> None:
        with self.db.session() as s:
            record = s.get(ExampleValidation, example.id) or ExampleValidation(
                example_id=example.id)
            record.mtime = example.stat.mtime
            record.status = result.status
            record.duration = result.duration
            record.error = result.error
            record.validated_at = utcnow()
            s.merge(record)


def _validation_view(job: dict[str, Any]) -> dict[str, Any]:
    """A validation run as the gallery API shows it."""
    progress = job["progress"]
    return {"id": job["id"], "status": job["status"], "message": job["message"],
            "total": progress.get("total", len(job["spec"]["ids"])),
            "done": progress.get("done", 0), "results": progress.get("results", []),
            "created": job["created"], "started": job["started"], "ended": job["ended"],
            "log_size": job["log_size"]}


def _strip_outputs(data: bytes) -> bytes:
    nb = json.loads(data)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return json.dumps(nb, indent=1, ensure_ascii=False).encode("utf-8")


def _create_exclusive(path: Path, data: bytes) -> Path:
    """Create ``path`` or the first free ``stem-N`` beside it, atomically (O_EXCL)."""
    stem, suffix = path.stem, path.suffix
    for n in range(0, 10_000):
        candidate = path if n == 0 else path.with_name(f"{stem}-{n}{suffix}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return candidate
    raise GalleryError(409, "too many copies with that name", "NameTaken")
