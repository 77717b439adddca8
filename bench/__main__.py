"""Run every benchmark module in this folder (``bench_*.py``), or only the ones named, each in
its own interpreter. Options (``--mixed``...) go to each benchmark named."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    options = [a for a in argv if a.startswith("--")]
    wanted = [a for a in argv if not a.startswith("--")] or names
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(names)}")
        return 2
    status = 0
    for name in wanted:
        # A fresh interpreter per benchmark: peak-RSS figures of processes a benchmark forks
        # would otherwise include whatever earlier benchmarks loaded into this one.
        code = f"import sys, bench.bench_{name} as b; sys.exit(b.main(sys.argv[1:]))"
        status |= subprocess.run([sys.executable, "-c", code, *options], check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
