"""The list of examples across sources, with metadata cached until a file changes."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import GalleryError
from .ids import decode_id, encode_id
from .metadata import ExampleMeta, read_meta
from .sources import ExampleSource, Stat


@dataclass
class Example:
    """One example as the gallery lists it."""

    id: str
    source: ExampleSource
    stat: Stat
    meta: ExampleMeta

    @property
    def category(self) -> str:
        return self.stat.relpath.rsplit("/", 1)[0] if "/" in self.stat.relpath else ""

    def to_dict(self, validation: dict[str, Any]) -> dict[str, Any]:
        m = self.meta
        return {
            "id": self.id,
            "source": self.source.name,
            "name": self.stat.relpath.rsplit("/", 1)[-1],
            "category": self.category,
            "title": m.title,
            "summary": m.summary,
            "tags": m.tags,
            "kernel": m.kernel,
            "language": m.language,
            "author": m.author,
            "packages": m.packages,
            "modified": datetime.fromtimestamp(self.stat.mtime, timezone.utc).isoformat(),
            "size": self.stat.size,
            "reviewed": self.source.reviewed,
            "valid": m.error is None,
            "error": m.error,
            "validation": validation,
        }


class Catalog:
    """Examples of every source. Re-reads a notebook only when its mtime or size changed."""

    def __init__(self, sources: list[ExampleSource], max_bytes: int) -> None:
        self.sources = {s.name: s for s in sources}
        self.max_bytes = max_bytes
        self._cache: dict[tuple[str, str], tuple[float, int, ExampleMeta]] = {}
        self._lock = threading.Lock()

    def source(self, name: str) -> ExampleSource:
        try:
            return self.sources[name]
        except KeyError:
            raise GalleryError(404, f"no example source {name!r}", "NoSuchSource") from None

    def _meta(self, source: ExampleSource, stat: Stat) -> ExampleMeta:
        key = (source.name, stat.relpath)
        cached = self._cache.get(key)
        if cached and cached[0] == stat.mtime and cached[1] == stat.size:
            return cached[2]
        title = stat.relpath.rsplit("/", 1)[-1][: -len(".ipynb")]
        if stat.size > self.max_bytes:
            meta = ExampleMeta(title=title, error=f"notebook is larger than {self.max_bytes} bytes")
        else:
            try:
                meta = read_meta(source.read(stat.relpath, self.max_bytes), title)
            except (GalleryError, OSError) as err:
                meta = ExampleMeta(title=title, error=str(err))
        with self._lock:
            self._cache[key] = (stat.mtime, stat.size, meta)
        return meta

    def examples(self) -> list[Example]:
        """Every example of every source; a broken source is skipped, not fatal."""
        found = []
        for source in self.sources.values():
            try:
                stats = list(source.scan())
            except Exception:  # one unreachable source must not empty the gallery
                continue
            for stat in sorted(stats, key=lambda s: s.relpath):
                found.append(Example(encode_id(source.name, stat.relpath), source, stat,
                                     self._meta(source, stat)))
        return found

    def get(self, example_id: str) -> Example:
        """The example an id names, freshly stat'ed; a 404 if it is gone."""
        name, relpath = decode_id(example_id)
        source = self.source(name)
        stat = source.stat(relpath)
        if stat is None:
            raise GalleryError(404, "no such example", "NoSuchExample")
        return Example(example_id, source, stat, self._meta(source, stat))
