"""The byte-bounded LRU cache of encoded step responses."""

import threading

import numpy as np
import pytest

from tb_mesh_plugin import response_cache
from tb_mesh_plugin.response_cache import Body, ResponseCache


def test_a_kept_body_is_returned_and_counted():
    cache = ResponseCache(100)
    cache.put("a", b"x" * 30)
    assert cache.get("a") == b"x" * 30 and cache.get("b") is None
    assert (cache.size, len(cache)) == (30, 1)
    cache.put("a", b"y" * 10)  # replacing a key counts only its new body
    assert (cache.get("a"), cache.size, len(cache)) == (b"y" * 10, 10, 1)


def test_the_least_recently_used_bodies_are_evicted_to_stay_within_the_byte_budget():
    cache = ResponseCache(100)
    for key in "abc":
        cache.put(key, key.encode() * 30)
    cache.get("a")  # now b is the least recently used
    cache.put("d", b"d" * 30)
    assert cache.get("b") is None and all(cache.get(k) for k in "acd")
    cache.put("e", b"e" * 70)  # needs 70 of 100 bytes: evicts until it fits
    assert [k for k in "acde" if cache.get(k)] == ["d", "e"] and cache.size == 100


def test_a_body_larger_than_the_budget_is_not_kept_and_a_zero_budget_keeps_nothing():
    cache = ResponseCache(100)
    cache.put("a", b"a" * 50)
    cache.put("big", b"b" * 101)
    assert cache.get("big") is None and cache.get("a") == b"a" * 50
    off = ResponseCache(0)
    assert off.get_or_create("a", lambda: b"a") == (b"a", False)
    assert off.get_or_create("a", lambda: b"b") == (b"b", False) and off.size == 0


def test_get_or_create_creates_once_and_then_hits():
    cache = ResponseCache(100)
    calls = []
    create = lambda: calls.append(1) or b"body"  # noqa: E731
    assert cache.get_or_create("k", create) == (b"body", False)
    assert cache.get_or_create("k", create) == (b"body", True)
    assert len(calls) == 1


def test_concurrent_misses_of_one_key_wait_for_the_first_creator():
    cache = ResponseCache(1000)
    started, release = threading.Event(), threading.Event()
    calls, results = [], []

    def create():
        calls.append(1)
        started.set()
        assert release.wait(10)
        return b"step"

    first = threading.Thread(target=lambda: results.append(cache.get_or_create("k", create)))
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=lambda: results.append(cache.get_or_create("k", create))) for _ in range(8)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert len(calls) == 1
    assert sorted(results) == [(b"step", False)] + [(b"step", True)] * 8


def test_a_failed_creation_reaches_only_its_caller_and_the_next_caller_creates_again():
    cache = ResponseCache(100)

    def fail():
        raise KeyError("unreadable")

    with pytest.raises(KeyError):
        cache.get_or_create("k", fail)
    assert cache.get_or_create("k", lambda: b"ok") == (b"ok", False)


def test_many_threads_keep_the_byte_count_exact_and_within_budget():
    cache = ResponseCache(1000)

    def work(seed):
        for i in range(300):
            key = (seed * 7 + i) % 40
            cache.get_or_create(key, lambda: bytes(10 + key * 3))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    kept = [cache.get(k) for k in range(40)]
    assert cache.size == sum(len(b) for b in kept if b is not None) <= 1000


@pytest.mark.parametrize(
    "value, megabytes",
    [
        (None, response_cache.DEFAULT_MEGABYTES),
        ("", response_cache.DEFAULT_MEGABYTES),
        ("64", 64),
        ("0", 0),
        ("0.5", 0.5),
        ("-1", response_cache.DEFAULT_MEGABYTES),
        ("lots", response_cache.DEFAULT_MEGABYTES),
    ],
)
def test_the_budget_comes_from_the_environment(value, megabytes):
    environ = {} if value is None else {response_cache.ENVIRONMENT_VARIABLE: value}
    assert response_cache.capacity_from_environment(environ) == int(megabytes * 2**20)


def test_a_body_keeps_views_of_a_buffer_it_mostly_shows_and_counts_that_buffer_whole():
    blob = bytes(range(256)) * 40
    body = Body([b"head", memoryview(blob)[13:5000], b"\0\0", memoryview(blob)[5000:]])
    assert [part.obj is blob for part in body.parts if isinstance(part, memoryview)] == [True, True]
    assert body.held_bytes == 4 + len(blob) + 2 and len(body) == 4 + len(blob) - 13 + 2
    assert bytes(body) == b"head" + blob[13:5000] + b"\0\0" + blob[5000:]


def test_a_body_copies_small_views_so_it_never_keeps_a_large_buffer_alive():
    blob = bytes(10_000)
    rows = np.arange(3000, dtype=np.float32).reshape(1000, 3)
    body = Body([memoryview(blob)[100:148], rows[:10].data, np.frombuffer(blob, np.uint8)[:8].data])
    assert all(isinstance(part, bytes) for part in body.parts)
    assert body.held_bytes == len(body) == 48 + 120 + 8
    assert bytes(body) == blob[100:148] + rows[:10].tobytes() + blob[:8]


def test_a_body_is_sent_in_bytes_chunks_of_about_the_chunk_size():
    data = np.random.default_rng(0).bytes(3 * response_cache.CHUNK_BYTES + 5)
    body = Body([b"head", memoryview(data)[1:], b"tail"])
    chunks = list(body.chunks())
    assert all(type(chunk) is bytes and len(chunk) < 2 * response_cache.CHUNK_BYTES for chunk in chunks)
    assert len(chunks) == 4 and b"".join(chunks) == b"head" + data[1:] + b"tail"


def test_the_cache_counts_the_memory_a_body_keeps_alive_not_its_length():
    blob = bytes(1000)
    cache = ResponseCache(1500)
    cache.put("full", Body([memoryview(blob)[100:]]))  # 900 bytes long, keeps 1000 alive
    assert cache.size == 1000
    cache.put("other", Body([memoryview(bytes(600))[1:]]))
    assert cache.get("full") is None and cache.size == 600


def test_each_miss_returns_freed_memory_to_the_system_and_a_hit_does_not():
    calls = []
    cache = ResponseCache(100, trim=calls.append)
    cache.get_or_create("k", lambda: b"body")
    cache.get_or_create("k", lambda: b"body")  # a hit: nothing was freed
    cache.get_or_create("j", lambda: b"other")
    assert calls == [0, 0]


def test_the_cache_finds_glibcs_malloc_trim_here():
    assert response_cache._MALLOC_TRIM is not None and response_cache._MALLOC_TRIM(0) in (0, 1)
