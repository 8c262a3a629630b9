"""Worker processes that end with their parent: the one way policy tuning starts processes.

What-if replays and the engine's half of the publish gate run in spawned processes (a ruleset
cannot be unloaded). If the process that started them is killed (kill -9, an out-of-memory
kill), nothing tells a pool's workers to stop, and they would be left behind with parent 1.
Every worker therefore asks the kernel to kill it when its parent dies (Linux
`PR_SET_PDEATHSIG`), and watches its parent's pid from a thread as well: the kernel's signal
follows the parent *thread* that spawned it and exists only on Linux, the watchdog covers the rest.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def _die_with_parent() -> None:
    """Linux only: SIGKILL this process when the thread that spawned it exits."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog still ends the worker


def _watch(parent: int) -> None:
    stop = threading.Event()
    while not stop.wait(WATCH_SECONDS):
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone: nobody will read what this worker computes


def start_worker(parent: int, initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> None:
    """Pool initializer: die with `parent`, then run the caller's own initializer."""
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def worker_pool(max_workers: int, initializer: Callable[..., Any] | None = None,
                initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A pool of spawned processes that end when this process dies."""
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_worker, initargs=(os.getpid(), initializer, initargs))
