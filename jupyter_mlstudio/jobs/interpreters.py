"""The Python that runs a job, from its image (see ``sagemaker.images``) and the backend's
settings."""
from __future__ import annotations

import os
import shutil
import sys
from typing import Collection

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from ..sagemaker.errors import ValidationError
from .framework_envs import ImageFramework, image_framework, served_by_server
from ..sagemaker.images import framework_of, kernel_of


def kernel_python(kernel_name: str) -> str:
    """The interpreter of a Python kernelspec (``argv[0]``), or a 400 saying why not."""
    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise ValidationError(f"no kernel named {kernel_name!r} is installed") from None
    if (spec.language or "").lower() != "python":
        raise ValidationError(f"kernel {kernel_name!r} is {spec.language}, not Python")
    exe = spec.argv[0]
    found = exe if os.path.isabs(exe) else shutil.which(exe)
    if not found:
        raise ValidationError(f"kernel {kernel_name!r}: interpreter {exe!r} not found")
    return found


def resolve(image: str | None, default_python: str, environments: dict[str, str]) -> str:
    """The interpreter for ``image``: a named kernel, the framework's environment, or
    the default. Environments are kernelspec names or absolute Python paths."""
    kernel = kernel_of(image)
    if kernel:
        return kernel_python(kernel)
    framework = framework_of(image)
    choice = environments.get(framework) if framework else None
    if not choice:
        return default_python
    if os.path.isabs(choice):
        if not os.access(choice, os.X_OK):
            raise ValidationError(f"the {framework} environment {choice!r} is not executable")
        return choice
    return kernel_python(choice)


def environment_to_build(image: str | None, default_python: str,
                         environments: dict[str, str],
                         frameworks: Collection[str]) -> ImageFramework | None:
    """The framework environment a job on ``image`` runs in, when one is to be built (or
    reused) rather than ``resolve``'s interpreter: an image of one of ``frameworks`` with
    a version in its tag, no environment configured for its framework, and a server
    whose own Python lacks that version."""
    if kernel_of(image):
        return None
    wanted = image_framework(image)
    if wanted is None or wanted.framework not in frameworks \
            or environments.get(wanted.framework):
        return None
    if default_python == sys.executable and served_by_server(wanted):
        return None
    return wanted
