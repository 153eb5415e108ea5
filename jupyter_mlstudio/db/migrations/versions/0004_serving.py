"""Models, endpoint configs, endpoints, their scaling activities and metrics; transform jobs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    for table in ("mlstudio_models", "mlstudio_endpoint_configs"):
        op.create_table(
            table,
            sa.Column("name", sa.String(length=63), primary_key=True),
            sa.Column("spec", sa.JSON(), nullable=False),
            _stamp("created_at"),
        )
        op.create_index(f"ix_{table}_created_at", table, ["created_at"])
    op.create_table(
        "mlstudio_endpoints",
        sa.Column("name", sa.String(length=63), primary_key=True),
        sa.Column("config_name", sa.String(length=63), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("scaling", sa.JSON(), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
    )
    op.create_index("ix_mlstudio_endpoints_status", "mlstudio_endpoints", ["status"])
    op.create_index("ix_mlstudio_endpoints_created_at", "mlstudio_endpoints", ["created_at"])
    op.create_table(
        "mlstudio_scaling_activities",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("endpoint_name", sa.String(length=63), nullable=False),
        sa.Column("variant_name", sa.String(length=63), nullable=False),
        sa.Column("from_count", sa.Integer(), nullable=False),
        sa.Column("to_count", sa.Integer(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _stamp("started_at"),
        _stamp("ended_at", nullable=True),
    )
    op.create_index("ix_mlstudio_scaling_activities_endpoint_name",
                    "mlstudio_scaling_activities", ["endpoint_name"])
    op.create_table(
        "mlstudio_endpoint_metrics",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("endpoint_name", sa.String(length=63), nullable=False),
        sa.Column("variant_name", sa.String(length=63), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("period", sa.Float(), nullable=False),
        sa.Column("invocations", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("model_latency_us", sa.Float(), nullable=False),
        sa.Column("overhead_latency_us", sa.Float(), nullable=False),
        sa.Column("instances", sa.Integer(), nullable=False),
    )
    op.create_index("ix_mlstudio_endpoint_metrics_endpoint_name",
                    "mlstudio_endpoint_metrics", ["endpoint_name"])
    op.create_table(
        "mlstudio_transform_jobs",
        sa.Column("name", sa.String(length=63), primary_key=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        _stamp("created_at"),
        _stamp("started_at", nullable=True),
        _stamp("ended_at", nullable=True),
    )
    op.create_index("ix_mlstudio_transform_jobs_status", "mlstudio_transform_jobs", ["status"])
    op.create_index("ix_mlstudio_transform_jobs_created_at", "mlstudio_transform_jobs",
                    ["created_at"])


def downgrade() -> None:
    for table in ("mlstudio_transform_jobs", "mlstudio_endpoint_metrics",
                  "mlstudio_scaling_activities", "mlstudio_endpoints",
                  "mlstudio_endpoint_configs", "mlstudio_models"):
        op.drop_table(table)
