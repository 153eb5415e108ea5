"""Transform jobs are records of the job engine.

Each ``mlstudio_transform_jobs`` row becomes the ``mlstudio_jobs`` row
``transform:<name>`` (kind ``transform``) with the same status, spec and progress.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_TIMES = ("created_at", "started_at", "ended_at")
_TRANSFORM = sa.table(
    "mlstudio_transform_jobs",
    *(sa.column(n, sa.String) for n in ("name", "status", "failure_reason")),
    *(sa.column(n, sa.JSON) for n in ("spec", "progress")),
    *(sa.column(n, _TZ) for n in _TIMES),
)
_JOBS = sa.table(
    "mlstudio_jobs",
    *(sa.column(n, sa.String) for n in ("id", "kind", "name", "queue", "status", "message",
                                        "failure_reason", "backend")),
    *(sa.column(n, sa.JSON) for n in ("spec", "backend_state", "progress", "result")),
    *(sa.column(n, _TZ) for n in (*_TIMES, "updated_at")),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = [dict(r) for r in conn.execute(sa.select(_TRANSFORM)).mappings()]
    if rows:
        op.bulk_insert(_JOBS, [{
            "id": f"transform:{r['name']}", "kind": "transform", "name": r["name"],
            "queue": "transform", "status": r["status"], "message": "",
            "failure_reason": r["failure_reason"], "backend": "in-process",
            "spec": r["spec"], "backend_state": {}, "progress": r["progress"] or {},
            "result": {}, **{t: r[t] for t in _TIMES},
            "updated_at": r["ended_at"] or r["started_at"] or r["created_at"],
        } for r in rows])
    op.drop_table("mlstudio_transform_jobs")


def downgrade() -> None:
    op.create_table(
        "mlstudio_transform_jobs",
        sa.Column("name", sa.String(length=63), primary_key=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("started_at", _TZ, nullable=True),
        sa.Column("ended_at", _TZ, nullable=True),
    )
    op.create_index("ix_mlstudio_transform_jobs_status", "mlstudio_transform_jobs", ["status"])
    op.create_index("ix_mlstudio_transform_jobs_created_at", "mlstudio_transform_jobs",
                    ["created_at"])
    conn = op.get_bind()
    jobs = [dict(r) for r in conn.execute(
        sa.select(_JOBS).where(_JOBS.c.kind == "transform")).mappings()]
    if jobs:
        op.bulk_insert(_TRANSFORM, [{
            "name": j["name"], "status": j["status"], "failure_reason": j["failure_reason"],
            "spec": j["spec"], "progress": j["progress"] or {}, **{t: j[t] for t in _TIMES},
        } for j in jobs])
    op.execute("DELETE FROM mlstudio_jobs WHERE kind = 'transform'")
