"""``%%train``: the cell becomes ``train.py`` of a script-mode job, run by the real SageMaker SDK.

The magic builds exactly what a notebook on SageMaker would write by hand,
``sagemaker.estimator.Estimator(image_uri=…, entry_point="train.py", source_dir=…)`` then
``fit()``, so it runs wherever the SDK's calls go: this server (the kernel environment
points the SDK here) or SageMaker itself.
"""
from __future__ import annotations

import shutil
import tempfile
from typing import Any

from IPython.core.error import UsageError

#: The image ``--image`` defaults to: SageMaker's scikit-learn image (the SDK's own URI).
DEFAULT_FRAMEWORK = ("sklearn", "1.2-1")
DEFAULT_INSTANCE_TYPE = "ml.m5.large"


def execution_role(session: Any) -> str:
    """The notebook's role, as ``get_execution_role()`` finds it; else the one this server
    (as a notebook instance) reports."""
    import sagemaker

    try:
        return sagemaker.get_execution_role(session)
    except Exception:  # noqa: BLE001 — the SDK raises ValueError or ClientError here
        client = session.sagemaker_client
        instances = client.list_notebook_instances().get("NotebookInstances", [])
        if not instances:
            raise UsageError("%%train: no execution role: pass one with --role") from None
        name = instances[0]["NotebookInstanceName"]
        return client.describe_notebook_instance(NotebookInstanceName=name)["RoleArn"]


def run_training(cell: str, *, name: str | None, instance_count: int, image: str | None,
                 role: str | None, hyperparameters: dict[str, Any],
                 channels: dict[str, str], metrics: list[dict[str, Any]],
                 wait: bool) -> Any:
    """Fit ``cell`` as ``train.py`` with the SageMaker SDK; return the SDK's estimator."""
    try:
        import sagemaker
        from botocore.exceptions import ClientError
        from sagemaker.estimator import Estimator
    except ImportError:
        raise UsageError("%%train needs the SageMaker SDK: pip install "
                         "'jupyter_mlstudio[sdk]'") from None
    session = sagemaker.Session()
    if image is None:
        framework, version = DEFAULT_FRAMEWORK
        image = sagemaker.image_uris.retrieve(framework, session.boto_region_name, version,
                                              instance_type=DEFAULT_INSTANCE_TYPE)
    source = tempfile.mkdtemp(prefix="mlstudio-train-")
    try:
        with open(f"{source}/train.py", "w", encoding="utf-8") as f:
            f.write(cell)
        estimator = Estimator(image_uri=image, role=role or execution_role(session),
                              instance_count=instance_count,
                              instance_type=DEFAULT_INSTANCE_TYPE, entry_point="train.py",
                              source_dir=source, hyperparameters=hyperparameters,
                              metric_definitions=metrics or None, sagemaker_session=session)
        estimator.fit(channels or None, wait=wait, logs=wait, job_name=name)
    except ClientError as err:
        raise UsageError(f"%%train: {err.response['Error'].get('Message', err)}") from None
    except sagemaker.exceptions.UnexpectedStatusException as err:
        raise UsageError(f"%%train: {err}") from None
    finally:
        shutil.rmtree(source, ignore_errors=True)  # fit() packed and uploaded it
    return estimator
