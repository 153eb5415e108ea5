"""Errors of the gallery area."""
from __future__ import annotations

from ..errors import MLStudioError


class GalleryError(MLStudioError):
    """A gallery request failed; ``status`` is the HTTP status the API answers with."""
