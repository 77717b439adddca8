"""Run every benchmark module in this folder (``bench_*.py``), or only the ones named."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    wanted = argv or names
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(names)}")
        return 2
    status = 0
    for name in wanted:
        module = importlib.import_module(f"bench.bench_{name}")
        status |= int(module.main([]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
