"""``sagemaker_containers``' ``worker.Response``: what ``output_fn`` may return.

The model server answers with its body, status and mimetype (JSON when none is given).
"""
from __future__ import annotations

import warnings

from . import _content_types


class Response:
    """A response body with a status, mimetype and headers (Flask's constructor order)."""

    default_mimetype = _content_types.JSON

    def __init__(self, response=None, accept=None, status=200, headers=None, mimetype=None,
                 direct_passthrough=False):
        if accept:
            warnings.warn('ignoring deprecated "accept" argument to Response.__init__',
                          DeprecationWarning)
        self.response = response
        self.status_code = int(str(status).split()[0])
        self.headers = dict(headers or {})
        self.mimetype = mimetype or self.headers.get("Content-Type") or self.default_mimetype

    @property
    def content_type(self) -> str:
        return self.mimetype

    @property
    def status(self) -> str:
        return str(self.status_code)

    def get_data(self, as_text: bool = False):
        body = self.response
        if body is None:
            data = b""
        elif isinstance(body, (bytes, bytearray, memoryview)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = b"".join(p.encode("utf-8") if isinstance(p, str) else bytes(p) for p in body)
        return data.decode("utf-8") if as_text else data
