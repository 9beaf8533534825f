"""A readable account of one document's extraction, for ``kg extract``."""
from __future__ import annotations

import dataclasses

from .records import ExtractedDocument


def describe(ed: ExtractedDocument) -> str:
    d = ed.doc
    by_key = {r.key: r for r in (*ed.people, *ed.organizations, *ed.places)}
    lines = [f"document {d.doc_id}  ({d.source_path})",
             f"  title:          {d.title}",
             f"  date:           {d.date.iso if d.date else '-'} ({d.date.precision if d.date else ''})",
             f"  type:           {d.doc_type}",
             f"  classification: {d.classification or '-'}   copy: {d.copy_number or '-'}",
             f"  issuing body:   {d.issuing_body.text if d.issuing_body else '-'}",
             f"  outgoing:       {d.outgoing_number or '-'} {d.outgoing_date.iso if d.outgoing_date else ''}",
             f"  place written:  {d.place_written.text if d.place_written else '-'}",
             f"  period:         {d.journal_period or '-'}",
             f"  reference:      {dataclasses.asdict(d.archival_reference) if d.archival_reference else '-'}",
             f"  translators:    {', '.join(s.text for s in d.translators) or '-'}  project: {d.translation_project or '-'}",
             f"  funders:        {', '.join(d.funders) or '-'}",
             f"  language:       {d.original_language or '-'}",
             f"  source:         {d.source_url or '-'}"]
    for note in d.notes:
        lines.append(f"  note ({note.kind}): {' '.join(note.span.text.split())[:100]}")
    for w in d.warnings:
        lines.append(f"  warning: {w}")
    lines.append(f"people ({len(ed.people)}):")
    for p in ed.people:
        flags = []
        if p.key in ed.authors:
            flags.append("author")
        if p.key in ed.translators:
            flags.append("translator")
        lines.append(f"  {p.name}  forms={p.forms}  roles={p.roles}  mentions={len(p.mentions)} "
                     f"[{', '.join(sorted({m.method for m in p.mentions}))}] {' '.join(flags)}")
    for label, group in (("organizations", ed.organizations), ("places", ed.places)):
        lines.append(f"{label} ({len(group)}): " + "; ".join(f"{r.name} ({len(r.mentions)})" for r in group))
    lines.append(f"meetings ({len(ed.meetings)}):")
    for m in ed.meetings:
        place = by_key[m.place_key].name if m.place_key in by_key else m.place_text or "-"
        lines.append(f"  {m.date.iso if m.date else 'undated'} at {place}, {m.kind}, duration {m.duration_text or '-'}"
                     f" [{m.method}]")
        for part in m.participants:
            lines.append(f"    - {by_key[part.person_key].name} ({part.role}; {part.evidence.method}: {part.evidence.text!r})")
        if m.topics:
            lines.append("    topics: " + ", ".join(f"{t.concept} {t.score}" for t in m.topics))
    lines.append("topics: " + ", ".join(f"{t.concept} {t.score}" for t in ed.topics))
    return "\n".join(lines) + "\n"
