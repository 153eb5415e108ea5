"""Where examples live: the package's own, directories, an S3 prefix. Pluggable."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..plugins import load_class
from .errors import GalleryError
from .ids import check_relpath

ENTRY_POINT_GROUP = "jupyter_mlstudio.example_sources"


@dataclass(frozen=True)
class Stat:
    """What the catalog needs to know whether a cached entry is stale."""

    relpath: str
    mtime: float
    size: int


class ExampleSource:
    """A collection of notebooks; subfolders are categories."""

    kind = ""

    def __init__(self, name: str, reviewed: bool = True, writable: bool = False,
                 **_: Any) -> None:
        self.name = name
        self.reviewed = reviewed
        self.writable = writable

    def scan(self) -> Iterator[Stat]:
        """Every notebook in the source."""
        raise NotImplementedError

    def stat(self, relpath: str) -> Stat | None:
        raise NotImplementedError

    def read(self, relpath: str, limit: int) -> bytes:
        """The notebook's bytes; a 413 when it is larger than ``limit``."""
        raise NotImplementedError

    def create(self, relpath: str, data: bytes) -> None:
        """Write a new notebook; a 409 if one exists at ``relpath``."""
        raise GalleryError(403, f"example source {self.name!r} is read-only", "ReadOnlySource")

    def replace(self, relpath: str, data: bytes) -> None:
        raise GalleryError(403, f"example source {self.name!r} is read-only", "ReadOnlySource")

    def delete(self, relpath: str) -> None:
        raise GalleryError(403, f"example source {self.name!r} is read-only", "ReadOnlySource")

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "reviewed": self.reviewed,
                "writable": self.writable}


class DirectorySource(ExampleSource):
    """Notebooks under a local or shared directory."""

    kind = "directory"

    def __init__(self, name: str, path: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.root = Path(path).expanduser()
        if self.writable:
            self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, relpath: str) -> Path:
        path = (self.root / check_relpath(relpath)).resolve()
        root = self.root.resolve()
        if root not in path.parents:
            raise GalleryError(400, "example path leaves its source", "InvalidPath")
        return path

    def scan(self) -> Iterator[Stat]:
        if not self.root.is_dir():
            return
        stack = [self.root]
        while stack:
            folder = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith((".", "_")):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.name.endswith(".ipynb") and entry.is_file():
                    st = entry.stat()
                    rel = Path(entry.path).relative_to(self.root).as_posix()
                    yield Stat(rel, st.st_mtime, st.st_size)

    def stat(self, relpath: str) -> Stat | None:
        try:
            st = self._path(relpath).stat()
        except FileNotFoundError:
            return None
        return Stat(relpath, st.st_mtime, st.st_size)

    def read(self, relpath: str, limit: int) -> bytes:
        path = self._path(relpath)
        try:
            size = path.stat().st_size
            if size > limit:
                raise GalleryError(413, f"example is {size} bytes, over the {limit} limit",
                                   "TooLarge")
            return path.read_bytes()
        except FileNotFoundError:
            raise GalleryError(404, "no such example", "NoSuchExample") from None

    def create(self, relpath: str, data: bytes) -> None:
        self._check_writable()
        path = self._path(relpath)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise GalleryError(409, "an example with that name already exists",
                               "ExampleExists") from None
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def replace(self, relpath: str, data: bytes) -> None:
        self._check_writable()
        path = self._path(relpath)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def delete(self, relpath: str) -> None:
        self._check_writable()
        try:
            self._path(relpath).unlink()
        except FileNotFoundError:
            raise GalleryError(404, "no such example", "NoSuchExample") from None

    def _check_writable(self) -> None:
        if not self.writable:
            super().create("", b"")


def package_examples_dir() -> Path:
    """The examples shipped with the package (in the wheel), or the repo's in a checkout."""
    installed = Path(__file__).resolve().parents[1] / "examples"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "examples"


class PackageSource(DirectorySource):
    """The examples shipped with jupyter_mlstudio: reviewed and read-only."""

    kind = "package"

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.update(reviewed=True, writable=False)
        super().__init__(name, str(package_examples_dir()), **kwargs)


class S3Source(ExampleSource):
    """Notebooks under an S3 prefix of one of the server's connections."""

    kind = "s3"

    def __init__(self, name: str, uri: str, connection: str = "default",
                 s3_service: Any = None, **kwargs: Any) -> None:
        from ..s3.names import parse_uri

        super().__init__(name, **kwargs)
        self.bucket, prefix = parse_uri(uri)
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self.connection = connection
        self._s3 = s3_service

    def _client(self):
        if self._s3 is None:
            raise GalleryError(503, "S3 is not available to the gallery", "NoS3")
        return self._s3.connections.get(self.connection).client()

    def _call(self, fn, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        from ..s3.errors import translate

        try:
            return fn(**kwargs)
        except (ClientError, BotoCoreError) as err:
            raise translate(err, f"example source {self.name}") from None

    def scan(self) -> Iterator[Stat]:
        pages = self._client().get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in self._call(lambda: list(pages)):
            for obj in page.get("Contents", []):
                rel = obj["Key"][len(self.prefix):]
                if rel.endswith(".ipynb") and not any(
                        p.startswith((".", "_")) for p in rel.split("/")):
                    yield Stat(rel, obj["LastModified"].timestamp(), obj["Size"])

    def stat(self, relpath: str) -> Stat | None:
        from botocore.exceptions import ClientError

        try:
            head = self._client().head_object(Bucket=self.bucket,
                                              Key=self.prefix + check_relpath(relpath))
        except ClientError:
            return None
        return Stat(relpath, head["LastModified"].timestamp(), head["ContentLength"])

    def read(self, relpath: str, limit: int) -> bytes:
        key = self.prefix + check_relpath(relpath)
        head = self._call(self._client().head_object, Bucket=self.bucket, Key=key)
        if head["ContentLength"] > limit:
            raise GalleryError(413, f"example is over the {limit} byte limit", "TooLarge")
        reply = self._call(self._client().get_object, Bucket=self.bucket, Key=key)
        with reply["Body"] as body:
            return body.read()

    def create(self, relpath: str, data: bytes) -> None:
        if not self.writable:
            super().create(relpath, data)
        if self.stat(relpath) is not None:
            raise GalleryError(409, "an example with that name already exists", "ExampleExists")
        self.replace(relpath, data)

    def replace(self, relpath: str, data: bytes) -> None:
        if not self.writable:
            super().replace(relpath, data)
        self._call(self._client().put_object, Bucket=self.bucket,
                   Key=self.prefix + check_relpath(relpath), Body=data)

    def delete(self, relpath: str) -> None:
        if not self.writable:
            super().delete(relpath)
        self._call(self._client().delete_object, Bucket=self.bucket,
                   Key=self.prefix + check_relpath(relpath))


BUILTIN_KINDS: dict[str, type[ExampleSource]] = {
    "package": PackageSource,
    "directory": DirectorySource,
    "s3": S3Source,
}


def source_class(kind: str) -> type[ExampleSource]:
    """The class for a configured ``kind``: built in, an entry point, or a dotted path."""
    if kind in BUILTIN_KINDS:
        return BUILTIN_KINDS[kind]
    try:
        return load_class(kind, ExampleSource, ENTRY_POINT_GROUP)
    except ValueError as err:
        raise ValueError(f"unknown example source kind {kind!r}: {err}") from None


def make_sources(specs: list[dict[str, Any]], data_dir: Path,
                 s3_service: Any = None) -> list[ExampleSource]:
    """Instantiate the configured sources (or the defaults when none are configured)."""
    if not specs:
        specs = [
            {"name": "builtin", "kind": "package"},
            {"name": "reviewed", "kind": "directory", "reviewed": True, "writable": True,
             "path": str(data_dir / "examples" / "reviewed")},
            {"name": "submissions", "kind": "directory", "reviewed": False, "writable": True,
             "path": str(data_dir / "examples" / "unreviewed")},
        ]
    sources, names = [], set()
    for spec in specs:
        spec = dict(spec)
        name, kind = spec.pop("name", None), spec.pop("kind", None)
        if not name or not kind or name in names:
            raise ValueError(f"example source {spec!r} needs a unique 'name' and a 'kind'")
        names.add(name)
        cls = source_class(kind)
        if cls is S3Source:
            spec["s3_service"] = s3_service
        sources.append(cls(name, **spec))
    return sources
