"""Scalable targets and their target-tracking policies get their own table.

Application Auto Scaling registers a variant (MinCapacity, MaxCapacity, role, suspended
state, creation time) apart from its policy (name, configuration, creation time); the
JSON column ``mlstudio_endpoints.scaling`` held both in one object per variant. Its
entries move to ``mlstudio_scalable_targets`` and the column goes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SERVICE_ROLE = ("arn:aws:iam::000000000000:role/aws-service-role/sagemaker.application-"
                "autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_"
                "SageMakerEndpoint")
POLICY_NAME = "SageMakerEndpointInvocationScalingPolicy"

endpoints = sa.table("mlstudio_endpoints", sa.column("name", sa.String),
                     sa.column("scaling", sa.JSON))


def _targets_table() -> sa.Table:
    return op.create_table(
        "mlstudio_scalable_targets",
        sa.Column("endpoint_name", sa.String(length=63), primary_key=True),
        sa.Column("variant_name", sa.String(length=63), primary_key=True),
        sa.Column("min_capacity", sa.Integer(), nullable=False),
        sa.Column("max_capacity", sa.Integer(), nullable=False),
        sa.Column("role_arn", sa.String(length=1600), nullable=False),
        sa.Column("suspended", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("policy_name", sa.String(length=256), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=True),
        sa.Column("policy_created_at", sa.DateTime(timezone=True), nullable=True),
    )


def upgrade() -> None:
    targets = _targets_table()
    now = datetime.now(timezone.utc)
    rows = []
    for name, scaling in op.get_bind().execute(sa.select(endpoints.c.name,
                                                         endpoints.c.scaling)):
        for variant, flat in (scaling or {}).items():
            config = {"TargetValue": flat["TargetValue"],
                      "PredefinedMetricSpecification": {
                          "PredefinedMetricType": flat.get(
                              "PredefinedMetricType", "SageMakerVariantInvocationsPerInstance")}}
            config.update({k: flat[k] for k in ("ScaleInCooldown", "ScaleOutCooldown",
                                                "DisableScaleIn") if k in flat})
            rows.append({"endpoint_name": name, "variant_name": variant,
                         "min_capacity": flat["MinCapacity"],
                         "max_capacity": flat["MaxCapacity"], "role_arn": SERVICE_ROLE,
                         "suspended": {}, "created_at": now, "policy_name": POLICY_NAME,
                         "policy": config, "policy_created_at": now})
    if rows:
        op.bulk_insert(targets, rows)
    with op.batch_alter_table("mlstudio_endpoints") as batch:
        batch.drop_column("scaling")


def downgrade() -> None:
    with op.batch_alter_table("mlstudio_endpoints") as batch:
        batch.add_column(sa.Column("scaling", sa.JSON(), nullable=False,
                                   server_default="{}"))
    targets = sa.table("mlstudio_scalable_targets", sa.column("endpoint_name"),
                       sa.column("variant_name"), sa.column("min_capacity"),
                       sa.column("max_capacity"), sa.column("policy", sa.JSON))
    bind = op.get_bind()
    scaling: dict = {}
    for row in bind.execute(sa.select(targets)):
        if row.policy:
            config = row.policy
            scaling.setdefault(row.endpoint_name, {})[row.variant_name] = {
                "MinCapacity": row.min_capacity, "MaxCapacity": row.max_capacity,
                "TargetValue": config["TargetValue"],
                "ScaleInCooldown": config.get("ScaleInCooldown", 300),
                "ScaleOutCooldown": config.get("ScaleOutCooldown", 60),
                "DisableScaleIn": config.get("DisableScaleIn", False),
                "PredefinedMetricType": config["PredefinedMetricSpecification"][
                    "PredefinedMetricType"]}
    for name, value in scaling.items():
        bind.execute(endpoints.update().where(endpoints.c.name == name).values(scaling=value))
    op.drop_table("mlstudio_scalable_targets")
