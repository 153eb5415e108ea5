"""``sagemaker_containers``' serving environment, read from the process environment."""
from __future__ import annotations

import os

from . import _content_types

base_dir = os.environ.get("SAGEMAKER_BASE_DIR", os.path.join("/opt", "ml"))
model_dir = os.environ.get("SM_MODEL_DIR", os.path.join(base_dir, "model"))
code_dir = os.path.join(model_dir, "code")


class ServingEnv:
    """The serving settings of the ``SAGEMAKER_*`` variables."""

    def __init__(self):
        program = os.environ.get("SAGEMAKER_PROGRAM")
        self.module_name = program[:-3] if program and program.endswith(".py") else program
        self.module_dir = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", code_dir)
        self.default_accept = os.environ.get(
            "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", _content_types.JSON)
        self.model_server_timeout = int(os.environ.get("SAGEMAKER_MODEL_SERVER_TIMEOUT", 60))
        self.model_server_workers = int(os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS", 1))
        self.http_port = os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080")
        self.framework_module = os.environ.get("SAGEMAKER_SERVING_MODULE")
