"""Pluggable classes: the EntryPointType trait, and c.MLStudioApp.default_backend picking
the backend that runs training jobs."""
from __future__ import annotations

import json
import logging
from importlib.metadata import EntryPoint
from typing import Any

import pytest
from traitlets import HasTraits, TraitError
from traitlets.config import Config

from jupyter_mlstudio import plugins
from jupyter_mlstudio.backends import JobBackend
from jupyter_mlstudio.backends.local import LocalBackend
from jupyter_mlstudio.engine.engine import JobEngine
from jupyter_mlstudio.jobs.service import TrainingService
from tests.training_support import script_dir, wait_done

GROUP = "jupyter_mlstudio.backends"


class RecordingBackend(LocalBackend):
    """The local backend under another name, noting the jobs it starts."""

    name = "recording"
    started: list[str] = []

    async def start(self, job_name: str, plan: dict[str, Any],
                    env: dict[str, str]) -> dict[str, Any]:
        RecordingBackend.started.append(job_name)
        return await super().start(job_name, plan, env)


class NotABackend:
    pass


class Settings(HasTraits):
    backend = plugins.EntryPointType(LocalBackend, klass=JobBackend, group=GROUP,
                                     help="The backend.")


@pytest.fixture
def installed_plugins(monkeypatch):
    """The group holds ``recording`` (a backend) and ``broken`` (a module that is not there)."""
    points = [EntryPoint("recording", f"{__name__}:RecordingBackend", GROUP),
              EntryPoint("broken", "no_such_module_here:Backend", GROUP)]
    monkeypatch.setattr(plugins, "entry_points",
                        lambda group: [p for p in points if p.group == group])


def test_a_class_is_taken_as_it_is():
    assert Settings(backend=RecordingBackend).backend is RecordingBackend
    assert Settings().backend is LocalBackend


def test_a_dotted_path_is_imported():
    assert Settings(backend=f"{__name__}.RecordingBackend").backend is RecordingBackend


def test_an_entry_point_name_is_loaded(installed_plugins):
    assert Settings(backend="recording").backend is RecordingBackend


def test_an_unknown_name_lists_the_installed_ones(installed_plugins):
    with pytest.raises(TraitError) as info:
        Settings(backend="nosuch")
    message = str(info.value)
    assert "'nosuch'" in message and GROUP in message
    assert "broken, recording" in message


def test_a_class_of_the_wrong_kind_is_refused(installed_plugins):
    with pytest.raises(TraitError, match="JobBackend"):
        Settings(backend=f"{__name__}.NotABackend")
    with pytest.raises(TraitError, match="cannot be loaded"):
        Settings(backend="broken")
    with pytest.raises(TraitError, match="cannot be loaded"):
        Settings(backend=f"{__name__}.Missing")


def test_help_lists_the_installed_names(installed_plugins):
    help_text = Settings.class_traits()["backend"].help
    assert help_text.startswith("The backend.")
    assert f"recording ({__name__}:RecordingBackend)" in help_text


def test_installed_classes_leave_out_broken_plugins(installed_plugins):
    assert plugins.load_installed(GROUP, JobBackend) == {"recording": RecordingBackend}


def test_the_local_entry_point_of_this_package_loads():
    assert Settings(backend="local").backend is LocalBackend


def test_the_deprecated_training_setting_still_wins_with_a_warning(installed_plugins, tmp_path,
                                                                   caplog):
    config = Config({"TrainingService": {"backend_class": "recording"}})
    with caplog.at_level(logging.WARNING):
        service = TrainingService(
            config=config, log=logging.getLogger(__name__), db=None,
            engine=JobEngine(db=None, folder=tmp_path / "engine"), root_dir=str(tmp_path),
            region="us-east-1", environment=dict, backend=LocalBackend,
            backend_config={"jobs_dir": str(tmp_path / "jobs")})
    assert type(service.backend) is RecordingBackend
    assert any("c.MLStudioApp.default_backend" in r.getMessage() for r in caplog.records)


def _config(**traits: dict[str, Any]) -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlstudio": True}}, **traits}


@pytest.fixture
def jp_server_config(request):
    return getattr(request, "param", _config())


RECORDING = f"{__name__}.RecordingBackend"


@pytest.mark.parametrize("jp_server_config", [
    _config(MLStudioApp={"default_backend": RECORDING}),
    _config(TrainingService={"backend_class": RECORDING}),  # the deprecated alias
], ids=["default_backend", "TrainingService.backend_class"], indirect=True)
async def test_the_setting_picks_the_backend_that_runs_jobs(api, jp_fetch, mlstudio_app,
                                                            jp_root_dir):
    assert type(mlstudio_app.training_service.backend) is RecordingBackend
    folder = script_dir(jp_root_dir, "plugged", "print('trained')\n")
    name = f"plugged-{len(RecordingBackend.started)}"
    body = {"TrainingJobName": name, "AlgorithmSpecification": {"TrainingImage": "python"},
            "HyperParameters": {"sagemaker_program": "train.py",
                                "sagemaker_submit_directory": folder},
            "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/plugged"}}
    code, _ = await api("POST", body=body)
    assert code == 201
    job = await wait_done(api, name)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["Backend"] == "recording" and name in RecordingBackend.started

    status = json.loads((await jp_fetch("mlstudio", "api", "status")).body)
    running = [b for b in status["backends"] if b["default"]]
    assert [b["name"] for b in running] == [RECORDING]
    assert running[0]["class"] == RECORDING
    assert not next(b for b in status["backends"] if b["name"] == "local")["default"]
