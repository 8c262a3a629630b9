"""Pre-checks in worker processes, so that the event loop only reads requests and writes answers.

A check (validation, facts, the engine, findings, the JSON of the result) is Python that never
releases the GIL. Run in a thread of the server's process, it holds the GIL while the event
loop waits to write other responses, and handing it to a thread costs more than the check's
own validation. `BERDAYA_CHECK_WORKERS` processes (`berdaya serve` starts 2) each keep their
own `Engines` (the same settings, so the same version in force per cycle: the registry notices
a publish in any process) and take one body at a time over a pipe watched by the event loop.

Whatever the workers cannot answer is done where it was done before, in a pre-check thread
(`service.bodies.in_check_thread`): requests that come before a worker is ready, and client
mistakes, which a worker refuses as a whole so that the thread raises the exact error for the
service's problem responses. A worker that dies is replaced; its request gets a server error.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from knowledge.errors import BerdayaError
from service.settings import Settings

log = logging.getLogger("berdaya.checks")

OK, REFUSED = b"+", b"-"  # the first byte of a worker's answer
READY = b"ready"


# check_body(engines, body, limits, repair) -> the check JSON (service.usecases.checks)
CheckRun = Callable[[Any, bytes, Any, bool], bytes]


class WorkerLost(RuntimeError):
    """A check worker stopped while it had a request (answered as a server error)."""


def _serve(conn: Connection, settings: Settings, run: CheckRun) -> None:
    """A worker's life: build the engines once, then answer bodies until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group; the server stops us
    from knowledge.reference import use_reference
    from service.engines import Engines

    use_reference(settings.reference)
    engines = Engines(settings.kb_dir, settings.index, settings.kb_store)
    limits = settings.read_limits()
    conn.send_bytes(READY)
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        repair, body = message[:1] == b"1", message[1:]
        try:
            answer = OK + run(engines, body, limits, repair)
        except BerdayaError:
            answer = REFUSED  # a client's mistake: the thread path raises it again, exactly
        except Exception:
            log.exception("check worker: unexpected error")
            answer = REFUSED
        conn.send_bytes(answer)


class _Worker:
    """One worker process, its end of the pipe and the request it is answering."""

    def __init__(self, process: BaseProcess, conn: Connection):
        self.process, self.conn = process, conn
        self.waiting: asyncio.Future[bytes | None] | None = None
        self.ready = False


class CheckWorkers:
    """A pool of check worker processes, driven from the event loop (start and use it there)."""

    def __init__(self, settings: Settings, run: CheckRun):
        self.settings, self.run = settings, run
        self.size = settings.check_workers
        self._context = multiprocessing.get_context("spawn")  # no fork of a process with threads and sockets
        self._workers: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._queue: deque[tuple[bytes, asyncio.Future[bytes | None]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.answered = 0

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        assert self._loop is not None
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(theirs, self.settings, self.run),
                                        name="berdaya-check", daemon=True)
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._workers.append(worker)
        self._loop.add_reader(ours.fileno(), self._readable, worker)

    def pids(self) -> list[int]:
        """The worker processes' ids (those started and not yet lost)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    @property
    def ready(self) -> int:
        return sum(w.ready for w in self._workers)

    @property
    def starting(self) -> int:
        """Workers started and not ready yet (a worker that never starts is dropped, not counted)."""
        return len(self._workers) - self.ready

    def _readable(self, worker: _Worker) -> None:
        try:
            answer = worker.conn.recv_bytes()
        except (EOFError, OSError):
            self._lost(worker)
            return
        if not worker.ready:
            worker.ready = True
        elif worker.waiting is not None:
            future, worker.waiting = worker.waiting, None
            if not future.done():
                future.set_result(answer[1:] if answer[:1] == OK else None)
        self._next(worker)

    def _next(self, worker: _Worker) -> None:
        while self._queue:
            message, future = self._queue.popleft()
            if not future.done():  # its client may have gone
                self._send(worker, message, future)
                return
        self._idle.append(worker)

    def _send(self, worker: _Worker, message: bytes, future: asyncio.Future[bytes | None]) -> None:
        worker.waiting = future
        try:
            worker.conn.send_bytes(message)
        except OSError:
            self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        """A worker stopped: fail its request, forget it, start another."""
        assert self._loop is not None
        self._loop.remove_reader(worker.conn.fileno())
        worker.conn.close()
        self._workers.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        if worker.waiting is not None and not worker.waiting.done():
            worker.waiting.set_exception(WorkerLost("check worker stopped"))
        if not worker.ready:  # it never started: starting another would fail the same way
            log.error("check worker %s did not start (exit code %s); checks run in threads",
                      worker.process.pid, worker.process.exitcode)
            return
        log.warning("check worker %s stopped (exit code %s); starting another", worker.process.pid,
                    worker.process.exitcode)
        self._spawn()

    async def check(self, body: bytes, repair: bool) -> bytes | None:
        """The check JSON of `body` from a worker; None when the caller must do it in a thread."""
        if not self._idle and not any(w.ready for w in self._workers):
            return None  # no worker is ready yet (still starting)
        assert self._loop is not None
        future: asyncio.Future[bytes | None] = self._loop.create_future()
        message = (b"1" if repair else b"0") + body
        if self._idle:
            self._send(self._idle.popleft(), message, future)
        else:
            self._queue.append((message, future))
        answer = await future
        if answer is not None:
            self.answered += 1
        return answer

    def stop(self) -> None:
        """Close the pipes (workers leave on end of file) and wait briefly for the processes."""
        for worker in list(self._workers):
            if self._loop is not None:
                self._loop.remove_reader(worker.conn.fileno())
            worker.conn.close()
        for worker in self._workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=2)
        self._workers.clear()
        self._idle.clear()
