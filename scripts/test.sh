#!/usr/bin/env bash
# Every test, against a real RabbitMQ and PostgreSQL: the local stack (scripts/stack.sh), which this command starts
# when it is not running, or, with KCI_TEST_INFRASTRUCTURE=testcontainers, containers from Testcontainers on a Docker
# engine, which scripts/docker.sh provides (docs/docker.md). A Docker engine alone does not switch paths: the local
# one is the default.
# Extra arguments go to `dotnet test` (for example --filter "FullyQualifiedName~Sequencer").
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
configuration=${KCI_CONFIGURATION:-Release}
results=$repo/TestResults

if [ "${KCI_TEST_INFRASTRUCTURE:-local}" = testcontainers ]; then
  echo "[test] servers come from Testcontainers"
  export KCI_TEST_INFRASTRUCTURE=testcontainers
  scripts/docker.sh images # a Docker engine (started if the machine allows), and the images, or their stand-ins
  scripts/stack.sh tools # Debian's prometheus and promtool (metrics, alert rules) and chromium (the console)
  # Every container of this run carries its label, and is removed when the run ends however it ends. That is Ryuk's
  # job, and Ryuk's image cannot be pulled where no registry answers, so it stays off unless asked for.
  export KCI_TEST_RUN=${KCI_TEST_RUN:-kci-test-$$-$(date +%s)}
  export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
  remove_run() { # the containers of one run
    local left
    left=$(docker ps -aq --filter "label=kci.test-run=$1" 2>/dev/null) || return 0
    [ -z "$left" ] || docker rm -f -v $left >/dev/null 2>&1 || true
  }
  # What an earlier run left when it was killed outright (SIGKILL): its process is gone.
  for run in $(docker ps -a --filter label=kci.test-run --format '{{.Label "kci.test-run"}}' 2>/dev/null | sort -u); do
    case $run in
      kci-test-*) pid=${run#kci-test-}; pid=${pid%%-*}; kill -0 "$pid" 2>/dev/null || remove_run "$run" ;;
    esac
  done
  # The run removes its containers itself; this removes what it left, on any exit, Ctrl+C and SIGTERM included.
  trap 'remove_run "$KCI_TEST_RUN"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Testcontainers speaks Docker's API 1.44 unless told otherwise; Debian bookworm's engine (20.10) speaks up to 1.41.
  # Like the docker CLI, use the engine's version when it is older.
  api=$(docker version --format '{{.Server.APIVersion}}')
  if [ -z "${DOCKER_API_VERSION:-}" ] && [ "$(printf '%s\n1.44\n' "$api" | sort -V | head -1)" != 1.44 ]; then
    export DOCKER_API_VERSION=$api
    echo "[test] the engine speaks Docker API $api: DOCKER_API_VERSION=$api"
  fi
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
