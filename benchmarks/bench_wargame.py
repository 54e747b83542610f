"""Load benchmark of the classroom wargame's server: simulated students on loopback.

Usage (from the repository root, in the project's venv):

    python benchmarks/bench_wargame.py                 # 30 clients (10 per government), 60 s
    python benchmarks/bench_wargame.py --clients 30 --seconds 120

One uvicorn server (as `karabakh wargame` starts it) in this process; each client is a thread with
its own HTTP connection that polls its team's status fragment every 2 s (as the page's htmx does),
reloads the full page every fifth poll, and submits its team's orders (hold) once per turn, at the
earliest ``--deliberate`` seconds after the turn opened for it. A turn closes when all three teams
have submitted, so the load includes the model running a month. Reports
errors (any status >= 400 or failed request), latency percentiles per kind of request, and the time
the submission that closes a turn takes (adjudication: the model runs the turn's days).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.wargame.store import create_game  # noqa: E402
from model.wargame.web import make_app  # noqa: E402

ROLES = ("azerbaijan", "armenia", "nagorno_karabakh")
TURN = re.compile(r'name="turn" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(base: str, token: str, until: float, submit_lock: threading.Lock, submitted: set, answered: dict,
           role: str, samples: dict, errors: list, deliberate: float) -> None:
    """One student's browser: polls, reloads, and submits the team's orders once per turn."""
    with httpx.Client(base_url=base, timeout=60) as http:
        polls, seen = 0, {}
        while time.perf_counter() < until:
            kind = "page" if polls % 5 == 0 else "status"
            t0 = time.perf_counter()
            try:
                r = http.get(f"/play/{token}" if kind == "page" else f"/play/{token}/status")
            except httpx.HTTPError as exc:
                errors.append(f"{kind}: {exc!r}")
                continue
            samples[kind].append(time.perf_counter() - t0)
            if r.status_code >= 400:
                errors.append(f"{kind}: HTTP {r.status_code}")
            polls += 1
            m = TURN.search(r.text) if kind == "page" else None
            if m:
                turn = int(m.group(1))
                if time.perf_counter() - seen.setdefault(turn, time.perf_counter()) < deliberate:
                    time.sleep(2.0)
                    continue
                with submit_lock:  # one member of each team submits, once per turn
                    mine = (role, turn) not in submitted
                    submitted.add((role, turn))
                if mine:
                    t0 = time.perf_counter()
                    r = http.post(f"/play/{token}/orders", data={"turn": str(turn)})
                    took = time.perf_counter() - t0
                    samples["orders"].append(took)
                    with submit_lock:  # the submission answered last is the one that ran the turn
                        answered[turn] = answered.get(turn, 0) + 1
                        if answered[turn] == len(ROLES):
                            samples["closing_orders"].append(took)
                    if r.status_code >= 400:
                        errors.append(f"orders: HTTP {r.status_code}")
            time.sleep(2.0)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else (values or [0])[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=30, help="simulated students, spread over the three teams")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the clients run")
    ap.add_argument("--deliberate", type=float, default=10.0, help="seconds a team waits into a turn before submitting")
    args = ap.parse_args()

    games = Path(tempfile.mkdtemp(prefix="bench-wargame-"))
    game = create_game(games, {"seed": 1, "turn_minutes": 0})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(games), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    samples = {"status": [], "page": [], "orders": [], "closing_orders": []}
    errors: list[str] = []
    lock, submitted, answered = threading.Lock(), set(), {}
    until = time.perf_counter() + args.seconds
    threads = [threading.Thread(target=client, args=(f"http://127.0.0.1:{port}", game.tokens[ROLES[i % 3]], until,
                                                     lock, submitted, answered, ROLES[i % 3], samples, errors,
                                                     args.deliberate))
               for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.should_exit = True
    turns = len(samples["closing_orders"])
    report = {"machine": f"{platform.machine()}, python {platform.python_version()}", "clients": args.clients,
              "seconds": args.seconds, "requests": sum(len(v) for k, v in samples.items() if k != "closing_orders"),
              "errors": len(errors), "turns_closed": turns}
    for kind in ("status", "page", "orders"):
        v = samples[kind]
        report[f"{kind}_n"] = len(v)
        report[f"{kind}_p50_ms"] = round(1000 * percentile(v, 50), 1)
        report[f"{kind}_p95_ms"] = round(1000 * percentile(v, 95), 1)
    closing = samples["closing_orders"]
    report["turn_adjudication_s_median"] = round(statistics.median(closing), 3) if closing else None
    report["turn_adjudication_s_max"] = round(max(closing), 3) if closing else None
    print(json.dumps(report, indent=2))
    if errors:
        print("first errors:", errors[:5], file=sys.stderr)


if __name__ == "__main__":
    main()
