"""Alembic environment: runs against the connection the application hands over."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from jupyter_mlstudio.db.engine import VERSION_TABLE
from jupyter_mlstudio.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line: open our own connection
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("no sqlalchemy.url in the alembic configuration")
        engine = create_engine(url)
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        version_table=VERSION_TABLE,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations()
