"""Generated credentials of the embedded S3 store, kept in a 0600 identities file."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import write_private_file

IDENTITY_NAME = "mlstudio"


@dataclass(frozen=True)
class S3Credentials:
    """An access key pair. The secret never appears in ``repr`` or logs."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


def _identities_document(creds: S3Credentials) -> dict:
    """The SeaweedFS ``-s3.config`` document granting ``creds`` full access."""
    return {
        "identities": [
            {
                "name": IDENTITY_NAME,
                "credentials": [
                    {"accessKey": creds.access_key_id, "secretKey": creds.secret_access_key}
                ],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }


def load_or_create_credentials(path: Path) -> S3Credentials:
    """Read the identities file at ``path``, creating it with fresh keys if absent or unusable."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        cred = doc["identities"][0]["credentials"][0]
        creds = S3Credentials(cred["accessKey"], cred["secretKey"])
        if creds.access_key_id and creds.secret_access_key:
            path.chmod(0o600)
            return creds
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass
    creds = S3Credentials(
        access_key_id="MLS" + secrets.token_hex(8).upper(),
        secret_access_key=secrets.token_urlsafe(30),
    )
    write_private_file(path, json.dumps(_identities_document(creds), indent=2))
    return creds


def write_kms_section(path: Path, kms: dict | None) -> None:
    """Set (or, for None, remove) the ``kms`` section of the identities file at ``path``,
    keeping every identity in it."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if kms is None:
        if "kms" not in doc:
            return
        doc.pop("kms")
    else:
        doc["kms"] = kms
    write_private_file(path, json.dumps(doc, indent=2))
