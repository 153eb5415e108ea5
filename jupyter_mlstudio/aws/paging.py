"""Pages of a list the wire API builds in memory (log streams, scalable targets, policies).

The token names the sort key of the last item of the page, so a page that follows an
insertion or a removal neither repeats nor skips an item it had not reached.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Callable, Sequence, TypeVar

Item = TypeVar("Item")


class InvalidToken(ValueError):
    """A token this server did not make."""


def encode_token(value: Any) -> str:
    """An opaque token holding the JSON ``value``."""
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def decode_token(token: str) -> Any:
    """What :func:`encode_token` held; InvalidToken if ``token`` is not one."""
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise InvalidToken(token) from None


def page(items: Sequence[Item], key: Callable[[Item], list], limit: int,
         token: str | None, descending: bool = False) -> tuple[list[Item], str | None]:
    """The page of ``items`` (sorted by ``key``, a JSON list unique per item, the other
    way round if ``descending``) after ``token``, and the next page's token if any."""
    start = 0
    if token:
        after = decode_token(token)
        if not isinstance(after, list):
            raise InvalidToken(token)
        try:
            while start < len(items) and (key(items[start]) >= after if descending
                                          else key(items[start]) <= after):
                start += 1
        except TypeError:
            raise InvalidToken(token) from None
    chunk = list(items[start:start + limit])
    more = start + limit < len(items)
    return chunk, (encode_token(key(chunk[-1])) if more and chunk else None)
