"""Python environments as kernels: a venv (or conda / mamba env) with chosen packages."""
from __future__ import annotations

import json
import os
import shutil
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from traitlets import Dict, List, Unicode

from ..context import InstallContext
from ..errors import InstallFailed, KernelsError
from .base import Availability, KernelInstaller, Option
from .pip_requirements import check_requirements, check_requirements_text

DEFAULT_PRESETS = {
    "sklearn": ["scikit-learn", "pandas", "matplotlib"],
    "pytorch": ["torch==2.13.0", "numpy"],
    "tensorflow": ["tensorflow-cpu"],
    "pyspark": ["pyspark", "pandas", "pyarrow"],
    "xgboost": ["xgboost-cpu", "scikit-learn", "pandas"],
}


class PythonKernelInstaller(KernelInstaller):
    kind = "python"
    label = "Python environment"
    language = "python"
    description = ("A new Python environment (venv, or conda / mamba when present) with the "
                   "packages you choose, registered as a kernel; it lives in "
                   "c.KernelsApp.env_dir and survives restarts.")

    python = Unicode(
        "",
        config=True,
        help="Interpreter that venvs are created from. Default: the server's own Python.",
    )
    conda_path = Unicode(
        "",
        config=True,
        help="conda, mamba or micromamba executable for manager='conda'. Default: mamba or "
        "conda on PATH, else $CONDA_EXE.",
    )
    presets = Dict(
        key_trait=Unicode(),
        value_trait=List(Unicode()),
        default_value=DEFAULT_PRESETS,
        config=True,
        help="Named package sets offered as the 'preset' option.",
    )
    pip_options = List(
        Unicode(),
        config=True,
        help="Extra arguments for every `pip install`, e.g. ['--retries', '2'].",
    )
    base_packages = List(
        Unicode(), ["ipykernel"], config=True, help="Packages every environment gets."
    )

    def options(self) -> list[Option]:
        return [
            Option("preset", "choice", "A package set: " + "; ".join(
                f"{k}: {' '.join(v)}" for k, v in self.presets.items()), "",
                ["", *self.presets]),
            Option("packages", "list", "Packages to install, as pip requirements (one per line).",
                   []),
            Option("requirements", "text", "The text of a requirements.txt file.", ""),
            Option("manager", "choice", "venv, conda (conda / mamba), or auto: conda when "
                   "present, else venv.", "auto", ["auto", "venv", "conda"]),
            Option("python", "string", "venv: the interpreter to use; conda: a Python version "
                   "such as 3.11. Default: the server's Python (version).", ""),
            Option("index_url", "string", "Package index URL for pip. Default: pip's own "
                   "configuration.", ""),
        ]

    def name_for(self, options: dict[str, Any]) -> str:
        if self.default_name:
            return self.default_name
        preset = options.get("preset")
        return f"py-{preset}" if preset else "py-env"

    def display_name_for(self, options: dict[str, Any]) -> str:
        if self.default_display_name:
            return self.default_display_name
        preset = options.get("preset")
        return f"Python ({preset})" if preset else "Python (environment)"

    def find_conda(self) -> str | None:
        if self.conda_path:
            return self.conda_path if os.access(self.conda_path, os.X_OK) else None
        return shutil.which("mamba") or shutil.which("conda") or os.environ.get("CONDA_EXE")

    def availability(self) -> Availability:
        conda = self.find_conda()
        base = self.python or sys.executable
        return Availability(True, f"venv from {base}" + (f"; conda: {conda}" if conda else ""))

    def validate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        options = super().validate_options(options)
        check_requirements(options["packages"], "packages")
        check_requirements_text(options["requirements"], "requirements")
        if options["manager"] == "conda" and self.find_conda() is None:
            raise KernelsError(424, "manager 'conda' needs conda or mamba on the server's PATH "
                               "(or c.PythonKernelInstaller.conda_path)", "MissingDependency")
        return options

    async def install(self, ctx: InstallContext) -> None:
        opts = ctx.options
        conda = self.find_conda() if opts["manager"] in ("auto", "conda") else None
        if conda:
            version = opts["python"] or f"{sys.version_info.major}.{sys.version_info.minor}"
            ctx.phase(f"creating a conda environment (Python {version})", 5)
            await ctx.run([conda, "create", "--yes", "--quiet", "--prefix", ctx.env,
                           f"python={version}", "pip"], what="conda create", progress_to=30)
        fast = not conda and _pip_installs_elsewhere()
        if not conda:
            base = opts["python"] or self.python or sys.executable
            ctx.phase(f"creating a venv from {base}", 5)
            # With a recent pip here, skip ensurepip (seconds) and install pip with the rest.
            await ctx.run([base, "-m", "venv", *(["--without-pip"] if fast else []), ctx.env],
                          what="creating the venv")
        python = ctx.env / "bin" / "python"
        packages = [*self.base_packages, *self.presets.get(opts["preset"], []), *opts["packages"]]
        pip = [sys.executable, "-m", "pip", "--python", python] if fast else [
            python, "-m", "pip"]
        args: list[Any] = [*pip, "install", "--progress-bar", "off", *self.pip_options]
        if opts["index_url"]:
            args += ["--index-url", opts["index_url"]]
        if opts["requirements"].strip():
            requirements = ctx.work_dir / "requirements.txt"
            requirements.write_text(opts["requirements"], "utf-8")
            args += ["-r", requirements]
        extra = " and requirements.txt" if opts["requirements"].strip() else ""
        ctx.phase(f"installing {', '.join(packages)}{extra}", 30)
        await ctx.run([*args, *(["pip"] if fast else []), *packages], what="pip install",
                      progress_to=88)
        ctx.phase("registering with ipykernel", 90)
        prefix = ctx.work_dir / "prefix"
        await ctx.run([python, "-m", "ipykernel", "install", "--prefix", prefix,
                       "--name", ctx.name, "--display-name", ctx.display_name],
                      what="ipykernel install")
        made = prefix / "share" / "jupyter" / "kernels" / ctx.name
        if not (made / "kernel.json").is_file():
            raise InstallFailed(f"ipykernel install wrote no kernelspec in {made}")
        shutil.copytree(made, ctx.spec_dir, dirs_exist_ok=True)
        spec_file = ctx.spec_dir / "kernel.json"
        spec = json.loads(spec_file.read_text("utf-8"))
        # The environment's own packages only, whatever PYTHONPATH the server has.
        spec.setdefault("env", {})["PYTHONPATH"] = ""
        spec_file.write_text(json.dumps(spec, indent=1), "utf-8")
        ctx.metadata.update({"manager": "conda" if conda else "venv", "python": str(python),
                             "packages": packages, "preset": opts["preset"]})


def _pip_installs_elsewhere() -> bool:
    """Whether the server's pip can install into another interpreter (``--python``, 22.3+)."""
    try:
        major, minor = (int(x) for x in version("pip").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (22, 3)
