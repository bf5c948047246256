"""The values every backend indexes for a Document, computed once here for all engines."""

from __future__ import annotations

import json
from typing import Any

import orjson

from index import analysis, ordering, schema
from index.backends import plan as p
from index.documents import MATCH_FIELDS, Document, Hit, stored_values

#: Documents between two progress reports during a rebuild.
PROGRESS_EVERY = 500
#: The field holding the stored values (JSON) returned with each hit.
STORED = "stored"
#: The key of the document's fingerprint among its stored values.
FINGERPRINT = "fp"
#: The key of the analysed terms of its MATCH_FIELDS (space-separated) among its stored values:
#: worked out once when indexed, not for every hit of every search.
TERMS = "terms"


def to_fields(doc: Document) -> dict[str, Any]:
    """Return the values to index for one Document: analysed text, facet values, sort columns.

    Multi-valued facets are lists; the stored values are JSON bytes.
    """
    out: dict[str, Any] = {"id": int(doc.id)}
    texts = []
    spelling = []
    for f in schema.PUBLIC_TEXT:
        raw = getattr(doc, f.attr) or ""
        out[f.name] = analysis.index_text(raw)
        texts.append(out[f.name])
        spelling.append(raw)
    out[p.ALL] = f" {p.SEPARATOR} ".join(texts)
    out[p.SPELL] = analysis.spelling_words(" ".join(spelling))
    for f in schema.FIELDS:
        if f.kind == "facet":
            values = sorted({str(v) for v in getattr(doc, f.attr) or ()} - {""})
            if values:
                out[f.name] = values
    for name in schema.COMPARED:
        f = schema.BY_NAME[name]
        out[name] = p.timestamp(getattr(doc, f.attr), p.LONG_PAST if f.missing_past else p.NEVER)
    out[ordering.TITLE] = ordering.title_key(doc.title)
    out.update(ordering.sort_columns(doc))
    stored = stored_values(doc)
    stored[FINGERPRINT] = doc.fingerprint()
    analysed = {f.attr: out[f.name] for f in schema.PUBLIC_TEXT}
    stored[TERMS] = " ".join(
        sorted(
            {
                term
                for name in MATCH_FIELDS
                for term in (
                    analysed[name] if name in analysed else analysis.index_text(getattr(doc, name))
                ).split()
            }
        )
    )
    out[STORED] = json.dumps(stored, separators=(",", ":")).encode()
    return out


def hit_of(stored: str | bytes, score: float) -> Hit:
    """Return the Hit of a document's stored values (the JSON that to_fields made)."""
    fields = orjson.loads(stored)
    fields.pop(FINGERPRINT, None)
    terms = fields.pop(TERMS, None)
    return Hit(
        id=int(fields["id"]),
        score=round(float(score), 6),
        title=fields.get("title", ""),
        fields=fields,
        terms=frozenset(terms.split()) if terms is not None else None,
    )
