"""Shared by the benchmark scripts: paths, machine facts, statistics, servers, HTTP, memory sampling.

Standard library only. Every server this starts listens on 127.0.0.1 and is stopped by the
process group it was started in (``start_new_session``), never by name.
"""
from __future__ import annotations

import http.client
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Optional

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"

PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX akg: <https://w3id.org/archive-kg/ontology#>
"""


# --- machine ------------------------------------------------------------------------------------

def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        import pyoxigraph
        oxv = getattr(pyoxigraph, "__version__", None)
    except ImportError:
        oxv = None
    return {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu": cpu, "memory_gb": mem_gb, "python": platform.python_version(), "pyoxigraph": oxv,
            "loadavg_at_start": list(os.getloadavg())}


# --- statistics ---------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> Optional[float]:
    """Linear-interpolated percentile (q in 0..1) of the values; None when empty."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summarize_ms(latencies_s: list[float]) -> dict:
    """p50/p95/p99/mean/max of latencies given in seconds, in milliseconds."""
    ms = [x * 1000 for x in latencies_s]
    out = {"n": len(ms)}
    for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        v = percentile(ms, q)
        out[name] = round(v, 2) if v is not None else None
    out["mean"] = round(sum(ms) / len(ms), 2) if ms else None
    out["max"] = round(max(ms), 2) if ms else None
    return out


def verdict(ok: bool, pass_word: str = "PASS", miss_word: str = "MISS") -> str:
    return pass_word if ok else miss_word


def fmt(v, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def print_table(headers: list[str], rows: list[list], file=None) -> None:
    cells = [[str(h) for h in headers]] + [[fmt(c) if not isinstance(c, str) else c for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    out = file or sys.stdout
    for n, r in enumerate(cells):
        print("  ".join(c.rjust(w) if n and i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- memory of a process tree -------------------------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry.name))
    return out


def tree_pids(root: int) -> list[int]:
    children = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_cpu_seconds(root: int) -> float:
    """User and system CPU time used so far by a process and its descendants now alive (Linux /proc)."""
    total = 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().decode("utf-8", "replace").rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> int:
    return sum(status_kb(pid, "VmRSS") for pid in tree_pids(root))


class TreeMemorySampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants; keeps the peak (and the biggest VmHWM)."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_tree_kb = 0
        self.peak_single_hwm_kb = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = tree_pids(self.pid)
            total = 0
            for pid in pids:
                total += status_kb(pid, "VmRSS")
                self.peak_single_hwm_kb = max(self.peak_single_hwm_kb, status_kb(pid, "VmHWM"))
            self.peak_tree_kb = max(self.peak_tree_kb, total)
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


# --- HTTP ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, headers: Optional[dict] = None, timeout: float = 120.0) -> tuple[int, bytes, float]:
    """One GET on a fresh connection to 127.0.0.1 (status, body, seconds). Status 0: connection error."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close", **(headers or {})})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body, time.perf_counter() - t0
    finally:
        conn.close()


def sparql_path(endpoint: str, query: str) -> str:
    return f"{endpoint}?{urllib.parse.urlencode({'query': query})}"


def sparql_select(port: int, endpoint: str, query: str, timeout: float = 300.0) -> dict:
    status, body, _ = http_get(port, sparql_path(endpoint, PREFIXES + query),
                               {"Accept": "application/sparql-results+json"}, timeout)
    if status != 200:
        raise RuntimeError(f"query failed with {status}: {body[:300]!r}")
    return json.loads(body)


def result_size(body: bytes) -> Optional[int]:
    """Rows of a SPARQL JSON result (1/0 for ASK), or None if it is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if "boolean" in data:
        return int(bool(data["boolean"]))
    return len(data.get("results", {}).get("bindings", []))


# --- servers ------------------------------------------------------------------------------------

class Server:
    def __init__(self, name: str, proc: subprocess.Popen, port: int, endpoint: str, log: Path):
        self.name, self.proc, self.port, self.endpoint, self.log = name, proc, port, endpoint, log

    def rss_mb(self) -> float:
        return round(tree_rss_kb(self.proc.pid) / 1024, 1)

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}:\n"
                                   + self.log.read_text(errors="replace")[-2000:])
            try:
                status, _, _ = http_get(self.port, sparql_path(self.endpoint, "ASK { ?s ?p ?o }"),
                                        {"Accept": "application/sparql-results+json"}, 10)
                if status == 200:
                    return
                last = status
            except OSError as exc:
                last = exc
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout:g} s (last: {last}); see {self.log}")

    def stop(self) -> None:
        """Stop the process group this server was started in (its own, by id)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)


def default_kg_workers() -> int:
    """The server's own number of queries run at once, used when a benchmark does not set KG_WORKERS."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from server.pool import DEFAULT_QUERIES_AT_ONCE

    return DEFAULT_QUERIES_AT_ONCE


def start_kg(store: Path, port: int, log_dir: Path, timeout: int = 60, workers: int | None = None, threads: int = 16,
             cache_mb: float | None = None) -> Server:
    """`kg serve` in production mode: gunicorn, one process, threads, as the README says."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"kg-{port}.log"
    env = {**os.environ, "KG_STORE": str(Path(store).resolve()), "KG_TIMEOUT": str(timeout),
           **({} if workers is None else {"KG_WORKERS": str(workers)}),
           **({} if cache_mb is None else {"KG_CACHE_MB": str(cache_mb)}),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", str(threads), "-b", f"{HOST}:{port}",
           "server:create_app()"]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    return Server("kg", proc, port, "/sparql", log)


def oxigraph_cli() -> str:
    import shutil

    exe = shutil.which("oxigraph")
    if not exe:
        raise SystemExit("the 'oxigraph' command is missing: pip install oxigraph  (the Oxigraph server CLI from PyPI)")
    return exe


def start_oxigraph(location: Path, port: int, log_dir: Path, timeout: int = 60) -> Server:
    """The reference: `oxigraph serve-read-only`, with the union of all graphs as default graph (as kg does)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"oxigraph-{port}.log"
    cmd = [oxigraph_cli(), "serve-read-only", "--location", str(location), "--bind", f"{HOST}:{port}",
           "--union-default-graph", "--timeout-s", str(timeout)]
    proc = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    return Server("oxigraph", proc, port, "/query", log)


def export_nquads(store: Path, target: Path) -> float:
    """`kg export --format nquads` of the store into ``target``; returns the seconds it took."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg.cli", "export", "--store", str(store), "--format", "nquads",
                    "-o", str(target)], cwd=REPO_ROOT, check=True)
    return time.perf_counter() - t0


def oxigraph_load(nquads: Path, location: Path) -> tuple[float, float]:
    """`oxigraph load` of the N-Quads into a fresh directory, then `oxigraph optimize` (kg's build optimizes its
    database too, so both servers read compacted RocksDB files). Returns (load seconds, optimize seconds)."""
    import shutil

    if location.exists():
        shutil.rmtree(location)
    t0 = time.perf_counter()
    subprocess.run([oxigraph_cli(), "load", "--location", str(location), "--file", str(nquads)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = time.perf_counter()
    subprocess.run([oxigraph_cli(), "optimize", "--location", str(location)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return t1 - t0, time.perf_counter() - t1


# --- what to ask for: real IRIs from the store being served ---------------------------------------

def spread_rows(items: list, n: int) -> list:
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def discover(port: int, endpoint: str, samples: int = 400) -> dict:
    """Persons at spread Zipf ranks (hubs first), documents and meetings, and names to search for.

    Deterministic: ordered queries, fixed picks.
    """
    ranked = sparql_select(port, endpoint, """SELECT ?p ?name (COUNT(DISTINCT ?d) AS ?n) WHERE {
        ?d schema:mentions ?p . ?p a schema:Person ; schema:name ?name } GROUP BY ?p ?name ORDER BY DESC(?n) ?p LIMIT 3000""")
    rows = [(r["p"]["value"], r["name"]["value"], int(r["n"]["value"])) for r in ranked["results"]["bindings"]]
    if not rows:
        raise RuntimeError("no person in the store: build a corpus first")
    hubs = rows[:3]
    docs = sparql_select(port, endpoint, "SELECT ?d WHERE { ?d a schema:ArchiveComponent } ORDER BY ?d LIMIT 5000")
    doc_iris = [r["d"]["value"] for r in docs["results"]["bindings"]]
    meetings = sparql_select(port, endpoint, "SELECT ?m WHERE { ?m a schema:Event } ORDER BY ?m LIMIT 5000")
    meeting_iris = [r["m"]["value"] for r in meetings["results"]["bindings"]]

    spread = spread_rows
    # people spread over the Zipf ranks, hubs first: enough of them that a query with a person in it
    # is not repeated within a run (a result cache must not make a benchmark of repeats)
    persons = [rows[i] for i in sorted({0, 1, 2, 3, 5, 8, 13, 21, 40, 80, 160, 320, 640, 1280, 2560} & set(range(len(rows))))]
    persons += [r for r in spread_rows(rows, samples) if r not in persons]
    needles = []
    for _, name, _ in persons:
        words = name.split()
        # what a person types: the surname, or the family name and the start of the given name
        needle = words[0] + " " + words[1][:2] if len(words) > 1 and len(words[0]) > 2 else words[-1][:5]
        needles.append(needle)
    return {"persons": [{"iri": i, "name": n, "documents": c} for i, n, c in persons],
            "hubs": [{"iri": i, "name": n, "documents": c} for i, n, c in hubs],
            "documents": spread(doc_iris, samples), "meetings": spread(meeting_iris, samples),
            "needles": needles, "documents_total": len(doc_iris)}


def local_path(iri: str) -> str:
    """/id/... of an IRI minted under any base (the server maps paths under its store's base)."""
    parsed = urllib.parse.urlsplit(iri)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


# --- corpora and stores made once and reused ----------------------------------------------------

def ensure_store(count: int, seed: int = 1) -> Path:
    """A store built from ``count`` generated documents under benchmarks/.work, made once and reused."""
    sys.path.insert(0, str(BENCH_DIR))
    import generate

    root = WORK_DIR / f"corpus-{count}-s{seed}"
    docs, store, marker = root / "docs", root / "store", root / "built.json"
    if marker.exists() and (store / "current").exists():
        return store
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    print(f"generating {count} documents into {docs} ...", flush=True)
    summary = generate.generate(docs, count, seed)
    print(f"building {store} (python -m kg.cli build ... -q) ...", flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(docs), "--store", str(store), "-q"], cwd=REPO_ROOT,
                   check=True)
    summary["build_s"] = round(time.perf_counter() - t0, 1)
    write_json(marker, summary)
    return store


def ensure_oxigraph_copy(store: Path, name: str) -> tuple[Path, dict]:
    """The same quads in an Oxigraph directory for `oxigraph serve-read-only` (export, then `oxigraph load`).

    Reused while the store's current database is the same one.
    """
    source = os.path.realpath(Path(store) / "current")
    location = WORK_DIR / f"oxigraph-{name}"
    marker = WORK_DIR / f"oxigraph-{name}.json"
    if marker.exists() and location.exists():
        info = json.loads(marker.read_text())
        if info.get("source") == source and info.get("optimized"):
            return location, info
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    nq = WORK_DIR / f"{name}.nq"
    print(f"exporting {store} as N-Quads and loading them with `oxigraph load` ...", flush=True)
    info = {"source": source, "export_s": round(export_nquads(store, nq), 2), "nquads_mb": round(nq.stat().st_size / 1e6, 1)}
    load_s, optimize_s = oxigraph_load(nq, location)
    info.update(oxigraph_load_s=round(load_s, 2), oxigraph_optimize_s=round(optimize_s, 2), optimized=True)
    nq.unlink()
    write_json(marker, info)
    return location, info
