"""Running an example notebook top to bottom with nbclient, as a check that it works."""
from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


@dataclass
class ValidationResult:
    status: str  # "passing" | "failing"
    duration: float
    error: str | None = None


def _first_line(text: object, limit: int = 500) -> str:
    lines = [ln for ln in str(text).strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else str(text))[:limit]


async def validate_notebook(
    data: bytes,
    *,
    kernel_name: str,
    cell_timeout: float,
    notebook_timeout: float,
) -> ValidationResult:
    """Execute the notebook in its own kernel in a scratch folder; never raises."""
    start = time.monotonic()
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as err:  # nbformat raises several types for bad input
        return ValidationResult("failing", 0.0, f"invalid notebook: {_first_line(err)}")
    with tempfile.TemporaryDirectory(prefix="mlstudio-validate-") as cwd:
        client = NotebookClient(
            nb,
            timeout=cell_timeout,
            kernel_name=kernel_name or "python3",
            resources={"metadata": {"path": cwd}},
            allow_errors=False,
        )
        try:
            await asyncio.wait_for(client.async_execute(), notebook_timeout)
            error = None
        except CellExecutionError as err:
            error = f"{err.ename}: {err.evalue}" if err.ename else _first_line(err)
        except CellTimeoutError:
            error = f"a cell ran longer than {cell_timeout:.0f} s"
        except asyncio.TimeoutError:
            error = f"the notebook ran longer than {notebook_timeout:.0f} s"
        except NoSuchKernel:
            error = f"kernel {kernel_name!r} is not installed"
        except DeadKernelError as err:
            error = f"the kernel died: {_first_line(err)}"
        except Exception as err:  # a validation never takes the server down
            error = f"{type(err).__name__}: {_first_line(err)}"
    duration = time.monotonic() - start
    return ValidationResult("failing" if error else "passing", duration, error)
