"""A large folder's files checked on every core, in the folder's order.

The files are cut into small chunks and handed to worker processes from the front of the list
while this process checks chunks from the back itself, so whichever process runs faster (the
machine's other load decides) checks more, and neither waits long for the other at the end.
Workers are forked on Linux, where a fork costs a few milliseconds and inherits everything
already imported; spawning a fresh interpreter (other systems, or when threads are running, which
a fork cannot carry safely) costs 0.4-0.55 s before the first file, so it is worth it only for
much larger folders. Nothing here decides what a check is: the caller passes one function for
this process and one, built in each worker, for the workers.

`beside` is the same idea for two pieces of work (the two sides of a large diff): one here, one
in a forked child.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
Check = Callable[[list[Path]], list[T]]

# Files per chunk, at most: 12 small maps are ~40 ms of work, so the last chunks in flight (a
# worker holds up to three: one running, two queued) leave the other process idle for ~100 ms at
# most, while a chunk's round trip (handing it over, light results back) costs well under 1 ms.
# A smaller folder is cut finer, into about 8 chunks per process.
CHUNK = 12

# Files per process from which starting workers pays: a folder of at least twice this many is
# shared with up to one worker per further core. Measured with benchmarks/pool.py on a 2-core VM
# (copies of examples/pierwszy-zakup.yaml, findings only, a warm process, medians of 21 runs, one
# process and pooled alternating). Other work loaded the machine (4.6-5.1 on 2 cores), so no core
# was free and the pooled wall times were 25-55 ms slower at every size; the CPU times of this
# process and of the worker, the larger of which is the wall time on idle cores (forking adds
# ~5 ms, shutting down 3-7 ms), show the gain:
#   files    serial CPU   pooled: here + worker   gain      files    serial   pooled      gain
#   10        35 ms        32 + 24 ms              1.07x     24        81 ms   61 + 51 ms  1.32x
#   12        52 ms        38 + 28 ms              1.37x     30       103 ms   70 + 57 ms  1.47x
#   16        76 ms        52 + 43 ms              1.46x     40       157 ms   97 + 87 ms  1.61x
#   20        95 ms        64 + 53 ms              1.48x   1,000     3.69 s  1.67 + 1.77 s 2.14x
FORK_THRESHOLD = 10
# A spawned worker first starts an interpreter and imports cjmap (0.4 s before its first file, on
# idle cores): 200 files took 0.44 + 0.54 s of CPU spawned against 0.55 s in one process, 1,000
# files 2.08 + 2.09 s against 3.69 s (and 1.67 + 1.77 s forked).
SPAWN_THRESHOLD = 200


def cores() -> int:
    """The cores this process may run on (an affinity mask or a container's cpuset narrows it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Forking is cheap and safe: on Linux, with no other thread running."""
    return sys.platform == "linux" and threading.active_count() == 1


def start_method() -> tuple[BaseContext, int]:
    """How workers start here, and the files per process that make starting them worth it."""
    if can_fork():
        return multiprocessing.get_context("fork"), FORK_THRESHOLD
    return multiprocessing.get_context("spawn"), SPAWN_THRESHOLD


def check_shared(
    files: Sequence[Path],
    here: Check[T],
    make_worker_check: Callable[..., Check[T]],
    worker_arguments: tuple[object, ...],
) -> list[T]:
    """`here(chunk)` for every chunk, in order, some of them run in worker processes instead:
    each worker calls `make_worker_check(*worker_arguments)` once (a module-level function, so a
    spawned worker can import it) and checks its chunks with what it returns. One process when
    the folder is small, or when no worker process can be started (a sandbox)."""
    context, threshold = start_method()
    helpers = min(cores() - 1, len(files) // threshold - 1)
    if helpers <= 0:
        return here(list(files))
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # The last file is checked first, here, before any worker starts: the first check of a
    # process builds what later ones reuse (pydantic completes the models: ~55 ms), and a worker
    # forked after it inherits that instead of building it again.
    rest = files[:-1]
    size = max(1, min(CHUNK, len(rest) // (8 * (helpers + 1))))  # small folders: smaller chunks
    chunks = [list(rest[start : start + size]) for start in range(0, len(rest), size)]
    chunks.append(list(files[-1:]))
    done: dict[int, list[T]] = {len(chunks) - 1: here(chunks[-1])}
    try:
        pool = ProcessPoolExecutor(helpers, context, _start_worker, (make_worker_check, worker_arguments))
        try:
            sent = [pool.submit(_check_in_worker, chunk) for chunk in chunks[:-1]]
            # From the back, while a chunk is still waiting: one the pool already handed to a worker
            # cannot be cancelled, and then the rest are the workers' too. The first chunk of each
            # worker stays theirs, so that starting them is never wasted.
            for index in range(len(sent) - 1, helpers - 1, -1):
                if not sent[index].cancel():
                    break
                done[index] = here(chunks[index])
            for index, future in enumerate(sent):
                if index not in done:
                    with suppress(BrokenProcessPool):  # a worker was killed (out of memory?)
                        done[index] = future.result()
        finally:  # on Ctrl-C too: the chunks no worker has begun are dropped, not checked first
            pool.shutdown(cancel_futures=True)
    except (OSError, BrokenProcessPool):  # no processes to be had (a sandbox), or one was killed
        pass
    # What no worker sent back is checked here.
    return [item for index, chunk in enumerate(chunks) for item in (done[index] if index in done else here(chunk))]


# The check this worker process was started with (set once, by _start_worker, in each worker).
_worker_check: list[Check[Any]] = []


def _start_worker(make_check: Callable[..., Check[Any]], arguments: tuple[object, ...]) -> None:
    _worker_check.append(make_check(*arguments))


def _check_in_worker(chunk: list[Path]) -> list[Any]:
    return _worker_check[0](chunk)


A = TypeVar("A")
B = TypeVar("B")


def beside(here: Callable[[], A], there: Callable[[], B]) -> tuple[A, B | None]:
    """`here()` in this process while `there()` runs in a forked child, whose result comes back
    pickled. None in its place when it could not run there: no fork on this system, threads
    running (a fork cannot carry them safely), one core only, no process to be had, or the child
    raised or died; the caller then runs it itself, so what the user sees never depends on it."""
    if not can_fork() or cores() < 2:
        return here(), None
    context = multiprocessing.get_context("fork")
    import pickle

    sys.stdout.flush()  # a forked child would write out what is still buffered a second time
    sys.stderr.flush()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run_and_send, args=(there, sender), daemon=True)
    try:
        child.start()
    except OSError:
        receiver.close()
        sender.close()
        return here(), None
    sender.close()  # this process's copy: the pipe reports the end once the child's is closed too
    try:
        mine = here()
        try:
            theirs: B | None = pickle.loads(receiver.recv_bytes())
        except (EOFError, OSError):  # the child raised or died (out of memory?) before it sent
            theirs = None
    finally:  # on Ctrl-C too: the child is of no use any more
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    return mine, theirs


def _run_and_send(there: Callable[[], object], sender: Any) -> None:
    """In the child: its result, or nothing when it raises (the parent then runs it itself).
    Ctrl-C ends the child silently: the parent reports it."""
    import pickle
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        sent = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # whatever went wrong, the parent runs it itself
        os._exit(1)
    sender.send_bytes(sent)
    sender.close()
    os._exit(0)  # no clean-up: the child's copy of the parent's objects would only be freed
