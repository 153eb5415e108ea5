"""Database engine, sessions and migrations."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .models import StateEntry

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: The newest revision in ``migrations/versions`` (a test keeps the two in step). Knowing it
#: lets a server at the newest schema start without importing alembic, which is slow.
SCHEMA_REVISION = "0009"
#: Where alembic keeps the schema revision: a name of our own, so that other libraries
#: keeping tables in the same database with alembic (Optuna's study storage) keep theirs.
VERSION_TABLE = "mlstudio_alembic_version"
_OLD_VERSION_TABLE = "alembic_version"


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def alembic_config(url: str) -> Any:
    """An alembic configuration for ``url`` using the migrations shipped in the package."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Database:
    """One database: an engine, a session factory, and the schema kept at the newest revision."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, future=True)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for status and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    def upgrade(self) -> None:
        """Bring the schema to the newest revision."""
        from alembic import command

        try:
            self._adopt_old_version_table()
            if self.current_revision() == SCHEMA_REVISION:
                return
            with self.engine.begin() as conn:
                cfg = alembic_config(self.url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except SQLAlchemyError as err:
            raise DatabaseError(f"cannot migrate {self.safe_url}: {err}") from err

    def current_revision(self) -> str | None:
        """The schema revision recorded in the database (None before the first migration)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()

    def _adopt_old_version_table(self) -> None:
        """Databases made by earlier versions keep our revision in alembic's default
        table; move it to ours, leaving that name to whoever else uses it."""
        with self.engine.begin() as conn:
            tables = inspect(conn)
            if tables.has_table(VERSION_TABLE) or not tables.has_table(_OLD_VERSION_TABLE):
                return
            revision = conn.execute(text(f"SELECT version_num FROM {_OLD_VERSION_TABLE}")
                                    ).scalar()
            if revision is None or not revision.isdigit():  # not one of ours
                return
            conn.execute(text(f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) "
                              f"NOT NULL, CONSTRAINT {VERSION_TABLE}_pkc "
                              "PRIMARY KEY (version_num))"))
            conn.execute(text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:r)"),
                         {"r": revision})
            conn.execute(text(f"DROP TABLE {_OLD_VERSION_TABLE}"))

    def head_revision(self) -> str | None:
        """The newest revision among the shipped migrations."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self._sessions() as session:
            with session.begin():
                yield session

    def get_state(self, key: str, default: Any = None) -> Any:
        with self.session() as s:
            entry = s.get(StateEntry, key)
            return default if entry is None else entry.value

    def set_state(self, key: str, value: Any) -> None:
        with self.session() as s:
            entry = s.get(StateEntry, key)
            if entry is None:
                s.add(StateEntry(key=key, value=value))
            else:
                entry.value = value

    def check(self) -> tuple[bool, str, str | None]:
        """A cheap health probe: (healthy, message, schema revision)."""
        try:
            with self.session() as s:
                s.execute(select(StateEntry.key).limit(1)).all()
            current = self.current_revision()
        except SQLAlchemyError as err:
            return False, f"database error: {err.__class__.__name__}", None
        if current != SCHEMA_REVISION:
            return False, f"schema at revision {current}, expected {SCHEMA_REVISION}", current
        return True, "ok", current

    def dispose(self) -> None:
        self.engine.dispose()
