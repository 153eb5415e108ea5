"""SageMaker's name rules for its resources (jobs, models, endpoints, configurations)."""
from __future__ import annotations

import re
from typing import Any

from .errors import ValidationError

#: SageMaker's resource names (jobs, models, endpoints): 1-63 letters, digits, hyphens.
RESOURCE_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def resource_name(value: Any, field: str) -> str:
    """A SageMaker resource name, or ValidationError naming ``field``."""
    if not isinstance(value, str) or not RESOURCE_NAME.match(value):
        raise ValidationError(f"{field} {value!r} must be 1-63 letters, digits and hyphens, "
                              "starting with a letter or digit")
    return value
