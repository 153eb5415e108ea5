"""ORM models. Every change here comes with an alembic revision in ``migrations/versions``."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Base class of every table of the extension."""


class StateEntry(Base):
    """Small named JSON documents the server keeps across restarts (backend state, settings)."""

    __tablename__ = "mlstudio_state"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )


class ExampleValidation(Base):
    """The last validation run of one example notebook."""

    __tablename__ = "mlstudio_example_validations"

    example_id: Mapped[str] = mapped_column(String(1024), primary_key=True)
    mtime: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    duration: Mapped[float] = mapped_column(Float, nullable=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    validated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )


class ServingModel(Base):
    """A model (``CreateModel``): where its artifacts are and how its container runs."""

    __tablename__ = "mlstudio_models"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    spec: Mapped[Any] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False, index=True)


class EndpointConfig(Base):
    """An endpoint configuration (``CreateEndpointConfig``): its production variants."""

    __tablename__ = "mlstudio_endpoint_configs"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    spec: Mapped[Any] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False, index=True)


class Endpoint(Base):
    """An endpoint: its configuration, status and each variant's weight and capacity."""

    __tablename__ = "mlstudio_endpoints"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    config_name: Mapped[str] = mapped_column(String(63), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: [{VariantName, ModelName, CurrentWeight, DesiredWeight, CurrentInstanceCount,
    #:   DesiredInstanceCount}] as DescribeEndpoint reports them.
    variants: Mapped[Any] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow, nullable=False)


class ScalableTarget(Base):
    """A variant registered for auto-scaling (Application Auto Scaling's scalable target)
    and its target-tracking policy, if it has one."""

    __tablename__ = "mlstudio_scalable_targets"

    endpoint_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    variant_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    min_capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    max_capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    role_arn: Mapped[str] = mapped_column(String(1600), nullable=False)
    #: SuspendedState: {DynamicScalingInSuspended, DynamicScalingOutSuspended, ...}
    suspended: Mapped[Any] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False)
    policy_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    #: TargetTrackingScalingPolicyConfiguration, as PutScalingPolicy set it
    policy: Mapped[Any] = mapped_column(JSON, nullable=True)
    policy_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                               nullable=True)


class ScalingActivity(Base):
    """One change of a variant's instance count, by auto-scaling or by a user."""

    __tablename__ = "mlstudio_scaling_activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_name: Mapped[str] = mapped_column(String(63), nullable=False, index=True)
    variant_name: Mapped[str] = mapped_column(String(63), nullable=False)
    from_count: Mapped[int] = mapped_column(Integer, nullable=False)
    to_count: Mapped[int] = mapped_column(Integer, nullable=False)
    cause: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EndpointMetric(Base):
    """Traffic of one variant over one metrics period."""

    __tablename__ = "mlstudio_endpoint_metrics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_name: Mapped[str] = mapped_column(String(63), nullable=False, index=True)
    variant_name: Mapped[str] = mapped_column(String(63), nullable=False)
    timestamp: Mapped[float] = mapped_column(Float, nullable=False)
    period: Mapped[float] = mapped_column(Float, nullable=False)
    invocations: Mapped[int] = mapped_column(Integer, nullable=False)
    errors: Mapped[int] = mapped_column(Integer, nullable=False)
    model_latency_us: Mapped[float] = mapped_column(Float, nullable=False)
    overhead_latency_us: Mapped[float] = mapped_column(Float, nullable=False)
    instances: Mapped[int] = mapped_column(Integer, nullable=False)


class ResourceTag(Base):
    """One tag of a SageMaker resource, by the resource's ARN (AddTags, ListTags)."""

    __tablename__ = "mlstudio_tags"

    arn: Mapped[str] = mapped_column(String(256), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256), nullable=False)


class Job(Base):
    """One run of long work the job engine keeps: a training or transform job, a kernel
    install, an example validation. SageMaker resources have the id ``<kind>:<name>``.

    ``spec`` is what was asked (JSON, enough to start the job after a restart);
    ``backend_state`` what its backend needs to find it again; ``progress`` what it
    reports while it runs; ``result`` what it leaves when it ends.
    """

    __tablename__ = "mlstudio_jobs"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    queue: Mapped[str] = mapped_column(String(128), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    spec: Mapped[Any] = mapped_column(JSON, nullable=False)
    backend: Mapped[str] = mapped_column(String(64), nullable=False)
    backend_state: Mapped[Any] = mapped_column(JSON, nullable=False, default=dict)
    progress: Mapped[Any] = mapped_column(JSON, nullable=False, default=dict)
    result: Mapped[Any] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow, nullable=False)


class JobMetric(Base):
    """One point of a job's metric time series (a training job's, parsed from its log)."""

    __tablename__ = "mlstudio_job_metrics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(
        String(96), ForeignKey("mlstudio_jobs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    step: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    timestamp: Mapped[float] = mapped_column(Float, nullable=False)
