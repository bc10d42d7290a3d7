"""Strip the outputs of notebooks before they are committed.

Clears every code cell's outputs and execution count, drops the per-cell
metadata Jupyter adds while running (execution times, scroll and collapse
state) and keeps only the kernel and language of the notebook's metadata, so
that a notebook in git changes only when its cells change.

    .venv/bin/python scripts/strip_notebooks.py                  # every notebooks/*.ipynb
    .venv/bin/python scripts/strip_notebooks.py notebooks/02_*.ipynb
    .venv/bin/python scripts/strip_notebooks.py --check          # exit 1 if any needs stripping
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
KEEP_CELL_METADATA = ("tags",)
KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without outputs, execution counts and run-time metadata (changed in place)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
    meta = {k: v for k, v in nb.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    if "language_info" in meta:
        meta["language_info"] = {"name": meta["language_info"].get("name", "python")}
    nb.metadata = meta
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook needs stripping")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    dirty = []
    for path in paths:
        before = path.read_text(encoding="utf-8")
        nb = strip(nbformat.reads(before, as_version=nbformat.NO_CONVERT))
        after = nbformat.writes(nb) + "\n"
        if after != before:
            dirty.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    for path in dirty:
        print(f"{path}: {'has outputs or run-time metadata' if args.check else 'stripped'}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
