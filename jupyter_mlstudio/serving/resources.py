"""Models and endpoint configurations: stored specs, described in SageMaker's shapes."""
from __future__ import annotations

from typing import Any

from ..db import Database
from ..db.models import EndpointConfig, ServingModel
from ..sagemaker.paging import ListFilter, list_page
from ..sagemaker.arns import arn
from ..sagemaker.errors import ResourceInUse, ValidationError
from ..sagemaker.rows import require
from ..sagemaker.times import iso
from .specs import validate_endpoint_config, validate_model


class Resources:
    """``CreateModel`` / ``CreateEndpointConfig`` and their Describe, List and Delete."""

    def __init__(self, db: Database, region: str, max_instances: int) -> None:
        self.db = db
        self.region = region
        self.max_instances = max_instances

    # -- models -----------------------------------------------------------------------
    def create_model(self, body: dict[str, Any]) -> dict[str, Any]:
        spec = validate_model(body)
        with self.db.session() as s:
            if s.get(ServingModel, spec["ModelName"]) is not None:
                raise ResourceInUse(f"a model named {spec['ModelName']!r} already exists")
            s.add(ServingModel(name=spec["ModelName"], spec=spec))
        return {"ModelArn": arn(self.region, "model", spec["ModelName"])}

    def model(self, name: str) -> ServingModel:
        with self.db.session() as s:
            return require(s, ServingModel, name, f"no model named {name!r}")

    def describe_model(self, name: str) -> dict[str, Any]:
        row = self.model(name)
        return {**row.spec, "ModelArn": arn(self.region, "model", name),
                "CreationTime": iso(row.created_at)}

    def list_models(self, filters: ListFilter) -> dict[str, Any]:
        with self.db.session() as s:
            rows, token = list_page(s, ServingModel, filters)
        return {"Models": [{"ModelName": r.name, "ModelArn": arn(self.region, "model", r.name),
                            "CreationTime": iso(r.created_at)} for r in rows],
                "NextToken": token}

    def delete_model(self, name: str) -> None:
        with self.db.session() as s:
            s.delete(require(s, ServingModel, name, f"no model named {name!r}"))

    # -- endpoint configs ---------------------------------------------------------------
    def create_endpoint_config(self, body: dict[str, Any]) -> dict[str, Any]:
        spec = validate_endpoint_config(body, self.max_instances)
        with self.db.session() as s:
            for variant in spec["ProductionVariants"]:
                if s.get(ServingModel, variant["ModelName"]) is None:
                    raise ValidationError(f"variant {variant['VariantName']}: no model named "
                                          f"{variant['ModelName']!r}")
            if s.get(EndpointConfig, spec["EndpointConfigName"]) is not None:
                raise ResourceInUse(f"an endpoint configuration named "
                                    f"{spec['EndpointConfigName']!r} already exists")
            s.add(EndpointConfig(name=spec["EndpointConfigName"], spec=spec))
        return {"EndpointConfigArn": arn(self.region, "endpoint-config",
                                         spec["EndpointConfigName"])}

    def endpoint_config(self, name: str) -> EndpointConfig:
        with self.db.session() as s:
            return require(s, EndpointConfig, name, f"no endpoint configuration named {name!r}")

    def describe_endpoint_config(self, name: str) -> dict[str, Any]:
        row = self.endpoint_config(name)
        return {**row.spec, "EndpointConfigArn": arn(self.region, "endpoint-config", name),
                "CreationTime": iso(row.created_at)}

    def list_endpoint_configs(self, filters: ListFilter) -> dict[str, Any]:
        with self.db.session() as s:
            rows, token = list_page(s, EndpointConfig, filters)
        return {"EndpointConfigs": [
            {"EndpointConfigName": r.name,
             "EndpointConfigArn": arn(self.region, "endpoint-config", r.name),
             "CreationTime": iso(r.created_at)} for r in rows], "NextToken": token}

    def delete_endpoint_config(self, name: str) -> None:
        with self.db.session() as s:
            s.delete(require(s, EndpointConfig, name, f"no endpoint configuration named {name!r}"))
