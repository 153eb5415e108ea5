"""Training jobs and their metric time series.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
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


def downgrade() -> None:
    op.drop_table("mlstudio_training_metrics")
    op.drop_table("mlstudio_training_jobs")
