"""S3 failures as errors a caller can act on: an HTTP status, a reason and a plain message."""
from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from ..errors import MLStudioError


class S3Error(MLStudioError):
    """An S3 operation failed; ``status`` is the HTTP status the API answers with."""


_CLIENT_CODES: dict[str, tuple[int, str]] = {
    "NoSuchBucket": (404, "no such bucket"),
    "NoSuchKey": (404, "no such object"),
    "404": (404, "no such object"),
    "NotFound": (404, "not found"),
    "AccessDenied": (403, "access denied"),
    "403": (403, "access denied"),
    "AllAccessDisabled": (403, "access denied"),
    "InvalidBucketName": (400, "invalid bucket name"),
    "BucketAlreadyExists": (409, "a bucket with that name already exists"),
    "BucketAlreadyOwnedByYou": (409, "you already own a bucket with that name"),
    "BucketNotEmpty": (409, "the bucket is not empty"),
    "InvalidRange": (416, "the requested range is not satisfiable"),
    "EntityTooLarge": (413, "the object is too large"),
    "InvalidAccessKeyId": (502, "the S3 endpoint rejected the server's credentials"),
    "SignatureDoesNotMatch": (502, "the S3 endpoint rejected the server's credentials"),
    "NoSuchUpload": (409, "the upload was aborted"),
}


def translate(err: Exception, what: str = "") -> S3Error:
    """Turn a boto3 / botocore exception into an :class:`S3Error` naming ``what`` failed."""
    if isinstance(err, S3Error):
        return err
    prefix = f"{what}: " if what else ""
    if isinstance(err, ClientError):
        code = str(err.response.get("Error", {}).get("Code", ""))
        status, text = _CLIENT_CODES.get(code, (502, ""))
        if not text:
            text = err.response.get("Error", {}).get("Message") or f"S3 error {code}"
        return S3Error(status, f"{prefix}{text}", code or "S3Error")
    if isinstance(err, (EndpointConnectionError, ConnectTimeoutError)):
        return S3Error(504, f"{prefix}the S3 endpoint did not answer", "EndpointUnreachable")
    if isinstance(err, ReadTimeoutError):
        return S3Error(504, f"{prefix}the S3 endpoint timed out", "EndpointTimeout")
    if isinstance(err, NoCredentialsError):
        return S3Error(502, f"{prefix}no S3 credentials are configured", "NoCredentials")
    if isinstance(err, BotoCoreError):
        return S3Error(502, f"{prefix}{err}", "S3Error")
    raise err
