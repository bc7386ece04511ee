#!/usr/bin/env bash
# The whole local pipeline in the foreground: RabbitMQ and PostgreSQL (scripts/stack.sh), the database
# migrations, then Ingress, Sequencer and Handlers. Ctrl+C stops everything this command started.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
logs=$repo/.stack/logs
configuration=${KCI_CONFIGURATION:-Release}
services=(Ingress Sequencer Handlers)
declare -A urls=([Ingress]=http://localhost:5080 [Sequencer]=http://localhost:5085 [Handlers]=http://localhost:5090)
pids=()
stack_started=

say() { printf '[run] %s\n' "$*"; }

cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    say "stopping services"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if [ -n "$stack_started" ]; then scripts/stack.sh down; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
stack_status=$(scripts/stack.sh status)
if [[ $stack_status != *"rabbitmq: running"* || $stack_status != *"postgresql: running"* ]]; then
  stack_started=yes # so Ctrl+C stops it again; a stack that was already up stays up
fi
scripts/stack.sh up

say "building ($configuration)"
dotnet build Kci.sln -c "$configuration" -v quiet -nologo -clp:NoSummary >/dev/null

say "applying database migrations"
for service in Sequencer Handlers; do
  (cd "src/Kci.$service" && dotnet "bin/$configuration/net10.0/Kci.$service.dll" migrate \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=None >/dev/null)
done

mkdir -p "$logs"
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
# A 48 MB gen0 budget instead of the runtime's ~13 MB here: a third of the garbage collections under a burst, which was
# the largest single gain of issue 12 after batching (docs/performance.md). Environment only: no runtimeconfig knob sets it.
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x3000000}
# Two malloc arenas per process instead of up to 8 per core: the runtime's native allocations stop spreading over
# arenas that each keep their own free pages (docs/performance.md).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
# Gap recovery asks the gateway simulator's Tenant API (served by scripts/simulate.sh while it runs, with these
# credentials) for missing numbers; KCI_GATEWAY_URL= (empty) turns recovery off, another URL points it elsewhere.
gateway_url=${KCI_GATEWAY_URL-http://localhost:5070/}
declare -A extra=([Ingress]= [Handlers]= [Sequencer]=)
if [ -n "$gateway_url" ]; then
  extra[Sequencer]="--Gateway:BaseUrl=$gateway_url --Gateway:ClientId=${KCI_GATEWAY_CLIENT_ID:-kci-tenant} --Gateway:ClientSecret=${KCI_GATEWAY_CLIENT_SECRET:-kci-tenant-secret}"
fi
for service in "${services[@]}"; do
  # shellcheck disable=SC2086 # the extra arguments are words
  (cd "src/Kci.$service" && exec dotnet "bin/$configuration/net10.0/Kci.$service.dll" --urls "${urls[$service]}" ${extra[$service]}) \
    >"$logs/$service.log" 2>&1 &
  pids+=($!)
done

for service in "${services[@]}"; do
  until curl -fsS "${urls[$service]}/health/ready" >/dev/null 2>&1; do
    if [ $((SECONDS - started)) -gt 180 ]; then say "$service did not become ready; see $logs/$service.log"; exit 1; fi
    sleep 0.3
  done
done

cat <<BANNER
[run] ready in $((SECONDS - started)) s
  Ingress         ${urls[Ingress]}/kcis          (POST, the gateway's endpoint)
  Operations API  ${urls[Handlers]}/orders       (Handlers)
  Console         ${urls[Handlers]}/console      (the operator console, open locally)
  Sequencer       ${urls[Sequencer]}/health/ready
  Gap recovery    ${gateway_url:-off}   (the gateway's order read; scripts/simulate.sh serves it while it runs)
  RabbitMQ UI     http://localhost:15672       (login guest / guest)
  PostgreSQL      Host=127.0.0.1;Port=5432;Database=kci;Username=kci;Password=kci
  Logs            $logs/<service>.log

  Try it (token from the local OAuth2 endpoint: client fibre-cafe-local, secret local-dev-secret):
    token=\$(curl -s -u fibre-cafe-local:local-dev-secret -d grant_type=client_credentials ${urls[Ingress]}/oauth2/token \\
      | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
    curl -i -X POST ${urls[Ingress]}/kcis -H "Authorization: Bearer \$token" -H 'Content-Type: application/json' \\
      -H 'X-Request-ID: demo-1' -H 'X-Conversation-ID: demo' --data-binary @samples/provide-order-informational.json
    curl -s ${urls[Handlers]}/orders/PROVIDE_ORDER/123/kcis

  Or play the gateway: 50 realistic orders, shuffled, some sent twice, then checked in the operations API:
    scripts/simulate.sh --orders 50 --shuffle 3 --duplicates 0.1 --verify

Press Ctrl+C to stop.
BANNER

# Stay in the foreground until Ctrl+C, or until a service dies.
wait -n "${pids[@]}" || true
say "a service stopped; see $logs"
exit 1
