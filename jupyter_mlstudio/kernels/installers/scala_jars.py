"""The Scala 2.13 toolchain from PyPI: the jars inside a pinned ``pyspark`` release.

``pip download pyspark==<version> --no-deps`` fetches the release (an sdist of ~450 MB)
into scratch space; only ``scala-{compiler,library,reflect}-2.13.*.jar`` and
``jline-3*.jar`` (~23 MB) are kept, in a cache shared by all Scala installs; the
download is deleted. pyspark itself is never installed.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import tarfile
import threading
import uuid
import zipfile
from pathlib import Path
from typing import IO, Iterator

from ..context import InstallContext
from ..errors import InstallFailed

_JAR = re.compile(r"(?:^|/)(?:deps/jars|pyspark/jars)/"
                  r"((?:scala-(?:compiler|library|reflect)-2\.13\.\d+|jline-3[\w.-]*)\.jar)$")
REQUIRED = ("scala-compiler-", "scala-library-", "scala-reflect-", "jline-")


def cached_jars(folder: Path) -> list[Path] | None:
    """The jars in ``folder`` if its manifest says they are all there and whole."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        jars = [folder / name for name in manifest["jars"]]
        if all(j.stat().st_size == manifest["jars"][j.name] for j in jars):
            return jars
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def scala_version(jars: list[Path]) -> str:
    for jar in jars:
        m = re.fullmatch(r"scala-library-(2\.13\.\d+)\.jar", jar.name)
        if m:
            return m.group(1)
    return "2.13"


def _members(archive: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """``(jar name, content)`` of each Scala jar in the archive."""
    if zipfile.is_zipfile(archive):  # a wheel
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                m = _JAR.search(info.filename)
                if m and not info.is_dir():
                    with zf.open(info) as f:
                        yield m.group(1), f
        return
    with tarfile.open(archive, "r:*") as tf:  # an sdist: stream through it once
        for member in tf:
            m = _JAR.search(member.name)
            if m and member.isfile():
                extracted = tf.extractfile(member)
                if extracted is not None:
                    yield m.group(1), extracted


def extract_jars(archive: Path, dest: Path, stop: threading.Event) -> dict[str, int]:
    """Copy the Scala jars out of a pyspark wheel or sdist into ``dest``: ``{name: size}``."""
    dest.mkdir(parents=True, exist_ok=True)
    found: dict[str, int] = {}
    for jar, f in _members(archive):
        if stop.is_set():
            raise InstallFailed("cancelled")
        with open(dest / jar, "wb") as out:
            shutil.copyfileobj(f, out, 1 << 20)
        found[jar] = (dest / jar).stat().st_size
    return found


async def fetch_scala_jars(ctx: InstallContext, cache: Path, pyspark_version: str,
                           python: str) -> list[Path]:
    """The Scala 2.13 jars of ``pyspark==<version>``, from the cache or PyPI (then cached)."""
    folder = cache / f"pyspark-{pyspark_version}"
    jars = cached_jars(folder)
    if jars:
        ctx.log(f"Scala jars from the cache: {folder}\n")
        return jars
    download = ctx.work_dir / "pyspark"
    # --no-cache-dir: pip's cache would keep the whole release; only the jars are wanted.
    await ctx.run([python, "-m", "pip", "download", "--no-deps", "--no-cache-dir",
                   "--progress-bar", "off", "--dest", download, f"pyspark=={pyspark_version}"],
                  what=f"downloading pyspark=={pyspark_version} from PyPI", progress_to=45)
    archives = [p for p in download.iterdir() if p.is_file()]
    if len(archives) != 1:
        raise InstallFailed(f"pip download left {len(archives)} files in {download}")
    ctx.phase("extracting the Scala jars", 45)
    staging = ctx.work_dir / "jars"
    stop = threading.Event()
    work = asyncio.ensure_future(asyncio.to_thread(extract_jars, archives[0], staging, stop))
    try:
        found = await asyncio.shield(work)
    except asyncio.CancelledError:
        stop.set()  # let the thread finish before the scratch folder is removed
        await asyncio.gather(work, return_exceptions=True)
        raise
    missing = [r for r in REQUIRED if not any(n.startswith(r) for n in found)]
    if missing:
        raise InstallFailed(f"pyspark=={pyspark_version} has no Scala 2.13 jar(s) "
                            f"{', '.join(m + '*' for m in missing)}: choose another "
                            "c.ScalaKernelInstaller.pyspark_version")
    os.unlink(archives[0])
    (staging / "manifest.json").write_text(json.dumps({"jars": found}, indent=1), "utf-8")
    cache.mkdir(parents=True, exist_ok=True)
    landing = cache / f".{folder.name}-{uuid.uuid4().hex[:8]}"
    shutil.move(str(staging), landing)  # the scratch space may be on another file system
    if folder.exists() and cached_jars(folder) is None:
        shutil.rmtree(folder, ignore_errors=True)  # a damaged cache
    try:
        os.rename(landing, folder)
    except OSError:  # another install cached them meanwhile
        shutil.rmtree(landing, ignore_errors=True)
    ctx.log(f"cached {', '.join(sorted(found))} in {folder}\n")
    jars = cached_jars(folder)
    if not jars:
        raise InstallFailed(f"the Scala jar cache {folder} is damaged: delete it and retry")
    return jars
