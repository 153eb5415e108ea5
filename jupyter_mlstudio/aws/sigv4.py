"""Verifying AWS Signature Version 4 on requests, as boto3 signs them.

The expected signature is computed by botocore's own signer (``SigV4Auth``) over a
request rebuilt from what was received (method, raw path and query, the signed headers,
the body) at the request's own ``X-Amz-Date``, and compared in constant time. Refused:
no or malformed ``Authorization``, a scope for another service, a date more than 15
minutes away, an unknown access key or wrong session token, a ``SignedHeaders`` list
without ``host`` or ``x-amz-date``, a body that does not match ``X-Amz-Content-SHA256``.
Errors carry the code AWS would send, so boto3 raises a ClientError with it.
"""
from __future__ import annotations

import calendar
import datetime
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Mapping, Sequence

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from .credentials import Credential
from .json_protocol import AwsError

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = 15 * 60
_SCOPE_PART = re.compile(r"^[a-z0-9-]{1,64}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")
_AMZ_DATE = re.compile(r"^\d{8}T\d{6}Z$")


class SignatureError(AwsError):
    """A request that is not properly signed; ``code`` is AWS's error code for it."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(code, message, status)


@dataclass
class SignedRequest:
    """A received request, as it came: raw path and query, every header, the body."""

    method: str
    path: str
    query: str
    headers: Sequence[tuple[str, str]]
    body: bytes

    def __post_init__(self) -> None:
        first: dict[str, str] = {}
        for key, value in self.headers:
            first.setdefault(key.lower(), value)
        self._first = first

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (lower-case), if any."""
        return self._first.get(name)

    def names(self) -> set[str]:
        """The (lower-case) names of the headers present."""
        return set(self._first)


@dataclass(frozen=True)
class Authorization:
    """The parts of an ``AWS4-HMAC-SHA256`` Authorization header."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> Authorization:
    """Split an Authorization header; SignatureError if it is absent or malformed."""
    if not value:
        raise SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token")
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError("IncompleteSignature",
                             f"Authorization header must use {ALGORITHM}.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if sep:
            fields[key] = val
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing:
        raise SignatureError("IncompleteSignature", " ".join(
            f"Authorization header requires '{k}' parameter." for k in missing))
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not scope[0] \
            or not re.fullmatch(r"\d{8}", scope[1]) \
            or not all(_SCOPE_PART.match(p) for p in scope[2:4]):
        raise SignatureError("IncompleteSignature",
                             "Credential must have the form "
                             "<AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request.")
    signature = fields["Signature"]
    if not _SIGNATURE.match(signature):
        raise SignatureError("IncompleteSignature", "Signature must be 64 hex digits.")
    signed = tuple(fields["SignedHeaders"].split(";"))
    if any(not h or h != h.strip().lower() for h in signed):
        raise SignatureError("IncompleteSignature", "SignedHeaders is malformed.")
    return Authorization(scope[0], scope[1], scope[2], scope[3], signed, signature)


def _check_date(amz_date: str | None, auth: Authorization, now: float) -> str:
    """The request's ``X-Amz-Date``, once checked against the scope and the clock."""
    if amz_date is None or not _AMZ_DATE.match(amz_date):
        raise SignatureError("IncompleteSignature",
                             "Authorization header requires existence of a valid "
                             "'X-Amz-Date' header.")
    if "x-amz-date" not in auth.signed_headers:
        raise SignatureError("InvalidSignatureException",
                             "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
    if amz_date[:8] != auth.date:
        raise SignatureError("InvalidSignatureException",
                             f"Date in Credential scope does not match YYYYMMDD from "
                             f"ISO-8601 version of date from HTTP: '{auth.date}' != "
                             f"'{amz_date[:8]}'.")
    try:
        d = amz_date
        signed_at = calendar.timegm(datetime.datetime(
            int(d[:4]), int(d[4:6]), int(d[6:8]), int(d[9:11]), int(d[11:13]),
            int(d[13:15])).timetuple())
    except ValueError:
        raise SignatureError("IncompleteSignature", "X-Amz-Date is not a valid date.") from None
    stamp = time.strftime(SIGV4_TIMESTAMP, time.gmtime(now))
    if signed_at < now - MAX_SKEW:
        earliest = time.strftime(SIGV4_TIMESTAMP, time.gmtime(now - MAX_SKEW))
        raise SignatureError("InvalidSignatureException",
                             f"Signature expired: {amz_date} is now earlier than "
                             f"{earliest} ({stamp} - 15 min.)")
    if signed_at > now + MAX_SKEW:
        latest = time.strftime(SIGV4_TIMESTAMP, time.gmtime(now + MAX_SKEW))
        raise SignatureError("InvalidSignatureException",
                             f"Signature not yet current: {amz_date} is still later than "
                             f"{latest} ({stamp} + 15 min.)")
    return amz_date


def _check_token(request: SignedRequest, credential: Credential) -> None:
    given = request.header("x-amz-security-token")
    expected = credential.token
    if expected is None or given is None:
        valid = expected is None and given is None
    else:
        valid = hmac.compare_digest(expected.encode("latin-1"), given.encode("latin-1"))
    if not valid:
        raise SignatureError("UnrecognizedClientException",
                             "The security token included in the request is invalid.")


def _check_body(request: SignedRequest) -> None:
    declared = request.header("x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
        raise SignatureError("InvalidSignatureException",
                             "The provided 'x-amz-content-sha256' header does not match "
                             "what was computed.")


def expected_signature(request: SignedRequest, auth: Authorization, amz_date: str,
                       credential: Credential) -> str:
    """botocore's SigV4 signature of ``request`` at ``amz_date`` with ``credential``."""
    signed = set(auth.signed_headers)
    rebuilt = AWSRequest(method=request.method,
                         url=f"http://localhost{request.path}"
                             + (f"?{request.query}" if request.query else ""),
                         data=request.body)
    for name, value in request.headers:
        if name.lower() in signed:
            rebuilt.headers[name] = value
    signer = SigV4Auth(ReadOnlyCredentials(credential.access_key, credential.secret_key,
                                           credential.token), auth.service, auth.region)
    # add_auth() without its clock: the signer's own steps at the request's timestamp.
    rebuilt.context["timestamp"] = amz_date
    signer._modify_request_before_signing(rebuilt)
    canonical = signer.canonical_request(rebuilt)
    return signer.signature(signer.string_to_sign(rebuilt, canonical), rebuilt)


def verify(request: SignedRequest, keyring: Mapping[str, Credential], *,
           service: str = "sagemaker", now: float | None = None) -> Credential:
    """The credential that signed ``request``; SignatureError if it is not validly signed."""
    auth = parse_authorization(request.header("authorization"))
    if auth.service != service:
        raise SignatureError("InvalidSignatureException",
                             f"Credential should be scoped to correct service: '{service}'.")
    if "host" not in auth.signed_headers:
        raise SignatureError("InvalidSignatureException",
                             "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    amz_date = _check_date(request.header("x-amz-date"), auth,
                           time.time() if now is None else now)
    credential = keyring.get(auth.access_key)
    if credential is None:
        raise SignatureError("UnrecognizedClientException",
                             "The security token included in the request is invalid.")
    _check_token(request, credential)
    _check_body(request)
    if not set(auth.signed_headers) <= request.names():
        raise SignatureError("InvalidSignatureException",
                             "A header named in SignedHeaders is not in the request.")
    expected = expected_signature(request, auth, amz_date, credential)
    if not hmac.compare_digest(expected, auth.signature):
        raise SignatureError("InvalidSignatureException",
                             "The request signature we calculated does not match the "
                             "signature you provided. Check your AWS Secret Access Key "
                             "and signing method. Consult the service documentation for "
                             "details.")
    return credential
