"""Rows looked up by name, as the API reports a missing one."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import ResourceNotFound

Row = TypeVar("Row")


def require(session: Session, model: type[Row], name: str, message: str) -> Row:
    """The ``model`` row named ``name``, or ResourceNotFound with ``message``."""
    row = session.get(model, name)
    if row is None:
        raise ResourceNotFound(message)
    return row


def named(model: Any, name: str, exact: bool = False, *where: Any) -> Any:
    """A query of the ``model`` rows named ``name`` (or, unless ``exact``, whose name
    starts with it) and matching the ``where`` clauses, in name order."""
    column = model.name
    return select(model).where(column == name if exact else
                               column.startswith(name, autoescape=True),
                               *where).order_by(column)
