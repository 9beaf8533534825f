"""Evidence: a W3C Web Annotation for every extracted fact, pointing at the exact
quote and its character offsets in the document's stored text."""
from __future__ import annotations

from kg.namespaces import akg, oa
from kg.records import Mention
from kg.uris import Minter

from ._rdf import Graph, count, decimal, lit

CONTEXT = 32


def annotate(g: Graph, minter: Minter, doc_id: str, doc_uri: str, text: str, mention: Mention,
             body: str, motivation: str = "identifying", score: float | None = None, scope: str = "") -> str:
    uri = minter.annotation(doc_id, body, mention.start, mention.end, motivation, scope)
    target, quote, position = uri + "/target", uri + "/quote", uri + "/position"
    g.types(uri, oa.Annotation)
    g.add(uri, oa.motivatedBy, oa[motivation])
    g.add(uri, oa.hasBody, body)
    g.add(uri, oa.hasTarget, target)
    g.literal(uri, akg.method, mention.method or "rule")
    g.add(uri, akg.confidence, decimal(mention.confidence))
    if score is not None:
        g.add(uri, akg.score, decimal(score))
    g.add(target, oa.hasSource, doc_uri)
    g.add(target, oa.hasSelector, quote)
    g.add(target, oa.hasSelector, position)
    g.types(quote, oa.TextQuoteSelector)
    g.add(quote, oa.exact, lit(text[mention.start:mention.end]))
    prefix = text[max(0, mention.start - CONTEXT):mention.start]
    suffix = text[mention.end:mention.end + CONTEXT]
    if prefix:
        g.add(quote, oa.prefix, lit(prefix))
    if suffix:
        g.add(quote, oa.suffix, lit(suffix))
    g.types(position, oa.TextPositionSelector)
    g.add(position, oa.start, count(mention.start))
    g.add(position, oa.end, count(mention.end))
    return uri
