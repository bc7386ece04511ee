#!/usr/bin/env bash
# The benchmarks of docs/performance.md, each beside a baseline measured in the same run on this machine:
#   1. ingress   POST /kcis vs a bare Kestrel endpoint publishing with RabbitMQ.Client and a confirm
#   2. burst     10,000 orders x 5 KCIs drained end to end vs a raw skeleton of the same three hops (RabbitMQ.Client and
#                Npgsql only) on the same burst, one message per transaction and batched; CPU ms per KCI of every process
#                (pgbench's one-row-update commit rate is reported for context)
#   3. trickle   50 KCIs/s for 60 s, send-to-handled latency (on the services warmed up by the burst)
#   4. memory    peak resident memory of each service during the burst
# Results: benchmarks/results/<UTC time>.md (and .json), also copied to benchmarks/results/latest.md.
# Usage: benchmarks/run.sh [--quick | --burst-only]
#   --quick       a tenth of the burst and a third of the trickle, for a try-out
#   --burst-only  the skeleton's and Kci's bursts alone (no report file): for trying a change out
#   KCI_BENCH_BURST_ORDERS, KCI_BENCH_TRICKLE_SECONDS, KCI_BENCH_SETTLE_SECONDS override the sizes; KCI_BENCH_SKIP_SKELETON=1
#   leaves the skeleton out of a --burst-only run, KCI_BENCH_NO_BUILD=1 uses the binaries as built.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
quick=; only=
case "${1:-}" in
  --quick) quick=yes ;;
  --burst-only) only=burst ;; # the Kci burst alone, with its CPU per process: for trying a change out
esac
burst_orders=${KCI_BENCH_BURST_ORDERS:-$([ -n "$quick" ] && echo 1000 || echo 10000)}
trickle_seconds=${KCI_BENCH_TRICKLE_SECONDS:-$([ -n "$quick" ] && echo 20 || echo 60)}
trickle_rate=50
ingress_seconds=15
concurrency=32
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$repo/.stack/bench/$stamp
results=$repo/benchmarks/results
mkdir -p "$work" "$results"
database=kci_bench
vhost=kci-bench
declare -A ports=([Ingress]=5180 [Sequencer]=5185 [Handlers]=5190)
pids=()
stack_started=

say() { printf '[bench] %s\n' "$*"; }
cleanup() {
  trap - EXIT INT TERM
  declare -F stop_services >/dev/null && stop_services
  [ -n "${baseline_pid:-}" ] && kill "$baseline_pid" 2>/dev/null || true
  if [ -n "$stack_started" ]; then scripts/stack.sh down; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stack_status=$(scripts/stack.sh status)
if [[ $stack_status != *"rabbitmq: running"* || $stack_status != *"postgresql: running"* ]]; then stack_started=yes; fi
scripts/stack.sh up

say "building (Release)"
[ -n "${KCI_BENCH_NO_BUILD:-}" ] || dotnet build Kci.sln -c Release -v quiet -nologo -clp:NoSummary >/dev/null
sim="dotnet tools/Kci.GatewaySimulator/bin/Release/net10.0/Kci.GatewaySimulator.dll"
bench="dotnet benchmarks/Kci.Benchmarks/bin/Release/net10.0/Kci.Benchmarks.dll"

# A database and a virtual host of the benchmarks' own, made afresh: the local stack's data is left alone.
export PGPASSWORD=kci
psql_kci() { psql -h 127.0.0.1 -U kci -v ON_ERROR_STOP=1 -q "$@"; }
# A plain DROP first: it waits out an autovacuum worker on the last run's tables, which FORCE may not terminate (the
# worker is the superuser's); FORCE then ends any session of ours that a killed run left behind.
psql_kci -d postgres -c "DROP DATABASE IF EXISTS $database" 2>/dev/null || psql_kci -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
psql_kci -d postgres -c "CREATE DATABASE $database"
mgmt() { curl -fsS -u guest:guest -H 'content-type: application/json' "$@"; }
mgmt -X DELETE "http://localhost:15672/api/vhosts/$vhost" >/dev/null 2>&1 || true
mgmt -X PUT "http://localhost:15672/api/vhosts/$vhost" >/dev/null
mgmt -X PUT -d '{"configure":".*","write":".*","read":".*"}' "http://localhost:15672/api/permissions/$vhost/guest" >/dev/null

export ASPNETCORE_ENVIRONMENT=Development
# The gen0 budget the run script gives the services (scripts/run.sh), for Kci and the skeleton alike.
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x3000000}
# As scripts/run.sh: two malloc arenas per process.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
export ConnectionStrings__Kci="Host=127.0.0.1;Port=5432;Database=$database;Username=kci;Password=kci;Maximum Pool Size=50${KCI_BENCH_PG_OPTIONS:+;$KCI_BENCH_PG_OPTIONS}"
export RabbitMq__VirtualHost=$vhost
export Logging__LogLevel__Default=Warning
for service in Sequencer Handlers; do
  (cd "src/Kci.$service" && dotnet "bin/Release/net10.0/Kci.$service.dll" migrate >/dev/null)
done

start_service() {
  local service=$1
  (cd "src/Kci.$service" && Auth__Authority="http://localhost:${ports[Ingress]}" \
    exec dotnet "bin/Release/net10.0/Kci.$service.dll" --urls "http://localhost:${ports[$service]}") >>"$work/$service.log" 2>&1 &
  pids+=($!)
  eval "pid_$service=$!"
  until curl -fsS "http://localhost:${ports[$service]}/health/ready" >/dev/null 2>&1; do sleep 0.3; done
}
stop_services() {
  if [ ${#pids[@]} -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; fi
  pids=()
}
peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
ingress=http://localhost:${ports[Ingress]}
token_args=(--token-url "$ingress/oauth2/token" --client-id fibre-cafe-local --client-secret local-dev-secret)

if [ -z "$only" ]; then
# 1. Ingress against the bare baseline: both up, the same load on one at a time, three alternating rounds
#    (the figures of one round move by 10-20 % here), medians reported.
say "1/4 ingress: $concurrency concurrent POSTs, 3 alternating rounds of ${ingress_seconds} s on each"
$bench baseline-server --urls http://127.0.0.1:5199 --rabbit "amqp://guest:guest@localhost:5672/$vhost" --queue bench-baseline >"$work/baseline.log" 2>&1 &
baseline_pid=$!
until curl -fsS http://127.0.0.1:5199/health/ready >/dev/null 2>&1; do sleep 0.3; done
start_service Ingress
for round in 1 2 3; do
  $bench load --url http://127.0.0.1:5199/kcis --body samples/provide-order-informational.json --concurrency $concurrency \
    --warmup 3 --duration $ingress_seconds --json "$work/ingress-baseline-$round.json"
  $bench load --url "$ingress/kcis" --body samples/provide-order-informational.json --concurrency $concurrency \
    --warmup 3 --duration $ingress_seconds "${token_args[@]}" --json "$work/ingress-$round.json"
done
echo "{\"service\": \"baseline endpoint\", \"peakRssMb\": $(peak_rss_mb "$baseline_pid")}" >"$work/memory-baseline.jsonl"
kill "$baseline_pid"; wait "$baseline_pid" 2>/dev/null || true; baseline_pid=
stop_services
mgmt -X DELETE "http://localhost:15672/api/queues/$vhost/kci-sequencer/contents" >/dev/null # nobody is to handle these copies
mgmt -X DELETE "http://localhost:15672/api/queues/$vhost/bench-baseline" >/dev/null

# 2. The raw commit rate of this PostgreSQL: one UPDATE of one row per transaction, as many clients as the burst sends with.
say "2/4 baseline: pgbench, one-row-update transactions, 1 and 8 clients, 15 s each"
psql_kci -d $database -c "CREATE TABLE bench_rows (id int PRIMARY KEY, n bigint NOT NULL)" \
  -c "INSERT INTO bench_rows SELECT g, 0 FROM generate_series(1, 1000) g"
printf '\\set id random(1, 1000)\nUPDATE bench_rows SET n = n + 1 WHERE id = :id;\n' >"$work/update.sql"
pgbench=/usr/lib/postgresql/15/bin/pgbench
for clients in 1 8; do
  $pgbench -h 127.0.0.1 -U kci -n -f "$work/update.sql" -c $clients -j $((clients < 2 ? 1 : 2)) -T 15 $database >"$work/pgbench-$clients.txt" 2>&1
  grep -E '^tps' "$work/pgbench-$clients.txt" | head -1
done

fi

# 3a. The yardstick of the burst: a raw skeleton of the same three hops (RabbitMQ.Client and Npgsql only, no MassTransit
#     and no EF Core; benchmarks/Kci.Benchmarks/Skeleton*.cs) with the same guarantees, on the same burst: one message per
#     transaction, then batched. Each run is verified (every KCI once, in order per order) and its CPU read per process.
if [ -z "${KCI_BENCH_SKIP_SKELETON:-}" ]; then
  skel_pg="Host=127.0.0.1;Port=5432;Database=$database;Username=kci;Password=kci;Maximum Pool Size=50"
  skel_rabbit="amqp://guest:guest@localhost:5672/$vhost"
  for variant in single batched; do
    say "3a burst on the raw skeleton, $variant: $burst_orders orders x 5 KCIs"
    $bench skeleton-setup --pg "$skel_pg" --rabbit "$skel_rabbit" --reset >/dev/null
    $bench skeleton-sequencer --rabbit "$skel_rabbit" --pg "$skel_pg" --variant $variant >"$work/skeleton-$variant-sequencer.log" 2>&1 &
    skel_seq=$!
    $bench skeleton-handlers --rabbit "$skel_rabbit" --pg "$skel_pg" --variant $variant >"$work/skeleton-$variant-handlers.log" 2>&1 &
    skel_han=$!
    pids+=($skel_seq $skel_han)
    sleep 3
    python3 benchmarks/cpu.py snapshot Sequencer=$skel_seq Handlers=$skel_han >"$work/skeleton-$variant-cpu-before.json"
    /usr/bin/time -f '{"user": %U, "system": %S}' -o "$work/skeleton-$variant-load-cpu.json" \
      $bench skeleton-load --rabbit "$skel_rabbit" --orders "$burst_orders" --kcis-per-order 5 --shuffle 4 --concurrency $concurrency \
      --seed 1 --first-order-id 100000000 --json "$work/skeleton-$variant-load.json"
    $bench skeleton-verify --pg "$skel_pg" --orders "$burst_orders" --kcis-per-order 5 --timeout 3600 --json "$work/skeleton-$variant.json"
    python3 benchmarks/cpu.py snapshot Sequencer=$skel_seq Handlers=$skel_han >"$work/skeleton-$variant-cpu-after.json"
    python3 benchmarks/cpu.py diff "$work/skeleton-$variant-cpu-before.json" "$work/skeleton-$variant-cpu-after.json" $((burst_orders * 5)) \
      --load "$work/skeleton-$variant-load-cpu.json" | tee "$work/skeleton-$variant-cpu.json"
    stop_services
  done
  $bench skeleton-setup --pg "$skel_pg" --rabbit "$skel_rabbit" --reset >/dev/null
fi

# 3. Burst drain, the whole pipeline, with fresh processes so their peak memory is the burst's.
say "3/4 burst: $burst_orders orders x 5 KCIs, shuffled within each order, $concurrency orders in flight"
start_service Ingress; start_service Sequencer; start_service Handlers
cpu_snapshot() { python3 benchmarks/cpu.py snapshot Ingress="$pid_Ingress" Sequencer="$pid_Sequencer" Handlers="$pid_Handlers"; }
cpu_snapshot >"$work/cpu-before.json"
# CPU is read again the moment the last KCI is handled (before the verifier's reads of the operations API).
(until [ "$(psql_kci -d $database -tAc 'SELECT count(*) FROM handlers.timeline')" -ge $((burst_orders * 5)) ]; do sleep 0.5; done
 cpu_snapshot >"$work/cpu-after.json") &
drained_pid=$!
$sim --url "$ingress" --ops-url "http://localhost:${ports[Handlers]}" --orders "$burst_orders" --kcis-per-order 5 --shuffle 4 \
  --concurrency $concurrency --seed 1 --first-order-id 100000000 --verify --verify-timeout 3600 --json "$work/burst.json" | tee "$work/burst.txt"
wait $drained_pid
python3 benchmarks/cpu.py diff "$work/cpu-before.json" "$work/cpu-after.json" $((burst_orders * 5)) | tee "$work/cpu.json"
for service in Ingress Sequencer Handlers; do
  eval "pid=\$pid_$service"
  echo "{\"service\": \"$service\", \"peakRssMb\": $(peak_rss_mb "$pid")}"
done >"$work/memory.jsonl"
cat "$work/memory.jsonl"

if [ "$only" = burst ]; then
  stop_services
  say "burst only: $(python3 -c "import json; v=json.load(open('$work/burst.json'))['verify']; print(f\"{v['handledPerSecond']:.1f} KCIs/s\")") (work folder $work)"
  exit 0
fi

# 4. Trickle: a steady 50 KCIs/s, in order, send-to-handled latency, on the services the burst warmed up. Fresh
#    processes fall behind 50 KCIs/s in their first minute (JIT), and right after the burst PostgreSQL's
#    checkpoint and autovacuum slow the first seconds several times over (docs/performance.md): so a minute's
#    pause and 15 s of the same trickle, unmeasured, come first.
say "4/4 trickle: $trickle_rate KCIs/s for $trickle_seconds s, after a pause and 15 s unmeasured"
sleep "${KCI_BENCH_SETTLE_SECONDS:-60}"
$sim --url "$ingress" --ops-url "http://localhost:${ports[Handlers]}" --orders $((trickle_rate * 15 / 5)) --kcis-per-order 5 \
  --rate $trickle_rate --concurrency 16 --seed 3 --first-order-id 300000000 --quiet >"$work/trickle-warmup.txt"
$sim --url "$ingress" --ops-url "http://localhost:${ports[Handlers]}" --orders $((trickle_rate * trickle_seconds / 5)) --kcis-per-order 5 \
  --rate $trickle_rate --concurrency 16 --seed 2 --first-order-id 200000000 --verify --verify-timeout 600 --json "$work/trickle.json" | tee "$work/trickle.txt"
stop_services

python3 benchmarks/report.py "$work" "$results/$stamp" "$burst_orders" "$trickle_seconds"
cp "$results/$stamp.md" "$results/latest.md"
say "results: benchmarks/results/$stamp.md"
cat "$results/$stamp.md"
