#!/usr/bin/env python3
"""CPU used by other work on the machine, for bench/run.sh (python3 stdlib, Linux /proc).

  cpu.py quiet MAX_WAIT_S THRESHOLD_PCT
      Waits until the whole machine is below THRESHOLD_PCT busy (of all cores, over 2 s), at
      most MAX_WAIT_S seconds; prints the seconds waited (or "timeout after N s").
  cpu.py foreign OUTFILE
      Until SIGTERM: every 0.5 s, adds up the CPU time of every process except the benchmark's
      own (calls-server, wrk, postgres, pgbench, bench-hash-time, this sampler), then writes a JSON summary:
      {"foreign_cpu_s", "wall_s", "cores", "top": [[command, seconds], ...]}.
      Processes that start and end between two samples are missed, so this is a lower bound.
"""

import json
import os
import signal
import sys
import time

OURS = {"calls-server", "wrk", "postgres", "pgbench", "bench-hash-time"}
TICK = os.sysconf("SC_CLK_TCK")


def busy_idle():
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]) - idle, idle


def quiet(max_wait, threshold):
    start = time.time()
    while True:
        busy0, idle0 = busy_idle()
        time.sleep(2)
        busy1, idle1 = busy_idle()
        total = (busy1 - busy0) + (idle1 - idle0)
        share = 100.0 * (busy1 - busy0) / total if total else 0.0
        waited = time.time() - start
        if share < threshold:
            print("%.0f s" % waited)
            return
        if waited >= max_wait:
            print("timeout after %.0f s (machine %.0f%% busy)" % (waited, share))
            return


def snapshot(me):
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8", errors="replace") as handle:
                raw = handle.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        if comm in OURS:
            continue
        rest = raw[raw.rindex(")") + 2:].split()
        # utime and stime are fields 14 and 15 of stat; rest starts at field 3.
        out[int(entry)] = (comm, int(rest[11]) + int(rest[12]), int(rest[19]))
    return out


def foreign(outfile):
    me = os.getpid()
    started = time.time()
    window_start_ticks = None
    with open("/proc/uptime", encoding="ascii") as handle:
        window_start_ticks = float(handle.read().split()[0]) * TICK
    first = snapshot(me)
    used = {}
    last = dict(first)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    while not stop:
        time.sleep(0.5)
        now = snapshot(me)
        for pid, (comm, ticks, start_ticks) in now.items():
            if pid in last and last[pid][2] == start_ticks:
                delta = ticks - last[pid][1]
            elif start_ticks >= window_start_ticks:
                delta = ticks  # started during the window
            else:
                delta = 0
            if delta > 0:
                used[comm] = used.get(comm, 0) + delta
        last = now
    top = sorted(used.items(), key=lambda kv: -kv[1])[:5]
    summary = {
        "foreign_cpu_s": round(sum(used.values()) / TICK, 2),
        "wall_s": round(time.time() - started, 2),
        "cores": os.cpu_count(),
        "top": [[comm, round(ticks / TICK, 2)] for comm, ticks in top],
    }
    with open(outfile, "w", encoding="utf-8") as handle:
        json.dump(summary, handle)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "quiet":
        quiet(float(sys.argv[2]), float(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "foreign":
        foreign(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
