"""Signing requests with AWS Signature Version 4 where no boto3 client does it.

For the project's own callers of SigV4-protected routes that use ``requests`` (the
Python API's ``Predictor``, benchmarks, tests): botocore's signer, as a boto3
``sagemaker-runtime`` client would sign the same request.
"""
from __future__ import annotations

from typing import Mapping

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from .credentials import Credential


def sign_headers(method: str, url: str, body: bytes, headers: Mapping[str, str | bytes],
                 credential: Credential, region: str,
                 service: str = "sagemaker") -> dict[str, str]:
    """``headers`` plus the ones botocore's SigV4 signer adds for this request."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(ReadOnlyCredentials(credential.access_key, credential.secret_key,
                                  credential.token), service, region).add_auth(request)
    return dict(request.headers.items())


class RequestsSigV4(requests.auth.AuthBase):
    """``requests`` auth that signs each request (``auth=RequestsSigV4(credential, region)``)."""

    def __init__(self, credential: Credential, region: str, service: str = "sagemaker"):
        self.credential = credential
        self.region = region
        self.service = service

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):
            raise TypeError("RequestsSigV4 signs bytes bodies only")
        signed = sign_headers(request.method or "GET", request.url or "", body,
                              dict(request.headers), self.credential, self.region,
                              self.service)
        request.headers.update(signed)
        return request
