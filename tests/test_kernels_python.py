"""Python environments as kernels: a real venv from PyPI, failures and cancels roll back."""
from __future__ import annotations

import os

import psutil
import pytest

from jupyter_mlstudio.s3.ports import free_ports
from tests.procs import eventually
from tests.kernels_support import (
    PIP_CACHE, Kernel, install, make_api, server_config, text_of, wait_install)

pytestmark = [pytest.mark.slow]


def pip_install_running() -> bool:
    """Whether a ``pip install`` runs below this (the server's) process."""
    for child in psutil.Process().children(recursive=True):
        try:
            cmdline = child.cmdline()
        except psutil.Error:
            continue
        if "pip" in cmdline and "install" in cmdline:
            return True
    return False


@pytest.fixture
def env_dir(tmp_path):
    return tmp_path / "envs"


@pytest.fixture
def jp_server_config(env_dir, monkeypatch):
    monkeypatch.setenv("PIP_CACHE_DIR", str(PIP_CACHE))  # HOME is a temporary folder here
    return server_config(env_dir)


@pytest.fixture
def service(jp_serverapp):
    (ext,) = jp_serverapp.extension_manager.extension_apps["jupyter_mlstudio"]
    return ext.kernels_service


@pytest.fixture
def api(jp_fetch, service):
    return make_api(jp_fetch)


def assert_nothing_left(env_dir, name, spec_manager):
    assert not (env_dir / name).exists()
    assert name not in spec_manager.find_kernel_specs()
    # (a ".<name>.trash-*" folder is being deleted in the background)
    assert not [p for p in env_dir.iterdir()
                if p.name.startswith(f".{name}.") and ".trash-" not in p.name]


@pytest.mark.kernel
async def test_environment_kernel_uses_its_own_python_and_packages(api, env_dir, jp_serverapp):
    job = await install(api, {"kind": "python", "name": "py-six",
                              "display_name": "Python with six",
                              "options": {"packages": ["six"]}})
    assert job["status"] == "Completed", job["message"]
    env = env_dir / "py-six"
    spec = job["kernelspec"]
    assert spec["environment"] == str(env) and spec["interpreter"] == str(env / "bin" / "python")
    assert spec["display_name"] == "Python with six" and spec["kind"] == "python"
    kernel = await Kernel.start("py-six", jp_serverapp.kernel_spec_manager)
    try:
        reply, outputs = await kernel.run("import sys, six\nprint(sys.executable)\n"
                                          "print(six.__file__)")
        assert reply["status"] == "ok", reply
        executable, six_file = text_of(outputs).split()
        assert executable == str(env / "bin" / "python")
        assert six_file.startswith(str(env))  # not the server's six
    finally:
        await kernel.stop()


async def test_a_package_that_does_not_exist_fails_with_pips_error(api, env_dir, jp_serverapp):
    job = await install(api, {"kind": "python", "name": "py-bad",
                              "options": {"packages": ["mlstudio-no-such-package-4f2a"]}})
    assert job["status"] == "Failed"
    assert "pip install failed" in job["message"]
    assert "mlstudio-no-such-package-4f2a" in job["message"]  # pip's own words, its tail
    assert_nothing_left(env_dir, "py-bad", jp_serverapp.kernel_spec_manager)


async def test_network_failure_fails_cleanly(api, service, env_dir, jp_serverapp, monkeypatch):
    for name in [k for k in os.environ if k.startswith("PIP_") and k != "PIP_CACHE_DIR"]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no local mirrors: only the index below
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    service.installers["python"].pip_options = ["--retries", "0", "--timeout", "3"]
    (port,) = free_ports(1)
    job = await install(api, {"kind": "python", "name": "py-offline", "options": {
        "packages": ["six"], "index_url": f"http://127.0.0.1:{port}/simple"}})
    assert job["status"] == "Failed"
    assert "pip install failed" in job["message"]
    assert_nothing_left(env_dir, "py-offline", jp_serverapp.kernel_spec_manager)


async def test_time_out_and_cancel_roll_back(api, service, env_dir, jp_serverapp):
    service.config.install_timeout = 2
    job = await install(api, {"kind": "python", "name": "py-slow",
                              "options": {"packages": ["six"]}})
    assert job["status"] == "Failed" and "timed out after 2 s" in job["message"], job
    assert_nothing_left(env_dir, "py-slow", jp_serverapp.kernel_spec_manager)

    service.config.install_timeout = 600
    code, first = await api("POST", "installs", body={"kind": "python", "name": "py-one"})
    assert code == 202
    code, second = await api("POST", "installs", body={"kind": "python", "name": "py-two"})
    assert code == 202 and second["status"] == "Pending"  # one install at a time per kind
    code, err = await api("POST", "installs", body={"kind": "python", "name": "py-two"})
    assert (code, err["reason"]) == (409, "InstallInProgress")
    code, kinds = await api("GET")
    assert {k["kind"]: k["busy"] for k in kinds["kinds"]}["python"] is True

    code, cancelled = await api("POST", "installs", second["id"], "cancel")
    assert code == 202
    assert (await wait_install(api, second["id"]))["status"] == "Stopped"

    await eventually(
        lambda: service.describe_install(first["id"])["phase"].startswith("installing"), 30)
    await eventually(pip_install_running, 30)  # cancelled while pip runs
    await api("POST", "installs", first["id"], "cancel")
    job = await wait_install(api, first["id"])
    assert job["status"] == "Stopped" and job["started"] and job["ended"]
    code, log = await api("GET", "installs", first["id"], "log", params={"offset": "0"})
    assert "==> stopping" in log["text"] and log["finished"]
    for name in ("py-one", "py-two"):
        assert_nothing_left(env_dir, name, jp_serverapp.kernel_spec_manager)
