"""On-disk behaviour of every persistent backend: the writer lock across processes and threads,
searches from many threads during writes, the folder layout, and spelling that informs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index import service
from index.backends import create
from index.backends.base import IndexLocked, SearchBackend
from index.backends.storage import POINTER
from index.documents import Document

#: A script holding an engine's own writer on an index folder for argv[2] seconds.
HOLD_LOCK = {
    "tantivy": """
import sys, time, tantivy
from index.backends.tantivy import build_schema
writer = tantivy.Index(build_schema(), path=sys.argv[1]).writer()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
writer.rollback()
""",
    "whoosh": """
import sys, time
from whoosh import index
writer = index.open_dir(sys.argv[1]).writer()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
writer.cancel()
""",
}
ENGINES = sorted(HOLD_LOCK)


def listing(i: int, title: str = "Phonics") -> Document:
    return Document(i, title, "", "", i, "P")


def live_folder(path: Path) -> str:
    return str(path / (path / POINTER).read_text().strip())


def hold_lock(engine: str, folder: str, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK[engine], folder, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def total(backend: SearchBackend, text: str = "") -> int:
    return service.search(backend, service.Request(text=text, facets=("phase",))).total


@pytest.mark.parametrize("engine", ENGINES)
def test_a_writer_in_another_process_makes_apply_wait_then_raise(tmp_path, engine):
    backend = create(engine, path=tmp_path, lock_timeout=0.5)
    holder = hold_lock(engine, live_folder(tmp_path), 3)
    try:
        started = time.monotonic()
        with pytest.raises(IndexLocked):
            backend.apply([listing(1)], [], 1)
        assert 0.5 <= time.monotonic() - started < 2.5
        assert backend.last_seq() == 0
    finally:
        holder.wait(timeout=20)
        assert holder.stdout is not None
        holder.stdout.close()
    backend.apply([listing(1)], [], 1)  # the lock was released: the change applies now
    assert backend.last_seq() == 1
    backend.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_writer_held_briefly_elsewhere_makes_apply_wait_for_it(tmp_path, engine):
    backend = create(engine, path=tmp_path, lock_timeout=10)
    holder = hold_lock(engine, live_folder(tmp_path), 0.5)
    try:
        started = time.monotonic()
        backend.apply([listing(1)], [], 1)
        assert time.monotonic() - started >= 0.2
        assert total(backend, "phonics") == 1
    finally:
        holder.wait(timeout=20)
        assert holder.stdout is not None
        holder.stdout.close()
    backend.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_one_backend_serves_many_threads_while_writes_happen(tmp_path, engine):
    backend: SearchBackend = create(engine, path=tmp_path)
    backend.apply([listing(i) for i in range(1, 101)], [], 1)
    errors: list[BaseException] = []
    totals: list[int] = []

    def reader() -> None:
        try:
            for _ in range(30):
                totals.append(total(backend, "phonics"))
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
    assert total(backend, "phonics") == 110
    backend.close()


#: A script that opens an index folder at the wall-clock time argv[3] and adds listing argv[4].
OPEN_AT = """
import sys, time
from index.backends import create
from index.documents import Document
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))
backend = create(sys.argv[1], path=sys.argv[2])
backend.apply([Document(int(sys.argv[4]), "Phonics", "", "", 1, "P")], [], int(sys.argv[4]))
print("applied", flush=True)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_processes_starting_together_on_an_empty_folder_share_one_first_generation(
    tmp_path, engine
):
    # Gunicorn's workers do this on a new instance: each would create a first generation, and
    # each one's swap would remove the folder another was still opening.
    start = time.time() + 3.0
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT, engine, str(tmp_path), str(start), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for i in range(1, 7)
    ]
    outcomes = [process.communicate(timeout=60) for process in processes]
    assert [out.strip() for out, _ in outcomes] == ["applied"] * 6, [e for _, e in outcomes]
    generations = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(generations) == 1
    backend = create(engine, path=tmp_path)
    assert total(backend, "phonics") == 6
    backend.close()


def test_whoosh_opens_a_folder_whose_newest_toc_a_commit_removed_as_it_was_found(
    tmp_path, monkeypatch
):
    # The race the test above runs into now and then, made certain: Whoosh finds the newest
    # TOC (generation 0), then another process's commit writes generation 1 and deletes it.
    from whoosh.index import TOC

    create("whoosh", path=tmp_path).apply([listing(1)], [], 1)
    assert not list(Path(live_folder(tmp_path)).glob("*_0.toc"))
    newest = TOC._latest_generation
    stale = [0]

    def found_before_the_commit(storage, indexname):
        return stale.pop() if stale else newest(storage, indexname)

    monkeypatch.setattr(TOC, "_latest_generation", staticmethod(found_before_the_commit))
    backend = create("whoosh", path=tmp_path)
    assert not stale
    assert total(backend, "phonics") == 1
    backend.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_rebuild_keeps_the_previous_folder_for_old_searchers_and_removes_older_ones(
    tmp_path, engine
):
    backend = create(engine, path=tmp_path)
    first = live_folder(tmp_path)
    backend.rebuild([listing(1)], 1)
    second = live_folder(tmp_path)
    backend.rebuild([listing(2)], 2)
    folders = {p.name for p in tmp_path.iterdir() if p.is_dir()}
    assert Path(second).name in folders and Path(first).name not in folders
    assert total(backend) == 1
    backend.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_query_that_finds_little_gets_a_suggestion_without_replacing_its_results(
    tmp_path, engine
):
    backend = create(engine, path=None)
    docs = [listing(i, "Governance review") for i in range(1, 6)] + [
        listing(9, "Governanse clinic")
    ]
    backend.apply(docs, [], 1)
    results = service.search(backend, service.Request(text="governanse"))
    assert [h.id for h in results.hits] == [9]
    assert results.suggestion == "governance" and results.corrected is False


def test_an_index_written_by_another_engine_or_version_is_not_read_but_rebuilt(tmp_path):
    first = create("tantivy", path=tmp_path)
    first.apply([listing(1)], [], 5)
    first.close()
    other = create("whoosh", path=tmp_path)  # the operator switched engines
    assert other.last_seq() == 0 and total(other, "phonics") == 0
    other.rebuild([listing(1), listing(2)], 7)
    assert other.last_seq() == 7 and total(other, "phonics") == 2
    other.close()
    again = create("tantivy", path=tmp_path)  # and back: a fresh, empty tantivy index
    assert again.last_seq() == 0
    again.close()
