"""A Jupyter kernel for Scala 2.13, installed by jupyter_mlstudio.

It runs ``MLStudioRepl`` (the Scala REPL's interpreter behind a framed pipe, see
MLStudioRepl.scala) in a JVM and turns its frames into Jupyter messages: user
output as ``stream``, the REPL's result lines as ``execute_result``, compile and
runtime errors as ``error``. SIGINT (Jupyter's interrupt) reaches the JVM, which
interrupts the cell and keeps the definitions made so far. The kernel's folder
holds ``runtime.json`` (java, options, class path); it needs only ipykernel.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel

HERE = Path(__file__).resolve().parent
INTERRUPT_GRACE = 10.0  # seconds the JVM gets to stop a cell before it is restarted


class ReplDied(RuntimeError):
    """The JVM exited or could not start."""


class ScalaRepl:
    """The JVM running MLStudioRepl; a thread turns its stdout into a queue of frames."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.runtime: dict[str, Any] = json.loads((home / "runtime.json").read_text("utf-8"))
        self.proc: subprocess.Popen | None = None
        self.frames: queue.Queue = queue.Queue()
        self.is_ready = False
        self.version = self.runtime.get("scala_version", "2.13")

    def command(self) -> list[str]:
        classpath = os.pathsep.join(str(self.home / p) for p in self.runtime["classpath"])
        return [self.runtime["java"], *self.runtime.get("java_options", []),
                "-cp", classpath, self.runtime.get("main", "MLStudioRepl")]

    def start(self) -> None:
        """Start the JVM; :meth:`ready` waits until it answers."""
        self.frames = queue.Queue()
        self.is_ready = False
        # ipykernel ignores SIGINT between cells, and a child inherits an ignored signal:
        # the JVM would never see an interrupt. A handler is not inherited (it resets).
        try:
            saved = signal.signal(signal.SIGINT, signal.default_int_handler)
        except ValueError:  # not the main thread
            saved = None
        try:
            # Its own session: Jupyter's SIGINT reaches the JVM only through interrupt().
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, start_new_session=True)
        finally:
            if saved is not None:
                signal.signal(signal.SIGINT, saved)
        threading.Thread(target=self._read, args=(self.proc, self.frames), daemon=True).start()

    def ready(self) -> None:
        """Start the JVM if it is not running, and wait for its first frame."""
        if self.proc is not None and self.proc.poll() is not None:
            self.proc = None  # it exited between cells
        if self.proc is None:
            self.start()
        if self.is_ready:
            return
        tag, data = self.frames.get()
        if tag != "R":
            self.proc = None
            raise ReplDied(f"the Scala REPL did not start (exit code {data})")
        self.version = data or self.version
        self.is_ready = True

    @staticmethod
    def _read(proc: subprocess.Popen, frames: queue.Queue) -> None:
        stream = proc.stdout
        assert stream is not None
        while True:
            header = stream.readline()
            if not header:
                frames.put(("EOF", str(proc.wait())))
                return
            parts = header.split()
            if len(parts) != 2 or len(parts[0]) != 1 or not parts[1].isdigit():
                # Not a frame: the JVM itself wrote to stdout (a -Xlog warning, say).
                frames.put(("e", header.decode("utf-8", "replace")))
                continue
            frames.put((parts[0].decode("ascii"),
                        stream.read(int(parts[1])).decode("utf-8", "replace")))

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send(self, tag: str, text: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        data = text.encode("utf-8")
        self.proc.stdin.write(f"{tag} {len(data)}\n".encode("ascii") + data)
        self.proc.stdin.flush()

    def interrupt(self) -> None:
        if self.alive:
            os.kill(self.proc.pid, signal.SIGINT)

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.stdin:
                self.proc.stdin.close()  # the JVM halts at end of input
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.is_ready = False


def error_fields(status: str, text: str) -> tuple[str, str]:
    """``ename`` and ``evalue`` for a failed cell, from the REPL's own report."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if status == "compile-error":
        start = next((i for i, ln in enumerate(lines) if "error:" in ln), 0)
        message = [lines[start].split("error:", 1)[-1].strip()] if lines else []
        for line in lines[start + 1:]:  # the details indented under the first error
            if "error:" in line or line.strip() == "^" or not line.startswith("  "):
                break
            message.append(line.strip())
        return "CompileError", " ".join(message)
    if status == "incomplete":
        return "IncompleteInput", "the cell ends in the middle of an expression or definition"
    if status == "interrupted":
        return "Interrupted", "the cell was interrupted"
    first = lines[0] if lines else "exception"
    name, _, message = first.partition(": ")
    return name.rsplit(".", 1)[-1] or "Exception", message


class ScalaKernel(Kernel):
    implementation = "mlstudio-scala"
    implementation_version = "1.0"
    language = "scala"
    banner = "Scala 2.13 (jupyter_mlstudio's kernel on the Scala REPL)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.repl = ScalaRepl(HERE)
        self.repl.start()  # the JVM warms up while the front end connects

    @property
    def language_info(self) -> dict[str, Any]:  # type: ignore[override]
        return {"name": "scala", "version": self.repl.version, "mimetype": "text/x-scala",
                "file_extension": ".sc", "codemirror_mode": "text/x-scala",
                "pygments_lexer": "scala"}

    def _stream(self, name: str, text: str, silent: bool) -> None:
        if not silent and text:
            self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    def _run(self, tag: str, text: str, silent: bool) -> tuple[str, str]:
        """Send one request; stream output until it is done. Returns (status, REPL text)."""
        self.repl.ready()
        self.repl.send(tag, text)
        report: list[str] = []
        interrupted_at = None
        while True:
            # An interrupt may come at any point of the loop, sending output included.
            try:
                try:
                    tag, data = self.repl.frames.get(timeout=0.2)
                except queue.Empty:
                    if interrupted_at and time.monotonic() - interrupted_at > INTERRUPT_GRACE:
                        self.repl.stop()
                        return "died", ("the cell did not stop when interrupted: the Scala "
                                        "REPL was stopped; the next cell starts a new one, "
                                        "without the definitions made so far")
                    continue
                if tag == "o":
                    self._stream("stdout", data, silent)
                elif tag == "e":
                    self._stream("stderr", data, silent)
                elif tag == "r":
                    report.append(data)
                elif tag == "d":
                    return data, "".join(report)
                elif tag == "EOF":
                    self.repl.proc = None
                    return "died", (f"the Scala REPL exited (code {data}); the next cell "
                                    "starts a new one, without the definitions made so far")
            except KeyboardInterrupt:
                self.repl.interrupt()
                interrupted_at = interrupted_at or time.monotonic()

    async def do_execute(self, code: str, silent: bool, store_history: bool = True,
                         user_expressions: dict | None = None, allow_stdin: bool = False,
                         **kwargs: Any) -> dict[str, Any]:
        ok = {"status": "ok", "execution_count": self.execution_count, "payload": [],
              "user_expressions": {}}
        if not code.strip():
            return ok
        try:
            stripped = code.strip()
            if stripped.startswith(":require "):
                status, text = self._run("j", stripped.split(None, 1)[1], silent)
            else:
                status, text = self._run("x", code, silent)
        except (ReplDied, OSError) as err:
            status, text = "died", str(err)
        if status == "ok":
            if text.strip() and not silent:
                self.send_response(self.iopub_socket, "execute_result", {
                    "execution_count": self.execution_count,
                    "data": {"text/plain": text.rstrip("\n")}, "metadata": {}})
            return ok
        ename, evalue = error_fields(status, text) if status != "died" else ("ReplDied", text)
        traceback = text.rstrip("\n").splitlines() if status != "interrupted" else [evalue]
        content = {"ename": ename, "evalue": evalue, "traceback": traceback}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        self.repl.stop()
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=ScalaKernel)
