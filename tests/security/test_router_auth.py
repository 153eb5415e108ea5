"""The router refuses what is not SigV4-signed by a known key, or not addressed to it."""
from __future__ import annotations

import datetime
import hashlib
from unittest import mock

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import Credential, Keyring
from jupyter_mlstudio.aws.signing import RequestsSigV4, sign_headers
from jupyter_mlstudio.aws.sigv4 import SignatureError, SignedRequest, verify
from jupyter_mlstudio.process import stop_group
from tests.test_router import AUTH, CRED, Instances, start_router

BODY = b"1,2"


@pytest.fixture(scope="module")
def router(tmp_path_factory):
    folder = tmp_path_factory.mktemp("router-auth")
    pool = Instances(folder)
    router = start_router(folder)
    inst, _ = pool.start("sec-1")
    router.put("sec", [{"name": "V", "weight": 1, "instances": [inst]}])
    yield router
    stop_group(router.proc)
    pool.stop_all()


def url(router) -> str:
    return f"{router.url}/endpoints/sec/invocations"


def client(router, key: str, secret: str, token: str | None = None):
    return boto3.client("sagemaker-runtime", endpoint_url=router.url, region_name="eu-west-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"total_max_attempts": 1}))


def refused(resp: requests.Response, code: str) -> str:
    assert resp.status_code == 403, resp.text
    assert resp.headers["x-amzn-ErrorType"] == code
    return resp.json()["message"]


def test_boto3_with_an_accepted_key_works(router):
    reply = client(router, CRED.access_key, CRED.secret_key).invoke_endpoint(
        EndpointName="sec", Body=BODY, ContentType="text/csv")
    assert reply["InvokedProductionVariant"] == "V"


@pytest.mark.parametrize("key, secret, code", [
    (CRED.access_key, "wrong-secret", "InvalidSignatureException"),
    ("AKIDNOBODYKNOWS", CRED.secret_key, "UnrecognizedClientException"),
])
def test_boto3_with_a_wrong_key_gets_a_client_error(router, key, secret, code):
    with pytest.raises(ClientError) as err:
        client(router, key, secret).invoke_endpoint(EndpointName="sec", Body=BODY)
    assert err.value.response["Error"]["Code"] == code
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unsigned_and_malformed_requests_are_refused(router):
    assert "Missing Authentication Token" in refused(
        requests.post(url(router), data=BODY, timeout=10), "MissingAuthenticationTokenException")
    for header in ("Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256 Credential=x",
                   "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=zz",
                   "Bearer not-the-token"):
        resp = requests.post(url(router), data=BODY, headers={"Authorization": header},
                             timeout=10)
        refused(resp, "IncompleteSignature")


def test_a_changed_body_or_header_breaks_the_signature(router):
    signed = sign_headers("POST", url(router), BODY, {"Content-Type": "text/csv"}, CRED,
                          "us-east-1")
    ok = requests.post(url(router), data=BODY, headers=signed, timeout=10)
    assert ok.status_code == 200
    # A replay of the same signed request is accepted, as AWS does within 15 minutes.
    assert requests.post(url(router), data=BODY, headers=signed, timeout=10).status_code == 200
    refused(requests.post(url(router), data=b"9,9", headers=signed, timeout=10),
            "InvalidSignatureException")
    refused(requests.post(url(router), data=BODY, timeout=10,
                          headers={**signed, "Content-Type": "application/json"}),
            "InvalidSignatureException")
    lying = {**signed, "X-Amz-Content-SHA256": hashlib.sha256(b"other").hexdigest()}
    refused(requests.post(url(router), data=BODY, headers=lying, timeout=10),
            "InvalidSignatureException")


@pytest.mark.parametrize("minutes", [-16, 16])
def test_stale_or_future_dates_are_refused(router, minutes):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        signed = sign_headers("POST", url(router), BODY, {}, CRED, "us-east-1")
    message = refused(requests.post(url(router), data=BODY, headers=signed, timeout=10),
                      "InvalidSignatureException")
    assert "Signature expired" in message if minutes < 0 else "not yet current" in message


def test_host_must_be_signed_and_name_the_router(router):
    signed = sign_headers("POST", url(router), BODY, {}, CRED, "us-east-1")
    without_host = signed["Authorization"].replace("SignedHeaders=host;x-amz-date",
                                                   "SignedHeaders=x-amz-date")
    assert without_host != signed["Authorization"]
    refused(requests.post(url(router), data=BODY, timeout=10,
                          headers={**signed, "Authorization": without_host}),
            "InvalidSignatureException")
    port = router.url.rsplit(":", 1)[1]
    for host in (f"localhost:{port}", f"[::1]:{port}"):
        signed_here = sign_headers("POST", f"http://{host}/endpoints/sec/invocations", BODY,
                                   {}, CRED, "us-east-1")
        resp = requests.post(url(router), data=BODY, timeout=10,
                             headers={**signed_here, "Host": host})
        assert resp.status_code == 200, resp.text
    # A page whose DNS name was rebound to 127.0.0.1 sends its own name as Host.
    for host in (f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{int(port) + 1}"):
        signed_there = sign_headers("POST", f"http://{host}/endpoints/sec/invocations", BODY,
                                    {}, CRED, "us-east-1")
        resp = requests.post(url(router), data=BODY, timeout=10,
                             headers={**signed_there, "Host": host})
        refused(resp, "AccessDeniedException")
    resp = requests.get(f"{router.url}/_router/stats", timeout=10,
                        headers={**AUTH, "Host": f"evil.example:{port}"})
    assert resp.status_code == 403


def test_the_keyring_is_replaced_through_the_control_api(router):
    other = Credential("AKIDSECOND", "second-secret", "a-session-token")
    body = {"credentials": [CRED.to_wire(), other.to_wire()]}
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        assert requests.put(f"{router.url}/_router/credentials", json=body, headers=headers,
                            timeout=10).status_code == 403
    resp = requests.put(f"{router.url}/_router/credentials", json=body, headers=AUTH,
                        timeout=10)
    assert resp.json() == {"credentials": 2} and "secret" not in resp.text
    try:
        reply = client(router, other.access_key, other.secret_key, other.token).invoke_endpoint(
            EndpointName="sec", Body=BODY)
        assert reply["InvokedProductionVariant"] == "V"
        with pytest.raises(ClientError) as err:  # the key without its session token
            client(router, other.access_key, other.secret_key).invoke_endpoint(
                EndpointName="sec", Body=BODY)
        assert err.value.response["Error"]["Code"] == "UnrecognizedClientException"
        bad = requests.put(f"{router.url}/_router/credentials", headers=AUTH, timeout=10,
                           json={"credentials": [{"AccessKeyId": "x"}]})
        assert bad.status_code == 400
    finally:
        requests.put(f"{router.url}/_router/credentials", headers=AUTH, timeout=10,
                     json={"credentials": [CRED.to_wire()]})
    with pytest.raises(ClientError):
        client(router, other.access_key, other.secret_key, other.token).invoke_endpoint(
            EndpointName="sec", Body=BODY)


def test_the_control_token_also_authorizes_invocations(router):
    """What the Jupyter server's own authenticated route sends."""
    resp = requests.post(url(router), data=BODY, headers=AUTH, timeout=10)
    assert resp.status_code == 200


def test_verify_needs_the_signed_date_and_the_right_service():
    keyring = Keyring([CRED])
    target = "http://127.0.0.1:1/endpoints/e/invocations"
    signed = sign_headers("POST", target, b"x", {}, CRED, "us-east-1")
    headers = [*signed.items(), ("Host", "127.0.0.1:1")]
    assert verify(SignedRequest("POST", "/endpoints/e/invocations", "", headers, b"x"),
                  keyring) == CRED
    with pytest.raises(SignatureError) as err:
        verify(SignedRequest("POST", "/endpoints/e/invocations", "", headers, b"x"), keyring,
               service="sagemaker-runtime")
    assert err.value.code == "InvalidSignatureException"
    other_service = sign_headers("POST", target, b"x", {}, CRED, "us-east-1", service="s3")
    with pytest.raises(SignatureError):
        verify(SignedRequest("POST", "/endpoints/e/invocations", "",
                             [*other_service.items(), ("Host", "127.0.0.1:1")], b"x"), keyring)
    # A query string is part of what is signed.
    auth = RequestsSigV4(CRED, "us-east-1")
    prepared = auth(requests.Request("POST", target + "?b=2&a=1", data=b"x").prepare())
    headers = [*prepared.headers.items(), ("Host", "127.0.0.1:1")]
    assert verify(SignedRequest("POST", "/endpoints/e/invocations", "b=2&a=1", headers, b"x"),
                  keyring) == CRED
    with pytest.raises(SignatureError):
        verify(SignedRequest("POST", "/endpoints/e/invocations", "b=3&a=1", headers, b"x"),
               keyring)
