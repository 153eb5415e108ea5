"""SSE-KMS in the embedded store: the SDK's encrypted uploads work and survive restarts."""
from __future__ import annotations

import io
import json

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from jupyter_mlstudio.s3.kms_keys import KmsError, StoreKeys

from tests.servers import start_server


# -- the key itself --------------------------------------------------------------------------
def test_data_keys_round_trip_bound_to_their_context(tmp_path):
    keys = StoreKeys(tmp_path / "key.json", "us-east-1")
    context = {"aws:s3:arn": "arn:aws:s3:::b/k"}
    arn, plaintext, blob = keys.generate_data_key("alias/aws/s3", context, "AES_256")
    assert len(plaintext) == 32 and arn == keys.key_arn
    assert keys.decrypt(blob, context) == (arn, plaintext)
    with pytest.raises(KmsError) as err:
        keys.decrypt(blob, {"aws:s3:arn": "arn:aws:s3:::b/other"})
    assert err.value.code == "InvalidCiphertextException"
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(KmsError):
        keys.decrypt(tampered, context)
    # A second instance (the next server start) reads the same key from its 0600 file.
    again = StoreKeys(tmp_path / "key.json", "us-east-1")
    assert again.decrypt(blob, context)[1] == plaintext
    assert (tmp_path / "key.json").stat().st_mode & 0o077 == 0


def test_unknown_keys_and_unreadable_key_files_are_refused(tmp_path):
    keys = StoreKeys(tmp_path / "key.json", "us-east-1")
    with pytest.raises(KmsError) as err:
        keys.describe("alias/someone-else")
    assert err.value.code == "NotFoundException"
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(KmsError) as err:
        StoreKeys(tmp_path / "broken.json", "us-east-1").describe("alias/aws/s3")
    assert err.value.code == "KMSInternalException"
    assert (tmp_path / "broken.json").read_text() == "{not json"  # never replaced


# -- through a real server and its store -----------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_server(tmp_path_factory.mktemp("kms") / "home")
    yield live
    live.stop()


def _sdk_key(server) -> str:
    config = json.loads((server.data_dir / "sagemaker-sdk" / "config.yaml").read_text())
    return config["SageMaker"]["TrainingJob"]["OutputDataConfig"]["KmsKeyId"]


def test_kms_route_takes_only_the_store_signature(server):
    url = f"{server.url}mlstudio/aws/kms"
    body = json.dumps({"KeyId": "alias/aws/s3"})
    unsigned = requests.post(url, data=body, timeout=10, headers={
        "X-Amz-Target": "TrentService.DescribeKey",
        "Content-Type": "application/x-amz-json-1.1"})
    assert unsigned.status_code == 403
    assert unsigned.json()["__type"] in ("MissingAuthenticationTokenException",
                                         "IncompleteSignature", "UnrecognizedClientException")
    # The kernels' own (store admin) credentials do not open the key either.
    env = server.s3_environment()
    kms = boto3.client("kms", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                       config=Config(retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as err:
        kms.generate_data_key(KeyId="alias/aws/s3", KeySpec="AES_256")
    assert err.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_sse_kms_puts_read_back_after_a_restart(server, tmp_path):
    key_arn = _sdk_key(server)
    s3 = server.s3_client()
    put = s3.put_object(Bucket="mlstudio", Key="kms/one.txt", Body=b"secret words",
                        ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    assert put["ServerSideEncryption"] == "aws:kms"
    # Up to the store's chunk size (4 MiB): SeaweedFS 4.48 reads SSE objects of several
    # chunks over plain HTTP without the volume servers' JWT, which the hardened store refuses.
    big = bytes(range(256)) * (3 * 4096 + 7)
    s3.upload_fileobj(io.BytesIO(big), "mlstudio", "kms/big.bin",
                      ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn})
    s3.put_object(Bucket="mlstudio", Key="kms/alias.txt", Body=b"by alias",
                  ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/aws/s3")
    # The same data folder after a full restart (this module's last test): the key comes
    # from its 0600 file.
    server.stop()
    again = start_server(server.home)
    try:
        s3 = again.s3_client()
        head = s3.head_object(Bucket="mlstudio", Key="kms/one.txt")
        assert head["ServerSideEncryption"] == "aws:kms"
        assert s3.get_object(Bucket="mlstudio", Key="kms/one.txt")["Body"].read() == \
            b"secret words"
        assert s3.get_object(Bucket="mlstudio", Key="kms/big.bin")["Body"].read() == big
        assert s3.get_object(Bucket="mlstudio", Key="kms/alias.txt")["Body"].read() == \
            b"by alias"
        assert _sdk_key(again) == key_arn
    finally:
        again.stop()
