"""Python's cyclic garbage collector, kept out of the two phases of a run where it only costs time.

* **Start-up** of `plans ingest` (importing Prefect, spaCy, pandas; the pipeline's warm-up) builds some
  300 000 long-lived objects.  The collector walks all of them again each time they grow by a quarter:
  seven full collections, ~0.7 s of a start-up that holds the GIL, freeing nothing.  ``hold()`` turns
  it off when the command starts; ``settle()`` then *freezes* what start-up built (the collector never
  walks it again, and the forked readers never copy the pages it would write to) and turns it back on.
* **Publishing** builds hundreds of thousands of acyclic records (linker rows, links, instruments):
  three full collections of ~0.2 s at 1 000 plans, freeing nothing.  ``paused()`` turns the collector
  off for that block only; reference counting still frees everything as usual.

Neither changes what is kept alive: a reference cycle that becomes garbage inside a paused block is
collected after it, and ``settle()`` is a no-op unless ``hold()`` ran in this process (a test or a
notebook calling the flow is left as it is).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_HELD = False  # hold() ran and settle() has not yet
_SETTLED = False  # settle() froze start-up's objects for the life of this process


def hold() -> None:
    """Turn the collector off for a command's start-up (call ``settle()`` when the start-up is done)."""
    global _HELD
    _HELD = True
    gc.disable()


def settle() -> None:
    """End of start-up: freeze every object alive now out of the collector's sight, then turn it on again.
    Does nothing unless ``hold()`` ran (and only once)."""
    global _HELD, _SETTLED
    if _HELD:
        _HELD = False
        _SETTLED = True
        gc.freeze()
        gc.enable()


@contextmanager
def frozen_for_fork() -> Iterator[None]:
    """Around a fork: every object of this process frozen, so the child's collector never walks them (and
    never copies the pages they live on).  Thawed after, unless ``settle()`` froze start-up for good (a
    thaw would thaw those too)."""
    gc.freeze()
    try:
        yield
    finally:
        if not _SETTLED:
            gc.unfreeze()


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block (reference counting still frees objects)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
