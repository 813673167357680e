"""A thread-safe cache of encoded step responses, bounded by bytes, evicting the least recently used.

TensorBoard serves requests on threads, so scrubbing back to a step, a second card of the same tag
and the ghost of a step ask for the same bytes, often at once. The plugin keys each encoded body by
what determines it (run, tag, step, sample, `max_points` and the step's wall time: a rewritten step
has a new wall time) and keeps the most recently used bodies up to a byte budget. Concurrent misses
of one key wait for the first caller's result instead of reading the step again.

A body is kept as `Body`: the parts of the encoded response (its arrays are views of the blob read
from the loader, never joined into one copy), sent in chunks. The cache counts what a body keeps alive,
each buffer its parts view counted whole, so the budget bounds the memory it holds.

Reading a step allocates and frees more than the body kept (RustBoard's messages, the Python loader's
conversions, previews' strided copies). TensorBoard serves each request on a new thread, and glibc keeps
what such threads free in its arenas, unreturned where a kept body sits above it: the process then
grows by several times the budget. After each miss the cache calls glibc's `malloc_trim`, which returns
those free pages to the system (a few ms; measured: +304 MiB of RSS with a 64 MiB budget under RustBoard
without it, +25 to +74 MiB with it; on a background thread, after the request, it returned much less).

The budget comes from the environment variable `TB_MESH3D_CACHE_MB` (MiB; 0 turns the cache off):
a plugin that TensorBoard loads from its entry point gets no command-line flag of its own.
"""

import collections
import ctypes
import ctypes.util
import logging
import os
import threading

import numpy as np

logger = logging.getLogger(__name__)

ENVIRONMENT_VARIABLE = "TB_MESH3D_CACHE_MB"
DEFAULT_MEGABYTES = 256
# Bytes per chunk a body is sent in: one chunk is copied at a time, into memory the allocator reuses.
CHUNK_BYTES = 2**20


def _owner(part):
    """The object that owns the memory a bytes-like part views (the part itself for `bytes`)."""
    owner = part
    while True:
        if isinstance(owner, memoryview) and owner.obj is not None:
            owner = owner.obj
        elif isinstance(owner, np.ndarray) and owner.base is not None:
            owner = owner.base
        else:
            return owner


class Body:
    """A response body as a list of bytes-like parts, kept without joining them.

    `length` is its size on the wire; `held_bytes` the memory it keeps alive: every buffer its parts
    view, counted whole and once. Parts that show less than half of the buffer they view are copied
    first, so a small body (a preview) never keeps a large blob alive.
    """

    def __init__(self, parts):
        parts = [memoryview(part).cast("B") if not isinstance(part, bytes) else part for part in parts]
        shown = collections.defaultdict(int)
        for part in parts:
            shown[id(_owner(part))] += len(part)
        counted, held = set(), 0
        for i, part in enumerate(parts):
            owner = _owner(part)
            size = memoryview(owner).nbytes
            if shown[id(owner)] * 2 < size:
                parts[i] = bytes(part)
                held += len(part)
            elif id(owner) not in counted:
                counted.add(id(owner))
                held += size
        self.parts = parts
        self.length = sum(len(part) for part in parts)
        self.held_bytes = held

    def __len__(self):
        return self.length

    def __bytes__(self):
        return b"".join(self.parts)

    def chunks(self, size=CHUNK_BYTES):
        """Yields the body as `bytes` of about `size` bytes (a server writes bytes, not views)."""
        pending, pending_length = [], 0
        for part in self.parts:
            for start in range(0, len(part), size):
                piece = part[start : start + size]
                pending.append(piece)
                pending_length += len(piece)
                if pending_length >= size:
                    yield b"".join(pending)
                    pending, pending_length = [], 0
        if pending:
            yield b"".join(pending)


def _malloc_trim():
    """glibc's `malloc_trim(pad)`, or None under another C library."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c"))["malloc_trim"]
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes, trim.restype = (ctypes.c_size_t,), ctypes.c_int
    return trim


_MALLOC_TRIM = _malloc_trim()


def held_bytes(body):
    """The memory a cached body keeps alive: `Body.held_bytes`, or the length of `bytes`."""
    return body.held_bytes if isinstance(body, Body) else len(body)


def capacity_from_environment(environ=None):
    """The cache budget in bytes from `TB_MESH3D_CACHE_MB`, or the default; a bad value logs and uses it."""
    raw = (os.environ if environ is None else environ).get(ENVIRONMENT_VARIABLE)
    if raw is None or not raw.strip():
        return DEFAULT_MEGABYTES * 2**20
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not 0 <= megabytes < 2**40:
        logger.warning(
            "mesh3d: %s=%r is not a size in MiB >= 0; using %d", ENVIRONMENT_VARIABLE, raw, DEFAULT_MEGABYTES
        )
        return DEFAULT_MEGABYTES * 2**20
    return int(megabytes * 2**20)


class ResponseCache:
    """Maps hashable keys to bodies (`bytes` or `Body`), keeping at most `capacity` bytes (`held_bytes`).

    A body larger than the capacity is returned but not kept. After each miss, `trim(0)` (glibc's
    `malloc_trim` by default; None for none) returns the memory the miss freed. All methods are thread-safe.
    """

    def __init__(self, capacity, trim=_MALLOC_TRIM):
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0 bytes, got {capacity}")
        self.capacity = capacity
        self._trim = trim
        self._bodies = collections.OrderedDict()  # key -> body, least recently used first
        self._size = 0
        self._lock = threading.Lock()
        self._pending = {}  # key -> threading.Event set when its first caller is done

    @property
    def size(self):
        """Bytes the bodies held keep alive (`held_bytes`)."""
        with self._lock:
            return self._size

    def __len__(self):
        with self._lock:
            return len(self._bodies)

    def get(self, key):
        """The body of `key` (marking it most recently used), or None."""
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key, body):
        """Keeps `body` under `key`, evicting the least recently used bodies to stay within capacity."""
        size = held_bytes(body)
        if size > self.capacity:
            return
        with self._lock:
            old = self._bodies.pop(key, None)
            if old is not None:
                self._size -= held_bytes(old)
            while self._bodies and self._size + size > self.capacity:
                _, evicted = self._bodies.popitem(last=False)
                self._size -= held_bytes(evicted)
            self._bodies[key] = body
            self._size += size

    def get_or_create(self, key, create):
        """`(body, hit)`: the cached body of `key`, or `create()`'s, kept for the next caller.

        While one caller creates the body of a key, other callers of that key wait for it. If the
        creator fails (its exception propagates to it alone), or its body was too large to keep,
        the waiters create their own.
        """
        while True:
            with self._lock:
                body = self._bodies.get(key)
                if body is not None:
                    self._bodies.move_to_end(key)
                    return body, True
                pending = self._pending.get(key)
                if pending is None:
                    done = self._pending[key] = threading.Event()
                    break
            pending.wait()
            with self._lock:
                if key not in self._bodies:
                    # The first caller kept nothing: create the body here, without waiting again.
                    done = None
                    break
        try:
            body = create()
            self.put(key, body)
            if self._trim is not None:
                self._trim(0)  # what create() freed, and any evicted body, goes back to the system
            return body, False
        finally:
            if done is not None:
                with self._lock:
                    del self._pending[key]
                done.set()
