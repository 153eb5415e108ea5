"""R kernels: IRkernel on the machine's R, with a kernelspec that names R by its full path.

IRkernel's own ``installspec()`` shells out to ``jupyter kernelspec install`` and fails
("exited with code 127") when ``jupyter`` is not on R's PATH; this installer never
calls it and writes the kernelspec itself.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from traitlets import Float, Unicode, default

from ..context import InstallContext
from ..errors import InstallFailed, KernelsError
from ..runner import clean_environment
from .base import Availability, KernelInstaller, Option

# Prints "MLSTUDIO missing=<pkgs>" and "MLSTUDIO kernelspec=<IRkernel's kernelspec folder>".
_CHECK = r"""
.libPaths(c(Sys.getenv("MLSTUDIO_R_LIB"), .libPaths()))
wanted <- c("IRkernel", strsplit(Sys.getenv("MLSTUDIO_R_PACKAGES"), "\n", fixed = TRUE)[[1]])
have <- vapply(wanted, function(p) nzchar(system.file(package = p)), logical(1))
have[1] <- requireNamespace("IRkernel", quietly = TRUE)  # installed and loads
cat("MLSTUDIO missing=", paste(wanted[!have], collapse = " "), "\n", sep = "")
cat("MLSTUDIO kernelspec=", system.file("kernelspec", package = "IRkernel"), "\n", sep = "")
"""

# Installs the packages of MLSTUDIO_R_INSTALL from MLSTUDIO_CRAN into MLSTUDIO_R_LIB.
# Exit 3: the mirror is unreachable; 4: a package is not on it; 5: a package did not install.
_INSTALL = r"""
lib <- Sys.getenv("MLSTUDIO_R_LIB")
.libPaths(c(lib, .libPaths()))
repos <- Sys.getenv("MLSTUDIO_CRAN")
pkgs <- strsplit(Sys.getenv("MLSTUDIO_R_INSTALL"), " ", fixed = TRUE)[[1]]
options(timeout = as.numeric(Sys.getenv("MLSTUDIO_R_TIMEOUT", "60")))
ap <- tryCatch(available.packages(repos = repos), warning = function(w) w,
               error = function(e) e)
if (inherits(ap, "condition") || nrow(ap) == 0) {
  why <- if (inherits(ap, "condition")) conditionMessage(ap) else "it lists no packages"
  cat("MLSTUDIO unreachable=", gsub("\n", " ", why), "\n", sep = "")
  quit(status = 3)
}
absent <- setdiff(pkgs, rownames(ap))
if (length(absent)) {
  cat("MLSTUDIO absent=", paste(absent, collapse = " "), "\n", sep = "")
  quit(status = 4)
}
install.packages(pkgs, lib = lib, repos = repos, Ncpus = 2L)
failed <- pkgs[!vapply(pkgs, function(p) nzchar(system.file(package = p)), logical(1))]
if (length(failed)) {
  cat("MLSTUDIO failed=", paste(failed, collapse = " "), "\n", sep = "")
  quit(status = 5)
}
"""


def _marks(output: str) -> dict[str, str]:
    marks = {}
    for line in output.splitlines():
        if line.startswith("MLSTUDIO ") and "=" in line:
            key, _, value = line[len("MLSTUDIO "):].partition("=")
            marks[key] = value.strip()
    return marks


class RKernelInstaller(KernelInstaller):
    kind = "r"
    label = "R"
    language = "R"
    description = ("IRkernel on this machine's R; IRkernel (and extra R packages) come from a "
                   "CRAN mirror when R does not have them (Debian: r-cran-irkernel).")

    r_path = Unicode(
        "", config=True, help="Path of the R executable. Default: R on the server's PATH."
    )
    cran_mirror = Unicode(
        "https://cloud.r-project.org",
        config=True,
        help="CRAN mirror that IRkernel and extra R packages are installed from when missing.",
    )
    network_timeout = Float(
        60.0, config=True, help="Seconds R waits for the CRAN mirror before giving up."
    )

    @default("default_name")
    def _default_name(self) -> str:
        return "ir"

    def options(self) -> list[Option]:
        return [
            Option("packages", "list", "Extra R packages to install from CRAN (one per line).",
                   []),
            Option("cran_mirror", "string",
                   "CRAN mirror for this install. Default: c.RKernelInstaller.cran_mirror.", ""),
        ]

    def find_r(self) -> str | None:
        if self.r_path:
            return self.r_path if os.access(self.r_path, os.X_OK) else None
        return shutil.which("R")

    def availability(self) -> Availability:
        r = self.find_r()
        if r is None:
            where = (f"no R executable at {self.r_path} (c.RKernelInstaller.r_path)"
                     if self.r_path else "R is not installed (no R on the server's PATH)")
            return Availability(False, f"{where}: install it with `apt-get install "
                                "r-base-core r-cran-irkernel`, or set c.RKernelInstaller.r_path")
        return Availability(True, f"R at {r}")

    def validate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        options = super().validate_options(options)
        for pkg in options["packages"]:
            if not pkg.replace(".", "").isalnum():
                raise KernelsError(400, f"invalid R package name {pkg!r}", "InvalidOption")
        return options

    async def install(self, ctx: InstallContext) -> None:
        r = self.find_r()
        if r is None:
            raise InstallFailed(self.availability().message)
        library = ctx.env / "library"
        library.mkdir(parents=True)
        packages = ctx.options["packages"]
        mirror = ctx.options["cran_mirror"] or self.cran_mirror
        env = clean_environment({
            "MLSTUDIO_R_LIB": str(library),
            "MLSTUDIO_R_PACKAGES": "\n".join(packages),
            "MLSTUDIO_CRAN": mirror,
            "MLSTUDIO_R_TIMEOUT": str(int(self.network_timeout)),
        })
        ctx.phase(f"checking R ({r}) and its packages", 10)
        marks = _marks(await ctx.run([r, "--slave", "--no-restore", "-e", _CHECK], env=env,
                                     what="running R"))
        missing = marks.get("missing", "").split()
        if missing:
            ctx.phase(f"installing {', '.join(missing)} from {mirror}", 30)
            env["MLSTUDIO_R_INSTALL"] = " ".join(missing)
            code, tail = await ctx.run_unchecked(
                [r, "--slave", "--no-restore", "-e", _INSTALL], env=env, progress_to=85)
            if code != 0:
                raise InstallFailed(self._install_error(code, tail, mirror, missing))
            marks = _marks(await ctx.run([r, "--slave", "--no-restore", "-e", _CHECK], env=env,
                                         what="running R"))
        ctx.phase("writing the kernelspec", 90)
        startup = "IRkernel::main()"
        if any(library.iterdir()):
            quoted = str(library).replace("\\", "\\\\").replace("'", "\\'")
            startup = f".libPaths(c('{quoted}', .libPaths())); {startup}"
        self._write_spec(ctx, r, startup, Path(marks.get("kernelspec", "")))
        ctx.metadata.update({"r": r, "library": str(library), "packages": packages})

    def _install_error(self, code: int, tail: str, mirror: str, missing: list[str]) -> str:
        marks = _marks(tail)
        hint = ("IRkernel is missing: install Debian's package (`apt-get install "
                "r-cran-irkernel`) or set c.RKernelInstaller.cran_mirror to a reachable "
                "mirror" if "IRkernel" in missing else
                "set c.RKernelInstaller.cran_mirror (or the cran_mirror option) to a "
                "reachable mirror")
        if code == 3:
            return (f"cannot reach the CRAN mirror {mirror} ({marks.get('unreachable', '')}); "
                    f"{hint}")
        if code == 4:
            return f"not on CRAN ({mirror}): {marks.get('absent', '')}"
        lines = "\n".join(tail.strip().splitlines()[-12:])
        return f"installing R packages {', '.join(missing)} failed (exit code {code}):\n{lines}"

    def _write_spec(self, ctx: InstallContext, r: str, startup: str, irkernel_spec: Path) -> None:
        ctx.spec_dir.mkdir(parents=True, exist_ok=True)
        for logo in ("logo-64x64.png", "logo-svg.svg"):
            if (irkernel_spec / logo).is_file():
                shutil.copy(irkernel_spec / logo, ctx.spec_dir / logo)
        spec = {
            "argv": [r, "--slave", "-e", startup, "--args", "{connection_file}"],
            "display_name": ctx.display_name,
            "language": "R",
            "interrupt_mode": "signal",
        }
        (ctx.spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), "utf-8")
