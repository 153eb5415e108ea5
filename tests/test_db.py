"""The state database and its migrations."""
from __future__ import annotations

import json
import sqlite3

import pytest

from jupyter_mlstudio.db import Database
from jupyter_mlstudio.db.engine import SCHEMA_REVISION


def test_schema_revision_is_the_newest_migration(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    assert db.head_revision() == SCHEMA_REVISION
    db.dispose()


def test_upgrade_creates_schema_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'state.db'}"
    db = Database(url)
    db.upgrade()
    db.upgrade()
    assert db.current_revision() == db.head_revision() == SCHEMA_REVISION
    ok, message, revision = db.check()
    assert ok and message == "ok" and revision == SCHEMA_REVISION
    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "sub" / "state.db").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {"mlstudio_state", "alembic_version"} <= tables
    db.dispose()


def test_state_round_trip_survives_reopen(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    db = Database(url)
    db.upgrade()
    db.set_state("backend/local", {"pids": [1, 2]})
    db.set_state("backend/local", {"pids": [3]})
    db.dispose()
    again = Database(url)
    assert again.get_state("backend/local") == {"pids": [3]}
    assert again.get_state("missing", "default") == "default"
    again.dispose()


def test_check_reports_an_unmigrated_database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'state.db'}")
    ok, message, _ = db.check()
    assert not ok and "database error" in message
    db.dispose()


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "MLStudioApp": {"db_url": f"sqlite:///{tmp_path / 'custom' / 'my.db'}"},
    }


async def test_db_url_trait_is_used(jp_fetch, jp_serverapp, tmp_path):
    resp = await jp_fetch("mlstudio", "api", "status")
    body = json.loads(resp.body)
    assert body["database"]["url"].endswith("custom/my.db")
    assert body["database"]["healthy"]
    assert (tmp_path / "custom" / "my.db").exists()
