"""The built-in Scala kernel: installed from PyPI's pyspark jars, driven through jupyter_client."""
from __future__ import annotations

import asyncio

import pytest

from tests.kernels_support import Kernel, install, make_api, server_config, text_of

pytestmark = [pytest.mark.slow, pytest.mark.kernel]


@pytest.fixture
def env_dir(tmp_path):
    return tmp_path / "envs"


@pytest.fixture
def jp_server_config(env_dir):
    # The jars are cached in TEST_CACHE (see kernels_support): downloaded once, not per run.
    return server_config(env_dir)


@pytest.fixture
def api(jp_fetch, jp_serverapp):
    return make_api(jp_fetch)


async def test_scala_kernel_keeps_state_reports_errors_and_interrupts(api, env_dir, jp_serverapp):
    job = await install(api, {"kind": "scala", "options": {"backend": "builtin"}}, timeout=600)
    assert job["status"] == "Completed", job["message"]
    spec = job["kernelspec"]
    assert spec["name"] == "scala" and spec["language"] == "scala"
    assert spec["backend"] == "builtin" and spec["environment"] == str(env_dir / "scala")
    assert sorted(p.name.split("-2")[0] for p in (env_dir / "scala" / "lib").iterdir()) == [
        "jline-3.29.0-jdk8.jar", "scala-compiler", "scala-library", "scala-reflect"]

    kernel = await Kernel.start("scala", jp_serverapp.kernel_spec_manager)
    try:
        reply, outputs = await kernel.run("val x = 21", timeout=120)
        assert reply["status"] == "ok", reply
        reply, outputs = await kernel.run("x * 2")
        assert reply["status"] == "ok" and "42" in text_of(outputs)
        reply, outputs = await kernel.run(
            "case class Point(x: Int, y: Int) {\n  def norm2: Int =\n    x * x + y * y\n}\n"
            'println("from stdout")\nPoint(3, 4).norm2')
        assert reply["status"] == "ok", reply
        assert {"type": "stream", "name": "stdout", "text": "from stdout\n"} in outputs
        assert "= 25" in text_of(outputs)

        reply, outputs = await kernel.run('val y: Int = "text"')
        assert reply["status"] == "error" and reply["ename"] == "CompileError"
        assert "type mismatch" in reply["evalue"] and outputs[-1]["type"] == "error"
        reply, outputs = await kernel.run("1 / (x - 21)")
        assert reply["status"] == "error" and reply["ename"] == "ArithmeticException"

        # Interrupt a running cell: the definitions made before it stay.
        msg_id = kernel.client.execute('println("sleeping now"); Thread.sleep(60000)')

        async def sleeping() -> None:  # the cell runs: what it printed has come back
            while True:
                msg = await kernel.client.get_iopub_msg(timeout=60)
                if msg["parent_header"].get("msg_id") == msg_id and \
                        msg["msg_type"] == "stream" and "sleeping now" in msg["content"]["text"]:
                    return

        await asyncio.wait_for(sleeping(), 90)
        await kernel.manager.interrupt_kernel()
        reply = await kernel.client.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "Interrupted"
        reply, outputs = await kernel.run("Point(1, 2).norm2 + x")
        assert reply["status"] == "ok" and "= 26" in text_of(outputs)

        # A restart is a new REPL.
        await kernel.manager.restart_kernel(now=True)
        await kernel.client.wait_for_ready(timeout=90)
        reply, outputs = await kernel.run("x", timeout=120)
        assert reply["status"] == "error" and "not found" in reply["evalue"]
    finally:
        await kernel.stop()
