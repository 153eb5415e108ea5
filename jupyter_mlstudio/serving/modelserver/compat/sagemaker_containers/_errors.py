"""The errors of ``sagemaker_containers`` that inference scripts raise or catch.

``UnsupportedFormatError`` is the model server's own: raised from ``input_fn`` it answers
415, from ``output_fn`` 406.
"""
from jupyter_mlstudio.serving.modelserver.codecs import UnsupportedFormatError  # noqa: F401


class ClientError(Exception):
    """An error of the user's code."""


class ImportModuleError(ClientError):
    """The user module could not be imported."""
