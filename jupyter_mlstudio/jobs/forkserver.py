"""A warm parent for job runners: imports boto3 and the runner once, forks per job.

    python -m jupyter_mlstudio.jobs.forkserver SOCKET_PATH

Starting a runner as a fresh ``python`` costs hundreds of milliseconds of imports
(boto3 above all), paid again when the job uploads its model. The fork server pays
them once; each job is a double fork, so the runner belongs to no one (it survives
a server restart, like a runner started directly) and its pid is sent back.
The runner stays in the server's mount namespace (it works with the jobs' real
folders); each host it starts enters one of its own, where ``/opt/ml`` is the host's
folder (see :mod:`jupyter_mlstudio.optml`).
Protocol: one JSON object per line, ``{"job_dir", "env"}`` → ``{"pid"}`` or
``{"error"}``.
"""
from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

from ..process import helper_environment


def _warm_up() -> None:
    import boto3

    from . import runner  # noqa: F401 - imported for the children

    # Loads botocore's S3 model and endpoint data into the default session's caches,
    # which the children inherit: their boto3.client("s3") is then quick.
    boto3.setup_default_session()
    boto3.client("s3", region_name="us-east-1", aws_access_key_id="x",
                 aws_secret_access_key="x")


def _run_job(job_dir: str, env: dict[str, str]) -> None:
    """In the grandchild: become the job's runner, then exit without returning."""
    code = 1
    try:
        os.chdir(job_dir)
        clean = helper_environment(env)  # never the server's tokens, whoever asks
        os.environ.clear()
        os.environ.update(clean)
        log = os.open(os.path.join(job_dir, "runner.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                      0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = os.fdopen(2, "w", buffering=1)
        from .runner import Runner

        code = Runner.from_job_dir(job_dir).run()
    except BaseException:  # the runner reports its own failures; this is the last resort
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _launch(request: dict[str, Any]) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # child: new session, fork the runner, report its pid, leave
        os.close(read_end)
        os.setsid()
        grandchild = os.fork()
        if grandchild == 0:
            os.close(write_end)
            _run_job(request["job_dir"], request.get("env", {}))
        os.write(write_end, str(grandchild).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as pipe:
        pid = pipe.read()
    return {"pid": int(pid)} if pid else {"error": "fork failed"}


def serve(path: str) -> None:
    _warm_up()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        with conn, conn.makefile("rwb") as stream:
            for line in stream:
                try:
                    reply = _launch(json.loads(line))
                except Exception as err:  # keep serving whatever one request does
                    reply = {"error": str(err)}
                stream.write(json.dumps(reply).encode() + b"\n")
                stream.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
