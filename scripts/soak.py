#!/usr/bin/env python3
"""Bounded soak of a running calls-server (issue 7); `scripts/soak.sh` starts everything.

N clients (virtual users) run for D seconds without think time. Each registers, then loops
over a mix of requests:

    ~2 %  register a new account (the client switches to it)
    ~3 %  log in again
    ~35 % GET /api/calls/history (page 1, 20 calls)
    ~60 % POST /api/calls/initiate, or POST /api/calls/terminate when a call is open

Registrations and logins are argon2 hashes (10-20 ms of CPU each): they are kept a minority so
that the soak measures the API, not the hashing.

It reports the requests per endpoint, 5xx answers, other unexpected answers, connection errors,
latency percentiles, and the server's resident memory (VmRSS of /proc/<pid>/status) at the start,
the end and its peak. Then it checks that every call acknowledged by initiate (200) is in its
owner's history exactly once (all pages, through the API) and in the `calls` table (psql), and
that every acknowledged termination left the status it answered.

Exit status: 0 when all is well; 1 on any 5xx, unexpected answer, connection error, missing or
duplicated call, or memory still growing after the warm-up (RSS_GROWTH_LIMIT_KIB); 2 on bad
usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
import uuid
from urllib.parse import quote
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import aiohttp

PASSWORD = "soak passphrase that is long enough"
# Valid numbers in ranges no default policy blocks (Berlin, Paris, London, New York landlines).
NUMBERS = ["+4930901820", "+33142685300", "+442079460958", "+12125550123"]
ENDPOINTS = ["register", "login", "initiate", "terminate", "history"]
# Answers that are part of the contract for these requests under this load.
EXPECTED = {
    "register": {201},
    "login": {200},
    "initiate": {200},
    "terminate": {200},
    "history": {200},
}


@dataclass
class Account:
    email: str
    token: str
    user_id: str
    # call id -> status answered by terminate, or None while only initiated.
    calls: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    connection_errors: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)

    def record(self, endpoint: str, status: int, elapsed: float, body: object) -> None:
        self.latencies[endpoint].append(elapsed)
        self.statuses[endpoint][status] += 1
        if status not in EXPECTED[endpoint] and len(self.unexpected) < 50:
            self.unexpected.append(f"{endpoint} {status}: {str(body)[:200]}")


class Client:
    def __init__(self, session: aiohttp.ClientSession, base: str, stats: Stats, rng: random.Random):
        self.session = session
        self.base = base
        self.stats = stats
        self.rng = rng
        self.account: Account | None = None
        self.open_calls: list[str] = []

    async def request(self, endpoint: str, method: str, path: str, *, token: str | None = None,
                      body: dict | None = None) -> tuple[int, object] | None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        try:
            async with self.session.request(method, self.base + path, json=body,
                                            headers=headers) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            self.stats.connection_errors[f"{endpoint}: {type(error).__name__}: {error}"[:160]] += 1
            return None
        elapsed = time.perf_counter() - started
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw[:200]
        self.stats.record(endpoint, status, elapsed, parsed)
        return status, parsed

    async def register(self) -> None:
        email = f"soak-{uuid.uuid4().hex}@example.com"
        answer = await self.request("register", "POST", "/api/auth/register",
                                    body={"email": email, "password": PASSWORD})
        if answer and answer[0] == 201:
            body = answer[1]
            self.account = Account(email, body["token"], body["user"]["id"])
            self.stats.accounts.append(self.account)
            self.open_calls = []

    async def login(self) -> None:
        assert self.account
        answer = await self.request("login", "POST", "/api/auth/login",
                                    body={"email": self.account.email, "password": PASSWORD})
        if answer and answer[0] == 200:
            self.account.token = answer[1]["token"]

    async def history(self) -> None:
        assert self.account
        await self.request("history", "GET", "/api/calls/history?limit=20",
                           token=self.account.token)

    async def initiate(self) -> None:
        assert self.account
        answer = await self.request("initiate", "POST", "/api/calls/initiate",
                                    token=self.account.token,
                                    body={"phone_number": self.rng.choice(NUMBERS)})
        if answer and answer[0] == 200:
            call_id = answer[1]["call_id"]
            self.account.calls[call_id] = None
            self.open_calls.append(call_id)

    async def terminate(self) -> None:
        assert self.account
        call_id = self.open_calls.pop(0)
        answer = await self.request("terminate", "POST", "/api/calls/terminate",
                                    token=self.account.token, body={"call_id": call_id})
        if answer and answer[0] == 200:
            self.account.calls[call_id] = answer[1]["status"]

    async def run(self, deadline: float) -> None:
        while self.account is None and time.monotonic() < deadline:
            await self.register()
            if self.account is None:
                await asyncio.sleep(0.5)
        while time.monotonic() < deadline:
            roll = self.rng.random()
            if roll < 0.02:
                await self.register()
            elif roll < 0.05:
                await self.login()
            elif roll < 0.40:
                await self.history()
            elif self.open_calls:
                await self.terminate()
            else:
                await self.initiate()


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of the process, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


# Memory must plateau once the server is warm (hashing buffers, pooled connections, 200 clients'
# buffers): from the second quarter of the run to the last, the largest RSS sample may grow by
# at most this much. A leak of a few hundred bytes per request grows far more in a minute.
RSS_GROWTH_LIMIT_KIB = 8 * 1024


def rss_by_quarter(samples: list[int]) -> list[int]:
    """The largest sample in each quarter of the run (samples are taken once a second)."""
    if not samples:
        return [0, 0, 0, 0]
    size = max(1, len(samples) // 4)
    quarters = [samples[i * size:(i + 1) * size] for i in range(3)] + [samples[3 * size:]]
    return [max(q) if q else samples[-1] for q in quarters]


async def sample_rss(pid: int, samples: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            samples.append(rss_kib(pid)[0])
        except OSError:
            return
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except asyncio.TimeoutError:
            pass


async def fetch_history(session: aiohttp.ClientSession, base: str, account: Account
                        ) -> tuple[int, list[dict]]:
    """All of the account's calls, following next_cursor (page numbers as a fallback)."""
    headers = {"Authorization": f"Bearer {account.token}"}
    calls: list[dict] = []
    total = 0
    cursor = None
    page = 1
    while True:
        query = f"limit=100&cursor={quote(cursor, safe='')}" if cursor else f"limit=100&page={page}"
        async with session.get(f"{base}/api/calls/history?{query}", headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"history of {account.email}: {response.status} "
                                   f"{(await response.text())[:200]}")
            body = await response.json()
        total = body["total"]
        calls.extend(body["calls"])
        used_cursor = cursor is not None
        cursor = body.get("next_cursor")
        if cursor is None and (used_cursor or not body["calls"] or len(calls) >= total):
            return total, calls
        page += 1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * q))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


async def soak(args: argparse.Namespace) -> int:
    stats = Stats()
    rng = random.Random(args.seed)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    connector = aiohttp.TCPConnector(limit=0)
    rss_start, _ = rss_kib(args.server_pid)
    rss_samples: list[int] = [rss_start]
    stop = asyncio.Event()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        sampler = asyncio.create_task(sample_rss(args.server_pid, rss_samples, stop))
        started = time.monotonic()
        deadline = started + args.seconds
        clients = [Client(session, args.base, stats, random.Random(rng.random()))
                   for _ in range(args.clients)]
        await asyncio.gather(*(client.run(deadline) for client in clients))
        duration = time.monotonic() - started
        stop.set()
        await sampler
        rss_end, rss_peak = rss_kib(args.server_pid)
        rss_samples.append(rss_end)

        # Every acknowledged call, in its owner's history exactly once.
        checking = time.monotonic()
        missing: list[str] = []
        duplicated: list[str] = []
        wrong_status: list[str] = []
        listed_total = 0
        histories = await asyncio.gather(
            *(fetch_history(session, args.base, account) for account in stats.accounts))
        for account, (total, calls) in zip(stats.accounts, histories):
            counts = Counter(call["callId"] for call in calls)
            listed_total += len(calls)
            if total != len(calls):
                wrong_status.append(f"{account.email}: total {total} but {len(calls)} listed")
            duplicated += [f"{call_id} x{n}" for call_id, n in counts.items() if n > 1]
            status_of = {call["callId"]: call["status"] for call in calls}
            for call_id, ended in account.calls.items():
                if counts[call_id] == 0:
                    missing.append(call_id)
                elif ended is not None and status_of[call_id] != ended:
                    wrong_status.append(f"{call_id}: terminate said {ended}, "
                                        f"history says {status_of[call_id]}")
        check_time = time.monotonic() - checking

    acknowledged = {call_id: account.user_id
                    for account in stats.accounts for call_id in account.calls}
    table_note = "not checked (no --database-url)"
    table_missing: list[str] = []
    table_rows = None
    if args.database_url:
        output = subprocess.run(
            ["psql", "-X", "-A", "-t", "-F", " ", "-v", "ON_ERROR_STOP=1", "-d", args.database_url,
             "-c", "SELECT id::text, user_id::text FROM calls"],
            check=True, capture_output=True, text=True).stdout
        stored = dict(line.split(" ") for line in output.splitlines() if line)
        table_rows = len(stored)
        table_missing = [call_id for call_id, user in acknowledged.items()
                         if stored.get(call_id) != user]
        table_note = (f"{table_rows} rows, {len(table_missing)} acknowledged calls missing, "
                      f"{table_rows - len(acknowledged)} rows not acknowledged")

    # Report.
    total_requests = sum(len(v) for v in stats.latencies.values())
    errors_total = sum(stats.connection_errors.values())
    fivexx = sum(n for counter in stats.statuses.values() for status, n in counter.items()
                 if status >= 500)
    all_latencies = [x for values in stats.latencies.values() for x in values]
    lines = [
        f"soak: {args.clients} clients for {duration:.1f} s against {args.base}",
        f"requests: {total_requests} answered ({total_requests / duration:.0f}/s), "
        f"{errors_total} connection errors, {fivexx} 5xx, "
        f"{len(stats.unexpected)} unexpected answers",
        f"latency (all answered): p50 {ms(percentile(all_latencies, 0.5))}, "
        f"p99 {ms(percentile(all_latencies, 0.99))}, max {ms(max(all_latencies, default=0))}",
    ]
    for endpoint in ENDPOINTS:
        values = stats.latencies.get(endpoint, [])
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(stats.statuses[endpoint].items()))
        lines.append(f"  {endpoint:<9} {len(values):>7}  p50 {ms(percentile(values, 0.5)):>10}  "
                     f"p99 {ms(percentile(values, 0.99)):>10}  ({statuses or 'none'})")
    quarters = rss_by_quarter(rss_samples)
    lines += [
        f"server RSS: start {mib(rss_start)}, end {mib(rss_end)}, "
        f"peak {mib(max(max(rss_samples), rss_peak))} (VmHWM {mib(rss_peak)})",
        "server RSS, largest sample per quarter of the run: "
        + ", ".join(mib(q) for q in quarters)
        + f" (growth from the 2nd to the 4th quarter: {mib(quarters[3] - quarters[1])}, "
        f"allowed {mib(RSS_GROWTH_LIMIT_KIB)})",
        f"accounts: {len(stats.accounts)}; calls acknowledged by initiate: {len(acknowledged)}; "
        f"terminations acknowledged: "
        f"{sum(1 for a in stats.accounts for s in a.calls.values() if s is not None)}",
        f"histories ({check_time:.1f} s): {listed_total} calls listed, {len(missing)} acknowledged "
        f"calls missing, {len(duplicated)} listed more than once, {len(wrong_status)} mismatches",
        f"calls table: {table_note}",
    ]
    for title, items in [("connection errors", [f"{n} x {e}" for e, n in
                                                stats.connection_errors.most_common(10)]),
                         ("unexpected answers", stats.unexpected[:10]),
                         ("missing from histories", missing[:10]),
                         ("duplicated in histories", duplicated[:10]),
                         ("mismatches", wrong_status[:10]),
                         ("missing from the table", table_missing[:10])]:
        if items:
            lines.append(f"{title}:")
            lines += [f"  {item}" for item in items]
    memory_grew = quarters[3] - quarters[1] > RSS_GROWTH_LIMIT_KIB
    if memory_grew:
        lines.append("server memory kept growing after the warm-up")
    failed = bool(errors_total or fivexx or stats.unexpected or missing or duplicated
                  or wrong_status or table_missing or not acknowledged or memory_grew)
    lines.append("soak: FAILED" if failed else "soak: OK")
    print("\n".join(lines), flush=True)

    if args.json:
        summary = {
            "clients": args.clients, "seconds": round(duration, 1),
            "requests": total_requests, "per_endpoint": {e: len(stats.latencies.get(e, []))
                                                         for e in ENDPOINTS},
            "status_counts": {e: dict(stats.statuses[e]) for e in ENDPOINTS},
            "connection_errors": errors_total, "server_errors_5xx": fivexx,
            "unexpected": len(stats.unexpected),
            "p50_ms": round(percentile(all_latencies, 0.5) * 1000, 2),
            "p99_ms": round(percentile(all_latencies, 0.99) * 1000, 2),
            "per_endpoint_p50_ms": {e: round(percentile(stats.latencies.get(e, []), 0.5) * 1000, 2)
                                    for e in ENDPOINTS},
            "per_endpoint_p99_ms": {e: round(percentile(stats.latencies.get(e, []), 0.99) * 1000, 2)
                                    for e in ENDPOINTS},
            "rss_kib": {"start": rss_start, "end": rss_end,
                        "peak": max(max(rss_samples), rss_peak)},
            "accounts": len(stats.accounts), "calls_acknowledged": len(acknowledged),
            "missing": len(missing), "duplicated": len(duplicated),
            "mismatches": len(wrong_status), "table_rows": table_rows,
            "table_missing": len(table_missing), "ok": not failed,
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="http://host:port of the server")
    parser.add_argument("--server-pid", type=int, required=True, help="for /proc/<pid>/status")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", help="postgres:// URL of the server's database (psql)")
    parser.add_argument("--request-timeout", type=float, default=30,
                        help="seconds before a request counts as a connection error")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be >= 1 and --seconds > 0")
    return asyncio.run(soak(args))


if __name__ == "__main__":
    sys.exit(main())
