"""``sagemaker_containers``' module import, for scripts that call it."""
from __future__ import annotations

import importlib
import sys


def import_module(uri, name="default_user_module_name", cache=None):
    """Import ``name``, with ``uri`` (a local folder) on ``sys.path``."""
    if uri and uri not in sys.path and not str(uri).startswith("s3://"):
        sys.path.insert(0, str(uri))
    return importlib.import_module(name)
