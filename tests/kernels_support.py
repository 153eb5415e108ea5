"""Helpers of the kernel installer tests: the API, waiting for installs, running cells."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from tests.rest_support import rest_api

# Downloads shared by test runs (the Scala jars, pip's wheels): resolved now, before
# pytest-jupyter points HOME at a temporary folder.
_CACHE_HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
TEST_CACHE = Path(os.environ.get("MLSTUDIO_TEST_CACHE") or _CACHE_HOME / "jupyter_mlstudio-tests")
PIP_CACHE = Path(os.environ.get("PIP_CACHE_DIR") or _CACHE_HOME / "pip")


def server_config(env_dir: Path, **extra: Any) -> dict[str, Any]:
    """A test server with the extension, no embedded S3 (not needed here), our env_dir."""
    config: dict[str, Any] = {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}},
        "MLStudioApp": {"embedded_s3": False},
        "KernelsApp": {"env_dir": str(env_dir)},
        "ScalaKernelInstaller": {"cache_dir": str(TEST_CACHE / "scala")},
    }
    for section, values in extra.items():
        config.setdefault(section, {}).update(values)
    return config


def make_api(jp_fetch):
    return rest_api(jp_fetch, "kernels")


async def wait_install(api, install_id: str, timeout: float = 240.0) -> dict[str, Any]:
    """Follow the install's log (long-poll) until it finishes; return the install."""
    deadline = time.monotonic() + timeout
    offset = 0
    while time.monotonic() < deadline:
        code, chunk = await api("GET", "installs", install_id, "log",
                                params={"offset": str(offset), "wait": "5"})
        assert code == 200, chunk
        offset = chunk["next_offset"]
        if chunk["finished"]:
            code, job = await api("GET", "installs", install_id)
            assert code == 200
            return job
    raise TimeoutError(f"install {install_id} still running after {timeout} s")


async def install(api, body: dict[str, Any], timeout: float = 240.0) -> dict[str, Any]:
    code, job = await api("POST", "installs", body=body)
    assert code == 202, job
    return await wait_install(api, job["id"], timeout)


class Kernel:
    """A kernel started with jupyter_client; ``run`` executes a cell and collects outputs."""

    def __init__(self, manager: AsyncKernelManager) -> None:
        self.manager = manager
        self.client = manager.client()

    @classmethod
    async def start(cls, name: str, spec_manager, timeout: float = 90.0) -> "Kernel":
        km = AsyncKernelManager(kernel_name=name, kernel_spec_manager=spec_manager)
        await km.start_kernel()
        kernel = cls(km)
        kernel.client.start_channels()
        await kernel.client.wait_for_ready(timeout=timeout)
        return kernel

    async def run(self, code: str, timeout: float = 60.0) -> tuple[dict, list[dict]]:
        """(reply content, [output messages' type and content])."""
        outputs: list[dict] = []

        def hook(msg: dict) -> None:
            if msg["msg_type"] in ("stream", "execute_result", "display_data", "error"):
                outputs.append({"type": msg["msg_type"], **msg["content"]})

        reply = await self.client.execute_interactive(code, output_hook=hook, timeout=timeout)
        return reply["content"], outputs

    async def stop(self) -> None:
        self.client.stop_channels()
        await self.manager.shutdown_kernel(now=True)


def text_of(outputs: list[dict]) -> str:
    """All text the outputs show: streams, results' text/plain, errors."""
    parts = []
    for out in outputs:
        if out["type"] == "stream":
            parts.append(out["text"])
        elif out["type"] == "error":
            parts.append(f"{out['ename']}: {out['evalue']}")
        else:
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)
