"""Tags of SageMaker resources, by ARN.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mlstudio_tags",
        sa.Column("arn", sa.String(length=256), primary_key=True),
        sa.Column("key", sa.String(length=128), primary_key=True),
        sa.Column("value", sa.String(length=256), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mlstudio_tags")
