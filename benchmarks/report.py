#!/usr/bin/env python3
"""Writes the benchmark results (Markdown and JSON) from the files benchmarks/run.sh left in its work folder."""
import json, os, platform, re, subprocess, sys, urllib.request, base64
from pathlib import Path

work, out, burst_orders, trickle_seconds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
load = lambda name: json.loads((work / name).read_text())
lines = lambda name: [json.loads(l) for l in (work / name).read_text().splitlines() if l.strip()]

def run(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return "unknown"

def tps(clients):
    text = (work / f"pgbench-{clients}.txt").read_text()
    rate = float(re.search(r"^tps = ([\d.]+)", text, re.M).group(1))
    latency = re.search(r"^latency average = ([\d.]+) ms", text, re.M)
    return rate, float(latency.group(1)) if latency else None

def rabbit_version():
    try:
        request = urllib.request.Request("http://localhost:15672/api/overview", headers={"Authorization": "Basic " + base64.b64encode(b"guest:guest").decode()})
        return json.load(urllib.request.urlopen(request, timeout=5))["rabbitmq_version"]
    except Exception:
        return "unknown"

meminfo = dict(re.findall(r"^(\w+):\s+(\d+)", Path("/proc/meminfo").read_text(), re.M))
cpu_model = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), platform.processor())
packages = Path("Directory.Packages.props").read_text()
version = lambda name: (re.search(rf'Include="{re.escape(name)}" Version="([^"]+)"', packages) or [None, "?"])[1]
machine = {
    "cores": os.cpu_count(), "memoryGiB": round(int(meminfo["MemTotal"]) / 1024 / 1024, 1), "cpu": cpu_model,
    "kernel": platform.release(), "dotnet": run("dotnet", "--version"),
    "postgresql": run("psql", "-h", "127.0.0.1", "-U", "kci", "-d", "postgres", "-tAc", "SHOW server_version"),
    "rabbitmq": rabbit_version(), "massTransit": version("MassTransit"), "npgsql": version("Npgsql"), "efCore": version("Microsoft.EntityFrameworkCore"),
}

def median_round(prefix):
    rounds = [load(f"{prefix}-{n}.json") for n in (1, 2, 3)]
    middle = lambda key: sorted(r[key] for r in rounds)[1]
    return {**rounds[0], "requestsPerSecond": middle("requestsPerSecond"), "p50Ms": middle("p50Ms"), "p99Ms": middle("p99Ms"),
            "requests": sum(r["requests"] for r in rounds), "failures": sum(r["failures"] for r in rounds),
            "rounds": [{k: r[k] for k in ("requestsPerSecond", "p50Ms", "p99Ms")} for r in rounds]}

ingress, baseline = median_round("ingress"), median_round("ingress-baseline")
burst, trickle = load("burst.json"), load("trickle.json")
(tps1, latency1), (tps8, _) = tps(1), tps(8)
memory = lines("memory.jsonl")
memory_baseline = lines("memory-baseline.jsonl")[0]["peakRssMb"]
drain = burst["verify"]["handledPerSecond"] or 0
cpu = load("cpu.json")
skeleton = {v: {**load(f"skeleton-{v}.json"), "cpu": load(f"skeleton-{v}-cpu.json")} for v in ("single", "batched")}
single, batched = skeleton["single"]["kcisPerSecond"], skeleton["batched"]["kcisPerSecond"]
TODAY = 90  # KCIs/s: the burst drain before issue 12 (full runs of 2026-11-24: 98.0, 82.8, 89.1)
verify_ok = lambda run: run["verify"] is not None and len(run["verify"]["mismatches"]) == 0 and run["failed"] == 0

def row(name, measured, base, ratio, target, met):
    return f"| {name} | {measured} | {base} | {ratio} | {target} | {'met' if met else '**missed**'} |"

rows = [
    row("1. ingress requests/s", f"{ingress['requestsPerSecond']:,.0f}", f"{baseline['requestsPerSecond']:,.0f} (bare endpoint)",
        f"{ingress['requestsPerSecond'] / baseline['requestsPerSecond']:.2f}", ">= 0.8", ingress['requestsPerSecond'] >= 0.8 * baseline['requestsPerSecond']),
    row("1. ingress p99", f"{ingress['p99Ms']:.1f} ms", f"{baseline['p99Ms']:.1f} ms (bare endpoint)", f"{ingress['p99Ms'] / baseline['p99Ms']:.2f}x", "<= 2x",
        ingress['p99Ms'] <= 2 * baseline['p99Ms']),
    row("1. ingress p50", f"{ingress['p50Ms']:.1f} ms", f"{baseline['p50Ms']:.1f} ms (bare endpoint)", f"{ingress['p50Ms'] / baseline['p50Ms']:.2f}x", "(reported)", True),
    row("2. burst drain, KCIs handled/s", f"{drain:,.1f}", f"{single:,.1f} (raw skeleton, one message per transaction)", f"{drain / single:.2f}", ">= 0.5",
        drain >= 0.5 * single),
    row("2. burst drain vs the batched skeleton", f"{drain:,.1f}", f"{batched:,.1f} (raw skeleton, batched)", f"{drain / batched:.2f}", "(reported; 0.5 is the aim)", True),
    row("2. burst drain, absolute", f"{drain:,.1f}", f"{TODAY} (before issue 12)", f"{drain / TODAY:.1f}x", ">= 360 KCIs/s (4x)", drain >= 360),
    row("2. burst send-to-handled p50 / p99", f"{burst['verify']['sendToHandled']['p50']:,.0f} / {burst['verify']['sendToHandled']['p99']:,.0f} ms",
        "", "", "(reported)", True),
    row("3. trickle send-to-handled p50", f"{trickle['verify']['sendToHandled']['p50']:.1f} ms", f"{latency1:.2f} ms (one pgbench commit)",
        f"{trickle['verify']['sendToHandled']['p50'] / latency1:.0f}x", "< 30 ms", trickle['verify']['sendToHandled']['p50'] < 30),
    row("3. trickle send-to-handled p99", f"{trickle['verify']['sendToHandled']['p99']:.1f} ms", "", "", "< 150 ms", trickle['verify']['sendToHandled']['p99'] < 150),
]
for m in memory:
    rows.append(row(f"4. peak RSS {m['service']}", f"{m['peakRssMb']} MB", f"{memory_baseline} MB (bare endpoint)",
                    f"{m['peakRssMb'] / memory_baseline:.1f}x", "< 300 MB", m["peakRssMb"] < 300))

groups = ["Ingress", "Sequencer", "Handlers", "load", "PostgreSQL", "RabbitMQ", "machine"]
def cell(run, group):
    return f"{run[group]['cpuMsPerKci']:.2f}" if group in run else "-"
cpu_rows = "\n".join(f"| {g} | {cell(cpu, g)} | {cell(skeleton['single']['cpu'], g)} | {cell(skeleton['batched']['cpu'], g)} |" for g in groups)

report = f"""# Benchmark results {out.name}

Machine: {machine['cores']} cores, {machine['memoryGiB']} GiB, {machine['cpu']}, Linux {machine['kernel']}.
Versions: .NET SDK {machine['dotnet']}, PostgreSQL {machine['postgresql']}, RabbitMQ {machine['rabbitmq']}, MassTransit {machine['massTransit']},
Npgsql {machine['npgsql']}, EF Core {machine['efCore']}. Everything (services, PostgreSQL, RabbitMQ, load) on this one machine.

Settings: ingress load {ingress['concurrency']} concurrent POSTs, 3 alternating rounds of {ingress['seconds']:.0f} s (after 3 s of warm-up) on
the baseline and the ingress, medians (rounds, req/s: ingress {', '.join(f"{r['requestsPerSecond']:,.0f}" for r in ingress['rounds'])};
baseline {', '.join(f"{r['requestsPerSecond']:,.0f}" for r in baseline['rounds'])}), the same body
(samples/provide-order-informational.json) on both; pgbench `UPDATE bench_rows SET n = n + 1 WHERE id = :id` (1,000 rows), 15 s;
burst {burst_orders:,} orders x 5 KCIs, each order shuffled (--shuffle 4), 32 orders in flight; trickle {trickle['options']['rate']:.0f} KCIs/s
for {trickle_seconds} s in order, 16 orders in flight. Default service settings (Development environment, log level Warning).

| figure | measured | baseline (same run) | ratio | target | |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

CPU ms per KCI over the burst, per process (read from /proc; "load" is the skeleton's loader, the gateway simulator's
own CPU is not split out: it is in "machine", which counts every process on the machine):

| process | Kci | skeleton, one message per transaction | skeleton, batched |
| --- | --- | --- | --- |
{cpu_rows}

Skeleton runs: one message per transaction {single:,.1f} KCIs/s (send-to-handled p50 / p99 {skeleton['single']['p50Ms']:,.0f} / {skeleton['single']['p99Ms']:,.0f} ms),
batched {batched:,.1f} KCIs/s ({skeleton['batched']['p50Ms']:,.0f} / {skeleton['batched']['p99Ms']:,.0f} ms); each verified: every KCI once
({'yes' if skeleton['single']['exactlyOnce'] and skeleton['batched']['exactlyOnce'] else '**NO**'}) and in order per order
({'yes' if skeleton['single']['inOrder'] and skeleton['batched']['inOrder'] else '**NO**'}). pgbench, for context: {tps8:,.0f} one-row-update
commits/s with 8 clients, {tps1:,.0f} with 1.

Checks: burst {'verified' if verify_ok(burst) else '**NOT verified**'} ({burst['verify']['kcis']:,} KCIs, every one handled once and in order,
{burst['accepted']:,} of {burst['requests']:,} POSTs answered 204, {burst['retries']} retries); trickle {'verified' if verify_ok(trickle) else '**NOT verified**'}
({trickle['verify']['kcis']:,} KCIs). Burst sending took {burst['seconds']:.1f} s ({burst['requests'] / burst['seconds']:,.0f} POSTs/s, POST p99 {burst['latency']['p99']:.0f} ms);
first send to last handled {burst['verify']['firstSendToLastHandledSeconds']:.1f} s.
"""
out.with_suffix(".md").write_text(report)
out.with_suffix(".json").write_text(json.dumps({"machine": machine, "ingress": ingress, "ingressBaseline": baseline,
    "pgbench": {"tps1": tps1, "tps8": tps8, "latency1Ms": latency1}, "burst": burst, "trickle": trickle,
    "memory": memory, "memoryBaselineMb": memory_baseline, "cpu": cpu, "skeleton": skeleton}, indent=2))
