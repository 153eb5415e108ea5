"""``sagemaker_containers``' default handlers, for scripts that call them."""
from __future__ import annotations

from . import _encoders, _worker


def default_model_fn(model_dir):
    raise NotImplementedError(
        "Please provide a model_fn implementation.\n"
        "See documentation for model_fn at https://github.com/aws/sagemaker-python-sdk")


def default_input_fn(input_data, content_type):
    return _encoders.decode(input_data, content_type)


def default_predict_fn(data, model):
    raise NotImplementedError(
        "Please provide a predict_fn implementation.\n"
        "See documentation for predict_fn at https://github.com/aws/sagemaker-python-sdk")


def default_output_fn(prediction, accept):
    return _worker.Response(response=_encoders.encode(prediction, accept), mimetype=accept)
