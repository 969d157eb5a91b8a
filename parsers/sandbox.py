"""Reading documents in worker processes with a time and a memory limit.

A document from outside can be built to hang a parser or to swallow memory
(a zip bomb, a PDF with a billion objects). Each document is read in a pebble
worker process: past ``timeout`` seconds the worker is killed, past
``memory_mb`` its allocations fail, and either way that one document gets a
warning saying so while the rest of the message is read as usual.

OCR of a scan is slow by nature, so it has its own budget, ``ocr_timeout``:
the worker stops Tesseract when it runs out (the pages read so far are kept),
and a document that may need OCR (a PDF, an image) gets that much longer
before the worker itself is killed.
"""

from __future__ import annotations

import logging
import resource
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from pebble import ProcessExpired, ProcessPool

from parsers.document import Extract, ReadError
from parsers.readers import READERS, ocr_budget

log = logging.getLogger(__name__)


OCR_FORMATS = {"pdf", "image"}  # formats whose reader may run OCR


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0
    memory_mb: int = 1024
    ocr_timeout: float = ocr_budget.DEFAULT_TIMEOUT

    def for_format(self, fmt: str) -> float:
        """The worker's wall-clock limit for one document of this format."""
        return self.timeout + (self.ocr_timeout if fmt in OCR_FORMATS else 0.0)


def read_in_process(
    fmt: str, data: bytes, ocr_timeout: float = ocr_budget.DEFAULT_TIMEOUT
) -> Extract:
    """The worker's task: one reader, one document (module level, so it pickles)."""
    try:
        with ocr_budget.budget(ocr_timeout):
            return READERS[fmt](data)
    except MemoryError:
        raise ReadError("the document needs more memory than the limit allows: not read") from None


def _limit_memory(memory_mb: int) -> None:
    # A forked worker starts with its parent's address space: the limit is
    # what it may add to that. (An absolute limit below the parent's size, as
    # in a long test run, made the worker's first allocations fail.)
    try:
        with open("/proc/self/statm") as statm:
            inherited = int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        inherited = 0  # no /proc: the limit is absolute
    size = inherited + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


class Sandbox:
    """A callable ``(fmt, data) -> Extract`` that isolates each read."""

    def __init__(self, limits: Limits, workers: int = 1) -> None:
        self.limits = limits
        self.workers = workers
        self._pool: ProcessPool | None = None  # started on first use

    def _started(self) -> ProcessPool:
        if self._pool is None:
            self._pool = ProcessPool(max_workers=self.workers, initializer=_limit_memory,
                                     initargs=(self.limits.memory_mb,))
        return self._pool

    def __call__(self, fmt: str, data: bytes) -> Extract:
        limit = self.limits.for_format(fmt)
        future = self._started().schedule(read_in_process,
                                          args=(fmt, data, self.limits.ocr_timeout),
                                          timeout=limit)
        try:
            return future.result()
        except FutureTimeout:
            raise ReadError(f"reading took longer than {limit:g} s and was stopped") from None
        except ProcessExpired as exc:
            raise ReadError(f"the reader stopped unexpectedly (exit code {exc.exitcode})") from None
        except ReadError:
            raise
        except MemoryError:
            raise ReadError(
                f"the document needs more than {self.limits.memory_mb} MB of memory: not read"
            ) from None
        except Exception as exc:  # a reader bug: this document fails alone
            log.warning("reader %s failed: %s", fmt, type(exc).__name__)
            raise ReadError(f"the document could not be read ({type(exc).__name__})") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()
            self._pool = None


def read_directly(fmt: str, data: bytes) -> Extract:
    """No isolation: for tests and benchmarks of the readers themselves."""
    try:
        with ocr_budget.budget(ocr_budget.DEFAULT_TIMEOUT):
            return READERS[fmt](data)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"the document could not be read ({type(exc).__name__})") from None
