"""Child process of build_bench.py: one measured action, its result as one JSON line on stdout.

    python benchmarks/_build_child.py build DOCS STORE     # kg.build.build([DOCS], STORE) -> the BuildReport
    python benchmarks/_build_child.py bulkload NQ DIR       # pyoxigraph Store(DIR).bulk_load(NQ) -> seconds

It runs apart from the benchmark so its peak memory (and that of any process it starts)
is its own; it reports its own ``getrusage`` too.
"""
from __future__ import annotations

import dataclasses
import json
import resource
import sys
import time
from pathlib import Path

MARK = "BENCH-RESULT-JSON: "
T_START = time.perf_counter()


def _rusage() -> dict:
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self_maxrss_kb": self_.ru_maxrss, "children_maxrss_kb": kids.ru_maxrss,
            "cpu_user_s": round(self_.ru_utime + kids.ru_utime, 3), "cpu_sys_s": round(self_.ru_stime + kids.ru_stime, 3)}


def _jsonable(value):
    """The BuildReport as JSON, whatever fields it has now: long lists become a count and a sample."""
    if dataclasses.is_dataclass(value):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = [_jsonable(v) for v in list(value)[:5]]
        return {"count": len(value), "sample": items} if len(value) > 5 else items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def run_build(docs: str, store: str) -> dict:
    from kg.build import build

    t_imported = time.perf_counter()
    report = build([Path(docs)], store)
    t_done = time.perf_counter()
    out = {"report": _jsonable(report), "built": len(report.built), "quads": report.quads,
           "seconds": dict(report.seconds), "cpu_seconds": dict(report.cpu_seconds), "documents_in_store": getattr(report, "documents_in_store", None),
           "skipped": len(report.skipped), "import_s": round(t_imported - T_START, 3),
           "build_call_s": round(t_done - t_imported, 3)}
    return out


def run_bulkload(nquads: str, location: str) -> dict:
    import pyoxigraph as ox

    t_imported = time.perf_counter()
    store = ox.Store(location)
    t0 = time.perf_counter()
    # lenient, as the build loads its own files: the reference gets the same shortcut
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
    store.flush()
    t1 = time.perf_counter()
    store.optimize()
    t2 = time.perf_counter()
    n = len(store)
    return {"bulk_load_s": round(t1 - t0, 3), "optimize_s": round(t2 - t1, 3), "quads": n,
            "import_s": round(t_imported - T_START, 3)}


def main() -> int:
    action, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
    result = run_build(a, b) if action == "build" else run_bulkload(a, b)
    result.update(_rusage())
    print(MARK + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
