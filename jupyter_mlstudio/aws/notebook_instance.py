"""This Jupyter server, described as the SageMaker notebook instance it stands in for.

``DescribeNotebookInstance`` / ``ListNotebookInstances`` answer for the server itself:
its name and execution role come from configuration, its URL and start time from the
running server. The SageMaker SDK's ``get_execution_role()`` reads ``RoleArn`` here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from ..sagemaker.errors import ValidationError
from ..times import iso


@dataclass(frozen=True)
class NotebookInstance:
    """What the server reports about itself."""

    name: str
    role_arn: str
    url: str
    region: str
    started: datetime

    @property
    def arn(self) -> str:
        return f"arn:aws:sagemaker:{self.region}:000000000000:notebook-instance/" \
               f"{self.name.lower()}"

    def summary(self) -> dict[str, Any]:
        """The ``NotebookInstanceSummary`` shape."""
        parts = urlsplit(self.url)
        return {
            "NotebookInstanceName": self.name,
            "NotebookInstanceArn": self.arn,
            "NotebookInstanceStatus": "InService",
            # SageMaker gives the address without a scheme.
            "Url": parts.netloc + parts.path.rstrip("/"),
            "InstanceType": "local",
            "CreationTime": iso(self.started),
            "LastModifiedTime": iso(self.started),
        }

    def describe(self, name: str) -> dict[str, Any]:
        """``DescribeNotebookInstance``: this server, or SageMaker's "RecordNotFound"."""
        if name != self.name:
            raise ValidationError("RecordNotFound")
        return {**self.summary(), "RoleArn": self.role_arn, "DirectInternetAccess": "Enabled",
                "RootAccess": "Disabled"}

    def list(self, *, name_contains: str = "", status: str = "") -> dict[str, Any]:
        """``ListNotebookInstances``: this server, when the filters admit it."""
        matches = name_contains in self.name and status in ("", "InService")
        return {"NotebookInstances": [self.summary()] if matches else []}
