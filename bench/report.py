#!/usr/bin/env python3
"""Turns one run of bench/run.sh (a bench/results/<run> directory) into docs/BENCHMARKS.md.

Usage: python3 bench/report.py RESULTS_DIR [OUTPUT]   (OUTPUT defaults to docs/BENCHMARKS.md)

Standard library only. Every number in the output comes from the files of RESULTS_DIR. A block
between the markers ANALYSIS_BEGIN and ANALYSIS_END in an existing OUTPUT is written by hand; it
is carried over into the new report (it names the run it was written for).
"""

import glob
import json
import os
import re
import sys

ANALYSIS_BEGIN = "<!-- analysis:begin (hand-written; kept when the report is regenerated) -->"
ANALYSIS_END = "<!-- analysis:end -->"
MIB = 1024.0

# Scenario name -> (label, RSS limit class). Order of the table.
SCENARIOS = [
    ("health", "`GET /system/health`"),
    ("health_c", "`GET /system/health`, low concurrency (flood baseline)"),
    ("hist_100", "History page 1, 100-call users (64 users in turn)"),
    ("hist_20", "History page 1, 20-call user"),
    ("hist_1k", "History page 1, 1,000-call user"),
    ("hist_10k", "History page 1, 10,000-call user"),
    ("hist_100k", "History page 1, 100,000-call user"),
    ("hist_page1000", "History `?page=1000`, 100,000-call user"),
    ("hist_cursor1000", "History page 1,000 by `?cursor=`, 100,000-call user"),
    ("hist_date", "History page 1, 30-day date filter, 100,000-call user"),
    ("hist_date365", "History page 1, 365-day date filter, 100,000-call user"),
    ("hist_100_large", "History page 1, 100-call users, 5,000,000-row calls table"),
    ("voip", "Initiate + terminate (mock provider)"),
    ("register", "Register"),
    ("login_c1", "Login, one connection"),
    ("login", "Login (hash-bound)"),
    ("flood_login", "Login flood (while the health probe runs)"),
    ("flood_health", "`GET /system/health` during the login flood"),
]
# Scenarios run again through PgBouncer in transaction mode (BENCH_POOLER=pgbouncer), as
# <name>_pooled, shown next to the direct figure.
POOLED = ["hist_100", "hist_20", "hist_100k", "hist_cursor1000", "hist_date", "voip"]
# Scenarios whose load is a flood of logins: the 128 MiB RSS class. Everything else: 64 MiB.
LOGIN_FLOOD = {"login", "flood_login", "flood_health"}
RSS_LIMIT_MIB = {True: 128, False: 64}


def read(path, default=None):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return default


def read_meta(results):
    meta = {}
    for line in (read(os.path.join(results, "meta.tsv"), "") or "").splitlines():
        key, _, value = line.partition("\t")
        meta[key] = value
    return meta


def other_cpu(results, name):
    """Share of all cores that other processes used during a scenario, in percent."""
    raw = read(os.path.join(results, name + ".cpu.json"))
    if not raw:
        return None
    data = json.loads(raw)
    if not data.get("wall_s"):
        return None
    data["pct"] = 100.0 * data["foreign_cpu_s"] / (data["wall_s"] * (data.get("cores") or 1))
    return data


def cpu_cell(cpu):
    if cpu is None:
        return "n/a"
    cell = "%.0f %%" % cpu["pct"]
    if cpu["pct"] >= 5 and cpu.get("top"):
        cell += " (%s)" % ", ".join(comm for comm, secs in cpu["top"][:2] if secs > 0)
    return cell


def read_scenarios(results):
    rows = {}
    for line in (read(os.path.join(results, "scenarios.tsv"), "") or "").splitlines():
        parts = line.split("\t")
        if len(parts) < 7:
            continue
        name, conns, threads, script, rss_kib, load, detail = parts[:7]
        hwm_kib = parts[7] if len(parts) > 7 else "0"
        summary = read(os.path.join(results, name + ".json"))
        if summary is None:
            continue
        data = json.loads(summary)
        data.update(
            name=name,
            conns=int(conns),
            threads=int(threads),
            script=script,
            rss_kib=int(rss_kib or 0),
            hwm_kib=int(hwm_kib or 0),
            load=load,
            detail=detail,
        )
        seconds = data["duration_us"] / 1e6
        data["rps"] = data["requests"] / seconds if seconds else 0.0
        # A fresh process serves each scenario, so VmHWM is the scenario's peak; the sampled
        # VmRSS can only miss short spikes.
        data["peak_kib"] = max(data["rss_kib"], data["hwm_kib"])
        data["cpu"] = other_cpu(results, name)
        errors = data["errors"]
        data["socket_errors"] = (
            errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
        )
        rows[name] = data
    return rows


def percentile(sorted_values, pct):
    if not sorted_values:
        return None
    rank = max(1, int(round(pct / 100.0 * len(sorted_values) + 0.5)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def read_pgbench(results):
    refs = {}
    for line in (read(os.path.join(results, "pgbench.tsv"), "") or "").splitlines():
        name, email, load, script = (line.split("\t") + ["", "", "", ""])[:4]
        text = read(os.path.join(results, "pgbench_%s.txt" % name), "") or ""
        tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
        failed = re.search(r"number of failed transactions: (\d+)", text)
        latencies = []
        for log in glob.glob(os.path.join(results, "pgbench_%s.log.*" % glob.escape(name))):
            with open(log, encoding="utf-8") as handle:
                for row in handle:
                    fields = row.split()
                    if len(fields) >= 3 and fields[2].isdigit():
                        latencies.append(int(fields[2]))
        latencies.sort()
        refs[name] = {
            "email": email,
            "load": load,
            "script": script or "history_page.sql",
            "cpu": other_cpu(results, "pgbench_" + name),
            "tps": float(tps.group(1)) if tps else None,
            "failed": int(failed.group(1)) if failed else 0,
            "transactions": len(latencies),
            "p50_us": percentile(latencies, 50),
            "p99_us": percentile(latencies, 99),
        }
    return refs


def ms(us):
    if us is None:
        return "n/a"
    value = us / 1000.0
    if value >= 100:
        return "%.0f" % value
    if value >= 10:
        return "%.1f" % value
    return "%.2f" % value


def rate(value):
    if value is None:
        return "n/a"
    return "%.0f" % value if value >= 100 else "%.1f" % value


def ratio(value):
    return "n/a" if value is None else "%.2fx" % value


def verdict(ok):
    if ok is None:
        return "not measured"
    return "**pass**" if ok else "**MISS**"


def explain_summary(results, name):
    text = read(os.path.join(results, "explain_%s.txt" % name))
    if text is None:
        return None
    lines = text.splitlines()
    sql = lines[0][3:] if lines and lines[0].startswith("-- ") else ""
    plan = [line.strip() for line in lines if "(cost=" in line or "Time:" in line]
    top = plan[0].split("  (cost=")[0].lstrip("-> ").strip() if plan else "?"
    nodes = []
    for line in plan:
        match = re.match(r"(?:->\s*)?(.+?)\s+\(cost=.*actual time=[\d.]+\.\.([\d.]+) rows=(\d+)", line)
        if match and ("Scan" in match.group(1) or "Sort" in match.group(1)):
            nodes.append("%s: %s rows" % (match.group(1).strip(), match.group(3)))
    execution = re.search(r"Execution Time: ([\d.]+) ms", text)
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", text)
    return {
        "sql": sql,
        "top": top,
        "nodes": "; ".join(nodes),
        "ms": float(execution.group(1)) if execution else None,
        "buffers": (int(buffers.group(1)) + int(buffers.group(2) or 0)) if buffers else None,
        "text": text,
    }


def statements(results):
    text = read(os.path.join(results, "statements.log"))
    if not text:
        return None
    out = []
    for line in text.splitlines():
        if line.startswith("==="):
            out.append(line.strip("= ").strip())
            continue
        match = re.search(r"\b(LOG|DETAIL):\s+(.*)$", line)
        if match:
            out.append("    " + match.group(2))
    return "\n".join(out)


def existing_analysis(output):
    text = read(output)
    if not text or ANALYSIS_BEGIN not in text or ANALYSIS_END not in text:
        return None
    start = text.index(ANALYSIS_BEGIN) + len(ANALYSIS_BEGIN)
    return text[start:text.index(ANALYSIS_END)].strip("\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    results = sys.argv[1].rstrip("/")
    output = sys.argv[2] if len(sys.argv) > 2 else "docs/BENCHMARKS.md"
    meta = read_meta(results)
    rows = read_scenarios(results)
    refs = read_pgbench(results)
    hash_raw = read(os.path.join(results, "hash_time.json"))
    hash_time = json.loads(hash_raw) if hash_raw else None
    cores = int(meta.get("nproc", "1") or 1)
    get = rows.get

    def p(name, key):
        row = get(name)
        return row["latency_us"][key] if row else None

    out = []
    emit = out.append
    emit("# Benchmarks")
    emit("")
    emit(
        "Generated by `bench/run.sh` (`just bench`) through `bench/report.py` from the raw results"
        " of run `%s`; do not edit the numbers by hand, re-run the suite." % meta.get("run_id", "?")
    )
    emit("")
    emit("## Run")
    emit("")
    emit("| | |")
    emit("|---|---|")
    emit("| date | %s |" % meta.get("date_utc", "?"))
    emit("| command | `%s` |" % meta.get("command", "bash bench/run.sh"))
    if meta.get("env_overrides", "").strip():
        emit("| environment | `%s` |" % meta["env_overrides"].strip())
    emit("| settings | %s |" % meta.get("settings", "?"))
    emit("| machine | %s cores (`nproc`), %s, %s RAM, %s |" % (
        meta.get("nproc", "?"), meta.get("cpu_model", "?"), meta.get("mem_total", "?"),
        meta.get("kernel", "?")))
    emit("| PostgreSQL | %s, local server on loopback, fresh database `calls_bench` |"
         % meta.get("postgres", "?"))
    emit("| load generator | %s on loopback, same machine |" % meta.get("wrk", "wrk"))
    dirty = meta.get("git_dirty", "0").strip()
    emit("| code | commit `%s`%s; server binary built %s |" % (
        meta.get("git_commit", "?"),
        " plus %s uncommitted changes under crates/" % dirty if dirty not in ("", "0") else "",
        meta.get("server_binary_mtime", "?")))
    emit("| server | `target/release/calls-server`, PostgreSQL pool 25, `LOG_LEVEL=warn`, "
         "`VOIP_PROVIDER=mock`, default workers and hash concurrency (one per core) |")
    emit("")
    emit(
        "Data set (seeded with SQL in %s s, then `VACUUM ANALYZE`): %s users, %s calls: 1,000 users"
        " with 100 calls each; one user each with 20, 1,000, 10,000 and 100,000 calls; %s"
        " call-placing users without calls. Calls start over the last 365 days, 75 %% completed,"
        " 15 %% failed, 10 %% canceled; every user has the same argon2id password hash (`%s`),"
        " copied from a user registered through the API." % (
            meta.get("seed_seconds", "?"), meta.get("seed_users", "?"), meta.get("seed_calls", "?"),
            meta.get("threads", "?"), meta.get("password_hash_prefix", "?")))
    emit("")
    emit(
        "Each scenario: %s s of unmeasured warm-up, then %s s measured by wrk with the connections"
        " and threads shown; latencies are wrk's (per request, closed loop). Peak RSS is the"
        " server's `VmHWM` at the end of the scenario: every scenario (warm-up included) runs"
        " against a fresh server process, so that is the scenario's own peak; the largest `VmRSS`"
        " sampled every 0.1 s is shown beside it. Scenarios run in the order of the table." % (
            meta.get("warmup", "?"), meta.get("duration", "?")))
    emit("")
    emit(
        "Load generator, server and PostgreSQL share the machine. \"Other processes' CPU\" is the"
        " CPU time that everything else on the machine (for example someone's build) took during"
        " the scenario, as a share of all cores (`bench/cpu.py`, sampled every 0.5 s, a lower"
        " bound); anything above a few percent means the numbers of that row are pessimistic."
        + (" Before each scenario the run waited up to %s s for the machine to be below %s %% busy."
           % (meta.get("quiet_wait"), meta.get("quiet_pct"))
           if meta.get("quiet_wait", "0") not in ("", "0") else ""))
    emit("")

    emit("## Results")
    emit("")
    emit("| scenario | conns / threads | requests/s | p50 ms | p99 ms | non-2xx | socket errors |"
         " peak RSS MiB (VmHWM) | max sampled VmRSS MiB | other processes' CPU |")
    emit("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    labels = dict(SCENARIOS)
    for name, label in SCENARIOS:
        row = get(name)
        if row is None:
            if name == "voip":
                emit("| %s | | %s | | | | | | | |" % (label, meta.get("voip", "not run")))
            continue
        emit("| %s | %d / %d | %s | %s | %s | %d | %d | %.1f | %.1f | %s |" % (
            label, row["conns"], row["threads"], rate(row["rps"]), ms(row["latency_us"]["p50"]),
            ms(row["latency_us"]["p99"]), row["errors"]["status"], row["socket_errors"],
            row["peak_kib"] / MIB, row["rss_kib"] / MIB, cpu_cell(row["cpu"])))
    emit("")
    notes = []
    short = {"hist_100": "100-call users", "hist_20": "20-call user", "hist_1k": "1,000-call user",
             "hist_10k": "10,000-call user", "hist_100k": "100,000-call user",
             "hist_date": "100,000-call user with the date filter"}
    for name in ("hist_100", "hist_20", "hist_1k", "hist_10k", "hist_100k", "hist_date"):
        if meta.get("total_" + name):
            notes.append("%s: `total` %s" % (short[name], meta["total_" + name]))
    if notes:
        emit("History answers checked before measuring (status 200 and the seeded total): "
             + "; ".join(notes) + ". Date filter: `%s`." % meta.get("date_filter", "?"))
        emit("")
    if meta.get("cursor_check"):
        emit("Cursor check: %s." % meta["cursor_check"])
        emit("")
    for name in ("voip", "register", "login_c1", "login", "flood_login"):
        row = get(name)
        if row and row.get("counters"):
            counts = ", ".join("%s: %d" % (k, v) for k, v in sorted(row["counters"].items()))
            extra = ""
            if name == "voip":
                pairs = min(row["counters"].get("initiate_200", 0), row["counters"].get("terminate_200", 0))
                extra = " (about %.1f calls placed and ended per second)" % (pairs * 1e6 / row["duration_us"])
            emit("- %s responses: %s%s." % (labels[name], counts, extra))
    if get("voip") is None:
        emit("- Initiate + terminate: %s." % meta.get("voip", "not run"))
    emit("")

    pooled = [name for name in POOLED if get(name + "_pooled")]
    if pooled:
        emit("## Through PgBouncer (transaction mode)")
        emit("")
        emit("The same scenarios with the server connected to a private PgBouncer (%s) in front of"
             " the same database, `DATABASE_POOLER=transaction` (statements sent unnamed, no"
             " prepared-statement cache), a fresh server process each, same wrk settings%s." % (
                 meta.get("pooler", "pgbouncer"),
                 "; **%s**" % meta["pooler_errors"] if meta.get("pooler_errors") else ""))
        emit("")
        emit("| scenario | direct requests/s | through PgBouncer requests/s | ratio | direct p50 ms |"
             " pooled p50 ms | pooled p99 ms | pooled non-2xx | pooled socket errors |"
             " other processes' CPU (pooled) |")
        emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for name in pooled:
            row, direct = get(name + "_pooled"), get(name)
            emit("| %s | %s | %s | %s | %s | %s | %s | %d | %d | %s |" % (
                labels[name], rate(direct["rps"]) if direct else "n/a", rate(row["rps"]),
                ratio(row["rps"] / direct["rps"]) if direct and direct["rps"] else "n/a",
                ms(direct["latency_us"]["p50"]) if direct else "n/a",
                ms(row["latency_us"]["p50"]), ms(row["latency_us"]["p99"]),
                row["errors"]["status"], row["socket_errors"], cpu_cell(row["cpu"])))
        emit("")

    emit("## References (same run)")
    emit("")
    emit("pgbench, `pgbench -n -M prepared -c %s -j %s -T %s -f bench/sql/<script>`, after the same"
         " warm-up, with the server stopped; latencies from pgbench's per-transaction log."
         " `history_ideal.sql` is the yardstick of the first target: the revocation, the total and"
         " the page in one statement, written from the question a history request asks (not from"
         " what the server sends; compare with the captured SQL below). `history_page.sql` is the"
         " four statements a history request sent before it became one (`BEGIN TRANSACTION"
         " ISOLATION LEVEL REPEATABLE READ READ ONLY`, the total with the revocation check, the"
         " page, `COMMIT`), for comparison." % (meta.get("connections", "?"), meta.get("threads", "?"), meta.get("duration", "?")))
    emit("")
    emit("| reference | script | transactions/s | p50 ms | p99 ms | failed | other processes' CPU |")
    emit("|---|---|---:|---:|---:|---:|---|")
    for name, ref in refs.items():
        emit("| history SQL, %s, page 1 | `%s` | %s | %s | %s | %d | %s |" % (
            ref["email"], ref["script"], rate(ref["tps"]), ms(ref["p50_us"]), ms(ref["p99_us"]),
            ref["failed"], cpu_cell(ref["cpu"])))
    emit("")
    if hash_time:
        emit("Single-hash time of the password hasher (`bench/hash-time`: the `argon2` crate version"
             " and release profile of the server, m=12288 KiB, t=3, p=1, in one reused block buffer"
             " as each hashing thread does, %d iterations on an idle server): hash median %.1f ms (min %.1f ms), verification median %.1f ms (min %.1f ms)."
             % (hash_time["iterations"], hash_time["hash_median_ms"], hash_time["hash_min_ms"],
                hash_time["verify_median_ms"], hash_time["verify_min_ms"]))
        hash_cpu = other_cpu(results, "hash_time")
        if hash_cpu:
            emit(" Other processes' CPU meanwhile: %s." % cpu_cell(hash_cpu))
    else:
        emit("Single-hash time: the hash timer was not available; login p50 at one connection"
             " stands in for it.")
    if get("login_c1"):
        emit(" Login at one connection (hash + database + HTTP): p50 %s ms." % ms(p("login_c1", "p50")))
    emit("")
    before, after = meta.get("setup_rss_before_logins_kib"), meta.get("setup_rss_after_logins_kib")
    if before and after:
        emit("Memory after logins (set-up phase, one process): VmRSS %.1f MiB before and %.1f MiB"
             " after %s sequential logins through the API." % (
                 int(before) / MIB, int(after) / MIB, meta.get("setup_logins", "?")))
        emit("")
    countries = meta.get("setup_rss_after_countries_kib")
    if after and countries:
        emit("Memory of the destination list (rendered on the first `GET /api/countries`, which no"
             " scenario above sends): VmRSS %.1f MiB before and %.1f MiB after it." % (
                 int(after) / MIB, int(countries) / MIB))
        emit("")

    # --- targets ---
    targets = []
    if get("hist_20") and refs.get("hist_20_ideal", {}).get("tps"):
        value = get("hist_20")["rps"] / refs["hist_20_ideal"]["tps"]
        targets.append(("History, 20-call user: requests/s >= 0.5x pgbench of the ideal one-statement"
                        " query (`bench/sql/history_ideal.sql`)",
                        "%s req/s vs %s tps" % (rate(get("hist_20")["rps"]), rate(refs["hist_20_ideal"]["tps"])),
                        value, ">= 0.50x", value >= 0.5, "t1"))
    if get("hist_100k") and get("hist_20"):
        value = p("hist_100k", "p50") / p("hist_20", "p50")
        targets.append(("History, 100,000-call user, page 1: p50 <= 1.5x the 20-call user's",
                        "%s ms vs %s ms" % (ms(p("hist_100k", "p50")), ms(p("hist_20", "p50"))),
                        value, "<= 1.50x", value <= 1.5, "t2"))
    if get("hist_cursor1000") and get("hist_100k"):
        value = p("hist_cursor1000", "p50") / p("hist_100k", "p50")
        targets.append(("History page 1,000 by `cursor`: p50 <= 1.2x page 1 (100,000-call user)",
                        "%s ms vs %s ms" % (ms(p("hist_cursor1000", "p50")), ms(p("hist_100k", "p50"))),
                        value, "<= 1.20x", value <= 1.2, "t3"))
    for name, days, key in (("hist_date", "30", "t8"), ("hist_date365", "365", "t9")):
        if get(name) and get("hist_100k"):
            value = get(name)["rps"] / get("hist_100k")["rps"]
            targets.append(("History, %s-day date filter, 100,000-call user: requests/s >= 0.8x its"
                            " unfiltered page 1" % days,
                            "%s req/s vs %s req/s" % (rate(get(name)["rps"]), rate(get("hist_100k")["rps"])),
                            value, ">= 0.80x", value >= 0.8, key))
    if get("hist_100_large") and get("hist_100"):
        value = p("hist_100_large", "p50") / p("hist_100", "p50")
        targets.append(("History page 1 on a calls table of %s rows over %s users: p50 <= 1.2x the"
                        " small data set's (100-call users)" % (
                            meta.get("large_calls", "?"), meta.get("large_users", "?")),
                        "%s ms vs %s ms" % (ms(p("hist_100_large", "p50")), ms(p("hist_100", "p50"))),
                        value, "<= 1.20x", value <= 1.2, "t10"))
    if meta.get("bulk_10000_ms") and meta.get("bulk_20000_ms"):
        small, large = float(meta["bulk_10000_ms"]), float(meta["bulk_20000_ms"])
        value = large / small
        targets.append(("Bulk insert of one user's calls in one statement: 20,000 rows <= 2.5x 10,000",
                        "%.0f ms vs %.0f ms (median of three, rolled back)" % (large, small),
                        value, "<= 2.50x", value <= 2.5, "t7"))
    hash_ms = None
    hash_source = None
    if hash_time:
        hash_ms, hash_source = hash_time["hash_median_ms"], "median single-hash time"
    elif get("login_c1"):
        hash_ms, hash_source = p("login_c1", "p50") / 1000.0, "login p50 at one connection"
    if get("login") and hash_ms:
        ideal = cores / (hash_ms / 1000.0)
        value = get("login")["rps"] / ideal
        targets.append(("Login: requests/s >= 0.8x (cores / single-hash time)",
                        "%s req/s vs %d / %.1f ms (%s) = %s/s" % (
                            rate(get("login")["rps"]), cores, hash_ms, hash_source, rate(ideal)),
                        value, ">= 0.80x", value >= 0.8, "t4"))
    if get("flood_health") and get("health_c"):
        value = p("flood_health", "p99") / p("health_c", "p99")
        targets.append(("Health p99 during a login flood <= 5x without (%d connections)" % get("health_c")["conns"],
                        "%s ms vs %s ms" % (ms(p("flood_health", "p99")), ms(p("health_c", "p99"))),
                        value, "<= 5.00x", value <= 5.0, "t5"))
    rss_misses = []
    worst = None
    for name, label in SCENARIOS:
        row = get(name)
        if not row or row["peak_kib"] <= 0:
            continue
        limit = RSS_LIMIT_MIB[name in LOGIN_FLOOD]
        mib = row["peak_kib"] / MIB
        share = mib / limit
        if worst is None or share > worst[0]:
            worst = (share, name, mib, limit)
        if mib >= limit:
            rss_misses.append("%s %.1f MiB (limit %d)" % (label, mib, limit))
    if worst:
        targets.append(("Peak RSS < 64 MiB in every scenario, < 128 MiB in the login flood",
                        "highest against its limit: %s %.1f MiB (limit %d)" % (labels[worst[1]], worst[2], worst[3]),
                        worst[0], "< 1.00x of the limit", not rss_misses, "t6"))

    emit("## Targets")
    emit("")
    emit("| target | measured | ratio | required | result |")
    emit("|---|---|---:|---|---|")
    for text, measured, value, required, ok, _ in targets:
        emit("| %s | %s | %s | %s | %s |" % (text, measured, ratio(value), required, verdict(ok)))
    emit("")
    if get("hist_20") and refs.get("hist_20", {}).get("tps"):
        old = get("hist_20")["rps"] / refs["hist_20"]["tps"]
        emit("For comparison (not a target): against pgbench replaying the four statements a history"
             " request sent before it became one (`history_page.sql`: BEGIN, revocation and total,"
             " page, COMMIT), the 20-call user's history reaches %s req/s vs %s tps, %s." % (
                 rate(get("hist_20")["rps"]), rate(refs["hist_20"]["tps"]), ratio(old)))
        emit("")
    if get("hist_20") and refs.get("hist_20_request", {}).get("tps"):
        whole = get("hist_20")["rps"] / refs["hist_20_request"]["tps"]
        emit("For comparison (not a target): against pgbench replaying every statement one history"
             " request sends (`history_request.sql`: the revocation check too), the 20-call user's"
             " history reaches %s req/s vs %s tps, %s." % (
                 rate(get("hist_20")["rps"]), rate(refs["hist_20_request"]["tps"]), ratio(whole)))
        emit("")
    emit("The login flood RSS class (128 MiB) is applied to the scenarios whose load is a flood of"
         " logins at %s connections (`login`, and both halves of the flood); register and login at"
         " one connection are held to 64 MiB. The login-throughput ideal uses the %s." % (
             meta.get("connections", "?"), hash_source or "single-hash time"))
    emit("")
    misses = [t for t in targets if t[4] is False]
    if misses:
        emit("### Misses")
        emit("")
        for text, measured, value, required, _, key in misses:
            emit("- **%s**: %s, ratio %s (required %s)." % (text, measured, ratio(value), required))
        if rss_misses:
            emit("- RSS over its limit: " + "; ".join(rss_misses) + ".")
        emit("")
    else:
        emit("Every target was met in this run.")
        emit("")

    # --- evidence ---
    emit("## Query plans (EXPLAIN ANALYZE on the seeded database, after the run)")
    emit("")
    emit("| statement | plan | rows through the scan | execution ms | buffers |")
    emit("|---|---|---|---:|---:|")
    plan_names = [
        ("count_20", "total (counter row), 20-call user"),
        ("page1_20", "page 1, 20-call user"),
        ("count_100k", "total (counter row), 100,000-call user"),
        ("page1_100k", "page 1, 100,000-call user"),
        ("page1000_100k", "page 1,000 by OFFSET 19980, 100,000-call user"),
        ("cursor1000_100k", "page 1,000 by cursor (seek from the cursor), 100,000-call user"),
        ("count_date_100k", "count, 30-day filter, 100,000-call user"),
        ("page1_date_100k", "page 1, 30-day filter, 100,000-call user"),
    ]
    plans = []
    for name, label in plan_names:
        summary = explain_summary(results, name)
        if summary:
            plans.append((label, summary))
            emit("| %s | %s | %s | %s | %s |" % (
                label, summary["top"], summary["nodes"] or "",
                "%.2f" % summary["ms"] if summary["ms"] is not None else "?",
                summary["buffers"] if summary["buffers"] is not None else "?"))
    emit("")
    if plans:
        emit("<details><summary>Full plans</summary>")
        emit("")
        for label, summary in plans:
            emit("%s:" % label)
            emit("")
            emit("```")
            emit(summary["text"].rstrip())
            emit("```")
            emit("")
        emit("</details>")
        emit("")
    sql = statements(results)
    if sql:
        emit("## SQL the server sends for one history request")
        emit("")
        emit("Captured with `log_statement = all` on the bench database during the set-up phase"
             " (a separate server process; the measured one ran without statement logging)."
             " The pgbench reference replays the count and page statements of the first request,"
             " inside the same kind of transaction.")
        emit("")
        emit("```")
        emit(sql)
        emit("```")
        emit("")
    analysis = existing_analysis(output)
    emit("## Analysis")
    emit("")
    emit(ANALYSIS_BEGIN)
    emit(analysis if analysis is not None else "_No hand-written analysis yet._")
    emit(ANALYSIS_END)
    emit("")
    emit("## Reproduce")
    emit("")
    emit("```sh")
    emit("just bench        # = bash bench/run.sh; BENCH_DURATION, BENCH_CONNECTIONS, ... see bench/README.md")
    emit("```")
    emit("")
    emit("Raw results of this run: `bench/results/%s/` (not committed)." % meta.get("run_id", "?"))

    os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
    with open(output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
