"""Scala kernels: almond when coursier can fetch it, else jupyter_mlstudio's own kernel.

The built-in kernel (``kernels/scala/``) runs the Scala 2.13 REPL's interpreter in a
JVM, on the Scala jars of a pinned ``pyspark`` release from PyPI (see scala_jars.py),
behind a small ipykernel wrapper; it needs a JVM and nothing outside PyPI.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from traitlets import Float, List, Unicode, default

from ..assets import assets_dir
from ..context import InstallContext
from ..errors import InstallFailed, KernelsError
from .base import Availability, KernelInstaller, Option
from .scala_jars import fetch_scala_jars, scala_version

JDK_HINT = "install a JDK with `apt-get install default-jdk-headless`"


class ScalaKernelInstaller(KernelInstaller):
    kind = "scala"
    label = "Scala"
    language = "scala"
    description = ("Scala 2.13 on this machine's JVM: almond when coursier is installed and can "
                   "reach its repository, else jupyter_mlstudio's own kernel on the Scala REPL "
                   "(jars from the pyspark release on PyPI).")

    java_path = Unicode(
        "", config=True, help="The java executable. Default: $JAVA_HOME/bin/java, else java on "
        "the server's PATH."
    )
    java_options = List(
        Unicode(),
        ["-Xss8m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"],
        config=True,
        help="JVM options of the built-in kernel (and its install-time compile).",
    )
    pyspark_version = Unicode(
        "4.3.0", config=True,
        help="The pyspark release on PyPI whose Scala 2.13 jars the built-in kernel runs on.",
    )
    cache_dir = Unicode(
        "", config=True, help="Where the Scala jars are cached between installs. Default: "
        "<c.KernelsApp.env_dir>/.cache/scala.",
    )
    python = Unicode(
        "", config=True, help="Python (with ipykernel) that runs the built-in kernel's wrapper "
        "and `pip download`. Default: the server's own.",
    )
    coursier_path = Unicode(
        "", config=True, help="coursier (cs) for almond. Default: cs or coursier on PATH."
    )
    almond_version = Unicode("0.14.1", config=True, help="almond release to install.")
    almond_scala_version = Unicode("2.13.14", config=True,
                                   help="Scala version of the almond kernel.")
    network_timeout = Float(
        120.0, config=True, help="Seconds coursier may take to resolve almond before the "
        "built-in kernel is used instead (backend 'auto').",
    )

    @default("default_name")
    def _default_name(self) -> str:
        return "scala"

    @default("default_display_name")
    def _default_display_name(self) -> str:
        return "Scala 2.13"

    def options(self) -> list[Option]:
        return [Option("backend", "choice", "almond (needs coursier and its repository), "
                       "builtin (jupyter_mlstudio's kernel on the Scala REPL), or auto: almond "
                       "when it can be fetched, else builtin.", "auto",
                       ["auto", "almond", "builtin"])]

    def find_java(self) -> str | None:
        if self.java_path:
            return self.java_path if os.access(self.java_path, os.X_OK) else None
        home = os.environ.get("JAVA_HOME")
        if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
            return os.path.join(home, "bin", "java")
        return shutil.which("java")

    def find_coursier(self) -> str | None:
        if self.coursier_path:
            return self.coursier_path if os.access(self.coursier_path, os.X_OK) else None
        return shutil.which("cs") or shutil.which("coursier")

    def availability(self) -> Availability:
        java = self.find_java()
        if java is None:
            where = (f"no java executable at {self.java_path} (c.ScalaKernelInstaller.java_path)"
                     if self.java_path else "no Java runtime found (java on PATH or $JAVA_HOME)")
            return Availability(False, f"{where}: {JDK_HINT}")
        cs = self.find_coursier()
        return Availability(True, f"java at {java}; " + (
            f"almond through {cs}" if cs else "built-in kernel (coursier not found)"))

    def validate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        options = super().validate_options(options)
        if options["backend"] == "almond" and self.find_coursier() is None:
            raise KernelsError(424, "almond needs coursier: install `cs` (coursier) on the "
                               "server's PATH, or use backend 'builtin'", "MissingDependency")
        return options

    async def install(self, ctx: InstallContext) -> None:
        java = self.find_java()
        if java is None:
            raise InstallFailed(self.availability().message)
        ctx.phase("checking Java", 2)
        await ctx.run([java, "-version"], what=f"{java} -version")
        backend = ctx.options["backend"]
        cs = self.find_coursier() if backend in ("auto", "almond") else None
        if cs:
            try:
                await self._install_almond(ctx, cs)
                return
            except InstallFailed as err:
                if backend == "almond":
                    raise
                ctx.log(f"almond is not available ({err}); installing the built-in kernel\n")
                shutil.rmtree(ctx.env, ignore_errors=True)
        await self._install_builtin(ctx, java)

    async def _install_almond(self, ctx: InstallContext, cs: str) -> None:
        version, scala = self.almond_version, self.almond_scala_version
        ctx.phase(f"resolving almond {version} (Scala {scala}) with coursier", 5)
        try:
            await asyncio.wait_for(ctx.run(
                [cs, "resolve", f"sh.almond:scala-kernel_{scala}:{version}"],
                what="coursier resolve (is its repository reachable?)"), self.network_timeout)
        except asyncio.TimeoutError:
            raise InstallFailed(f"coursier could not resolve almond {version} within "
                                f"{self.network_timeout:.0f} s") from None
        ctx.phase("installing almond", 50)
        kernels = ctx.env / "kernels"
        await ctx.run([cs, "launch", "--fork", f"almond:{version}", "--scala", scala, "--",
                       "--install", "--force", "--id", ctx.name, "--display-name",
                       ctx.display_name, "--jupyter-path", kernels], what="almond --install",
                      progress_to=90)
        made = kernels / ctx.name
        if not (made / "kernel.json").is_file():
            raise InstallFailed(f"almond --install wrote no kernelspec in {made}")
        shutil.copytree(made, ctx.spec_dir, dirs_exist_ok=True)
        ctx.metadata.update({"backend": "almond", "almond": version, "scala": scala})

    async def _install_builtin(self, ctx: InstallContext, java: str) -> None:
        python = self.python or sys.executable
        cache = Path(self.cache_dir) if self.cache_dir else ctx.cache_dir / "scala"
        ctx.phase(f"fetching the Scala 2.13 jars (pyspark=={self.pyspark_version})", 5)
        jars = await fetch_scala_jars(ctx, cache, self.pyspark_version, python)
        ctx.phase("copying the kernel", 60)
        lib = ctx.env / "lib"
        lib.mkdir(parents=True)
        for jar in jars:
            try:
                os.link(jar, lib / jar.name)  # the cache and the env share a disk by default
            except OSError:
                shutil.copy2(jar, lib / jar.name)
        source = assets_dir() / "scala"
        for name in ("MLStudioRepl.scala", "mlstudio_scala_kernel.py"):
            shutil.copy2(source / name, ctx.env / name)
        ctx.phase("compiling the REPL driver", 65)
        classpath = ["classes", *(f"lib/{j.name}" for j in jars)]
        (ctx.env / "classes").mkdir()
        await ctx.run([java, *self.java_options, "-cp",
                       os.pathsep.join(str(ctx.env / p) for p in classpath[1:]),
                       "scala.tools.nsc.Main", "-usejavacp", "-nowarn", "-d",
                       ctx.env / "classes", ctx.env / "MLStudioRepl.scala"],
                      what="compiling MLStudioRepl.scala", progress_to=90)
        version = scala_version(jars)
        runtime = {"java": java, "java_options": list(self.java_options),
                   "classpath": classpath, "main": "MLStudioRepl", "scala_version": version,
                   "pyspark_version": self.pyspark_version}
        (ctx.env / "runtime.json").write_text(json.dumps(runtime, indent=1), "utf-8")
        ctx.phase("writing the kernelspec", 92)
        ctx.spec_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "logo-svg.svg", ctx.spec_dir / "logo-svg.svg")
        spec = {"argv": [python, str(ctx.env / "mlstudio_scala_kernel.py"), "-f",
                         "{connection_file}"],
                "display_name": ctx.display_name, "language": "scala",
                "interrupt_mode": "signal"}
        (ctx.spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), "utf-8")
        ctx.metadata.update({"backend": "builtin", "scala": version, "java": java,
                             "pyspark_jars": self.pyspark_version})
