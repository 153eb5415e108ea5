"""Tags of SageMaker resources (AddTags, ListTags, DeleteTags and a Create*'s ``Tags``).

Tags live in one table keyed by the resource's ARN, for every kind of resource. A
resource created again under the same name starts with the tags of its Create request,
not those of the one deleted before it.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import delete, func, select

from ..db import Database
from ..db.models import Endpoint, EndpointConfig, Job, ResourceTag, ServingModel
from .arns import parse_arn
from .errors import ValidationError
from .paging import page

MAX_TAGS = 50
#: the table of each kind of resource, and what picks that kind's rows out of it
_TABLES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "training-job": (Job, (Job.kind == "training",)), "model": (ServingModel, ()),
    "endpoint-config": (EndpointConfig, ()), "endpoint": (Endpoint, ()),
    "transform-job": (Job, (Job.kind == "transform",)),
    "hyper-parameter-tuning-job": (Job, (Job.kind == "tuning",))}


def check_tags(tags: Iterable[dict[str, str]]) -> None:
    """ValidationError for tags no one may set (keys starting with ``aws:``)."""
    if any(t["Key"].lower().startswith("aws:") for t in tags):
        raise ValidationError("Tag keys starting with 'aws:' are reserved for AWS use.")


class TagStore:
    """Reads and writes resource tags; ValidationError for what SageMaker refuses."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _require(self, session: Any, resource_arn: str) -> None:
        parsed = parse_arn(resource_arn)
        found_table = _TABLES.get(parsed[0]) if parsed else None
        if found_table is None or parsed is None:
            raise ValidationError(f"Resource ARN {resource_arn!r} is not the ARN of a "
                                  "training job, tuning job, model, endpoint configuration, "
                                  "endpoint or transform job.")
        table, where = found_table
        found = session.scalar(select(func.count()).select_from(table)
                               .where(func.lower(table.__table__.c.name) == parsed[1], *where))
        if not found:
            raise ValidationError(f"Resource {resource_arn} not found.")

    def add(self, resource_arn: str, tags: Iterable[dict[str, str]],
            replace: bool = False) -> None:
        """Add (or overwrite) ``tags``; with ``replace``, they become the only tags."""
        tags = list(tags)
        check_tags(tags)
        with self.db.session() as session:
            self._require(session, resource_arn)
            if replace:
                session.execute(delete(ResourceTag).where(ResourceTag.arn == resource_arn))
                session.flush()
            existing = {row.key: row for row in session.scalars(
                select(ResourceTag).where(ResourceTag.arn == resource_arn))}
            for tag in tags:
                row = existing.get(tag["Key"])
                if row is None:
                    row = existing[tag["Key"]] = ResourceTag(arn=resource_arn, key=tag["Key"],
                                                             value=tag.get("Value", ""))
                    session.add(row)
                row.value = tag.get("Value", "")
            if len(existing) > MAX_TAGS:
                raise ValidationError(f"A resource can have at most {MAX_TAGS} tags; this "
                                      f"request would give it {len(existing)}.")

    def list(self, resource_arn: str, next_token: str = "",
             max_results: int = 50) -> dict[str, Any]:
        """``ListTags``'s reply."""
        with self.db.session() as session:
            self._require(session, resource_arn)
            query = select(ResourceTag).where(ResourceTag.arn == resource_arn)
            rows, token = page(session, query, ResourceTag.key, next_token, max_results)
            return {"Tags": [{"Key": r.key, "Value": r.value} for r in rows],
                    "NextToken": token}

    def delete(self, resource_arn: str, keys: Iterable[str]) -> None:
        """Remove the tags named by ``keys`` (absent keys are no error, as on SageMaker)."""
        with self.db.session() as session:
            self._require(session, resource_arn)
            session.execute(delete(ResourceTag).where(ResourceTag.arn == resource_arn,
                                                      ResourceTag.key.in_(list(keys))))
