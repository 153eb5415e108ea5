"""Training jobs are records of the job engine; their metric points belong to those records.

Each ``mlstudio_training_jobs`` row becomes the ``mlstudio_jobs`` row
``training:<name>`` (kind ``training``): its secondary status, transitions and metrics
offset go to ``progress``, its artifacts and final metrics to ``result``. Metric points
move to ``mlstudio_job_metrics``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_TRAINING = sa.table(
    "mlstudio_training_jobs",
    *(sa.column(n, sa.String) for n in ("name", "status", "secondary_status",
                                        "failure_reason", "backend", "model_artifacts")),
    *(sa.column(n, sa.JSON) for n in ("spec", "backend_state", "transitions",
                                      "final_metrics")),
    sa.column("metrics_offset", sa.Integer),
    *(sa.column(n, _TZ) for n in ("created_at", "started_at", "ended_at", "updated_at")),
)
_JOBS = sa.table(
    "mlstudio_jobs",
    *(sa.column(n, sa.String) for n in ("id", "kind", "name", "queue", "status", "message",
                                        "failure_reason", "backend")),
    *(sa.column(n, sa.JSON) for n in ("spec", "backend_state", "progress", "result")),
    *(sa.column(n, _TZ) for n in ("created_at", "started_at", "ended_at", "updated_at")),
)


def upgrade() -> None:
    with op.batch_alter_table("mlstudio_jobs") as batch:
        batch.alter_column("id", type_=sa.String(length=96),
                           existing_type=sa.String(length=32), existing_nullable=False)
    op.create_table(
        "mlstudio_job_metrics",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(length=96),
                  sa.ForeignKey("mlstudio_jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
    )
    op.create_index("ix_mlstudio_job_metrics_job_id", "mlstudio_job_metrics", ["job_id"])
    conn = op.get_bind()
    rows = [dict(r) for r in conn.execute(sa.select(_TRAINING)).mappings()]
    if rows:
        op.bulk_insert(_JOBS, [{
            "id": f"training:{r['name']}", "kind": "training", "name": r["name"],
            "queue": "training", "status": r["status"],
            "message": ((r["transitions"] or [{}])[-1]).get("StatusMessage", ""),
            "failure_reason": r["failure_reason"], "backend": r["backend"],
            "spec": r["spec"], "backend_state": r["backend_state"] or {},
            "progress": {"SecondaryStatus": r["secondary_status"],
                         "SecondaryStatusTransitions": r["transitions"] or [],
                         "MetricsOffset": r["metrics_offset"] or 0},
            "result": {"ModelArtifacts": r["model_artifacts"],
                       "FinalMetricDataList": r["final_metrics"] or []},
            "created_at": r["created_at"], "started_at": r["started_at"],
            "ended_at": r["ended_at"], "updated_at": r["updated_at"],
        } for r in rows])
    op.execute("INSERT INTO mlstudio_job_metrics (job_id, name, step, value, timestamp) "
               "SELECT 'training:' || job_name, name, step, value, timestamp "
               "FROM mlstudio_training_metrics")
    op.drop_table("mlstudio_training_metrics")
    op.drop_table("mlstudio_training_jobs")


def downgrade() -> None:
    op.create_table(
        "mlstudio_training_jobs",
        sa.Column("name", sa.String(length=63), primary_key=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("secondary_status", sa.String(length=32), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("backend_state", sa.JSON(), nullable=False),
        sa.Column("transitions", sa.JSON(), nullable=False),
        sa.Column("model_artifacts", sa.String(length=2048), nullable=True),
        sa.Column("final_metrics", sa.JSON(), nullable=False),
        sa.Column("metrics_offset", sa.Integer(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("started_at", _TZ, nullable=True),
        sa.Column("ended_at", _TZ, nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    op.create_index("ix_mlstudio_training_jobs_status", "mlstudio_training_jobs", ["status"])
    op.create_index("ix_mlstudio_training_jobs_created_at", "mlstudio_training_jobs",
                    ["created_at"])
    op.create_table(
        "mlstudio_training_metrics",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job_name", sa.String(length=63),
                  sa.ForeignKey("mlstudio_training_jobs.name", ondelete="CASCADE")),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
    )
    op.create_index("ix_mlstudio_training_metrics_job_name", "mlstudio_training_metrics",
                    ["job_name"])
    conn = op.get_bind()
    jobs = [dict(r) for r in conn.execute(
        sa.select(_JOBS).where(_JOBS.c.kind == "training")).mappings()]
    if jobs:
        op.bulk_insert(_TRAINING, [{
            "name": j["name"], "status": j["status"],
            "secondary_status": (j["progress"] or {}).get("SecondaryStatus", j["status"]),
            "failure_reason": j["failure_reason"], "spec": j["spec"],
            "backend": j["backend"], "backend_state": j["backend_state"] or {},
            "transitions": (j["progress"] or {}).get("SecondaryStatusTransitions", []),
            "model_artifacts": (j["result"] or {}).get("ModelArtifacts"),
            "final_metrics": (j["result"] or {}).get("FinalMetricDataList", []),
            "metrics_offset": (j["progress"] or {}).get("MetricsOffset", 0),
            "created_at": j["created_at"], "started_at": j["started_at"],
            "ended_at": j["ended_at"], "updated_at": j["updated_at"],
        } for j in jobs])
    op.execute("INSERT INTO mlstudio_training_metrics (job_name, name, step, value, timestamp) "
               "SELECT j.name, m.name, m.step, m.value, m.timestamp FROM mlstudio_job_metrics m "
               "JOIN mlstudio_jobs j ON j.id = m.job_id")
    op.drop_table("mlstudio_job_metrics")
    op.execute("DELETE FROM mlstudio_jobs WHERE kind = 'training'")
    with op.batch_alter_table("mlstudio_jobs") as batch:
        batch.alter_column("id", type_=sa.String(length=32),
                           existing_type=sa.String(length=96), existing_nullable=False)
