"""Serving helpers start with only what their contract needs, never the server's secrets."""
from __future__ import annotations

from jupyter_mlstudio.process import SERVER_SECRETS
from jupyter_mlstudio.serving.environment import serving_environment

SERVER_ENV = {
    "PATH": "/usr/bin", "HOME": "/home/u", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
    "PYTHONPATH": "/src", "JUPYTER_MLSTUDIO_TOKEN": "t0ken", "JUPYTER_TOKEN": "t0ken",
    "JPY_API_TOKEN": "t0ken", "JUPYTERHUB_API_TOKEN": "t0ken", "JUPYTER_MLSTUDIO_URL": "u",
    "JUPYTER_CONFIG_DIR": "/c", "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1", "SOMETHING_ELSE": "x",
}


def test_model_servers_and_runners_get_the_role_but_no_server_secret():
    env = serving_environment({"AWS_DEFAULT_REGION": "eu-west-1"},
                              {"SAGEMAKER_PROGRAM": "serve.py",
                               "JUPYTER_MLSTUDIO_TOKEN": "from-a-model"}, base=SERVER_ENV)
    assert not set(env) & SERVER_SECRETS
    assert "t0ken" not in env.values() and "from-a-model" not in env.values()
    assert {k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PATH",
                                "PYTHONPATH", "LC_ALL", "AWS_DEFAULT_REGION",
                                "SAGEMAKER_PROGRAM")} == {
        "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "PATH": "/usr/bin",
        "PYTHONPATH": "/src", "LC_ALL": "C.UTF-8", "AWS_DEFAULT_REGION": "eu-west-1",
        "SAGEMAKER_PROGRAM": "serve.py"}
    assert "JUPYTER_MLSTUDIO_URL" not in env and "SOMETHING_ELSE" not in env


def test_the_router_gets_no_credentials_at_all():
    env = serving_environment({"PYTHONUNBUFFERED": "1"}, base=SERVER_ENV, aws=False)
    assert not [k for k in env if k.startswith(("AWS_", "JUPYTER"))]
    assert env["PYTHONUNBUFFERED"] == "1" and env["PATH"] == "/usr/bin"
