"""What a SageMaker image URI names: a framework, or one of this project's kernels.

SageMaker's SDK writes framework images as ECR URIs such as
``683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3``
or ``763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-cpu-py310``
(``pytorch-inference:…`` when a model deploys). The repository name tells the framework;
``c.LocalBackend.framework_environments`` maps a framework to a kernel (whose
interpreter runs the script) or a Python path; model servers take that framework's
defaults.
Images of the form ``mlstudio/kernel:<kernelspec>`` name a kernel directly, and
``python`` (or no image) means the Jupyter server's own interpreter.
"""
from __future__ import annotations

import re

FRAMEWORK_REPOSITORIES: dict[str, str] = {
    "sagemaker-scikit-learn": "sklearn",
    "sklearn": "sklearn",
    "pytorch-training": "pytorch",
    "sagemaker-pytorch": "pytorch",
    "tensorflow-training": "tensorflow",
    "sagemaker-tensorflow": "tensorflow",
    "sagemaker-xgboost": "xgboost",
    "xgboost": "xgboost",
    "huggingface-pytorch-training": "huggingface",
    "huggingface-tensorflow-training": "huggingface",
    "sagemaker-mxnet": "mxnet",
    "mxnet-training": "mxnet",
    # The images that the SDK's framework models deploy with.
    "pytorch-inference": "pytorch",
    "sagemaker-pytorch-serving": "pytorch",
    "tensorflow-inference": "tensorflow",
    "sagemaker-tensorflow-serving": "tensorflow",
    "mxnet-inference": "mxnet",
    "sagemaker-mxnet-serving": "mxnet",
    "huggingface-pytorch-inference": "huggingface",
    "huggingface-tensorflow-inference": "huggingface",
}
_KERNEL_IMAGE = re.compile(r"^mlstudio/kernel:(?P<kernel>[A-Za-z0-9._-]+)$")


def framework_of(image: str | None) -> str | None:
    """The framework a SageMaker image URI names (``sklearn``, ``pytorch``…), if any."""
    if not image or image == "python":
        return None
    repository = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return FRAMEWORK_REPOSITORIES.get(repository)


def kernel_of(image: str | None) -> str | None:
    """The kernelspec an ``mlstudio/kernel:<name>`` image names."""
    match = _KERNEL_IMAGE.match(image or "")
    return match.group("kernel") if match else None


def is_runnable(image: str | None) -> bool:
    """Whether a local interpreter can stand in for ``image``."""
    return not image or image == "python" or bool(framework_of(image) or kernel_of(image))
