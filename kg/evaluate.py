"""``kg eval``: build documents with the real pipeline and score the graph against gold.

Gold files (``<name>.json``, the format of the shared corpus) are matched to
documents by file name. What counts as a match:

- people: a predicted person matches a gold person when one of its forms in that
  document (its preferred name or an exact quote of a mention, pronouns excluded)
  has the same name key as the gold name or one of its aliases (case, accents,
  brackets, titles and transliteration folded), or when both preferred names carry
  given names or initials that agree (``L. Brezhnev`` = ``Leonid I. Brezhnev``);
  one-to-one.
- organizations and places: a normalized form of the prediction equals a
  normalized form of the gold item (a bracketed acronym counts as a form).
- meetings: same date (or both undated) and at least one shared participant
  (a gold participant given by an alias counts as the one gold person with that alias),
  best overlap first, one-to-one; participants are scored over every meeting,
  unmatched meetings counting all their participants as misses or extras.
- across documents: gold people are grouped across files when they share a
  name of two or more words, the same canonical name, canonical names whose given
  names agree ('A. Gromyko', 'Andrei Gromyko'), or when a canonical name is a
  bare surname ('Stalin', 'President Park') and exactly one gold person with
  given names bears it; a group seen in two or more documents should get exactly
  one URI; a URI matched to two different gold groups is an over-merge.
"""
from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Optional

from . import names
from .namespaces import sparql_prefixes

CATEGORIES = ("people", "meetings", "participants", "places", "organizations")


def norm(form: str) -> str:
    form = names.strip_accents(form).lower().replace("’", "'").replace("`", "'")
    form = re.sub(r"^(the|a)\s+", "", form.strip())
    form = re.sub(r"['’]s\b", "", form)
    form = re.sub(r"[^\w]+", " ", form)
    return form.strip()


def org_forms(item: str) -> set[str]:
    """'Korean People's Army (KPA)' -> {korean people army kpa, korean people army, kpa}."""
    forms = {norm(item)}
    inner = re.findall(r"\(([^)]*)\)", item)
    outer = re.sub(r"\([^)]*\)", " ", item)
    if inner:
        forms.add(norm(outer))
        forms.update(norm(i) for i in inner)
    return {f for f in forms if f}


def person_keys(forms) -> set[str]:
    keys = set()
    for form in forms:
        if not form or form.strip().lower() in names.PRONOUNS:
            continue
        key = names.name_key(form)
        if key:
            keys.add(key)
    return keys


def gold_forms(gold: dict) -> list[str]:
    """A gold person's name and aliases; 'Jeong [Jong]' also stands as 'Jeong'."""
    forms = [gold["name"], *gold.get("aliases", [])]
    for form in list(forms):
        bare = re.sub(r"\s*\[[^\]]*\]", "", form).strip()
        if bare and bare != form and len(bare.split()) >= 1 and "[" not in form[:1]:
            forms.append(bare)
    return forms


def _person_match(pred_forms: list[str], pred_name: str, gold: dict) -> bool:
    gold_forms_ = gold_forms(gold)
    if person_keys(pred_forms) & person_keys(gold_forms_):
        return True
    a, b = names.name_parts(pred_name), names.name_parts(gold["name"])
    if a and b and a.given and b.given and not a.east_asian and not b.east_asian:
        return names.same_person(pred_name, gold["name"])
    return False


def _rows(store, query: str) -> list[dict]:
    result = store.query(sparql_prefixes() + query, use_default_graph_as_union=True)
    variables = [v.value for v in result.variables]
    return [{name: (row[name].value if row[name] is not None else None) for name in variables} for row in result]


def predictions(store) -> dict[str, dict]:
    """What the graph says about each document, keyed by source file stem."""
    docs = {}
    for row in _rows(store, "SELECT ?doc ?file WHERE { ?doc a akg:Document ; akg:sourceFile ?file }"):
        docs[row["doc"]] = {"stem": Path(row["file"]).stem, "people": {}, "places": {}, "organizations": {}, "meetings": {}}
    kinds = {"akg:Person": "people", "akg:Place": "places", "akg:Organization": "organizations"}
    for cls, bucket in kinds.items():
        q = f"""SELECT ?doc ?e ?name ?quote WHERE {{
                  ?doc a akg:Document ; schema:mentions ?e . ?e a {cls} ; schema:name ?name .
                  OPTIONAL {{ ?a oa:hasBody ?e ; oa:motivatedBy oa:identifying ; oa:hasTarget ?t .
                             ?t oa:hasSource ?doc ; oa:hasSelector ?s . ?s oa:exact ?quote }} }}"""
        for row in _rows(store, q):
            entry = docs[row["doc"]][bucket].setdefault(row["e"], {"name": row["name"], "forms": {row["name"]}})
            if row["quote"]:
                entry["forms"].add(re.sub(r"\s+", " ", row["quote"]))
    q = """SELECT ?doc ?m ?date ?person WHERE { ?m akg:reportedIn ?doc . OPTIONAL { ?m schema:startDate ?date }
           OPTIONAL { ?m schema:attendee ?person } }"""
    for row in _rows(store, q):
        meeting = docs[row["doc"]]["meetings"].setdefault(row["m"], {"date": row["date"], "attendees": set()})
        if row["person"]:
            meeting["attendees"].add(row["person"])
    for q_name, q in (("translator", "SELECT ?doc ?v WHERE { ?doc schema:translator/schema:name ?v }"),
                      ("date", "SELECT ?doc ?v WHERE { ?doc a akg:Document ; dcterms:date ?v }"),
                      ("classification", "SELECT ?doc ?v WHERE { ?doc akg:securityClassification ?v }"),
                      ("language", "SELECT ?doc ?v WHERE { ?doc dcterms:language/rdfs:label ?v }"),
                      ("funders", "SELECT ?doc ?v WHERE { ?doc schema:funder/schema:name ?v }"),
                      ("fond", "SELECT ?doc ?v WHERE { ?doc akg:archivalReference/akg:fond ?v }"),
                      ("delo", "SELECT ?doc ?v WHERE { ?doc akg:archivalReference/akg:delo ?v }"),
                      ("place_written", "SELECT ?doc ?v WHERE { ?doc akg:placeWritten/schema:name ?v }")):
        for row in _rows(store, q):
            docs[row["doc"]].setdefault("meta", {}).setdefault(q_name, set()).add(row["v"])
    return {d["stem"]: {**d, "uri": uri} for uri, d in docs.items()}


class Score:
    def __init__(self):
        self.tp_pred = self.fp = self.tp_gold = self.fn = 0

    def add(self, tp_pred: int, fp: int, tp_gold: int, fn: int) -> None:
        self.tp_pred += tp_pred
        self.fp += fp
        self.tp_gold += tp_gold
        self.fn += fn

    def as_dict(self) -> dict:
        p = self.tp_pred / (self.tp_pred + self.fp) if self.tp_pred + self.fp else 1.0
        r = self.tp_gold / (self.tp_gold + self.fn) if self.tp_gold + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
                "predicted": self.tp_pred + self.fp, "gold": self.tp_gold + self.fn}


def _score_people(pred: dict, gold: dict, detail: dict) -> tuple[tuple, dict[str, str]]:
    gold_people = gold.get("people", [])
    matched_gold: dict[int, str] = {}
    assignment: dict[str, str] = {}
    extras = []
    for uri, p in sorted(pred["people"].items(), key=lambda kv: -len(kv[1]["forms"])):
        hit = next((i for i, g in enumerate(gold_people) if i not in matched_gold and _person_match(list(p["forms"]), p["name"], g)), None)
        if hit is None:
            # a second prediction of an already matched person is an extra, not a miss
            extras.append(p["name"])
        else:
            matched_gold[hit] = uri
            assignment[uri] = gold_people[hit]["name"]
    misses = [g["name"] for i, g in enumerate(gold_people) if i not in matched_gold]
    detail["people"] = {"missed": misses, "extra": extras}
    return (len(matched_gold), len(extras), len(matched_gold), len(misses)), {v: gold_people[k]["name"] for k, v in matched_gold.items()}


def _score_set(pred_items: dict, gold_items: list[str], key: str, detail: dict) -> tuple:
    gold_forms = [org_forms(g) for g in gold_items]
    pred_forms = {uri: set().union(*(org_forms(f) for f in p["forms"])) for uri, p in pred_items.items()}
    tp_pred = sum(1 for forms in pred_forms.values() if any(forms & g for g in gold_forms))
    tp_gold = sum(1 for g in gold_forms if any(g & forms for forms in pred_forms.values()))
    detail[key] = {"missed": [g for g, gf in zip(gold_items, gold_forms) if not any(gf & f for f in pred_forms.values())],
                   "extra": [pred_items[u]["name"] for u, f in pred_forms.items() if not any(f & g for g in gold_forms)]}
    return tp_pred, len(pred_forms) - tp_pred, tp_gold, len(gold_forms) - tp_gold


def _date_ok(pred: Optional[str], gold: Optional[str]) -> bool:
    if not gold or not pred:
        return not gold and not pred or bool(gold) is False
    return pred.startswith(gold) or gold.startswith(pred)


def _score_meetings(pred: dict, gold: dict, person_gold_name: dict[str, str], detail: dict) -> tuple[tuple, tuple]:
    people = gold.get("people", [])
    known = {p["name"] for p in people}

    def canonical(name: str):
        """A participant as the gold names it: a person's name, or one of exactly one person's aliases."""
        if name in known:
            return name
        owners = [p["name"] for p in people if name in p.get("aliases", [])]
        return owners[0] if len(owners) == 1 else None

    gold_meetings = [(m.get("date"), list(dict.fromkeys(c for c in map(canonical, m.get("participants", [])) if c)))
                     for m in gold.get("meetings", [])]
    pred_meetings = [(m["date"], {person_gold_name.get(a, a) for a in m["attendees"]}) for m in pred["meetings"].values()]
    pairs = []
    for i, (gdate, gparts) in enumerate(gold_meetings):
        for j, (pdate, pparts) in enumerate(pred_meetings):
            overlap = len(set(gparts) & pparts)
            if overlap >= 1 and _date_ok(pdate, gdate):
                pairs.append((overlap, i, j))
    pairs.sort(reverse=True)
    used_g, used_p, matched = set(), set(), []
    for overlap, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        matched.append((i, j))
    part = [0, 0, 0, 0]
    part_missed, part_extra = [], []
    for i, j in matched:
        g, p = set(gold_meetings[i][1]), pred_meetings[j][1]
        part_missed += [f"{gold_meetings[i][0]}: {x}" for x in sorted(g - p)]
        part_extra += [f"{gold_meetings[i][0]}: {x}" for x in sorted(p - g)]
        part[0] += len(g & p)
        part[1] += len(p - g)
        part[2] += len(g & p)
        part[3] += len(g - p)
    for j, (_, p) in enumerate(pred_meetings):
        if j not in used_p:
            part[1] += len(p)
    for i, (_, g) in enumerate(gold_meetings):
        if i not in used_g:
            part[3] += len(g)
    detail["meetings"] = {
        "missed": [f"{gold_meetings[i][0]}: {', '.join(gold_meetings[i][1])}" for i in range(len(gold_meetings)) if i not in used_g],
        "extra": [f"{pred_meetings[j][0]}: {', '.join(sorted(pred_meetings[j][1]))}" for j in range(len(pred_meetings)) if j not in used_p],
    }
    detail["participants"] = {"missed": part_missed, "extra": part_extra}
    return (len(matched), len(pred_meetings) - len(matched), len(matched), len(gold_meetings) - len(matched)), tuple(part)


def _gold_groups(golds: dict[str, dict]) -> dict[tuple[str, str], int]:
    """Gold people across files -> group id (same real person), by shared name keys."""
    parent: dict[int, int] = {}
    entries: list[tuple[str, str, set[str]]] = []
    for stem, gold in golds.items():
        for p in gold.get("people", []):
            entries.append((stem, p["name"], person_keys([p["name"], *p.get("aliases", [])]) - {""}))

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    by_key: dict[str, int] = {}
    for idx, (_, name, keys) in enumerate(entries):
        # multi-token names link files, and so does the same canonical name; a bare surname alias is too weak
        strong = {k for k in keys if len(k.split()) >= 2} | {"canonical:" + names.name_key(name)}
        for key in strong:
            if key in by_key:
                parent[find(idx)] = find(by_key[key])
            else:
                by_key[key] = idx
        find(idx)
    # 'A. Gromyko' and 'Andrei Gromyko': canonical names whose given names agree
    for i, (_, a, _) in enumerate(entries):
        for j in range(i + 1, len(entries)):
            b = entries[j][1]
            pa, pb = names.name_parts(a), names.name_parts(b)
            if pa and pb and pa.given and pb.given and not pa.east_asian and not pb.east_asian and names.same_person(a, b):
                parent[find(i)] = find(j)
    # 'Stalin' or 'President Park' alone: the same as the one gold person of that surname with given names, if unique
    full_by_surname: dict[str, set[int]] = defaultdict(set)
    for i, (_, a, _) in enumerate(entries):
        pa = names.name_parts(a)
        if pa and pa.given:
            full_by_surname[pa.surname].add(find(i))
    for i, (_, a, _) in enumerate(entries):
        pa = names.name_parts(a)
        if pa and not pa.given and len(full_by_surname.get(pa.surname, ())) == 1:
            parent[find(i)] = next(iter(full_by_surname[pa.surname]))
    return {(stem, name): find(i) for i, (stem, name, _) in enumerate(entries)}


def evaluate(docs: Path, gold_dir: Path, store_dir: Optional[Path] = None) -> dict:
    from .build import build
    from .store import StoreDir

    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))}
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        store_path = store_dir or Path(tmp) / "store"
        report = build([docs], store_path)
        store = StoreDir(store_path).open()
        preds = predictions(store)
        del store
    scores = {c: Score() for c in CATEGORIES}
    per_doc = {}
    uri_groups: dict[str, set[int]] = defaultdict(set)
    group_uris: dict[int, dict[str, str]] = defaultdict(dict)
    groups = _gold_groups(golds)
    meta_hits = defaultdict(lambda: [0, 0])
    for stem, gold in golds.items():
        pred = preds.get(stem)
        if pred is None:
            per_doc[stem] = {"error": "document not in the graph (not built or no such file)"}
            for p in gold.get("people", []):
                scores["people"].add(0, 0, 0, 1)
            continue
        detail: dict = {}
        counts, assignment = _score_people(pred, gold, detail)
        scores["people"].add(*counts)
        m_counts, p_counts = _score_meetings(pred, gold, assignment, detail)
        scores["meetings"].add(*m_counts)
        scores["participants"].add(*p_counts)
        scores["places"].add(*_score_set(pred["places"], gold.get("places", []), "places", detail))
        scores["organizations"].add(*_score_set(pred["organizations"], gold.get("organizations", []), "organizations", detail))
        for uri, gold_name in assignment.items():
            group = groups[(stem, gold_name)]
            uri_groups[uri].add(group)
            group_uris[group][stem] = uri
        _score_meta(pred.get("meta", {}), gold, meta_hits)
        per_doc[stem] = detail
    multi = {g: stems for g, stems in group_uris.items() if len(stems) >= 2}
    gold_multi = defaultdict(set)
    for (stem, _), g in groups.items():
        gold_multi[g].add(stem)
    one_uri = sum(1 for stems in multi.values() if len(set(stems.values())) == 1)
    over = {uri: len(gs) for uri, gs in uri_groups.items() if len(gs) > 1}
    return {
        "documents": len(golds),
        "built": len(report.built),
        "skipped": [str(p) for p in report.skipped],
        "scores": {c: s.as_dict() for c, s in scores.items()},
        "cross_document": {
            "gold_people_in_several_documents": sum(1 for s in gold_multi.values() if len(s) >= 2),
            "found_in_several_documents": len(multi),
            "with_exactly_one_uri": one_uri,
            "share_one_uri": round(one_uri / len(multi), 3) if multi else 1.0,
            "over_merged_uris": len(over),
            "over_merges": sorted(over),
        },
        "metadata": {k: {"correct": v[0], "gold": v[1]} for k, v in sorted(meta_hits.items())},
        "per_document": per_doc,
    }


def _score_meta(meta: dict, gold: dict, hits) -> None:
    def check(name, expected, got):
        if expected in (None, "", []):
            return
        hits[name][1] += 1
        if got:
            hits[name][0] += 1

    pred_dates = meta.get("date", set())
    check("date", gold.get("date"), gold.get("date") in pred_dates)
    check("translator", gold.get("translator"), bool(gold.get("translator")) and all(
        any(norm(t) == norm(x) for x in meta.get("translator", set())) for t in re.split(r"\s+and\s+|,\s*", gold.get("translator") or "")))
    check("classification", gold.get("classification"), norm(gold.get("classification") or "") in {norm(v) for v in meta.get("classification", set())})
    check("original_language", gold.get("original_language"), (gold.get("original_language") or "") in meta.get("language", set()))
    funders = gold.get("funders") or []
    check("funders", funders, funders and {norm(f) for f in funders} <= {norm(v) for v in meta.get("funders", set())}
          | {f for f in (norm(x) for x in funders) if any(f in norm(v) or norm(v) in f for v in meta.get("funders", set()))})
    archive = gold.get("archive") or {}
    for key in ("fond", "delo"):
        value = archive.get(key)
        if value and re.fullmatch(r"[\w]+", str(value)):
            check(f"archive_{key}", value, str(value) in meta.get(key, set()))
    check("place_written", gold.get("place_written"), bool(gold.get("place_written")) and any(
        norm(v) in norm(gold["place_written"]) for v in meta.get("place_written", set())))


def format_report(result: dict, verbose: bool = False) -> str:
    lines = [f"{result['documents']} gold documents, {result['built']} built"
             + (f", {len(result['skipped'])} skipped" if result["skipped"] else ""), "",
             f"{'category':<15}{'precision':>10}{'recall':>10}{'F1':>8}{'pred':>7}{'gold':>7}"]
    for cat, s in result["scores"].items():
        lines.append(f"{cat:<15}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>8.3f}{s['predicted']:>7}{s['gold']:>7}")
    x = result["cross_document"]
    lines += ["", f"people in several documents (gold): {x['gold_people_in_several_documents']}; "
                  f"found in several: {x['found_in_several_documents']}; exactly one URI: {x['with_exactly_one_uri']} "
                  f"({x['share_one_uri']:.3f})",
              f"URIs merging different gold people: {x['over_merged_uris']}" + (f" {x['over_merges']}" if x["over_merges"] else "")]
    if result["metadata"]:
        lines.append("metadata: " + ", ".join(f"{k} {v['correct']}/{v['gold']}" for k, v in result["metadata"].items()))
    if verbose:
        for stem, detail in result["per_document"].items():
            lines += ["", f"== {stem}"]
            if "error" in detail:
                lines.append(f"  {detail['error']}")
                continue
            for cat, d in detail.items():
                if d["missed"]:
                    lines.append(f"  {cat} missed: {d['missed']}")
                if d["extra"]:
                    lines.append(f"  {cat} extra:  {d['extra']}")
    for s in result["skipped"]:
        lines.append(f"skipped: {s}")
    return "\n".join(lines) + "\n"
