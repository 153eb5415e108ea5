"""``c.S3.*``: the deployer's settings for the S3 browser and its connections."""
from __future__ import annotations

from traitlets import Dict, Int, List, Unicode, validate
from traitlets.config import Configurable

CONNECTION_KEYS = {
    "endpoint_url",
    "region",
    "profile",
    "access_key_id_env",
    "secret_access_key_env",
    "session_token_env",
    "buckets",
    "display_name",
}


class S3(Configurable):
    """Settings of the S3 browser, its API and magics."""

    connections = Dict(
        config=True,
        help="""Named S3 connections besides 'default' (the embedded store or AWS), e.g.
        {"minio": {"endpoint_url": "http://minio:9000", "region": "us-east-1",
                   "profile": "minio"},
         "archive": {"access_key_id_env": "ARCHIVE_KEY_ID",
                     "secret_access_key_env": "ARCHIVE_SECRET", "buckets": ["archive"]}}.
        Credentials come from an AWS profile, from environment variables named here, or
        from boto3's standard chain; they never reach the browser. 'buckets' lists the
        buckets to show when the credentials may not call ListBuckets.""",
    )
    buckets = List(
        Unicode(),
        config=True,
        help="Buckets to show on the default connection when ListBuckets is denied.",
    )
    workspace_folder = Unicode(
        "s3",
        config=True,
        help="Folder (relative to the server's root) that objects are copied into when opened.",
    )
    page_size = Int(1000, config=True, help="Entries per page when listing a prefix (max 1000).")
    part_size = Int(
        8 * 1024 * 1024,
        config=True,
        help="Bytes per part of multipart uploads and ranged downloads (min 5 MiB).",
    )
    max_concurrency = Int(
        6, config=True, help="Parts of one upload or download transferred at the same time."
    )
    max_upload_size = Int(
        1024**4,
        config=True,
        help="Largest upload accepted through the API, in bytes (default 1 TiB).",
    )
    presign_max_expiry = Int(
        7 * 24 * 3600, config=True, help="Longest lifetime of a presigned link, in seconds."
    )
    max_preview_bytes = Int(
        1024 * 1024, config=True, help="Largest object previewed in the browser, in bytes."
    )

    @validate("connections")
    def _validate_connections(self, proposal):
        value = proposal["value"]
        for name, spec in value.items():
            if name == "default" or not isinstance(spec, dict):
                raise ValueError(f"S3.connections[{name!r}] must be a dict and not 'default'")
            unknown = set(spec) - CONNECTION_KEYS
            if unknown:
                raise ValueError(f"S3.connections[{name!r}]: unknown keys {sorted(unknown)}")
        return value

    @validate("part_size")
    def _validate_part_size(self, proposal):
        return max(int(proposal["value"]), 5 * 1024 * 1024)

    @validate("page_size")
    def _validate_page_size(self, proposal):
        return min(max(int(proposal["value"]), 1), 1000)
