#!/usr/bin/env bash
# The Docker path (docs/docker.md):
#   scripts/docker.sh engine   make sure a Docker engine answers: where none runs and the machine allows it, install
#                              Debian's docker.io and start dockerd (vfs storage); where one runs, do nothing
#   scripts/docker.sh images   make sure the images the compose file and the tests name are there: pulled where a
#                              registry answers, otherwise stand-ins built here from Debian packages and the local SDK
#   scripts/docker.sh test     engine, images, then `docker compose up --build`, the gateway simulator's --verify
#                              against it, and `down`, checking that nothing is left behind
#   scripts/docker.sh down     stop the compose stack, and the engine if this script started it
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
state=${KCI_STACK_DIR:-$repo/.stack}/docker
mkdir -p "$state"
project=kci

say() { printf '[docker] %s\n' "$*"; }
die() { printf '[docker] %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The images by the names the compose file, the Dockerfile and the tests use.
RABBITMQ_IMAGE=rabbitmq:3.13-management
POSTGRES_IMAGE=postgres:15
SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
BASE_IMAGE=kci-local/debian:bookworm

compose() {
  if docker compose version >/dev/null 2>&1; then docker compose -p "$project" "$@"
  else docker-compose -p "$project" "$@"; fi
}

ensure_compose() {
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null && return
  say "installing Debian's docker-compose"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
    || die "installing docker-compose failed"
}

engine() {
  ensure_compose
  if docker info >/dev/null 2>&1; then say "a Docker engine answers"; return; fi
  if ! command -v dockerd >/dev/null; then
    say "installing Debian's docker.io and docker-compose"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io docker-compose iptables >/dev/null \
      || die "installing docker.io failed"
  fi
  # Debian's package may have started its own service; if it answers now, it is the machine's, not ours.
  if docker info >/dev/null 2>&1; then say "the machine's Docker engine answers"; return; fi
  say "starting dockerd (storage driver vfs: no overlay filesystem is needed)"
  as_root sh -c "nohup dockerd --storage-driver=vfs >'$state/dockerd.log' 2>&1 & echo \$! >'$state/dockerd.pid'"
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && { say "dockerd answers (pid $(cat "$state/dockerd.pid"))"; return; }
    sleep 1
  done
  die "dockerd did not answer within 60 s: see $state/dockerd.log"
}

have() { docker image inspect "$1" >/dev/null 2>&1; }

# A stand-in carries the hash of its recipe (and, for .NET, of this machine's SDK version) as a label, so a changed
# recipe is rebuilt. An image pulled from a registry (it has a digest) is kept as it is; one built here without the
# label is a stand-in from before the label, and is rebuilt.
recipe() { # kind
  { cat "docker/stand-ins/$1"/*; if [ "$1" = dotnet ]; then dotnet --version; fi; } | sha256sum | cut -c1-16
}
current() { # image, kind
  local label digests
  read -r digests label < <(docker image inspect -f '{{len .RepoDigests}} {{index .Config.Labels "kci.stand-in"}}' "$1" 2>/dev/null) \
    || return 1 # not there
  if [ -n "$label" ]; then [ "$label" = "$(recipe "$2")" ]; else [ "$digests" != 0 ]; fi
}
kind_of() {
  case $1 in
    "$RABBITMQ_IMAGE") echo rabbitmq ;;
    "$POSTGRES_IMAGE") echo postgres ;;
    *) echo dotnet ;;
  esac
}

# A registry that answers gives the official image unchanged. The first pull that fails within 45 s says none answers,
# and the rest are not tried.
registry=unknown
pull() {
  [ "$registry" = none ] && return 1
  if timeout 45 docker pull -q "$1" >/dev/null 2>&1; then registry=yes; return 0; fi
  [ "$registry" = yes ] || registry=none
  return 1
}

base_image() {
  have "$BASE_IMAGE" && return
  command -v debootstrap >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  local root=$state/rootfs mirror
  mirror=$({ grep -rhoE 'https?://[^ ]+/debian/?$|https?://[^ ]+/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true; } \
    | grep -v security | head -1 | tr -d ' ')
  mirror=${mirror:-http://deb.debian.org/debian}
  say "making $BASE_IMAGE with debootstrap from $mirror"
  as_root rm -rf "$root"
  as_root debootstrap --variant=minbase bookworm "$root" "$mirror" >"$state/debootstrap.log" 2>&1 \
    || die "debootstrap failed: see $state/debootstrap.log"
  as_root tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  as_root rm -rf "$root"
}

stand_in() { # image name, build context (its Dockerfile: docker/stand-ins/<kind>/Dockerfile)
  local name=$1 context=$2 kind=$3
  say "building a stand-in for $name (docker/stand-ins/$kind)"
  docker build -q -t "$name" --label "kci.stand-in=$(recipe "$kind")" --build-arg BASE="$BASE_IMAGE" --build-arg NUGET_CERT_REVOCATION_MODE="${NUGET_CERT_REVOCATION_MODE:-online}" \
    -f "docker/stand-ins/$kind/Dockerfile" "$context" >/dev/null || die "building the stand-in for $name failed"
}

# This machine's .NET for the dotnet stand-ins: the SDK whole, or the host and shared runtimes alone.
dotnet_context() {
  local what=$1 root context=$state/dotnet-$1
  root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  rm -rf "$context" && mkdir -p "$context/dotnet"
  if [ "$what" = sdk ]; then cp -a "$root/." "$context/dotnet/"
  else cp -a "$root/dotnet" "$root/host" "$root/shared" "$context/dotnet/"; fi
  # The certificate authorities this machine adds to Debian's (a proxy's, say): a restore in the image reaches NuGet
  # the way this machine does.
  mkdir -p "$context/ca"
  cp /usr/local/share/ca-certificates/*.crt "$context/ca/" 2>/dev/null || true
  echo "$context"
}

images() {
  local missing=() context
  for image in "$RABBITMQ_IMAGE" "$POSTGRES_IMAGE" "$SDK_IMAGE" "$ASPNET_IMAGE"; do
    current "$image" "$(kind_of "$image")" || pull "$image" || missing+=("$image")
  done
  [ ${#missing[@]} -eq 0 ] && { say "images present"; return; }
  say "no registry gave: ${missing[*]}"
  base_image
  for image in "${missing[@]}"; do
    case $image in
      "$RABBITMQ_IMAGE") stand_in "$image" docker/stand-ins/rabbitmq rabbitmq ;;
      "$POSTGRES_IMAGE") stand_in "$image" docker/stand-ins/postgres postgres ;;
      "$SDK_IMAGE") context=$(dotnet_context sdk); stand_in "$image" "$context" dotnet; rm -rf "$context" ;;
      "$ASPNET_IMAGE") context=$(dotnet_context runtime); stand_in "$image" "$context" dotnet; rm -rf "$context" ;;
    esac
  done
}

wait_healthy() {
  local deadline=$((SECONDS + 300)) unhealthy
  while [ $SECONDS -lt $deadline ]; do
    unhealthy=$(compose ps -q | xargs -r docker inspect -f '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' | grep -v ' healthy$' || true)
    [ -z "$unhealthy" ] && return 0
    sleep 3
  done
  say "not healthy after 300 s:"; echo "$unhealthy"; compose logs --tail 50; return 1
}

leftovers() {
  { docker ps -aq --filter "label=com.docker.compose.project=$project"
    docker network ls -q --filter "label=com.docker.compose.project=$project"
    docker volume ls -q --filter "label=com.docker.compose.project=$project"; } | wc -l
}

test_compose() {
  engine
  images
  say "docker compose up --build"
  compose up --build -d
  trap 'compose down -v --remove-orphans >/dev/null 2>&1 || true' EXIT
  wait_healthy || die "the stack did not become healthy"
  say "the gateway simulator against it, with --verify"
  scripts/simulate.sh --url http://localhost:5080/ --ops-url http://localhost:5090/ --gateway-listen none --orders 100 --shuffle 3 --duplicates 0.1 --verify
  say "docker compose down"
  compose down -v --remove-orphans
  trap - EXIT
  local left
  left=$(leftovers)
  [ "$left" = 0 ] || die "$left containers, networks or volumes of the project are left"
  say "down left nothing behind"
}

down() {
  docker info >/dev/null 2>&1 && compose down -v --remove-orphans || true
  if [ -f "$state/dockerd.pid" ]; then
    say "stopping the dockerd this script started"
    as_root kill "$(cat "$state/dockerd.pid")" 2>/dev/null || true
    rm -f "$state/dockerd.pid"
  fi
}

case ${1:-} in
  engine) engine ;;
  images) engine; images ;;
  test) test_compose ;;
  down) down ;;
  *) echo "usage: $0 engine|images|test|down" >&2; exit 2 ;;
esac
