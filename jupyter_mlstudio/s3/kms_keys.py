"""The embedded store's KMS key: what its SSE-KMS objects are encrypted under.

The SageMaker SDK uploads source archives with ``ServerSideEncryption=aws:kms``.
SeaweedFS encrypts such objects with a data key it asks a KMS for, and its only built-in
KMS keeps keys in memory (objects would be unreadable after a restart). So the store is
given AWS's KMS protocol at the Jupyter server (``/mlstudio/aws/kms``), answered from
this module: one 256-bit master key per data folder, kept 0600 beside the store's data,
that wraps the store's data keys with AES-GCM bound to their encryption context.

Only the store calls it, signing with a key pair made for it at each server start.
"""
from __future__ import annotations

import base64
import json
import os
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..paths import write_private_file

#: The alias AWS gives its managed key for S3, and the one this key is listed under.
S3_ALIAS = "alias/aws/s3"
STORE_ALIAS = "alias/mlstudio-store"
_BLOB_MAGIC = b"MLK1"
_NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_KEY_SPEC_BYTES = {"AES_256": 32, "AES_128": 16}


class KmsError(Exception):
    """A KMS error as AWS names it (``NotFoundException``…), answered with status 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StoreCredential:
    """The key pair the store signs its KMS requests with. Never shown in ``repr``."""

    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:
        return f"StoreCredential({self.access_key_id!r})"


class StoreKeys:
    """The master key (created on first use) and the data-key operations on it."""

    def __init__(self, path: Path, region: str) -> None:
        self.path = path
        self.region = region
        self._lock = threading.Lock()
        self._key: dict[str, Any] | None = None
        self.credential = StoreCredential("MLSKMS" + secrets.token_hex(7).upper(),
                                          secrets.token_urlsafe(30))

    # -- the key -----------------------------------------------------------------------------
    def _master(self) -> dict[str, Any]:
        with self._lock:
            if self._key is None:
                self._key = self._load() or self._create()
            return self._key

    def _load(self) -> dict[str, Any] | None:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            material = base64.b64decode(doc["Material"], validate=True)
            if not _KEY_ID.match(doc["KeyId"]) or len(material) != 32:
                raise ValueError("malformed key file")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            # Never replace a key that objects may be encrypted under: refuse instead.
            raise KmsError("KMSInternalException",
                           f"the store's key file {self.path} is unreadable: {err}") from None
        return {"KeyId": doc["KeyId"], "Material": material,
                "CreationDate": float(doc.get("CreationDate", 0))}

    def _create(self) -> dict[str, Any]:
        key: dict[str, Any] = {"KeyId": str(uuid.uuid4()),
                               "Material": AESGCM.generate_key(256),
                               "CreationDate": time.time()}
        write_private_file(self.path, json.dumps({
            "KeyId": key["KeyId"], "CreationDate": key["CreationDate"],
            "Material": base64.b64encode(key["Material"]).decode("ascii")}))
        return key

    @property
    def key_arn(self) -> str:
        return self._arn(self._master()["KeyId"])

    def _arn(self, key_id: str) -> str:
        return f"arn:aws:kms:{self.region}:000000000000:key/{key_id}"

    def _resolve(self, ref: str) -> dict[str, Any]:
        """The master key if ``ref`` names it (id, ARN, alias or alias ARN)."""
        key = self._master()
        alias_arn = f"arn:aws:kms:{self.region}:000000000000:"
        names = {key["KeyId"], self._arn(key["KeyId"]), S3_ALIAS, STORE_ALIAS,
                 alias_arn + S3_ALIAS, alias_arn + STORE_ALIAS}
        if ref not in names:
            raise KmsError("NotFoundException", f"Key '{ref}' does not exist")
        return key

    # -- operations ---------------------------------------------------------------------------
    def describe(self, ref: str) -> dict[str, Any]:
        """``DescribeKey``'s reply."""
        key = self._resolve(ref)
        return {"KeyMetadata": {
            "AWSAccountId": "000000000000", "KeyId": key["KeyId"],
            "Arn": self._arn(key["KeyId"]), "CreationDate": key["CreationDate"],
            "Enabled": True, "Description": "Key of the embedded S3 store's SSE-KMS objects",
            "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
            "KeyManager": "AWS", "KeySpec": "SYMMETRIC_DEFAULT",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False}}

    def encrypt(self, ref: str, plaintext: bytes, context: dict[str, str] | None) -> bytes:
        """A ciphertext blob of ``plaintext`` under the key, bound to ``context``."""
        key = self._resolve(ref)
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(key["Material"]).encrypt(nonce, plaintext, _aad(context))
        return _BLOB_MAGIC + key["KeyId"].encode("ascii") + nonce + sealed

    def decrypt(self, blob: bytes, context: dict[str, str] | None,
                ref: str | None = None) -> tuple[str, bytes]:
        """(key ARN, plaintext) of a blob made by :meth:`encrypt` with the same context."""
        head = len(_BLOB_MAGIC) + 36
        if len(blob) < head + _NONCE_BYTES + 16 or not blob.startswith(_BLOB_MAGIC):
            raise KmsError("InvalidCiphertextException", "The ciphertext is invalid.")
        key = self._resolve(blob[len(_BLOB_MAGIC):head].decode("ascii", "replace"))
        if ref is not None and self._resolve(ref) is not key:
            raise KmsError("IncorrectKeyException", "The key ID in the request does not "
                           "identify the key that was used to encrypt the ciphertext.")
        nonce, sealed = blob[head:head + _NONCE_BYTES], blob[head + _NONCE_BYTES:]
        try:
            plaintext = AESGCM(key["Material"]).decrypt(nonce, sealed, _aad(context))
        except Exception:  # cryptography's InvalidTag: wrong context or a changed blob
            raise KmsError("InvalidCiphertextException",
                           "The ciphertext or its encryption context is invalid.") from None
        return self._arn(key["KeyId"]), plaintext

    def generate_data_key(self, ref: str, context: dict[str, str] | None,
                          key_spec: str | None = None,
                          number_of_bytes: int | None = None) -> tuple[str, bytes, bytes]:
        """(key ARN, plaintext data key, its ciphertext blob)."""
        if key_spec is not None and number_of_bytes is None:
            size = _KEY_SPEC_BYTES[key_spec]
        elif number_of_bytes is not None and key_spec is None:
            size = number_of_bytes
        else:
            raise KmsError("ValidationException",
                           "Please specify either number of bytes or key spec.")
        plaintext = os.urandom(size)
        blob = self.encrypt(ref, plaintext, context)
        return self.key_arn, plaintext, blob

    def provider_settings(self, endpoint: str) -> dict[str, Any]:
        """SeaweedFS's ``kms`` section naming ``endpoint`` as an AWS KMS provider."""
        return {"default_provider": "mlstudio", "providers": {"mlstudio": {
            "type": "aws", "region": self.region, "endpoint": endpoint,
            "access_key": self.credential.access_key_id,
            "secret_key": self.credential.secret_access_key,
            # The store checks its KMS as it starts, which may be before this server
            # answers: short waits keep that from holding up the store.
            "request_timeout": 2, "max_retries": 1}}}


def _aad(context: dict[str, str] | None) -> bytes | None:
    """The encryption context as authenticated data: order-independent, exact."""
    if not context:
        return None
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode("utf-8")
