"""This Jupyter server, described as the SageMaker notebook instance it stands in for.

``DescribeNotebookInstance`` / ``ListNotebookInstances`` answer for the server itself:
its name and execution role come from configuration, its URL and start time from the
running server. The SageMaker SDK's ``get_execution_role()`` reads the role from the
instance's metadata file, which :func:`write_metadata_file` writes where it may.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..sagemaker.errors import ValidationError
from ..sagemaker.times import iso


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


#: Where a SageMaker notebook instance keeps its own description; the SDK's
#: ``get_execution_role()`` reads it before trying STS and IAM.
METADATA_FILE = Path("/opt/ml/metadata/resource-metadata.json")
_MARKER = "WrittenBy"


def write_metadata_file(instance: NotebookInstance, path: Path = METADATA_FILE) -> str:
    """Write the notebook instance's metadata file, as SageMaker does on its instances.

    Returns what happened, for the log. A file this server did not write is left alone,
    and a machine where the folder cannot be made (not root) simply has none.
    """
    try:
        if path.exists() and json.loads(path.read_text()).get(_MARKER) != "jupyter_mlstudio":
            return f"{path} belongs to something else; left as it is"
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {"ResourceArn": instance.arn, "ResourceName": instance.name,
                    "ExecutionRoleArn": instance.role_arn, _MARKER: "jupyter_mlstudio"}
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(document))
        tmp.chmod(0o644)  # what every local user's kernel reads; it holds no secret
        os.replace(tmp, path)
    except (OSError, ValueError) as err:
        return f"{path} not written ({err}); get_execution_role() needs a role argument here"
    return f"{path} names {instance.name} with role {instance.role_arn}"
