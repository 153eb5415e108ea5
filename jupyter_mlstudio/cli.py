"""``jupyter mlstudio …``: the extension's command line."""
from __future__ import annotations

import json
import sys
from typing import Any

from jupyter_core.application import JupyterApp
from traitlets import Bool, Unicode

from ._version import __version__
from .client import MLStudioAPIError, MLStudioClient, ServerNotFound


class ServerCommand(JupyterApp):
    """Base of subcommands that talk to a running Jupyter server."""

    url = Unicode(
        "",
        config=True,
        help="URL of the Jupyter server. Default: $JUPYTER_MLSTUDIO_URL, else the first "
        "running server with the extension.",
    )
    token = Unicode(
        None,
        allow_none=True,
        config=True,
        help="API token of the server. Default: $JUPYTER_MLSTUDIO_TOKEN or the server's own.",
    )
    json_output = Bool(False, config=True, help="Print the server's JSON reply as it is.")

    aliases = {"url": "ServerCommand.url", "token": "ServerCommand.token"}
    flags = {"json": ({"ServerCommand": {"json_output": True}}, "Print raw JSON.")}

    def client(self) -> MLStudioClient:
        return MLStudioClient.from_environment(self.url or None, self.token)

    def fail(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self.exit(1)


def format_status(status: dict[str, Any]) -> str:
    """The status document as a few readable lines."""

    def mark(ok: bool) -> str:
        return "ok  " if ok else "FAIL"

    s3, db = status["s3"], status["database"]
    where = s3.get("endpoint_url") or "AWS (default endpoint)"
    lines = [
        f"jupyter_mlstudio {status['version']}: {'healthy' if status['healthy'] else 'DEGRADED'}",
        f"  [{mark(s3['healthy'])}] S3        {where}{' (embedded)' if s3['embedded'] else ''}"
        f" bucket={s3.get('default_bucket')}: {s3['message']}",
        f"  [{mark(db['healthy'])}] database  {db['url']} rev={db.get('revision')}: "
        f"{db['message']}",
    ]
    for b in status.get("backends", []):
        default = " (default)" if b.get("default") else ""
        lines.append(f"  [{mark(b['available'])}] backend   {b['name']}{default}: {b['message']}")
    return "\n".join(lines)


class StatusCommand(ServerCommand):
    """Show the extension's status on a running Jupyter server."""

    name = "jupyter-mlstudio-status"
    description = "Show the status of jupyter_mlstudio on a running Jupyter server."

    def start(self) -> None:
        try:
            status = self.client().get("status")
        except (MLStudioAPIError, ServerNotFound) as err:
            self.fail(str(err))
            return
        print(json.dumps(status, indent=2) if self.json_output else format_status(status))
        if not status.get("healthy"):
            self.exit(2)


class MLStudioCommand(JupyterApp):
    """The ``jupyter mlstudio`` entry point."""

    name = "jupyter-mlstudio"
    version = __version__
    description = "SageMaker-style tools for JupyterLab: status, and more with each feature."
    subcommands = {
        "status": (StatusCommand, StatusCommand.description),
    }

    def start(self) -> None:
        if self.subapp is not None:
            self.subapp.start()
            return
        print("usage: jupyter mlstudio SUBCOMMAND [options]; subcommands:", file=sys.stderr)
        for name, (_cls, help_text) in self.subcommands.items():
            print(f"  {name:10} {help_text}", file=sys.stderr)
        self.exit(1)


main = MLStudioCommand.launch_instance
