"""``jupyter mlstudio …``: the extension's command line."""
from __future__ import annotations

import json
import sys
import time
from typing import Any

from jupyter_core.application import JupyterApp
from traitlets import Bool, Unicode

from ._version import __version__
from .client import MLStudioAPIError, MLStudioClient, ServerNotFound
from .sagemaker.statuses import TERMINAL


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


class ExamplesListCommand(ServerCommand):
    """List the examples of the gallery with their validation badge."""

    name = "jupyter-mlstudio-examples-list"
    description = "List the example gallery of a running server."

    def start(self) -> None:
        try:
            reply = self.client().get("examples", max_results=500)
        except (MLStudioAPIError, ServerNotFound) as err:
            self.fail(str(err))
            return
        if self.json_output:
            print(json.dumps(reply, indent=2))
            return
        for e in reply["examples"]:
            badge = e["validation"]["status"]
            where = f"{e['source']}:{e['category'] + '/' if e['category'] else ''}{e['name']}"
            print(f"{badge:9} {where:50} {e['title']}")


class ExamplesValidateCommand(ServerCommand):
    """Run examples top to bottom in their own kernels on a running server."""

    name = "jupyter-mlstudio-examples-validate"
    description = ("Validate gallery examples: run each in its own kernel (nbclient) on a "
                   "running server and record pass / fail, duration and the error.")
    poll_interval = 1.0

    def start(self) -> None:
        try:
            client = self.client()
            ids = list(self.extra_args) or None
            job = client.post("examples/validations", {"ids": ids} if ids else {})
            seen = 0
            while True:
                for r in job["results"][seen:]:
                    line = f"{r['status']:8} {r['duration']:7.1f} s  {r['title']}"
                    print(line + (f"\n         {r['error']}" if r["error"] else ""), flush=True)
                seen = len(job["results"])
                if job["status"] in TERMINAL:
                    break
                time.sleep(self.poll_interval)
                job = client.get(f"examples/validations/{job['id']}")
        except (MLStudioAPIError, ServerNotFound) as err:
            self.fail(str(err))
            return
        if job["status"] != "Completed":
            print(f"validation {job['status'].lower()}: {job['message']}", file=sys.stderr)
        failing = [r for r in job["results"] if r["status"] != "passing"]
        print(f"{len(job['results']) - len(failing)} passed, {len(failing)} failed")
        if failing or job["status"] != "Completed":
            self.exit(1)


class ExamplesCommand(JupyterApp):
    """``jupyter mlstudio examples …``."""

    name = "jupyter-mlstudio-examples"
    description = "The example gallery: list and validate examples."
    subcommands = {
        "list": (ExamplesListCommand, ExamplesListCommand.description),
        "validate": (ExamplesValidateCommand, ExamplesValidateCommand.description),
    }

    def start(self) -> None:
        _start_subcommand(self)


def _start_subcommand(app: JupyterApp) -> None:
    """Run the chosen subcommand, or print the list of subcommands and fail."""
    if app.subapp is not None:
        app.subapp.start()
        return
    print(f"usage: {app.name.replace('-', ' ')} SUBCOMMAND [options]; subcommands:",
          file=sys.stderr)
    for name, (_cls, help_text) in app.subcommands.items():
        print(f"  {name:10} {help_text}", file=sys.stderr)
    app.exit(1)


class MLStudioCommand(JupyterApp):
    """The ``jupyter mlstudio`` entry point."""

    name = "jupyter-mlstudio"
    version = __version__
    description = "SageMaker-style tools for JupyterLab: status, and more with each feature."
    subcommands = {
        "status": (StatusCommand, StatusCommand.description),
        "examples": (ExamplesCommand, ExamplesCommand.description),
        # By import path: the kernels commands import this module.
        "kernels": ("jupyter_mlstudio.kernels.cli.KernelsCommand",
                    "Kernels: list, install (R, Scala, Python environments), uninstall."),
    }

    def start(self) -> None:
        _start_subcommand(self)


main = MLStudioCommand.launch_instance
