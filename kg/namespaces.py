"""SPARQL/Turtle prefixes: the one place they are declared."""
from __future__ import annotations

import re

AKG = "https://w3id.org/archive-kg/ontology#"

PREFIXES = {
    "akg": AKG,
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rico": "https://www.ica.org/standards/RiC/ontology#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "org": "http://www.w3.org/ns/org#",
}


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for a query; all of them when no names are given."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)


class _NS:
    def __init__(self, base: str):
        self._base = base

    def __getattr__(self, name: str) -> str:
        return self._base + name

    def __getitem__(self, name: str) -> str:
        return self._base + name


akg = _NS(AKG)
schema = _NS(PREFIXES["schema"])
dcterms = _NS(PREFIXES["dcterms"])
skos = _NS(PREFIXES["skos"])
oa = _NS(PREFIXES["oa"])
prov = _NS(PREFIXES["prov"])
rdf = _NS(PREFIXES["rdf"])
rdfs = _NS(PREFIXES["rdfs"])
xsd = _NS(PREFIXES["xsd"])
owl = _NS(PREFIXES["owl"])
rico = _NS(PREFIXES["rico"])
crm = _NS(PREFIXES["crm"])
foaf = _NS(PREFIXES["foaf"])


_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')


def iri_term(value: str) -> str:
    """An IRI as SPARQL text; refuses anything that could break out of the angle brackets."""
    if not value or _IRI_FORBIDDEN.search(value):
        raise ValueError(f"not a usable IRI: {value!r}")
    return f"<{value}>"


def literal_term(value: str) -> str:
    """A plain string literal as SPARQL text, every character that could end it escaped."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f"))
    return f'"{escaped}"'


def with_values(query: str, bindings: dict[str, tuple[str, str]]) -> str:
    """Bind variables by an inline VALUES block at the start of the query's outer group.

    ``bindings``: variable name -> ("iri" | "literal", value). Values are escaped, never pasted raw.
    """
    if not bindings:
        return query
    for name in bindings:
        if not name.isidentifier():
            raise ValueError(f"not a variable name: {name!r}")
    terms = " ".join(iri_term(v) if kind == "iri" else literal_term(v) for kind, v in bindings.values())
    block = f" VALUES ({' '.join('?' + n for n in bindings)}) {{ ({terms}) }} "
    brace = _first_brace(query)
    return query[:brace + 1] + block + query[brace + 1:]


_LEXEMES = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\#[^\n]*|[{};]|\b[A-Za-z]+\b""", re.S)


def sparql_tokens(text: str):
    """(token, brace depth, offset) for the words, braces and semicolons of SPARQL text.

    IRIs, strings and comments come as single tokens, so nothing inside them is taken for syntax.
    """
    depth = 0
    for m in _LEXEMES.finditer(text):
        token = m.group(0)
        if token == "}":
            depth -= 1
        yield token, depth, m.start()
        if token == "{":
            depth += 1


def _first_brace(query: str) -> int:
    """The first '{' that is not inside an IRI, a string or a comment."""
    for token, _, offset in sparql_tokens(query):
        if token == "{":
            return offset
    raise ValueError("the query has no group to bind values in")
