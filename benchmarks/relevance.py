"""Relevance on judged sets: nDCG@10 and must-not violations, for search and for the matcher.

Usage: python -m benchmarks.relevance [--set seed|fresh|exam|holdout|blind|unseen|final|sealed|reserve
|untouched|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth
|eighteenth|nineteenth|twentieth|twentyfirst|twentysecond|twentythird
|twentyfourth|twentyfifth|twentysixth|twentyseventh|twentyeighth|twentyninth
|thirtieth|thirtyfirst|thirtysecond|thirtythird|thirtyfourth]
[--quiet]

Thirty-five sets, each a directory with judged search queries and judged needs (the query encoder,
benchmarks/query_encoder.py, learns from seed, fresh, exam, holdout, blind, unseen and, since
5 December, late afternoon, eleventh to fourteenth; since that evening the fifteenth and
sixteenth too, since later that evening the seventeenth and eighteenth, since 6 December,
last session, the nineteenth to the twenty-second, since that day, midday, the twenty-third,
and since that evening the twenty-fifth and twenty-seventh):
- seed (training data): the demo directory (providers_seed/), tests/relevance/judgements.json,
  match_judgements.json, training_queries.json and training_needs.json;
- fresh: benchmarks/judged/ — a directory written for the purpose and judgements made by
  reading it before the engine was run. It was the exam until 3 December; after six runs it
  is used to choose between candidates too, beside the training set;
- exam: benchmarks/exam/ — a second such directory and its judgements, written on 3 December
  by judges who read neither the engine's vocabulary nor the other sets; run once as the exam,
  then its misses were read (so it too helps choose since);
- holdout: benchmarks/holdout/ — a third, written the same way on 3 December after the second
  was spent; run twice (before and after that day's work), then its misses were read;
- blind: benchmarks/blind/ — a fourth, written the same way on 3 December in the afternoon;
  run once before and once after that evening's matcher (0.952 -> 0.966), then its search
  misses were read;
- unseen: benchmarks/unseen/ — a fifth, written on 3 December at night; its misses were read
  and the search's coverage and topics chosen on it in the next session;
- final, sealed and reserve: benchmarks/final/, benchmarks/sealed/ and benchmarks/reserve/ — a
  sixth, a seventh and an eighth, nothing chosen on them and their misses unread (each README
  says when it was run). A next tuning round needs a fresh set (see their READMEs for the
  recipe);
- untouched: benchmarks/untouched/ — a ninth, written on 4 December in the afternoon by four
  new helpers, run only with --quiet (means, never its queries), at two sessions' starts and
  ends; nothing chosen on it, its misses unread;
- tenth: benchmarks/tenth/ — written on 4 December in the late afternoon the same way, run only
  with --quiet; nothing chosen on it, its misses unread;
- eleventh: benchmarks/eleventh/ — written on 4 December in the evening the same way, to be
  chosen on in place of the holdout, blind and unseen sets once the encoder learnt from them;
- twelfth: benchmarks/twelfth/ — written on 4 December at night the same way, chosen on since
  (the eleventh is still checked beside it: the encoder does not learn from it);
- thirteenth: benchmarks/thirteenth/ — written on 4 December late at night the same way, chosen
  on beside the twelfth (the encoder does not learn from it either);
- fourteenth: benchmarks/fourteenth/ — written on 5 December at night the same way, to check what
  was chosen on the others; chosen on since its first run;
- fifteenth: benchmarks/fifteenth/ — written on 5 December in the afternoon the same way, with
  needs written more as SIPs write them after a visit; chosen on since its first run;
- sixteenth and seventeenth: benchmarks/sixteenth/ and benchmarks/seventeenth/ — written on
  5 December in the late afternoon the same way, each from a topic list of its own (the
  everyday core, where listings compete, and niches the others had little of), and run first
  on the session's starting point; the sixteenth was then read and learnt from, the
  seventeenth checked what was (means only until then; see their READMEs);
- eighteenth and nineteenth: benchmarks/eighteenth/ and benchmarks/nineteenth/ — written on
  5 December in the evening the same way, from topic lists of their own, and run first on the
  session's starting point; the eighteenth is then read and learnt from, the nineteenth checks
  what was (means only until then; see their READMEs);
- twentieth and twenty-first: benchmarks/twentieth/ and benchmarks/twentyfirst/ — written the
  same way that evening, while the encoder learnt, from topic lists of their own, to check it
  too: run only with --quiet, on the session's starting point and after; their misses unread,
  so the next round can check on them or learn from them;
- twentysecond: benchmarks/twentysecond/ — written on 6 December the same way, from a topic
  list of its own, while the encoder learnt from the second file of everyday wordings, to
  check it beside the nineteenth to the twenty-first (on which the encoder's shares had been
  chosen once): run only with --quiet; its misses unread. The nineteenth to the twenty-second
  were read and learnt from on 6 December, last session;
- twentythird: benchmarks/twentythird/ — written at the start of that session the same way,
  from a topic list of its own, to check what was learnt from them (run only with --quiet;
  its misses unread until 6 December, midday, when it was read and learnt from);
- twentyfourth: benchmarks/twentyfourth/ — written later that session the same way, after the
  learning was kept, to measure it: like the final to tenth sets, nothing chosen on it and its
  misses unread (run once on the session's final code; see its README);
- twentyfifth: benchmarks/twentyfifth/ — written at the start of 6 December, midday, the
  same way, from a topic list of its own, to check what is learnt from the twenty-third: run
  only with --quiet; its misses unread until that afternoon, when they were read (learning
  from it was not kept: benchmarks/search_meaning.md), so it checks nothing any more;
- twentysixth: benchmarks/twentysixth/ — written that session the same way, while the encoder
  learnt, from a topic list of its own, to measure: like the final to tenth and twenty-fourth
  sets, nothing chosen on it and its misses unread (run once on the session's final code; see
  its README);
- twentyseventh: benchmarks/twentyseventh/ — written at the start of 6 December, afternoon, the
  same way, from a topic list of its own, to check what is learnt from the twenty-fifth (read
  that session; learning from it was not kept): run only with --quiet; its misses unread until
  that evening, when they were read and it was learnt from with the twenty-fifth;
- twentyeighth: benchmarks/twentyeighth/ — written at the start of 6 December, evening, the
  same way, from a topic list of its own, while the encoder learnt from the twenty-fifth and
  twenty-seventh, to check that learning: run only with --quiet; its misses unread until late
  that evening, when they were read (learning from it was not kept; the expand lines written
  for it were, that night, once the encoder learnt from its own copy of the vocabulary:
  benchmarks/twentyeighth/lines-not-kept.md);
- twentyninth: benchmarks/twentyninth/ — written at the start of 6 December, late evening, the
  same way, from a topic list of its own, to check what is learnt from the twenty-eighth: run
  only with --quiet; its misses unread until that night, when they were read and expand lines
  written for them (the encoder does not learn from it);
- thirtieth: benchmarks/thirtieth/ — written that night the same way, from a topic list of its
  own, to check the lines written for the twenty-ninth: run only with --quiet; its misses
  unread until later that night, when they were read and expand lines written for them;
- thirtyfirst: benchmarks/thirtyfirst/ — written then the same way, from a topic list of its
  own, to check the lines written for the thirtieth: run only with --quiet; its misses unread
  until 7 December, night, when they were read and expand lines written for them (not kept:
  benchmarks/thirtyfirst/lines-not-kept.md);
- thirtysecond: benchmarks/thirtysecond/ — written that night the same way, from a topic list
  of its own, to check the lines of the twenty-ninth to thirty-first together, then three
  corrections of how words are read (7 December, morning): run only with --quiet until then;
  read on 7 December, second morning session, for general misreadings
  (benchmarks/search_meaning.md);
- thirtythird: benchmarks/thirtythird/ — written on 7 December, morning, the same way, from a
  topic list of its own, to check from then (the last of those corrections first, and the
  corrections of that day's second morning session): run only with --quiet until then; read
  that afternoon for general misreadings and the field's words typed alone
  (benchmarks/search_meaning.md);
- thirtyfourth: benchmarks/thirtyfourth/ — written on 7 December, second morning session, the
  same way, from a topic list of its own, to check from then: run only with --quiet until 7
  December, evening, when its misses were read for general misreadings
  (benchmarks/search_meaning.md);
- thirtyfifth: benchmarks/thirtyfifth/ — written on 7 December, evening, the same way, from a
  topic list of its own, to check from then: run only with --quiet until it had checked that
  evening's phase rule, then read (benchmarks/search_meaning.md);
- thirtysixth: benchmarks/thirtysixth/ — written later that evening the same way, from a topic
  list of its own, to check from then: run only with --quiet until 7 December, late evening,
  when its misses were read (benchmarks/search_meaning.md);
- thirtyseventh: benchmarks/thirtyseventh/ — written that late evening the same way, from a
  topic list of its own (the helpers' instructions are in its making/ folder), to check from
  then: run only with --quiet; its misses unread, so the next round can check on it or learn
  from it.

MEASURING and CHECKING below name the sets that measure and the one that checks.

Each directory is loaded into a temporary SQLite database and indexed; every query goes through
the public API (`GET /api/v1/listings`, its filters included) and every need through the
matcher. Prints nDCG@10 per query or need and the mean, the number of must-not listings in any
top 10, and the change against the previous run (kept in benchmarks/results/relevance.json).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
JUDGEMENTS = ROOT / "tests" / "relevance" / "judgements.json"
MATCH_JUDGEMENTS = ROOT / "tests" / "relevance" / "match_judgements.json"
TRAINING_QUERIES = ROOT / "tests" / "relevance" / "training_queries.json"
TRAINING_NEEDS = ROOT / "tests" / "relevance" / "training_needs.json"
HISTORY = ROOT / "benchmarks" / "results" / "relevance.json"
K = 10
GOALS = {"search": 0.85, "matcher": 0.95}

Key = tuple[str, str]  # (listing title, provider name)


# --- Judged sets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    need: str
    grades: dict[Key, int]
    filters: dict[str, list[str]] = field(default_factory=dict)
    must_not: tuple[Key, ...] = ()
    id: str = ""


def _grades(entry: dict[str, Any], name: str) -> dict[Key, int]:
    grades: dict[Key, int] = {}
    for item in entry["judgements"]:
        key = (item["title"], item["provider"])
        if key in grades:
            raise ValueError(f"{name!r} judges {key} twice")
        grade = int(item["grade"])
        if not 0 <= grade <= 3:
            raise ValueError(f"{name!r}: grade {grade} is not 0-3")
        grades[key] = grade
    return grades


def load_judgements(path: Path = JUDGEMENTS) -> list[JudgedQuery]:
    """Read judged search queries: each with {(title, provider): grade 0-3} and must-nots."""
    data = json.loads(path.read_text(encoding="utf-8"))
    queries = []
    for entry in data["queries"]:
        queries.append(
            JudgedQuery(
                query=entry["query"],
                need=entry.get("need", entry.get("intent", "")),
                grades=_grades(entry, entry["query"]),
                filters={k: list(v) for k, v in (entry.get("filters") or {}).items()},
                must_not=tuple((m["title"], m["provider"]) for m in entry.get("must_not", ())),
                id=entry.get("id", entry["query"]),
            )
        )
    return queries


def load_needs(path: Path = MATCH_JUDGEMENTS) -> list[dict[str, Any]]:
    """Read judged needs (the school, the need, judgements and must-nots)."""
    return list(json.loads(path.read_text(encoding="utf-8"))["needs"])


@dataclass(frozen=True)
class JudgedSet:
    name: str
    queries: tuple[Path, ...]
    needs: tuple[Path, ...]
    directory: Path | None  # None: the demo seed


def _written(name: str, folder: str) -> JudgedSet:
    """A set over a directory written for the purpose: its three files in benchmarks/FOLDER."""
    path = ROOT / "benchmarks" / folder
    return JudgedSet(
        name, (path / "queries.json",), (path / "needs.json",), path / "directory.jsonl"
    )


SETS = {
    "seed": JudgedSet(
        "seed",
        (JUDGEMENTS, TRAINING_QUERIES),
        (MATCH_JUDGEMENTS, TRAINING_NEEDS),
        None,
    ),
    **{
        name: _written(name, folder)
        for name, folder in (
            ("fresh", "judged"),
            ("exam", "exam"),
            ("holdout", "holdout"),
            ("blind", "blind"),
            ("unseen", "unseen"),
            ("final", "final"),
            ("sealed", "sealed"),
            ("reserve", "reserve"),
            ("untouched", "untouched"),
            ("tenth", "tenth"),
            ("eleventh", "eleventh"),
            ("twelfth", "twelfth"),
            ("thirteenth", "thirteenth"),
            ("fourteenth", "fourteenth"),
            ("fifteenth", "fifteenth"),
            ("sixteenth", "sixteenth"),
            ("seventeenth", "seventeenth"),
            ("eighteenth", "eighteenth"),
            ("nineteenth", "nineteenth"),
            ("twentieth", "twentieth"),
            ("twentyfirst", "twentyfirst"),
            ("twentysecond", "twentysecond"),
            ("twentythird", "twentythird"),
            ("twentyfourth", "twentyfourth"),
            ("twentyfifth", "twentyfifth"),
            ("twentysixth", "twentysixth"),
            ("twentyseventh", "twentyseventh"),
            ("twentyeighth", "twentyeighth"),
            ("twentyninth", "twentyninth"),
            ("thirtieth", "thirtieth"),
            ("thirtyfirst", "thirtyfirst"),
            ("thirtysecond", "thirtysecond"),
            ("thirtythird", "thirtythird"),
            ("thirtyfourth", "thirtyfourth"),
            ("thirtyfifth", "thirtyfifth"),
            ("thirtysixth", "thirtysixth"),
            ("thirtyseventh", "thirtyseventh"),
        )
    },
}
#: The sets that measure: never learnt from, nothing chosen on them, their misses unread (run
#: with --quiet, once a session on its final code).
MEASURING = ("final", "sealed", "reserve", "untouched", "tenth", "twentyfourth", "twentysixth")
#: The set that checks what a round learns (means only, before and after), until a later round
#: reads it and learns from it. The query encoder refuses to learn from either kind.
CHECKING = ("thirtyseventh",)


# --- Scoring -----------------------------------------------------------------------------------


def dcg(grades: Iterable[int], k: int = K) -> float:
    """Discounted cumulative gain with exponential gain (2^g - 1)."""
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(list(grades)[:k]))


def ndcg(ranked: list[int], ideal: Iterable[int], k: int = K) -> float:
    """Return nDCG@k of the grades in ranked order against the best possible order."""
    best = dcg(sorted(ideal, reverse=True), k)
    return dcg(ranked, k) / best if best > 0 else 0.0


@dataclass(frozen=True)
class Score:
    id: str
    text: str
    ndcg: float
    relevant_in_top: int
    relevant: int
    violations: tuple[str, ...]
    shown: int
    seconds: float = 0.0
    #: Of those shown, how many were judged of any use (grade 1-3): nDCG never falls when
    #: more are shown, so this is what says whether the extra ones are padding.
    judged: int = 0


# --- Loading a directory -----------------------------------------------------------------------


@contextmanager
def directory_app(directory: Path | None) -> Iterator[Any]:
    """Yield an app on a temporary database holding `directory` (None: the demo seed), indexed."""
    from broker import create_app, db

    with tempfile.TemporaryDirectory(prefix="broker-relevance-") as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "relevance-benchmark",
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'relevance.sqlite'}",
                "INDEX_DIR": str(Path(tmp) / "index"),
                "RATELIMIT_STORAGE_URI": "memory://",
                "RATELIMIT_ENABLED": False,
            }
        )
        try:
            with app.app_context():
                _load(app, directory)
            yield app
        finally:
            engine = app.extensions.pop("broker.search", None)
            if engine is not None:
                engine.close()
            db.dispose(app)


def _load(app: Any, directory: Path | None) -> None:
    from broker import db
    from broker.interchange import services as interchange
    from broker.search import sync
    from broker.search.engine import get_search
    from broker.seeding import seed_local_authorities, seed_schools
    from providers_seed import reader

    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    if result.exit_code != 0:
        raise RuntimeError(f"broker init-db failed: {result.output}")
    if directory is None:
        result = runner.invoke(args=["seed"])
        if result.exit_code != 0:
            raise RuntimeError(f"broker seed failed: {result.output}")
    else:
        with db.new_session(app) as session:
            session.info["broker.defer_index"] = True
            seed_local_authorities(session, reader.load_local_authorities())
            seed_schools(session, reader.load_schools())
            session.commit()
            with directory.open("rb") as handle:
                report = interchange.import_lines(
                    session, handle, fresh_assurance=True, source=directory.name
                )
            session.commit()
            if report.errors:
                raise RuntimeError(f"{directory}: {report.errors[:3]}")
    engine = get_search(app)
    with db.new_session(app) as session:
        session.info["broker.defer_index"] = True
        sync.rebuild(session, engine.backend, engine.directory)
    # As `broker index rebuild` does: no search waits for the listings' sentence vectors.
    engine.prepare_meaning()


# --- Search queries ----------------------------------------------------------------------------


def api_results(client: Any, **params: Any) -> dict[str, Any]:
    """The public search API's answer to `params` (an error unless HTTP 200)."""
    response = client.get("/api/v1/listings", query_string=params)
    if response.status_code != 200:
        raise RuntimeError(f"{params}: HTTP {response.status_code} {response.get_data(True)}")
    return response.get_json()


def public_keys(client: Any) -> set[Key]:
    """Every (title, provider) the public search can return."""
    keys: set[Key] = set()
    page = 1
    while True:
        body = api_results(client, per_page=100, page=page)
        keys |= {(r["title"], r["provider"]["name"]) for r in body["results"]}
        if page * 100 >= body["total"]:
            return keys
        page += 1


def evaluate_queries(client: Any, judged: Sequence[JudgedQuery]) -> list[Score]:
    """Run every judged query through the API and score its first K results."""
    reachable = public_keys(client)
    scores = []
    for item in judged:
        started = time.perf_counter()
        body = api_results(client, q=item.query, per_page=K, **item.filters)
        elapsed = time.perf_counter() - started
        keys = [(r["title"], r["provider"]["name"]) for r in body["results"]]
        ranked = [item.grades.get(key, 0) for key in keys]
        ideal = [g for key, g in item.grades.items() if key in reachable]
        bad = set(item.must_not)
        scores.append(
            Score(
                id=item.id,
                text=item.query,
                ndcg=ndcg(ranked, ideal),
                relevant_in_top=sum(1 for g in ranked if g >= 2),
                relevant=sum(1 for g in ideal if g >= 2),
                violations=tuple(f"{t} ({p})" for t, p in keys if (t, p) in bad),
                shown=len(keys),
                seconds=elapsed,
                judged=sum(1 for g in ranked if g >= 1),
            )
        )
    return scores


# --- Needs -------------------------------------------------------------------------------------


def school_of(raw: dict[str, Any]) -> Any:
    from broker.matching.services import SchoolContext

    return SchoolContext(
        phase=raw.get("phase"),
        la_code=raw.get("la_code"),
        region=raw.get("region"),
        type=raw.get("type"),
        sen_specialisms=tuple(raw.get("sen_specialisms", ())),
    )


def need_of(raw: dict[str, Any]) -> Any:
    from broker.matching.services import Need

    return Need(
        text=raw["text"],
        category=raw.get("category"),
        ecm_outcomes=tuple(raw.get("ecm_outcomes", ())),
        pupil_groups=tuple(raw.get("pupil_groups", ())),
    )


def evaluate_needs(app: Any, needs: Sequence[dict[str, Any]]) -> list[Score]:
    """Run every judged need through the matcher and score its suggestions."""
    from broker import db
    from broker.matching.services import suggest
    from broker.search.engine import get_search

    engine = get_search(app)
    scores = []
    with app.app_context(), db.new_session(app) as session:
        for item in needs:
            grades = _grades(item, item["id"])
            bad = {(m["title"], m["provider"]) for m in item.get("must_not", ())}
            started = time.perf_counter()
            found = suggest(session, engine, school_of(item["school"]), need_of(item["need"]), K)
            elapsed = time.perf_counter() - started
            keys = [(s.listing.title, s.provider.name) for s in found]
            ranked = [grades.get(key, 0) for key in keys]
            scores.append(
                Score(
                    id=item["id"],
                    text=item["need"]["text"],
                    ndcg=ndcg(ranked, grades.values()),
                    relevant_in_top=sum(1 for g in ranked if g >= 2),
                    relevant=sum(1 for g in grades.values() if g >= 2),
                    violations=tuple(f"{t} ({p})" for t, p in keys if (t, p) in bad),
                    shown=len(keys),
                    seconds=elapsed,
                    judged=sum(1 for g in ranked if g >= 1),
                )
            )
    return scores


# --- Running and reporting ---------------------------------------------------------------------


def run_set(judged: JudgedSet) -> dict[str, list[Score]]:
    """Load one set's directory and score its queries and needs."""
    queries_judged = [q for path in judged.queries for q in load_judgements(path)]
    needs_judged = [n for path in judged.needs for n in load_needs(path)]
    with directory_app(judged.directory) as app:
        queries = evaluate_queries(app.test_client(), queries_judged)
        needs = evaluate_needs(app, needs_judged)
    return {"search": queries, "matcher": needs}


def _previous() -> dict[str, Any]:
    try:
        return json.loads(HISTORY.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _save(results: dict[str, dict[str, list[Score]]]) -> None:
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    data = {
        name: {kind: [asdict(s) for s in scores] for kind, scores in parts.items()}
        for name, parts in results.items()
    }
    previous = _previous()
    previous.update(data)
    HISTORY.write_text(json.dumps(previous, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def report(
    name: str, kind: str, scores: list[Score], before: dict[str, float], quiet: bool
) -> None:
    """Print one set's scores, worst first, with the change against the previous run."""
    label = "query" if kind == "search" else "need"
    plural = "queries" if kind == "search" else "needs"
    print(
        f"\n{kind.capitalize()} relevance, {name} set: nDCG@{K} over {len(scores)} judged {plural}"
    )
    if not quiet:
        print(f"  {label:44} {'nDCG':>6} {'change':>7} {'good in top':>12}  must-not shown")
        for s in sorted(scores, key=lambda s: s.ndcg):
            change = s.ndcg - before[s.id] if s.id in before else None
            delta = f"{change:+7.3f}" if change is not None and abs(change) >= 0.0005 else " " * 7
            bad = "; ".join(s.violations)
            print(
                f"  {s.text[:44]:44} {s.ndcg:6.3f} {delta} {s.relevant_in_top:>5} of "
                f"{min(s.relevant, K):<4}  {bad}"
            )
    mean = statistics.fmean(s.ndcg for s in scores)
    old = statistics.fmean(before.values()) if before else None
    violations = sum(len(s.violations) for s in scores)
    change = f" (was {old:.3f}, {mean - old:+.3f})" if old is not None else ""
    print(
        f"  mean nDCG@{K} {mean:.3f}{change}; must-not in a top {K}: {violations}; "
        f"median {statistics.median(s.seconds for s in scores) * 1000:.0f} ms; "
        f"goal {GOALS[kind]:.2f}"
    )
    shown, judged = _shown(scores)
    print(f"  {shown:.1f} shown a {label}, {judged:.0%} of them judged of use (grade 1-3)")


def _shown(scores: Sequence[Score]) -> tuple[float, float]:
    """Return the results shown an item on average, and the share of them judged of use."""
    shown = sum(s.shown for s in scores)
    if not shown:
        return 0.0, 0.0
    return shown / len(scores), sum(s.judged for s in scores) / shown


def run(sets: Sequence[str] = tuple(SETS), quiet: bool = False) -> dict[str, Any]:
    """Score every set; print per item and the means; save the figures; return the summary."""
    previous = _previous()
    results = {name: run_set(SETS[name]) for name in sets}
    summary: dict[str, Any] = {}
    for name, parts in results.items():
        for kind, scores in parts.items():
            before = {s["id"]: s["ndcg"] for s in previous.get(name, {}).get(kind, ())}
            report(name, kind, scores, before, quiet)
            shown, judged = _shown(scores)
            summary[f"{name} {kind}"] = {
                "items": len(scores),
                "mean_ndcg": statistics.fmean(s.ndcg for s in scores),
                "min_ndcg": min(s.ndcg for s in scores),
                "violations": sum(len(s.violations) for s in scores),
                "shown": shown,
                "judged_share": judged,
            }
    _save(results)
    print("\nRelevance summary (nDCG@10; must-not shown in a top 10)")
    for key, figures in summary.items():
        print(
            f"  {key:16} {figures['mean_ndcg']:.3f} over {figures['items']:>3} "
            f"(worst {figures['min_ndcg']:.3f}); must-not {figures['violations']}; "
            f"{figures['shown']:.1f} shown, {figures['judged_share']:.0%} judged of use"
        )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="only this set")
    parser.add_argument("--quiet", action="store_true", help="means only")
    args = parser.parse_args()
    run(args.set or tuple(SETS), args.quiet)


if __name__ == "__main__":
    main()
