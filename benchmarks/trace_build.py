"""Where a build's memory goes: one build with the RSS of its process and of each child sampled over time.

    python benchmarks/trace_build.py DOCS STORE [--full] [--every 0.5] [--out trace.json]

It runs ``kg.build.build`` in this process, samples every ``--every`` seconds the resident memory of
this process and of each process it started (the extraction and mapping workers), and notes the build's
progress messages on the same clock. It prints, for each stage between two messages, the highest main, the
highest single child and the highest sum, then the peak. ``--full`` asks for a full build where a patch
would do (``incremental=False``); a build into an empty STORE is full anyway, and when no file changed
nothing is built.

``build_bench.py`` gives the peak; this says which stage reaches it and in which process.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402


def _rss_mb(pid: int) -> int:
    return C.status_kb(pid, "VmRSS") // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docs")
    parser.add_argument("store")
    parser.add_argument("--full", action="store_true", help="a full build even when a patch would do")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between samples (default 0.5)")
    parser.add_argument("--out", help="write the samples and messages to this JSON file")
    args = parser.parse_args()
    if not Path("/proc/self/status").exists():
        raise SystemExit("trace_build.py reads /proc: it runs on Linux only")

    from kg.build import build
    from kg.store import StoreError

    started = time.perf_counter()
    samples: list[tuple[float, int, list[int]]] = []  # (seconds, main MB, [child MB, ...])
    messages: list[tuple[float, str]] = [(0.0, "start")]
    done = threading.Event()

    def sample() -> None:
        me = os.getpid()
        while not done.is_set():
            samples.append((time.perf_counter() - started, _rss_mb(me), [_rss_mb(k) for k in C.tree_pids(me)[1:]]))
            done.wait(args.every)

    def say(message: str) -> None:
        messages.append((time.perf_counter() - started, message.strip()))
        print(f"{messages[-1][0]:8.1f} s  {message}", flush=True)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        report = build([Path(args.docs)], args.store, progress=say, incremental=not args.full)
    except (OSError, StoreError) as exc:
        raise SystemExit(f"trace_build.py: {exc}") from None
    finally:
        done.set()
        sampler.join()
    messages.append((time.perf_counter() - started, "end"))

    print("\nstage (from the message that opens it)                    main   child    sum   MB at most")
    for (t0, message), (t1, _) in zip(messages, messages[1:]):
        inside = [s for s in samples if t0 <= s[0] < t1]
        if inside:
            print(f"{message[:56]:<56} {max(s[1] for s in inside):6} {max(max(s[2], default=0) for s in inside):6} "
                  f"{max(s[1] + sum(s[2]) for s in inside):6}")
    peak = max(samples, key=lambda s: s[1] + sum(s[2]))
    print(f"\npeak {peak[1] + sum(peak[2])} MB at {peak[0]:.1f} s (main {peak[1]} MB, children {peak[2]}); "
          f"stages in seconds: {', '.join(f'{k} {v:.1f}' for k, v in report.seconds.items())}")
    if args.out:
        Path(args.out).write_text(json.dumps({"samples": samples, "messages": messages, "seconds": report.seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
