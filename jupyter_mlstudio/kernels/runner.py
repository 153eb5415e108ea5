"""Install steps as subprocesses: own process group, output streamed to the log, killable."""
from __future__ import annotations

import asyncio
import codecs
import signal
import subprocess
from typing import Callable, Mapping, Sequence

from ..process import _die_with_parent, helper_environment, signal_group

# Variables that would make a child Python use the server's packages instead of its own.
_PYTHON_LEAKS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__")


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment without Python path overrides or the server's secrets,
    for building environments."""
    env = {k: v for k, v in helper_environment().items() if k not in _PYTHON_LEAKS}
    env.update({"PYTHONUNBUFFERED": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "PIP_NO_INPUT": "1"})
    env.update(extra or {})
    return env


async def run_logged(
    args: Sequence[str],
    write: Callable[[str], None],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    tail_chars: int = 8000,
) -> tuple[int, str]:
    """Run ``args``, passing its output (stdout and stderr) to ``write`` as it comes.

    Returns the exit code and the last ``tail_chars`` characters of output. When the
    calling task is cancelled (cancel, time-out) the whole process group is killed.
    """
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(env) if env is not None else clean_environment(),
        cwd=cwd,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    tail = ""
    try:
        assert proc.stdout is not None
        while True:
            chunk = await proc.stdout.read(65536)
            text = decoder.decode(chunk, final=not chunk)
            if text:
                write(text)
                tail = (tail + text)[-tail_chars:]
            if not chunk:
                break
        code = await proc.wait()
    except BaseException:
        await _kill(proc)
        raise
    signal_group(proc, signal.SIGKILL)  # children that outlived their parent
    return code, tail


async def _kill(proc: asyncio.subprocess.Process, grace: float = 5.0) -> None:
    signal_group(proc, signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.shield(proc.wait()), grace)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        pass
    signal_group(proc, signal.SIGKILL)
    try:
        await asyncio.wait_for(asyncio.shield(proc.wait()), grace)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        pass
