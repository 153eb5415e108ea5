"""``c.KernelsApp.*``: where environments and kernelspecs go, limits, which installers exist."""
from __future__ import annotations

from pathlib import Path

from traitlets import Bool, Dict, Float, Int, Unicode, default
from traitlets.config import Configurable

from ..paths import default_data_dir
from ..plugins import EntryPointType
from .installers import ENTRY_POINT_GROUP as INSTALLERS
from .installers.base import KernelInstaller


class KernelsApp(Configurable):
    """Settings of the kernel installers (the Kernels panel, ``jupyter mlstudio kernels``)."""

    env_dir = Unicode(
        config=True,
        help="Folder of the environments the installers build, one per kernel (a Python "
        "venv or conda env, an R library, the Scala runtime), and of their download cache. "
        "Put it on a persistent volume: kernels whose kernelspec has gone (a fresh home "
        "folder) are registered again from here at server start. "
        "Default: <MLStudioApp.data_dir>/kernel-envs.",
    )

    @default("env_dir")
    def _default_env_dir(self) -> str:
        data_dir = getattr(self.parent, "data_dir", None) or str(default_data_dir())
        return str(Path(data_dir) / "kernel-envs")

    kernel_dir = Unicode(
        "",
        config=True,
        help="Folder the kernelspecs are written to. Default: the server's user kernel folder "
        "(<jupyter data dir>/kernels).",
    )
    installer_classes = Dict(
        key_trait=Unicode(),
        value_trait=EntryPointType(None, klass=KernelInstaller, allow_none=True,
                                   group=INSTALLERS),
        config=True,
        help="Installer classes by kind, added to (or replacing) the built-in 'r', 'scala' and "
        "'python' and those of the entry-point group jupyter_mlstudio.kernel_installers "
        "(each installed under its entry-point name): a class, its dotted path or an entry "
        "point's name, e.g. {'julia': 'mypkg.JuliaInstaller'}. A kind mapped to None is "
        "disabled.",
    )
    install_timeout = Float(
        3600.0, config=True, help="Seconds an install may take before it fails and is rolled back."
    )
    max_log_chars = Int(
        1_000_000, config=True, help="Characters of an install's log kept (the end is kept)."
    )
    keep_finished = Int(50, config=True, help="Finished installs remembered for the API.")
    uninstall_unmanaged = Bool(
        False,
        config=True,
        help="Let DELETE /mlstudio/api/kernels/<name> and `jupyter mlstudio kernels uninstall` "
        "remove kernelspecs that jupyter_mlstudio did not install (only from writable folders).",
    )
    reregister_at_start = Bool(
        True,
        config=True,
        help="At server start, register again the environments in env_dir whose kernelspec "
        "has gone, and remove environments left half-built by a crash.",
    )
