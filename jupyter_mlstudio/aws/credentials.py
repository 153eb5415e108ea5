"""Which AWS credentials the server accepts on signed requests: its kernels' own.

Kernels sign ``sagemaker-runtime`` (and later ``sagemaker``) requests with whatever
boto3's chain finds in them: the embedded store's key pair, which the server hands them
as ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, or else the same chain the server
process itself resolves (same user, same files, same instance role).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping


@dataclass(frozen=True)
class Credential:
    """One accepted key pair, with the session token it must come with, if any."""

    access_key: str
    secret_key: str = ""
    token: str | None = None

    def __repr__(self) -> str:  # never show the secret or the token
        return f"Credential({self.access_key!r})"

    def to_wire(self) -> dict[str, Any]:
        """The shape the router's control API takes."""
        return {"AccessKeyId": self.access_key, "SecretAccessKey": self.secret_key,
                "SessionToken": self.token}

    @classmethod
    def from_wire(cls, item: Any) -> Credential:
        """Parse one ``to_wire`` entry; ValueError if it is not one."""
        if not isinstance(item, dict):
            raise ValueError("each credential must be an object")
        key, secret, token = (item.get(k) for k in
                              ("AccessKeyId", "SecretAccessKey", "SessionToken"))
        if not isinstance(key, str) or not key or not isinstance(secret, str) or not secret:
            raise ValueError("AccessKeyId and SecretAccessKey must be non-empty strings")
        if token is not None and not isinstance(token, str):
            raise ValueError("SessionToken must be a string")
        return cls(key, secret, token or None)


class Keyring(Mapping[str, Credential]):
    """Accepted credentials by access key id (read-only)."""

    def __init__(self, credentials: Iterable[Credential] = ()) -> None:
        self._by_key = {c.access_key: c for c in credentials}

    def __getitem__(self, access_key: str) -> Credential:
        return self._by_key[access_key]

    def __iter__(self):
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def __repr__(self) -> str:
        return f"Keyring({sorted(self._by_key)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keyring) and self._by_key == other._by_key

    __hash__ = None  # type: ignore[assignment]

    def to_wire(self) -> dict[str, Any]:
        return {"credentials": [c.to_wire() for c in self._by_key.values()]}

    @classmethod
    def from_wire(cls, body: Any) -> Keyring:
        if not isinstance(body, dict) or not isinstance(body.get("credentials"), list):
            raise ValueError('body must be {"credentials": [...]}')
        return cls(Credential.from_wire(item) for item in body["credentials"])


def kernel_keyring(kernel_environment: Mapping[str, str]) -> Keyring:
    """The credentials the server's kernels sign with.

    ``kernel_environment`` is what the server gives its kernels (for the embedded store,
    its key pair); without a key pair there, the credentials boto3's standard chain
    resolves in this process (environment, profile, instance role).
    """
    key = kernel_environment.get("AWS_ACCESS_KEY_ID")
    secret = kernel_environment.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return Keyring([Credential(key, secret, kernel_environment.get("AWS_SESSION_TOKEN"))])
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        found = boto3.Session().get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except BotoCoreError:
        frozen = None
    if frozen is None or not frozen.access_key or not frozen.secret_key:
        return Keyring()
    return Keyring([Credential(frozen.access_key, frozen.secret_key, frozen.token)])
