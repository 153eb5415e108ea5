"""AWS KMS (``TrentService.<Operation>``) for the embedded store's SSE-KMS, over the store's
key (:mod:`..s3.kms_keys`).

Only what an S3 server needs of a KMS: DescribeKey, GenerateDataKey, Decrypt, and Encrypt
for completeness. Blobs travel base64-encoded, as in AWS JSON 1.1.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any

from ..s3.kms_keys import KmsError, StoreKeys
from .api import AwsJsonApi, Handler
from .json_protocol import AwsError


def _blob(params: dict[str, Any], member: str) -> bytes:
    try:
        return base64.b64decode(params[member], validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise AwsError("SerializationException", f"{member} is not valid base64.") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class KmsApi(AwsJsonApi):
    """Dispatches ``TrentService.<Operation>`` requests to the store's key."""

    service = "kms"
    target_prefix = "TrentService"

    def __init__(self, keys: StoreKeys) -> None:
        self.keys = keys
        super().__init__({name: self._sync(getattr(self, "_" + name)) for name in
                          ("DescribeKey", "GenerateDataKey", "Decrypt", "Encrypt")})

    @staticmethod
    def _sync(fn: Any) -> Handler:
        async def call(params: dict[str, Any]) -> dict[str, Any]:
            return fn(params)  # a few microseconds of cryptography: no thread needed
        return call

    async def run(self, operation: str, handler: Handler,
                  params: dict[str, Any]) -> dict[str, Any]:
        try:
            return await handler(params)
        except KmsError as err:
            status = 500 if err.code == "KMSInternalException" else 400
            raise AwsError(err.code, err.message, status) from None

    def _DescribeKey(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self.keys.describe(params["KeyId"])

    def _GenerateDataKey(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        arn, plaintext, blob = self.keys.generate_data_key(
            params["KeyId"], params.get("EncryptionContext"), params.get("KeySpec"),
            params.get("NumberOfBytes"))
        return {"KeyId": arn, "Plaintext": _b64(plaintext), "CiphertextBlob": _b64(blob)}

    def _Encrypt(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        blob = self.keys.encrypt(params["KeyId"], _blob(params, "Plaintext"),
                                 params.get("EncryptionContext"))
        return {"KeyId": self.keys.key_arn, "CiphertextBlob": _b64(blob),
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}

    def _Decrypt(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        arn, plaintext = self.keys.decrypt(_blob(params, "CiphertextBlob"),
                                           params.get("EncryptionContext"),
                                           params.get("KeyId"))
        return {"KeyId": arn, "Plaintext": _b64(plaintext),
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
