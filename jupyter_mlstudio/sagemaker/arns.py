"""SageMaker resource ARNs, as the service forms them (account ``000000000000`` here)."""
from __future__ import annotations

import re

ACCOUNT = "000000000000"
_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
                  r"(?P<kind>[a-z-]+)/(?P<name>[A-Za-z0-9-]{1,63})$")


def arn(region: str, kind: str, name: str) -> str:
    """The ARN of resource ``name`` of ``kind`` (``training-job``, ``endpoint``…): SageMaker
    writes the name in lower case."""
    return f"arn:aws:sagemaker:{region}:{ACCOUNT}:{kind}/{name.lower()}"


def parse_arn(value: str) -> tuple[str, str] | None:
    """(kind, lower-case name) of a SageMaker resource ARN, or None if it is not one."""
    match = _ARN.match(value)
    if match is None:
        return None
    return match.group("kind"), match.group("name").lower()
