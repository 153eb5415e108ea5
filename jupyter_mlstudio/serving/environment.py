"""What serving helpers (model servers, transform runners) find in their environment.

Only what their contract needs: the basics of running a program (paths, locale, temp
folder, the Python and library settings of this installation, proxies and CA bundles),
the AWS settings that play SageMaker's execution role, ``SAGEMAKER_*`` / ``SM_*``, plus
what the caller adds (the store's connection, a model's ``Environment``). Nothing of the
Jupyter server's own: :func:`jupyter_mlstudio.process.helper_environment` drops its
secrets on top of that.
"""
from __future__ import annotations

import os
from typing import Mapping

from ..process import helper_environment

_NAMES = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR",
    "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LD_LIBRARY_PATH", "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY",
    "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "GOMEMLIMIT",
})
_PREFIXES = ("LC_", "AWS_", "SAGEMAKER_", "SM_", "CONDA_", "OMP_", "MKL_", "OPENBLAS_",
             "CUDA_", "NVIDIA_", "XDG_")


def serving_environment(*extra: Mapping[str, str], base: Mapping[str, str] | None = None,
                        aws: bool = True) -> dict[str, str]:
    """The needed part of ``base`` (default: this process's environment) plus ``extra``;
    without ``aws``, no ``AWS_*`` setting (the router needs no credentials of its own)."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if (k in _NAMES or k.startswith(_PREFIXES))
           and (aws or not k.startswith("AWS_"))}
    for more in extra:
        env.update(more)
    return helper_environment(base=env)
