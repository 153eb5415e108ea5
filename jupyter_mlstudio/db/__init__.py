"""The extension's state store: SQLAlchemy models and alembic migrations."""
from .engine import Database, DatabaseError

__all__ = ["Database", "DatabaseError"]
