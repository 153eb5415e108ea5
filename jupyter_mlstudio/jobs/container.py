"""The SageMaker training container contract: folders, config files and ``SM_*`` variables.

Pure functions: given a job plan and a host, where everything goes and what the
script's environment and arguments are. The runner does the I/O.
"""
from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

from ..optml import OPT_ML
from .spec import DEFAULT_CHECKPOINT_PATH, user_hyperparameters

#: The Python errors whose first mention in stderr starts ``ErrorMessage`` (as the
#: SageMaker training toolkit's ``process.watch`` picks them).
_ERROR_NAME = re.compile(
    r"\b(?:[A-Za-z_][A-Za-z0-9_]*(?:Error|Exception)|Invalid requirement|KeyboardInterrupt)\b")
ERROR_MESSAGE_LIMIT = 600
#: ExtraInfo SageMaker's toolkit adds for an exit code.
_EXTRA_INFO = {137: "OutOfMemory: Process killed by SIGKILL (signal 9)"}


def host_names(count: int) -> list[str]:
    return [f"algo-{i}" for i in range(1, count + 1)]


def base_dir(job_dir: Path, host: str) -> Path:
    """``SAGEMAKER_BASE_DIR`` of one host: its own ``/opt/ml``."""
    return job_dir / "hosts" / host


def layout(base: Path) -> dict[str, Path]:
    return {
        "input": base / "input",
        "config": base / "input" / "config",
        "data": base / "input" / "data",
        "model": base / "model",
        "output": base / "output",
        "output_data": base / "output" / "data",
        "intermediate": base / "output" / "intermediate",
        "failure": base / "output" / "failure",
        "code": base / "code",
    }


def make_layout(base: Path) -> dict[str, Path]:
    paths = layout(base)
    for key in ("config", "data", "model", "output_data", "intermediate"):
        paths[key].mkdir(parents=True, exist_ok=True)
    return paths


def checkpoint_dir(base: Path, spec: dict[str, Any]) -> Path | None:
    """Where a host's ``CheckpointConfig.LocalPath`` (a path below ``/opt/ml``) is in
    ``base``; None when the job has no checkpoints."""
    config = spec.get("CheckpointConfig")
    if not config:
        return None
    local = PurePosixPath(config.get("LocalPath") or DEFAULT_CHECKPOINT_PATH)
    return base.joinpath(*local.relative_to(OPT_ML).parts)


def exit_code(returncode: int) -> int:
    """A process's exit code as a container reports it: 128 + N when killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def error_message(stderr_lines: list[str]) -> str:
    """``ErrorMessage`` of ExecuteUserScriptError: stderr from the first line naming an
    error, each line stripped of spaces and colons (the toolkit's rule), else its last
    lines; the middle of a long one left out."""
    lines = [ln.strip(" :") for ln in stderr_lines if ln.strip(" :")]
    start = next((i for i, ln in enumerate(lines) if _ERROR_NAME.search(ln)),
                 max(len(lines) - 10, 0))
    text = "\n".join(lines[start:])
    if len(text) > ERROR_MESSAGE_LIMIT:
        half = ERROR_MESSAGE_LIMIT // 2
        text = f"{text[:half]}\n...\n{text[-half:]}"
    return text


def execute_user_script_error(command: list[str], returncode: int,
                              stderr_lines: list[str]) -> str:
    """The failure SageMaker's training toolkit reports for a script that exited non-zero
    (``sagemaker_training.errors.ExecuteUserScriptError``)."""
    code = exit_code(returncode)
    parts = ["ExecuteUserScriptError:", f"ExitCode {code}",
             f'ErrorMessage "{error_message(stderr_lines)}"']
    if code in _EXTRA_INFO:
        parts.append(f'ExtraInfo "{_EXTRA_INFO[code]}"')
    parts.append(f'Command "{shlex.join(command)}"')
    return "\n".join(parts)


def command_line_args(hps: dict[str, Any]) -> list[str]:
    """``--name value`` pairs, as SageMaker's framework containers pass hyperparameters."""
    args: list[str] = []
    for key, value in hps.items():
        text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        if isinstance(value, bool):
            text = str(value)
        args += [f"--{key}", text]
    return args


def write_config(paths: dict[str, Path], spec: dict[str, Any], hosts: list[str],
                 host: str) -> None:
    """``hyperparameters.json``, ``resourceconfig.json`` and ``inputdataconfig.json``."""
    config = paths["config"]
    (config / "hyperparameters.json").write_text(json.dumps(spec["HyperParameters"]))
    (config / "resourceconfig.json").write_text(json.dumps(resource_config(hosts, host)))
    (config / "inputdataconfig.json").write_text(json.dumps(input_data_config(spec)))


def resource_config(hosts: list[str], host: str) -> dict[str, Any]:
    return {
        "current_host": host,
        "hosts": hosts,
        "current_group_name": "homogeneousCluster",
        "current_instance_type": "local",
        "instance_groups": [{"instance_group_name": "homogeneousCluster",
                             "instance_type": "local", "hosts": hosts}],
        "network_interface_name": "lo",
    }


def input_data_config(spec: dict[str, Any]) -> dict[str, Any]:
    mode = spec["AlgorithmSpecification"].get("TrainingInputMode", "File")
    return {
        ch["ChannelName"]: {
            "TrainingInputMode": ch.get("InputMode", mode),
            "S3DistributionType": ch["DataSource"]["S3DataSource"]["S3DataDistributionType"],
            "RecordWrapperType": ch.get("RecordWrapperType", "None"),
            **({"ContentType": ch["ContentType"]} if ch.get("ContentType") else {}),
        }
        for ch in spec["InputDataConfig"]
    }


def environment(
    spec: dict[str, Any],
    paths: dict[str, Path],
    hosts: list[str],
    host: str,
    program: str,
    num_cpus: int,
    master_port: int,
) -> dict[str, str]:
    """The script's environment: the ``SM_*`` variables, torch.distributed's, the spec's."""
    hps = user_hyperparameters(spec["HyperParameters"])
    channels = [ch["ChannelName"] for ch in spec["InputDataConfig"]]
    channel_dirs = {c: str(paths["data"] / c) for c in channels}
    module = program[:-3] if program.endswith(".py") else program
    rank = hosts.index(host)
    training_env = {
        "additional_framework_parameters": {},
        "channel_input_dirs": channel_dirs,
        "current_host": host,
        "current_instance_type": "local",
        "hosts": hosts,
        "hyperparameters": hps,
        "input_config_dir": str(paths["config"]),
        "input_data_config": input_data_config(spec),
        "input_dir": str(paths["input"]),
        "job_name": spec["TrainingJobName"],
        "log_level": 20,
        "master_hostname": hosts[0],
        "model_dir": str(paths["model"]),
        "module_dir": str(paths["code"]),
        "module_name": module,
        "network_interface_name": "lo",
        "num_cpus": num_cpus,
        "num_gpus": 0,
        "output_data_dir": str(paths["output_data"]),
        "output_dir": str(paths["output"]),
        "output_intermediate_dir": str(paths["intermediate"]),
        "resource_config": resource_config(hosts, host),
        "user_entry_point": program,
    }
    env = {
        "SAGEMAKER_BASE_DIR": str(paths["input"].parent),
        "TRAINING_JOB_NAME": spec["TrainingJobName"],
        "SM_MODEL_DIR": str(paths["model"]),
        "SM_CHANNELS": json.dumps(channels),
        "SM_HPS": json.dumps(hps),
        "SM_HOSTS": json.dumps(hosts),
        "SM_CURRENT_HOST": host,
        "SM_CURRENT_INSTANCE_TYPE": "local",
        "SM_NUM_CPUS": str(num_cpus),
        "SM_NUM_GPUS": "0",
        "SM_NUM_NEURONS": "0",
        "SM_LOG_LEVEL": "20",
        "SM_NETWORK_INTERFACE_NAME": "lo",
        "SM_INPUT_DIR": str(paths["input"]),
        "SM_INPUT_CONFIG_DIR": str(paths["config"]),
        "SM_INPUT_DATA_CONFIG": json.dumps(input_data_config(spec)),
        "SM_RESOURCE_CONFIG": json.dumps(resource_config(hosts, host)),
        "SM_OUTPUT_DIR": str(paths["output"]),
        "SM_OUTPUT_DATA_DIR": str(paths["output_data"]),
        "SM_OUTPUT_INTERMEDIATE_DIR": str(paths["intermediate"]),
        "SM_MODULE_DIR": str(paths["code"]),
        "SM_MODULE_NAME": module,
        "SM_USER_ENTRY_POINT": program,
        "SM_USER_ARGS": json.dumps(command_line_args(hps)),
        "SM_FRAMEWORK_PARAMS": "{}",
        "SM_FRAMEWORK_MODULE": "",
        "SM_TRAINING_ENV": json.dumps(training_env),
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(master_port),
        "WORLD_SIZE": str(len(hosts)),
        "RANK": str(rank),
        "LOCAL_RANK": "0",
        "PYTHONUNBUFFERED": "1",
    }
    for name, directory in channel_dirs.items():
        env[f"SM_CHANNEL_{name.upper()}"] = directory
    for key, value in hps.items():
        env[f"SM_HP_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    env.update(spec.get("Environment", {}))
    code = str(paths["code"])
    env["PYTHONPATH"] = code + (os.pathsep + os.environ["PYTHONPATH"]
                                if os.environ.get("PYTHONPATH") else "")
    return env
