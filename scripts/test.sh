#!/usr/bin/env bash
# Every test, against a real RabbitMQ and PostgreSQL: the local stack (scripts/stack.sh), which this command starts
# when it is not running, or, with KCI_TEST_INFRASTRUCTURE=testcontainers and a Docker engine, containers from
# Testcontainers (docs/docker.md). A Docker engine alone does not switch paths: the local one is the default.
# Extra arguments go to `dotnet test` (for example --filter "FullyQualifiedName~Sequencer").
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
configuration=${KCI_CONFIGURATION:-Release}
results=$repo/TestResults

if [ "${KCI_TEST_INFRASTRUCTURE:-local}" = testcontainers ]; then
  docker info >/dev/null 2>&1 || { echo "[test] KCI_TEST_INFRASTRUCTURE=testcontainers needs a Docker engine (scripts/docker.sh engine)" >&2; exit 1; }
  echo "[test] servers come from Testcontainers"
  export KCI_TEST_INFRASTRUCTURE=testcontainers
  scripts/stack.sh tools # Debian's prometheus and promtool (metrics, alert rules) and chromium (the console)
else
  echo "[test] servers from the local stack"
  export KCI_TEST_INFRASTRUCTURE=local
  scripts/stack.sh up
fi

# Redocly CLI for the OpenAPI lint test (npm registry; the lock file pins it). Telemetry stays off where it runs.
if [ ! -x tools/openapi-lint/node_modules/.bin/redocly ]; then
  command -v npm >/dev/null || { echo "[test] npm is needed for the OpenAPI lint test (Debian: apt-get install npm)" >&2; exit 1; }
  npm ci --prefix tools/openapi-lint --no-audit --no-fund --loglevel=error >/dev/null
fi

dotnet build Kci.sln -c "$configuration" -nologo -clp:NoSummary -v quiet
rm -rf "$results"
status=0
dotnet test Kci.sln -c "$configuration" --no-build --results-directory "$results" \
  --logger "trx" --logger "console;verbosity=normal" "$@" || status=$?

# One closing line for every test project together: "N passed, N failed, N skipped".
python3 - "$results" <<'PY' || true
import glob, re, sys
totals = {"passed": 0, "failed": 0, "skipped": 0}
for path in glob.glob(sys.argv[1] + "/*.trx"):
    text = open(path, encoding="utf-8").read()
    m = re.search(r'<Counters total="(\d+)" executed="(\d+)" passed="(\d+)" failed="(\d+)"', text)
    if m:
        total, executed, passed, failed = map(int, m.groups())
        totals["passed"] += passed
        totals["failed"] += failed
        totals["skipped"] += total - executed
print(f"tests: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
PY
exit $status
