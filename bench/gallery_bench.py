"""Gallery listing of 1,000 examples: cold and warm through the API, against the naive peer.

    .venv/bin/python bench/gallery_bench.py [--examples 1000]

The peer is what nbexamples did on every request: read and parse every notebook
(nbformat) to build the list. Goal: warm listing < 300 ms.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import launch_server  # noqa: E402


def make_examples(root: Path, count: int) -> None:
    for i in range(count):
        nb = new_notebook(cells=[
            new_markdown_cell(f"# Example {i}\n\nDoes thing number {i} with data."),
            *[new_code_cell(f"x = {j}\nprint(x * {i})") for j in range(20)],
        ])
        nb.metadata["mlstudio"] = {"tags": [f"t{i % 7}", "bench"]}
        path = root / f"cat{i % 10}" / f"example-{i:04d}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)


def naive_listing(root: Path) -> int:
    entries = []
    for path in sorted(root.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "markdown")
        entries.append({"path": str(path), "title": first.source.splitlines()[0],
                        "tags": nb.metadata.get("mlstudio", {}).get("tags", [])})
    return len(json.dumps(entries))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlstudio-gallery-bench-") as tmp:
        home, root = Path(tmp) / "home", Path(tmp) / "examples"
        make_examples(root, args.examples)
        (home / "config").mkdir(parents=True)
        (home / "config" / "jupyter_server_config.json").write_text(json.dumps({
            "Gallery": {"sources": [{"name": "bench", "kind": "directory",
                                     "path": str(root)}]}}))
        server = launch_server(home)
        try:
            server.wait_healthy()
            everything = {"max_results": "100"}
            filtered = {"max_results": "100", "q": "thing 7", "tag": "t0"}
            cold = timed_listing(server, everything, args.examples)
            warm = statistics.median(timed_listing(server, everything, args.examples)
                                     for _ in range(args.runs))
            warm_filtered = statistics.median(timed_listing(server, filtered)
                                              for _ in range(args.runs))
            t0 = time.perf_counter()
            naive_listing(root)
            naive = time.perf_counter() - t0
        finally:
            server.stop()
    print(f"{str(args.examples) + ' examples':32}{'seconds':>9}{'vs naive':>10}")
    print(f"{'naive (parse every notebook)':32}{naive:9.3f}{1:10.2f}")
    print(f"{'API cold (first listing)':32}{cold:9.3f}{cold / naive:10.2f}")
    print(f"{'API warm (median)':32}{warm:9.3f}{warm / naive:10.2f}   goal < 0.300 s")
    print(f"{'API warm, filtered (median)':32}{warm_filtered:9.3f}{warm_filtered / naive:10.2f}")


def timed_listing(server, params: dict, expected_total: int | None = None) -> float:
    """Seconds for one listing request (checking the total when given)."""
    t0 = time.perf_counter()
    reply = server.get("mlstudio/api/examples", params=params)
    reply.raise_for_status()
    elapsed = time.perf_counter() - t0
    if expected_total is not None:
        assert reply.json()["total"] == expected_total
    return elapsed


if __name__ == "__main__":
    main()
