"""Print the import edges between Socialshop's top-level packages (and where each comes from with --files).

Usage: python .ci/import_graph.py [--files]. Reads the source with `ast`, so it sees imports inside functions
too (which import-linter also counts). Migrations are left out: they name other apps' models by string.
"""

from __future__ import annotations

import ast
import collections
import pathlib
import sys

PACKAGES = ("common", "config", "shop", "social", "recsys", "support")


def edges(root: pathlib.Path) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    target = name.split(".")[0]
                    if target in PACKAGES and target != package:
                        found[(package, target)].add(str(path.relative_to(root)))
    return found


def main() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    show_files = "--files" in sys.argv
    for (source, target), files in sorted(edges(root).items()):
        print(f"{source} -> {target}  ({len(files)} modules)")
        if show_files:
            for file in sorted(files):
                print(f"    {file}")


if __name__ == "__main__":
    main()
