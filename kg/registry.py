"""The registry of published URIs: once a build has published a URI, it never breaks.

Kept with the store (``uri-registry.json``). When a later build no longer mints a
URI, the registry says what became of it: merged into another entity (the server
answers ``301`` to the survivor and the graph says ``dcterms:isReplacedBy``), or
gone (``410 Gone``), never a silent ``404``.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from .namespaces import PREFIXES
from .records import ExtractedDocument
from .resolve import Resolution
from .uris import Minter

FILE = "uri-registry.json"


def load(store_dir: Path) -> dict:
    path = Path(store_dir) / FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save(store_dir: Path, registry: dict) -> None:
    path = Path(store_dir) / FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(registry, indent=0, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def minted(documents: list[ExtractedDocument], resolution: Resolution, minter: Minter) -> dict[str, dict]:
    """Every entity, document and meeting URI this build publishes, with what it stands for."""
    out: dict[str, dict] = {}
    uri_of = {"person": minter.person, "organization": minter.organization, "place": minter.place}
    for ident in resolution.identities.values():
        out[uri_of[ident.kind](ident.slug)] = {"kind": ident.kind, "name": ident.name,
                                               "members": sorted(map(list, ident.members))}
    for ed in documents:
        out[minter.document(ed.doc.doc_id)] = {"kind": "document", "members": [[ed.doc.doc_id, ""]]}
        for i, meeting in enumerate(ed.meetings):
            entry = out.setdefault(resolution.meeting_uri(minter, ed.doc.doc_id, i), {"kind": "meeting", "members": []})
            entry["members"] = sorted(entry["members"] + [[ed.doc.doc_id, meeting.date.iso if meeting.date else ""]])
    return out


def update(registry: dict, current: dict[str, dict]) -> dict:
    """The registry after this build: live URIs, and what happened to each URI no longer minted."""
    new = _live(current)
    owner = _owners(current)
    for uri, old in registry.items():
        if uri not in new:
            new[uri] = _fate(old, registry, new, owner, current)
    return new


def patch(registry: dict, current: dict[str, dict], vanished: set[str]) -> tuple[dict, set[str]]:
    """``update`` for a build that minted again only some URIs (``current``) and no longer mints
    ``vanished``: the registry after it, and the URIs whose entry changed.

    What a vanished URI stood for went to URIs minted again in the same build, since an entity's
    records only ever join others of its block (see ``kg.resolve.block_of``).
    """
    new = dict(registry)
    new.update(_live(current))
    owner = _owners(current)
    # what pointed at a URI that vanished must find its new heir, as must the vanished URIs themselves
    again = set(vanished) | {uri for uri, entry in registry.items()
                             if entry["status"] == "replaced" and entry.get("replaced_by") in vanished}
    for uri in sorted(again - set(current)):
        if uri in registry:
            new[uri] = _fate(registry[uri], registry, new, owner, current)
    return new, {uri for uri in set(current) | again if new.get(uri) != registry.get(uri)}


def _live(current: dict[str, dict]) -> dict:
    return {uri: {"kind": e["kind"], "status": "live", "members": e["members"], **({"name": e["name"]} if "name" in e else {})}
            for uri, e in current.items()}


def _owners(current: dict[str, dict]) -> dict[tuple, str]:
    owner: dict[tuple, str] = {}
    for uri, entry in current.items():
        for member in entry["members"]:
            owner[(entry["kind"], *member)] = uri
    return owner


def _fate(old: dict, registry: dict, new: dict, owner: dict, current: dict[str, dict]) -> dict:
    """What became of a URI no longer minted: replaced by the live URI that took most of what it stood for, or gone."""
    if old["status"] == "replaced" and old.get("replaced_by") in new and new[old["replaced_by"]]["status"] == "live":
        return old
    # where did the things it stood for go? the URI that took most of them survives it
    heirs = Counter(owner[(old["kind"], *m)] for m in old.get("members", []) if (old["kind"], *m) in owner)
    if old["status"] == "replaced":
        target = old.get("replaced_by")
        while target in registry and registry[target]["status"] == "replaced" and target not in current:
            target = registry[target].get("replaced_by")  # follow a chain of merges to the live end
        if target in current:
            return {**old, "replaced_by": target}
    if not heirs and old.get("name"):
        # the same documents now name it otherwise ('Ivanov' became 'Pavel Ivanov'): a compatible name there
        old_docs = {m[0] for m in old.get("members", [])}
        for candidate, entry in current.items():
            shared = {m[0] for m in entry["members"]} & old_docs
            if entry["kind"] == old["kind"] and shared and _same(old, entry):
                heirs[candidate] = len(shared)
    if heirs:
        return {"kind": old["kind"], "status": "replaced", "replaced_by": heirs.most_common(1)[0][0],
                "members": old.get("members", []), **({"name": old["name"]} if "name" in old else {})}
    return {"kind": old["kind"], "status": "gone", "members": old.get("members", [])}


def _same(old: dict, entry: dict) -> bool:
    from . import names

    if old["kind"] == "person":
        return names.same_person(old["name"], entry.get("name", ""))
    return names.slugify(old["name"]) == names.slugify(entry.get("name", ""))


def retired_quads(registry: dict, minter: Minter) -> list[ox.Quad]:
    graph = ox.NamedNode(minter.retired_graph())
    replaced = ox.NamedNode(PREFIXES["dcterms"] + "isReplacedBy")
    deprecated = ox.NamedNode(PREFIXES["owl"] + "deprecated")
    true = ox.Literal("true", datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean"))
    out = []
    for uri, entry in sorted(registry.items()):
        if entry["status"] == "replaced":
            out.append(ox.Quad(ox.NamedNode(uri), replaced, ox.NamedNode(entry["replaced_by"]), graph))
            out.append(ox.Quad(ox.NamedNode(uri), deprecated, true, graph))
        elif entry["status"] == "gone":
            out.append(ox.Quad(ox.NamedNode(uri), deprecated, true, graph))
    return out
