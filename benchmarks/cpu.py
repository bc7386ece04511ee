#!/usr/bin/env python3
"""CPU seconds per process group, read from /proc, for the benchmarks' "CPU ms per KCI" figures.

  cpu.py snapshot NAME=PID ... > before.json   the named processes (utime + stime), PostgreSQL (every postgres
                                               process, plus what the postmaster reaped from ended backends),
                                               RabbitMQ (beam.smp) and the whole machine (/proc/stat)
  cpu.py diff before.json after.json KCIS [--load time.json]
                                               CPU ms per KCI of each group between the two snapshots, as JSON (with the
                                               load's own CPU, as /usr/bin/time wrote it, when given)
"""
import json, os, sys

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    # fields[0] is the state (field 3); utime, stime, cutime, cstime are fields 14 to 17
    return comm, int(fields[1]), [int(x) for x in fields[11:15]]


def snapshot(named):
    groups = {}
    for name, pid in named.items():
        s = stat(pid)
        groups[name] = (s[2][0] + s[2][1]) / TICK if s else None
    postgres = rabbit = 0
    processes = {pid: stat(pid) for pid in os.listdir("/proc") if pid.isdigit()}
    for pid, s in processes.items():
        if s is None:
            continue
        comm, ppid, (utime, stime, cutime, cstime) = s
        if comm == "postgres":
            postgres += utime + stime
            parent = processes.get(str(ppid))
            if parent is None or parent[0] != "postgres":  # the postmaster: also its ended backends
                postgres += cutime + cstime
        elif comm.startswith("beam"):
            rabbit += utime + stime
    groups["PostgreSQL"] = postgres / TICK
    groups["RabbitMQ"] = rabbit / TICK
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    groups["machine"] = (sum(cpu) - cpu[3] - cpu[4]) / TICK  # all but idle and iowait
    return groups


def diff(before, after, kcis, load=None):
    result = {}
    if load is not None:
        seconds = load["user"] + load["system"]
        result["load"] = {"cpuSeconds": round(seconds, 2), "cpuMsPerKci": round(seconds * 1000 / kcis, 2)}
    for name, end in after.items():
        start = before.get(name)
        if start is None or end is None:
            continue
        result[name] = {"cpuSeconds": round(end - start, 2), "cpuMsPerKci": round((end - start) * 1000 / kcis, 2)}
    return result


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        print(json.dumps(snapshot({k: v for k, v in (a.split("=", 1) for a in sys.argv[2:])})))
    elif sys.argv[1] == "diff":
        load = None
        if len(sys.argv) > 6 and sys.argv[5] == "--load":
            with open(sys.argv[6]) as f:
                load = json.load(f)
        with open(sys.argv[2]) as a, open(sys.argv[3]) as b:
            print(json.dumps(diff(json.load(a), json.load(b), int(sys.argv[4]), load)))
    else:
        sys.exit(__doc__)
