"""Pausing Python's cyclic garbage collector while a poll round fans out.

A round over 10,000 servers allocates some 600,000 short-lived objects (decoded players,
tasks, futures) while the previous round's snapshots hold some 300,000 long-lived ones; the
automatic collector then runs several full collections per round, each walking every object,
which measured at about a third of the round's CPU (bench/results/poller.md). Reference counting
frees almost all of it; the few cycles (failed queries' exceptions and tracebacks) wait for the
collector, which catches up once after the fan-out (bounded by the query timeout).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Automatic collection off for the block, back on after it, unless it was off already
    (then it stays as the application set it)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
