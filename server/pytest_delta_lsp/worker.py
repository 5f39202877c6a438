"""The engine thread: one daemon thread that runs every call on the project, in order.

A daemon thread, not a ``ThreadPoolExecutor``: the interpreter waits for a pool's threads at
exit, and an index of a large tree must not hold up a server the editor asked to exit.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Callable[[], Any], "Future[Any]"]


class EngineThread:
    def __init__(self, name: str = "pytest-delta-engine") -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._stopped = False
        self._thread.start()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        if self._stopped:
            future.set_exception(RuntimeError("the engine thread has stopped"))
            return future
        self._jobs.put((fn, future))
        return future

    def stop(self) -> None:
        """Run no more jobs; the one running finishes on its own."""
        self._stopped = True
        self._jobs.put(None)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as exc:  # the caller gets it; the thread lives on
                future.set_exception(exc)
            else:
                future.set_result(result)
