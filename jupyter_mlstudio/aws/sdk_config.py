"""The SageMaker Python SDK's own config file, so notebooks need no setup here.

The SDK reads defaults from a YAML file named by ``SAGEMAKER_USER_CONFIG_OVERRIDE``.
Given the default bucket there, ``Session().default_bucket()`` uses it instead of asking
AWS STS for the account id (the SDK builds the STS address itself, so no endpoint
setting can send that call here). Telemetry, which the SDK posts to an AWS bucket, is
switched off. A user's own SDK config is left alone.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..paths import ensure_private_dir

OVERRIDE_VARIABLE = "SAGEMAKER_USER_CONFIG_OVERRIDE"


def users_own_config() -> Path | None:
    """The SDK config the user set up, if any (which then wins over ours)."""
    if os.environ.get(OVERRIDE_VARIABLE):
        return Path(os.environ[OVERRIDE_VARIABLE])
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    own = config_home / "sagemaker" / "config.yaml"
    return own if own.exists() else None


def write_sdk_config(folder: Path, default_bucket: str, kms_key_id: str | None = None) -> Path:
    """Write the SDK defaults of this server to ``folder/config.yaml``; return its path.

    ``kms_key_id`` (the embedded store's key) becomes the training jobs' default output
    key, which the SDK also names when it uploads a job's source archive with SSE-KMS:
    SeaweedFS refuses ``aws:kms`` without a key id, which AWS fills in with its own.
    """
    sagemaker: dict = {"PythonSDK": {"Modules": {
        "Session": {"DefaultS3Bucket": default_bucket},
        "TelemetryOptOut": True,
    }}}
    if kms_key_id:
        sagemaker["TrainingJob"] = {"OutputDataConfig": {"KmsKeyId": kms_key_id}}
    document = {"SchemaVersion": "1.0", "SageMaker": sagemaker}
    path = ensure_private_dir(folder) / "config.yaml"
    # JSON is YAML; the SDK's loader reads it as such.
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path
