#!/usr/bin/env bash
# The gateway simulator against the running stack (scripts/run.sh): realistic KCI journeys sent as the Fibre Cafe
# sends them, then, with --verify, checked in the operations API. Every option: scripts/simulate.sh --help
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dll=$repo/tools/Kci.GatewaySimulator/bin/Release/net10.0/Kci.GatewaySimulator.dll
if [ ! -f "$dll" ]; then
  dotnet build "$repo/tools/Kci.GatewaySimulator" -c Release -v quiet -nologo -clp:NoSummary >/dev/null
fi
exec dotnet "$dll" "$@"
