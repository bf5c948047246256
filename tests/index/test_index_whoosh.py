"""Whoosh-specific behaviour: the writer lock across threads and processes, threads, layout."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.backends import create
from index.backends.base import IndexLocked, SearchBackend
from index.backends.whoosh import POINTER, WhooshBackend
from index.documents import Document, Query

HOLD_LOCK = """
import sys, time
from whoosh import index
ix = index.open_dir(sys.argv[1])
writer = ix.writer()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
writer.cancel()
"""


def listing(i: int, title: str = "Phonics") -> Document:
    return Document(i, title, "", "", i, "P")


def live_folder(path: Path) -> str:
    return str(path / (path / POINTER).read_text().strip())


def test_a_writer_in_another_process_makes_apply_wait_then_raise(tmp_path):
    backend = create("whoosh", path=tmp_path, lock_timeout=0.5)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, live_folder(tmp_path), "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(IndexLocked):
            backend.apply([listing(1)], [], 1)
        assert 0.5 <= time.monotonic() - started < 2.5
        assert backend.last_seq() == 0
    finally:
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()
    backend.apply([listing(1)], [], 1)  # the lock was released: the change applies now
    assert backend.last_seq() == 1
    backend.close()


def test_a_writer_held_in_another_thread_makes_apply_wait_for_it(tmp_path):
    first = create("whoosh", path=tmp_path, lock_timeout=5)
    second = create("whoosh", path=tmp_path, lock_timeout=5)
    assert isinstance(first, WhooshBackend)
    writer = first._ix.writer()  # held by "another writer" for 0.3 s
    releaser = threading.Timer(0.3, writer.cancel)
    releaser.start()
    started = time.monotonic()
    second.apply([listing(1)], [], 1)
    assert time.monotonic() - started >= 0.25
    assert first.search(Query(text="phonics")).total == 1
    releaser.join()
    first.close()
    second.close()


def test_one_backend_serves_many_threads_while_writes_happen(tmp_path):
    backend: SearchBackend = create("whoosh", path=tmp_path)
    backend.apply([listing(i) for i in range(1, 101)], [], 1)
    errors: list[BaseException] = []
    totals: list[int] = []

    def reader() -> None:
        try:
            for _ in range(30):
                totals.append(backend.search(Query(text="phonics", facets=("phase",))).total)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for seq in range(2, 12):
        backend.apply([listing(200 + seq)], [], seq)
    for t in threads:
        t.join()
    assert not errors
    assert min(totals) >= 100 and max(totals) <= 110
    assert backend.search(Query(text="phonics")).total == 110
    backend.close()


def test_rebuild_keeps_the_previous_folder_for_old_searchers_and_removes_older_ones(tmp_path):
    backend = create("whoosh", path=tmp_path)
    first = live_folder(tmp_path)
    backend.rebuild([listing(1)], 1)
    second = live_folder(tmp_path)
    backend.rebuild([listing(2)], 2)
    folders = {p.name for p in tmp_path.iterdir() if p.is_dir()}
    assert Path(second).name in folders and Path(first).name not in folders
    assert backend.search(Query()).total == 1
    backend.close()


def test_a_query_that_finds_little_gets_a_suggestion_without_replacing_its_results(tmp_path):
    backend = create("whoosh", path=None)
    docs = [listing(i, "Governance review") for i in range(1, 6)] + [
        listing(9, "Governanse clinic")
    ]
    backend.apply(docs, [], 1)
    results = backend.search(Query(text="governanse"))
    assert [h.id for h in results.hits] == [9]
    assert results.suggestion == "governance" and results.corrected is False
