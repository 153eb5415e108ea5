"""A model's files on local disk: ``model.tar.gz`` (and a ``sourcedir.tar.gz``) from S3.

Each archive is fetched once per ETag and unpacked with tarfile's ``data`` filter (no
absolute paths, links out of the folder or device files). Instances of every variant
and transform job that use the model share the unpacked folder.
"""
from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..s3.errors import S3Error
from ..s3.names import parse_uri


class ArtifactError(RuntimeError):
    """A model archive is missing, unreadable or not a tar archive; the message says which,
    ``uri`` names an archive that could not be downloaded."""

    def __init__(self, message: str, uri: str = "") -> None:
        super().__init__(message)
        self.uri = uri


@dataclass(frozen=True)
class ModelFiles:
    """Where a model's unpacked archive lives, and the user code serving it if any."""

    model_dir: Path
    code_dir: Path | None = None
    program: str | None = None


def _unpack(client: Any, uri: str, cache: Path, label: str) -> Path:
    """The folder holding the unpacked archive at ``uri``, fetched unless cached."""
    try:
        bucket, key = parse_uri(uri)
    except S3Error as err:
        raise ArtifactError(f"{label} {uri}: {err.message}") from None
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
            raise ArtifactError(f"{label} {uri} does not exist", uri) from None
        raise ArtifactError(f"{label} {uri}: {code or err}", uri) from None
    except BotoCoreError as err:
        raise ArtifactError(f"{label} {uri}: {err}", uri) from None
    digest = hashlib.sha256(f"{uri}\n{head.get('ETag', '')}".encode()).hexdigest()[:24]
    target = cache / digest
    if target.is_dir():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    staging = cache / f".{digest}-{uuid.uuid4().hex[:8]}"
    try:
        with tempfile.TemporaryFile(dir=cache) as tmp:
            client.download_fileobj(bucket, key, tmp)
            tmp.seek(0)
            try:
                with tarfile.open(fileobj=tmp, mode="r:*") as tar:
                    tar.extractall(staging, filter="data")
            except (tarfile.TarError, EOFError, OSError) as err:
                raise ArtifactError(f"{label} {uri} is not a readable tar.gz archive: "
                                    f"{err}") from None
        staging.mkdir(exist_ok=True)  # an empty archive is still a folder
        try:
            staging.rename(target)
        except OSError:  # fetched by another instance meanwhile
            pass
        return target
    except (ClientError, BotoCoreError) as err:
        raise ArtifactError(f"{label} {uri} could not be downloaded: {err}", uri) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_model(client: Any, container: dict[str, Any], cache: Path) -> ModelFiles:
    """Unpack a model's archive (and its ``SAGEMAKER_SUBMIT_DIRECTORY`` source) under ``cache``."""
    model_dir = _unpack(client, container["ModelDataUrl"], cache, "model archive")
    env = container.get("Environment") or {}
    submit, program = env.get("SAGEMAKER_SUBMIT_DIRECTORY", ""), env.get("SAGEMAKER_PROGRAM")
    if submit.startswith("s3://") and program:
        code_dir = _unpack(client, submit, cache, "source archive")
        if not (code_dir / program).is_file():
            raise ArtifactError(f"SAGEMAKER_PROGRAM {program!r} is not in {submit}")
        return ModelFiles(model_dir, code_dir, program)
    return ModelFiles(model_dir)
