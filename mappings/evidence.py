"""Evidence: a W3C Web Annotation for every extracted fact, pointing at the exact
quote and its character offsets in the document's stored text. A span quoted for several facts
(a name that is both a mention and a meeting participant) is one target, ``{document}/passage/{start}-{end}``."""
from __future__ import annotations

from kg.namespaces import akg, oa, rdf
from kg.records import Mention
from kg.uris import Minter

from ._rdf import Graph, count, decimal, iri, lit

CONTEXT = 32

# the vocabulary's terms as N-Quads writes them
_TYPE, _ANNOTATION, _MOTIVATED_BY, _HAS_BODY, _HAS_TARGET = (
    iri(rdf.type), iri(oa.Annotation), iri(oa.motivatedBy), iri(oa.hasBody), iri(oa.hasTarget))
_METHOD, _CONFIDENCE, _SCORE = iri(akg.method), iri(akg.confidence), iri(akg.score)
_HAS_SOURCE, _HAS_SELECTOR, _QUOTE_SELECTOR, _EXACT, _PREFIX, _SUFFIX = (
    iri(oa.hasSource), iri(oa.hasSelector), iri(oa.TextQuoteSelector), iri(oa.exact), iri(oa.prefix),
    iri(oa.suffix))
_POSITION_SELECTOR, _START, _END = iri(oa.TextPositionSelector), iri(oa.start), iri(oa.end)


def annotate(g: Graph, minter: Minter, doc_id: str, doc_uri: str, text: str, mention: Mention,
             body: str, motivation: str = "identifying", score: float | None = None, scope: str = "") -> str:
    """An annotation of ``body`` on the quoted span; the annotations of one span share its target (the
    passage, with its quote and position selectors), written once per graph."""
    # written line by line rather than through Graph.add: nine in ten quads of a document graph are evidence,
    # and the generic path (a type test and two lookups per term) made mapping a third slower
    uri = minter.annotation(doc_id, body, mention.start, mention.end, motivation, scope)
    a = iri(uri)
    passage = minter.passage(doc_id, mention.start, mention.end)
    target = iri(passage)  # checked once: the selectors only add an ASCII segment to it
    tail = g.tail
    lines = [f"{a} {_TYPE} {_ANNOTATION}{tail}",
             f"{a} {_MOTIVATED_BY} {g.node(oa[motivation])}{tail}",
             f"{a} {_HAS_BODY} {g.node(body)}{tail}",
             f"{a} {_HAS_TARGET} {target}{tail}",
             f"{a} {_METHOD} {lit(mention.method or 'rule')}{tail}",
             f"{a} {_CONFIDENCE} {decimal(mention.confidence)}{tail}"]
    if score is not None:
        lines.append(f"{a} {_SCORE} {decimal(score)}{tail}")
    span = (mention.start, mention.end)
    if span not in g.passages:
        g.passages.add(span)
        quote, position = f"<{passage}/quote>", f"<{passage}/position>"
        lines += [f"{target} {_HAS_SOURCE} {g.node(doc_uri)}{tail}",
                  f"{target} {_HAS_SELECTOR} {quote}{tail}",
                  f"{target} {_HAS_SELECTOR} {position}{tail}",
                  f"{quote} {_TYPE} {_QUOTE_SELECTOR}{tail}",
                  f"{quote} {_EXACT} {lit(text[mention.start:mention.end])}{tail}"]
        prefix = text[max(0, mention.start - CONTEXT):mention.start]
        suffix = text[mention.end:mention.end + CONTEXT]
        if prefix:
            lines.append(f"{quote} {_PREFIX} {lit(prefix)}{tail}")
        if suffix:
            lines.append(f"{quote} {_SUFFIX} {lit(suffix)}{tail}")
        lines += [f"{position} {_TYPE} {_POSITION_SELECTOR}{tail}",
                  f"{position} {_START} {count(mention.start)}{tail}",
                  f"{position} {_END} {count(mention.end)}{tail}"]
    g.lines += lines
    return uri
