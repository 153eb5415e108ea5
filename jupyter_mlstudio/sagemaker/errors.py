"""Errors every SageMaker resource shares, named and coded as SageMaker names them."""
from __future__ import annotations

from ..errors import MLStudioError


class ValidationError(MLStudioError):
    """The request is malformed (SageMaker's ValidationException)."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message, "ValidationException")


class ResourceInUse(MLStudioError):
    def __init__(self, message: str) -> None:
        super().__init__(409, message, "ResourceInUse")


class ResourceNotFound(MLStudioError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message, "ResourceNotFound")
