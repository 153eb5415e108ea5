"""What the gallery shows of a notebook: from its metadata, else its first markdown cell."""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MARKUP = re.compile(r"[*_`>\[\]]|\(http[^)]*\)")


@dataclass
class ExampleMeta:
    """Title, summary and the rest, or ``error`` for a notebook that cannot be read."""

    title: str = ""
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    kernel: str = ""
    language: str = ""
    author: str = ""
    packages: list[str] = field(default_factory=list)
    validate: bool = True
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _from_markdown(cells: list[dict[str, Any]]) -> tuple[str, str]:
    """Title (first heading) and summary (first paragraph after it) of the first markdown cell."""
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        text = _text(cell.get("source"))
        heading = _HEADING.search(text)
        title = heading.group(1).strip() if heading else ""
        rest = text[heading.end():] if heading else text
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", rest) if p.strip()]
        summary = next((p for p in paragraphs if not p.startswith("#")), "")
        summary = " ".join(_MARKUP.sub("", summary).split())
        return title, summary[:300]
    return "", ""


def read_meta(data: bytes, fallback_title: str) -> ExampleMeta:
    """Parse notebook bytes into :class:`ExampleMeta`; a corrupt notebook gets ``error``."""
    try:
        nb = json.loads(data)
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("not a notebook (no cells)")
    except (ValueError, UnicodeDecodeError) as err:
        return ExampleMeta(title=fallback_title, error=f"invalid notebook: {err}"[:300])
    meta = _dict(nb.get("metadata"))
    ours = _dict(meta.get("mlstudio"))
    md_title, md_summary = _from_markdown(nb["cells"])
    kernelspec = _dict(meta.get("kernelspec"))
    language = (meta.get("language_info") or {}).get("name") or kernelspec.get("language", "")
    authors = meta.get("authors")
    author = ours.get("author") or (
        ", ".join(a.get("name", "") for a in authors if isinstance(a, dict))
        if isinstance(authors, list) else ""
    )
    return ExampleMeta(
        title=str(ours.get("title") or meta.get("title") or md_title or fallback_title),
        summary=str(ours.get("summary") or md_summary),
        tags=_str_list(ours.get("tags")),
        kernel=str(kernelspec.get("name", "")),
        language=str(language),
        author=str(author),
        packages=_str_list(ours.get("packages")),
        validate=bool(ours.get("validate", True)),
    )
