"""IPython magics: ``%load_ext jupyter_mlstudio``, then ``%s3 ls|cp|rm|presign …``."""
from __future__ import annotations

import argparse
import shlex
from typing import Any, Callable, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from .errors import MLStudioError
from .s3 import files

S3_USAGE = """%s3 ls [--recursive] s3://bucket/prefix
%s3 cp [--recursive] SRC DST      (local↔S3, S3↔S3)
%s3 rm [--recursive] s3://bucket/key
%s3 presign [--expires SECONDS] s3://bucket/key"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # never SystemExit inside a kernel
        raise UsageError(f"{message}\nusage:\n{S3_USAGE}")


def _s3_parser() -> _Parser:
    parser = _Parser(prog="%s3", add_help=False)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ls = sub.add_parser("ls", add_help=False)
    ls.add_argument("uri")
    ls.add_argument("--recursive", "-r", action="store_true")
    cp = sub.add_parser("cp", add_help=False)
    cp.add_argument("src")
    cp.add_argument("dst")
    cp.add_argument("--recursive", "-r", action="store_true")
    rm = sub.add_parser("rm", add_help=False)
    rm.add_argument("uri")
    rm.add_argument("--recursive", "-r", action="store_true")
    presign = sub.add_parser("presign", add_help=False)
    presign.add_argument("uri")
    presign.add_argument("--expires", type=int, default=3600)
    return parser


def _size(n: int | None) -> str:
    if n is None:
        return "PRE"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(n)


def _tqdm_progress(label: str, total: int) -> Callable[[int], None]:
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
               desc=label.rsplit("/", 1)[-1][:40], leave=True)

    def update(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    if total == 0:
        bar.close()
    return update


@magics_class
class MLStudioMagics(Magics):
    """Magics of jupyter_mlstudio."""

    @line_magic
    def s3(self, line: str) -> Any:
        """Work with S3 from a notebook; ``%s3`` alone shows the usage."""
        if not line.strip():
            print(S3_USAGE)
            return None
        try:
            args = _s3_parser().parse_args(shlex.split(line))
        except ValueError as err:
            raise UsageError(str(err)) from None
        try:
            return getattr(self, f"_s3_{args.command}")(args)
        except MLStudioError as err:
            raise UsageError(f"%s3 {args.command}: {err.message}") from None

    def _s3_ls(self, args: argparse.Namespace) -> None:
        entries = files.ls(args.uri, recursive=args.recursive)
        for e in entries:
            when = e.last_modified.strftime("%Y-%m-%d %H:%M:%S") if e.last_modified else ""
            print(f"{when:19}  {_size(e.size):>10}  {e.name}")
        if not entries:
            print(f"(nothing under {args.uri})")

    def _s3_cp(self, args: argparse.Namespace) -> None:
        pairs = files.cp(args.src, args.dst, recursive=args.recursive, progress=_tqdm_progress)
        print(f"copied {len(pairs)} file{'s' if len(pairs) != 1 else ''}")

    def _s3_rm(self, args: argparse.Namespace) -> None:
        count = files.rm(args.uri, recursive=args.recursive)
        print(f"deleted {count} object{'s' if count != 1 else ''}")

    def _s3_presign(self, args: argparse.Namespace) -> str:
        return files.presign(args.uri, expires_in=args.expires)


TRAIN_USAGE = ("%%train [--name NAME] [--instance-count N] [--image IMAGE] [--role ARN] "
               "[--hp k=v]... [--channel name=s3://…]... [--metric name=regex]... [--no-wait]")


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{what} {item!r} must look like name=value\nusage: {TRAIN_USAGE}")
        out[key] = value
    return out


def _hp_value(text: str) -> Any:
    """``--hp lr=0.1`` gives 0.1 (a number), ``--hp name=abc`` the string ``abc``."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def _train_parser() -> _Parser:
    parser = _Parser(prog="%%train", add_help=False)
    parser.add_argument("--name")
    parser.add_argument("--instance-count", type=int, default=1)
    parser.add_argument("--image")
    parser.add_argument("--role")
    parser.add_argument("--hp", action="append", default=[])
    parser.add_argument("--channel", action="append", default=[])
    parser.add_argument("--metric", action="append", default=[])
    parser.add_argument("--no-wait", action="store_true")
    return parser


@magics_class
class TrainMagics(Magics):
    """``%%train``: run the cell as a training script (a SageMaker script-mode job)."""

    @cell_magic
    def train(self, line: str, cell: str) -> Any:
        """Train the cell's code as ``train.py`` with the SageMaker SDK; the SDK's
        estimator is returned."""
        from .train_magic import run_training

        try:
            args = _train_parser().parse_args(shlex.split(line))
        except ValueError as err:
            raise UsageError(str(err)) from None
        hps = {k: _hp_value(v) for k, v in _pairs(args.hp, "--hp").items()}
        channels = _pairs(args.channel, "--channel")
        metrics = [{"Name": k, "Regex": v} for k, v in _pairs(args.metric, "--metric").items()]
        estimator = run_training(cell, name=args.name, instance_count=args.instance_count,
                                 image=args.image, role=args.role, hyperparameters=hps,
                                 channels=channels, metrics=metrics, wait=not args.no_wait)
        if not args.no_wait:
            print(f"model: {estimator.model_data}")
        return estimator


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(MLStudioMagics)
    ipython.register_magics(TrainMagics)
