"""The state database and its migrations."""
from __future__ import annotations

import json
import sqlite3

import pytest

from jupyter_mlstudio.db import Database
from jupyter_mlstudio.db.engine import SCHEMA_REVISION


def migrate(db: Database, action, revision: str) -> None:
    """Run alembic's ``action`` (upgrade / downgrade) on ``db`` to ``revision``."""
    from jupyter_mlstudio.db.engine import alembic_config

    with db.engine.begin() as conn:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        action(cfg, revision)


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
    assert {"mlstudio_state", "mlstudio_alembic_version"} <= tables
    db.dispose()


def test_a_database_of_an_earlier_version_keeps_its_revision_in_our_own_table(tmp_path):
    """Earlier versions kept the revision in alembic's default table, which Optuna's study
    storage in the same database needs for itself."""
    path = tmp_path / "state.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    with sqlite3.connect(path) as conn:  # as an earlier version left it
        conn.execute("ALTER TABLE mlstudio_alembic_version RENAME TO alembic_version")
    db.upgrade()
    assert db.current_revision() == SCHEMA_REVISION
    tables = {r[0] for r in sqlite3.connect(path).execute(
        "select name from sqlite_master where type='table'")}
    assert "alembic_version" not in tables

    import optuna  # its storage in the same database, beside ours
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(db.url)
    optuna.create_study(storage=storage, study_name="s").optimize(
        lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    storage.engine.dispose()
    db.upgrade()
    assert db.check()[0]
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


def test_scaling_policies_move_to_their_own_table_and_back(tmp_path):
    """Revision 0006: each variant's scaling object becomes a scalable target with its
    policy; downgrading puts the objects back."""
    from alembic import command

    from jupyter_mlstudio.db.models import ScalableTarget

    url = f"sqlite:///{tmp_path / 'state.db'}"
    db = Database(url)
    policy = {"MinCapacity": 1, "MaxCapacity": 3, "TargetValue": 600.0, "ScaleInCooldown": 4,
              "ScaleOutCooldown": 0, "DisableScaleIn": False,
              "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}

    migrate(db, command.upgrade, "0005")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "insert into mlstudio_endpoints (name, config_name, status, variants, scaling, "
            "created_at, updated_at) values ('ep', 'cfg', 'InService', '[]', ?, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')", (json.dumps({"main": policy}),))
    db.upgrade()
    with db.session() as s:
        [target] = s.query(ScalableTarget).all()
    assert (target.endpoint_name, target.variant_name) == ("ep", "main")
    assert (target.min_capacity, target.max_capacity) == (1, 3)
    assert target.policy_name == "SageMakerEndpointInvocationScalingPolicy"
    assert target.policy == {"TargetValue": 600.0, "ScaleInCooldown": 4, "ScaleOutCooldown": 0,
                             "DisableScaleIn": False, "PredefinedMetricSpecification": {
                                 "PredefinedMetricType":
                                     "SageMakerVariantInvocationsPerInstance"}}
    migrate(db, command.downgrade, "0005")
    with db.engine.connect() as conn:
        scaling = conn.exec_driver_sql("select scaling from mlstudio_endpoints").scalar()
    assert json.loads(scaling) == {"main": policy}
    db.dispose()


def test_training_jobs_become_engine_records_and_back(tmp_path):
    """Revision 0008: each training job becomes a job of the engine (``training:<name>``)
    with its transitions, artifacts and metric points; downgrading restores the tables."""
    from alembic import command

    from jupyter_mlstudio.db.models import Job, JobMetric

    url = f"sqlite:///{tmp_path / 'state.db'}"
    db = Database(url)

    transitions = [{"Status": "Starting", "StartTime": "2026-01-01T00:00:00+00:00",
                    "StatusMessage": "Preparing the instances for training"},
                   {"Status": "Completed", "StartTime": "2026-01-01T00:01:00+00:00",
                    "StatusMessage": "Training job completed"}]
    final = [{"MetricName": "loss", "Value": 0.5, "Timestamp": "2026-01-01T00:01:00+00:00"}]
    migrate(db, command.upgrade, "0007")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "insert into mlstudio_training_jobs (name, status, secondary_status, spec, backend, "
            "backend_state, transitions, model_artifacts, final_metrics, metrics_offset, "
            "created_at, started_at, ended_at, updated_at) values ('job-1', 'Completed', "
            "'Completed', ?, 'local', ?, ?, 's3://b/out/model.tar.gz', ?, 42, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:01', '2026-01-01 00:01:00', "
            "'2026-01-01 00:01:00')",
            (json.dumps({"TrainingJobName": "job-1"}), json.dumps({"pid": 7}),
             json.dumps(transitions), json.dumps(final)))
        conn.exec_driver_sql(
            "insert into mlstudio_training_metrics (job_name, name, step, value, timestamp) "
            "values ('job-1', 'loss', 3, 0.5, 1767225660.0)")
    db.upgrade()
    with db.session() as s:
        job = s.get(Job, "training:job-1")
        [metric] = s.query(JobMetric).all()
    assert (job.kind, job.name, job.status, job.backend) == ("training", "job-1", "Completed",
                                                             "local")
    assert job.spec == {"TrainingJobName": "job-1"} and job.backend_state == {"pid": 7}
    assert job.progress == {"SecondaryStatus": "Completed", "MetricsOffset": 42,
                            "SecondaryStatusTransitions": transitions}
    assert job.result == {"ModelArtifacts": "s3://b/out/model.tar.gz",
                          "FinalMetricDataList": final}
    assert job.message == "Training job completed" and job.started_at is not None
    assert (metric.job_id, metric.name, metric.step, metric.value) == (
        "training:job-1", "loss", 3, 0.5)
    migrate(db, command.downgrade, "0007")
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "select name, secondary_status, transitions, model_artifacts, metrics_offset "
            "from mlstudio_training_jobs").one()
        point = conn.exec_driver_sql(
            "select job_name, name, step from mlstudio_training_metrics").one()
        left = conn.exec_driver_sql("select count(*) from mlstudio_jobs").scalar()
    assert (row[0], row[1], json.loads(row[2]), row[3], row[4]) == (
        "job-1", "Completed", transitions, "s3://b/out/model.tar.gz", 42)
    assert tuple(point) == ("job-1", "loss", 3) and left == 0
    db.dispose()


def test_transform_jobs_become_engine_records_and_back(tmp_path):
    """Revision 0009: each transform job becomes a job of the engine (``transform:<name>``)."""
    from alembic import command

    from jupyter_mlstudio.db.models import Job

    url = f"sqlite:///{tmp_path / 'state.db'}"
    db = Database(url)

    migrate(db, command.upgrade, "0008")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "insert into mlstudio_transform_jobs (name, status, failure_reason, spec, progress, "
            "created_at, started_at, ended_at) values ('t-1', 'Failed', 'no model', ?, ?, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:01', '2026-01-01 00:01:00')",
            (json.dumps({"TransformJobName": "t-1"}), json.dumps({"files_done": 2})))
    db.upgrade()
    with db.session() as s:
        job = s.get(Job, "transform:t-1")
    assert (job.kind, job.name, job.status, job.failure_reason) == (
        "transform", "t-1", "Failed", "no model")
    assert job.spec == {"TransformJobName": "t-1"} and job.progress == {"files_done": 2}
    migrate(db, command.downgrade, "0008")
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "select name, status, failure_reason, progress from mlstudio_transform_jobs").one()
        left = conn.exec_driver_sql("select count(*) from mlstudio_jobs").scalar()
    assert (row[0], row[1], row[2]) == ("t-1", "Failed", "no model")
    assert json.loads(row[3]) == {"files_done": 2}
    assert left == 0
    db.dispose()
