"""``from sagemaker_containers.beta.framework import content_types, encoders, worker, ...``"""
from ... import _content_types as content_types  # noqa: F401
from ... import _encoders as encoders  # noqa: F401
from ... import _env as env  # noqa: F401
from ... import _errors as errors  # noqa: F401
from ... import _modules as modules  # noqa: F401
from ... import _transformer as transformer  # noqa: F401
from ... import _worker as worker  # noqa: F401
