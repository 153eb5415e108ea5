"""The batch transform runner's view of a ``CreateTransformJob`` body, checked up front."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MiB = 1024 * 1024
DEFAULT_PAYLOAD_MB = 6
MAX_PAYLOAD_MB = 100
DEFAULT_TIMEOUT = 600.0
DEFAULT_RETRIES = 3


class TransformError(Exception):
    """A job failure whose message is ready to be the job's ``FailureReason``."""


class SpecError(TransformError):
    """The job spec asks for something invalid or unsupported."""


def _choice(value: Any, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise SpecError(f"{field} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(f"{field} must be an integer from {low} to {high}, not {value!r}")
    return value


@dataclass(frozen=True)
class TransformSpec:
    """The fields of a transform job the runner acts on (SageMaker's names, defaults)."""

    name: str
    data_type: str
    input_uri: str
    content_type: str | None
    gzip: bool
    split_type: str
    batch_strategy: str
    max_payload: int
    concurrency: int
    output_path: str
    accept: str | None
    assemble_with: str
    join_input: bool
    instance_urls: tuple[str, ...]
    timeout: float
    retries: int

    @property
    def max_payload_mb(self) -> int:
        return self.max_payload // MiB


def parse_spec(body: dict[str, Any]) -> TransformSpec:
    """Validate ``spec.json`` and fill in SageMaker's defaults; raise :class:`SpecError`."""
    if not isinstance(body, dict):
        raise SpecError("the job spec must be a JSON object")
    tin = body.get("TransformInput") or {}
    tout = body.get("TransformOutput") or {}
    source = ((tin.get("DataSource") or {}).get("S3DataSource")) or {}
    uri = source.get("S3Uri")
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise SpecError("TransformInput.DataSource.S3DataSource.S3Uri must be an s3:// URI")
    data_type = source.get("S3DataType", "S3Prefix")
    if data_type == "AugmentedManifestFile":
        raise SpecError("S3DataType AugmentedManifestFile is not supported; "
                        "use S3Prefix or ManifestFile")
    _choice(data_type, ("S3Prefix", "ManifestFile"), "S3DataType")
    split = tin.get("SplitType", "None")
    if split in ("RecordIO", "TFRecord"):
        raise SpecError(f"SplitType {split} is not supported; use None or Line")
    _choice(split, ("None", "Line"), "SplitType")
    compression = _choice(tin.get("CompressionType", "None"), ("None", "Gzip"),
                          "CompressionType")
    out = tout.get("S3OutputPath")
    if not isinstance(out, str) or not out.startswith("s3://"):
        raise SpecError("TransformOutput.S3OutputPath must be an s3:// URI")
    payload_mb = body.get("MaxPayloadInMB", DEFAULT_PAYLOAD_MB)
    if payload_mb == 0:
        raise SpecError("MaxPayloadInMB 0 (unbounded, HTTP chunked) is not supported; "
                        f"use 1 to {MAX_PAYLOAD_MB}")
    payload_mb = _int(payload_mb, "MaxPayloadInMB", 1, MAX_PAYLOAD_MB)
    concurrency = _int(body.get("MaxConcurrentTransforms") or 1,
                       "MaxConcurrentTransforms", 1, 256)
    strategy = _choice(body.get("BatchStrategy") or "MultiRecord",
                       ("MultiRecord", "SingleRecord"), "BatchStrategy")
    join = (body.get("DataProcessing") or {}).get("JoinSource", "None")
    _choice(join, ("None", "Input"), "DataProcessing.JoinSource")
    urls = body.get("InstanceUrls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise SpecError("InstanceUrls must list at least one model server URL")
    client_config = body.get("ModelClientConfig") or {}
    timeout = _int(client_config.get("InvocationsTimeoutInSeconds", int(DEFAULT_TIMEOUT)),
                   "ModelClientConfig.InvocationsTimeoutInSeconds", 1, 3600)
    retries = _int(client_config.get("InvocationsMaxRetries", DEFAULT_RETRIES),
                   "ModelClientConfig.InvocationsMaxRetries", 0, 3)
    return TransformSpec(
        name=str(body.get("TransformJobName") or "transform"),
        data_type=data_type,
        input_uri=uri,
        content_type=tin.get("ContentType") or None,
        gzip=compression == "Gzip",
        split_type=split,
        batch_strategy=strategy,
        max_payload=payload_mb * MiB,
        concurrency=concurrency,
        output_path=out.rstrip("/"),
        accept=tout.get("Accept") or None,
        assemble_with=_choice(tout.get("AssembleWith", "None"), ("None", "Line"),
                              "TransformOutput.AssembleWith"),
        join_input=join == "Input",
        instance_urls=tuple(u.rstrip("/") for u in urls),
        timeout=float(timeout),
        retries=retries,
    )
