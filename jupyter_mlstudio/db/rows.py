"""Rows looked up by name, as the API reports a missing one."""
from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from ..sagemaker.errors import ResourceNotFound

Row = TypeVar("Row")


def require(session: Session, model: type[Row], name: str, message: str) -> Row:
    """The ``model`` row named ``name``, or ResourceNotFound with ``message``."""
    row = session.get(model, name)
    if row is None:
        raise ResourceNotFound(message)
    return row
