"""``jupyter mlstudio kernels list | install KIND | uninstall NAME | cancel ID``.

Thin like the handlers: each command calls a running server's ``/mlstudio/api/kernels``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from jupyter_core.application import JupyterApp
from traitlets import Bool, List, Unicode

from ..cli import ServerCommand, _start_subcommand
from ..client import MLStudioAPIError, MLStudioClient, ServerNotFound

LOG_WAIT = 10  # seconds of each long-poll of the install log


def format_kernels(reply: dict[str, Any]) -> str:
    lines = [f"{'NAME':20} {'LANGUAGE':9} {'MANAGED':8} {'DISPLAY NAME':28} ENVIRONMENT / LOCATION"]
    for k in reply["kernelspecs"]:
        managed = (k["kind"] or "yes") if k["managed"] else "no"
        lines.append(f"{k['name']:20} {k['language']:9} {managed:8} {k['display_name'][:28]:28} "
                     f"{k['environment'] or k['location']}")
    lines.append("\ninstallable kinds (jupyter mlstudio kernels install KIND):")
    for kind in reply["kinds"]:
        state = "ok" if kind["available"] else "MISSING"
        options = ", ".join(o["name"] for o in kind["options"]) or "-"
        lines.append(f"  {kind['kind']:8} [{state}] {kind['message']}  (options: {options})")
    return "\n".join(lines)


class KernelsListCommand(ServerCommand):
    """List installed kernels and the kinds that can be installed."""

    name = "jupyter-mlstudio-kernels-list"
    description = "List the kernels of a running server and the kinds it can install."

    def start(self) -> None:
        try:
            reply = self.client().get("kernels")
        except (MLStudioAPIError, ServerNotFound) as err:
            self.fail(str(err))
            return
        print(json.dumps(reply, indent=2) if self.json_output else format_kernels(reply))


def _option_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


class KernelsInstallCommand(ServerCommand):
    """Install a kernel on a running server and follow its log."""

    name = "jupyter-mlstudio-kernels-install"
    description = ("Install a kernel: KIND (r, scala, python, …) [PACKAGE …]; follows the "
                   "install's log until it ends.")
    examples = """
    jupyter mlstudio kernels install r --package data.table
    jupyter mlstudio kernels install scala --option backend=builtin
    jupyter mlstudio kernels install python --name ds --preset sklearn seaborn
    jupyter mlstudio kernels install python --name ds --requirements requirements.txt --replace
    """

    kernel_name = Unicode("", config=True, help="Kernel name. Default: the kind's own.")
    display_name = Unicode("", config=True, help="Display name. Default: the kind's own.")
    packages = List(Unicode(), config=True, help="Packages to install (repeatable).")
    requirements = Unicode("", config=True, help="A requirements.txt to install (python).")
    preset = Unicode("", config=True, help="A package preset (python): sklearn, pytorch, …")
    options = List(Unicode(), config=True,
                   help="Other install options as key=value (repeatable), e.g. backend=builtin.")
    replace = Bool(False, config=True, help="Replace a kernel of the same name.")
    wait = Bool(True, config=True, help="Follow the install until it ends.")

    aliases = {
        **ServerCommand.aliases,
        "name": "KernelsInstallCommand.kernel_name",
        "display-name": "KernelsInstallCommand.display_name",
        "package": "KernelsInstallCommand.packages",
        "requirements": "KernelsInstallCommand.requirements",
        "preset": "KernelsInstallCommand.preset",
        "option": "KernelsInstallCommand.options",
    }
    flags = {
        **ServerCommand.flags,
        "replace": ({"KernelsInstallCommand": {"replace": True}}, "Replace a same-named kernel."),
        "no-wait": ({"KernelsInstallCommand": {"wait": False}}, "Start the install and return."),
    }

    def request_body(self) -> dict[str, Any]:
        kind, *more = self.extra_args
        options: dict[str, Any] = {}
        for item in self.options:
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--option takes key=value, not {item!r}")
            options[key.strip()] = _option_value(value)
        packages = [*self.packages, *more]
        if packages:
            options["packages"] = packages
        if self.requirements:
            options["requirements"] = Path(self.requirements).read_text("utf-8")
        if self.preset:
            options["preset"] = self.preset
        body: dict[str, Any] = {"kind": kind, "options": options, "replace": self.replace}
        if self.kernel_name:
            body["name"] = self.kernel_name
        if self.display_name:
            body["display_name"] = self.display_name
        return body

    def start(self) -> None:
        if not self.extra_args:
            self.fail("usage: jupyter mlstudio kernels install KIND [PACKAGE …] [options]; "
                      "`jupyter mlstudio kernels list` shows the kinds")
            return
        try:
            body = self.request_body()
            client = self.client()
            job = client.post("kernels/installs", body)
            if self.json_output and not self.wait:
                print(json.dumps(job, indent=2))
                return
            print(f"install {job['id']}: {job['kind']} kernel {job['name']!r}", flush=True)
            if self.wait:
                job = self.follow(client, job)
        except (OSError, ValueError) as err:
            self.fail(str(err))
            return
        except (MLStudioAPIError, ServerNotFound) as err:
            self.fail(str(err))
            return
        if self.json_output:
            print(json.dumps(job, indent=2))
        elif self.wait:
            print(f"{job['status']}: {job['message']}")
        if job["status"] not in ("Completed", "Pending", "InProgress"):
            self.exit(1)

    def follow(self, client: MLStudioClient, job: dict[str, Any]) -> dict[str, Any]:
        """Print the log as it comes until the install ends; Ctrl-C cancels it."""
        offset, cancelled = 0, False
        while True:
            try:
                chunk = client.get(f"kernels/installs/{job['id']}/log", offset=offset,
                                   wait=LOG_WAIT)
                if not self.json_output:
                    sys.stdout.write(chunk["text"])
                    sys.stdout.flush()
                offset = chunk["next_offset"]
                if chunk["finished"]:
                    return client.get(f"kernels/installs/{job['id']}")
            except KeyboardInterrupt:
                if cancelled:
                    raise
                cancelled = True
                print("\ncancelling (Ctrl-C again to stop waiting) …", file=sys.stderr)
                client.post(f"kernels/installs/{job['id']}/cancel")


class KernelsUninstallCommand(ServerCommand):
    """Remove a kernel that jupyter_mlstudio installed, with its environment."""

    name = "jupyter-mlstudio-kernels-uninstall"
    description = "Uninstall kernels (NAME …) that jupyter_mlstudio installed, with their envs."

    def start(self) -> None:
        if not self.extra_args:
            self.fail("usage: jupyter mlstudio kernels uninstall NAME …")
            return
        try:
            client = self.client()
            for name in self.extra_args:
                gone = client.delete(f"kernels/{name}")
                where = ", ".join(p for p in (gone["location"], gone["environment"]) if p)
                print(f"uninstalled {name}" + (f" ({where})" if where else ""))
        except (MLStudioAPIError, ServerNotFound) as err:
            self.fail(str(err))


class KernelsCancelCommand(ServerCommand):
    """Cancel a running or waiting install."""

    name = "jupyter-mlstudio-kernels-cancel"
    description = "Cancel kernel installs (ID …); what they built is removed."

    def start(self) -> None:
        try:
            client = self.client()
            for install_id in self.extra_args:
                job = client.post(f"kernels/installs/{install_id}/cancel")
                print(f"install {install_id} ({job['name']}): {job['status']}")
        except (MLStudioAPIError, ServerNotFound) as err:
            self.fail(str(err))


class KernelsCommand(JupyterApp):
    """``jupyter mlstudio kernels …``."""

    name = "jupyter-mlstudio-kernels"
    description = "Kernels: list, install (R, Scala, Python environments), uninstall."
    subcommands = {
        "list": (KernelsListCommand, KernelsListCommand.description),
        "install": (KernelsInstallCommand, KernelsInstallCommand.description),
        "uninstall": (KernelsUninstallCommand, KernelsUninstallCommand.description),
        "cancel": (KernelsCancelCommand, KernelsCancelCommand.description),
    }

    def start(self) -> None:
        _start_subcommand(self)
