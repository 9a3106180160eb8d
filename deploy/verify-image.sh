#!/usr/bin/env bash
# Builds the production image and checks it for real: the build context, a non-root user, no
# sandbox/, the pinned packages, check-config, no restart loop on a bad config, the health
# check, the database's mode, a read-only root filesystem and a clean `docker stop`; then the
# systemd unit under a real systemd (in a container) and deploy/docker-compose.yml under
# compose (secrets as files, held bad config, healthy, clean stop). Run from anywhere:
# bash deploy/verify-image.sh (or make verify-image). One line per check; exits non-zero at
# the first failure.
#
# Needs: a running Docker engine, root (for debootstrap), docker compose or docker-compose,
# the checkout's .venv (made if missing: the provider simulators and the Telegram fake run
# from it on the host).
#
# Docker Hub may be out of reach, so the Dockerfile's base (FROM python:3.11-slim) is made
# locally when the engine has no image of that name: a debootstrap of Debian bookworm with
# Python 3.11, the machine's CA bundle copied in (so pip reaches the package index through
# whatever the machine trusts), imported under the FROM name. An existing image of that name
# is used as it is. Everything runs on the host's network (`--network host`): the container
# reaches the fakes on 127.0.0.1 and no traffic crosses a Docker bridge.
#
# Settings (environment): IMAGE (default sms-bridge:verify), VERIFY_CACHE (where the
# debootstrap root is kept, default ~/.cache/sms-bridge-verify), CA_BUNDLE (default
# /etc/ssl/certs/ca-certificates.crt), DEBIAN_MIRROR (default: debootstrap's own).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
IMAGE=${IMAGE:-sms-bridge:verify}
BASE=$(awk '$1 == "FROM" { print $2; exit }' deploy/Dockerfile)
CACHE=${VERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sms-bridge-verify}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PY=$ROOT/.venv/bin/python
RUN_ID=verify-$$
WORK=$(mktemp -d)
TOKEN="1000001:verify-image-token-not-a-real-one"
CONTAINERS=()
VOLUMES=()
FAKES_PID=""

say() { printf '%s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

cleanup() {
    local c v
    for c in "${CONTAINERS[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
    for v in "${VOLUMES[@]}"; do docker volume rm -f "$v" >/dev/null 2>&1 || true; done
    if [ -n "$FAKES_PID" ]; then kill "$FAKES_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

docker info >/dev/null 2>&1 || fail "no Docker engine answers (docker info failed)"

# ------------------------------------------------------------------ the base image

if docker image inspect "$BASE" >/dev/null 2>&1; then
    say "base: $BASE exists on this engine; used as it is"
else
    [ "$(id -u)" -eq 0 ] || fail "making the local base needs root (debootstrap)"
    command -v debootstrap >/dev/null || fail "debootstrap is not installed"
    rootfs=$CACHE/bookworm-rootfs
    if [ ! -x "$rootfs/usr/bin/python3" ]; then
        say "base: debootstrap of Debian bookworm into $rootfs (a few minutes)"
        rm -rf "$rootfs"
        mkdir -p "$CACHE"
        # shellcheck disable=SC2086 # DEBIAN_MIRROR is one word or none
        debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
            bookworm "$rootfs" ${DEBIAN_MIRROR:-} >"$CACHE/debootstrap.log" 2>&1 ||
            fail "debootstrap failed; see $CACHE/debootstrap.log"
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    fi
    cp "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
    tar -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' - "$BASE" >/dev/null
    say "base: $BASE imported from the debootstrap root ($(docker run --rm --network none \
        "$BASE" python3 --version))"
fi

# ------------------------------------------------------------------ the image

build_args=()
for var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    if [ -n "${!var:-}" ]; then build_args+=(--build-arg "$var=${!var}"); fi
done
say "build: docker build -f deploy/Dockerfile -t $IMAGE . (log: $WORK/build.log)"
if ! docker build --network host "${build_args[@]}" -f deploy/Dockerfile -t "$IMAGE" . \
    >"$WORK/build.log" 2>&1; then
    tail -40 "$WORK/build.log" >&2
    fail "the image did not build"
fi
ok "the image builds ($(docker image inspect -f '{{.Size}}' "$IMAGE" |
    awk '{ printf "%.0f MB", $1 / 1e6 }'))"

# The build context as Docker sees it (.dockerignore applied).
mkdir -p "$WORK/probe"
printf 'FROM %s\nCOPY . /context\n' "$BASE" >"$WORK/probe/Dockerfile"
docker build -q -f "$WORK/probe/Dockerfile" -t "$RUN_ID-context" . >"$WORK/probe.log" 2>&1 ||
    fail "the context probe did not build: $(cat "$WORK/probe.log")"
context=$(docker run --rm --network none "$RUN_ID-context" \
    sh -c 'cd /context && find . -mindepth 1 | sort')
docker image rm "$RUN_ID-context" >/dev/null
for unwanted in ./.venv ./.git ./data ./deploy/sms-bridge.env ./config.toml ./sandbox; do
    if grep -qx -- "$unwanted" <<<"$context"; then fail "the build context holds $unwanted"; fi
done
if grep -q -- '\.sqlite3' <<<"$context"; then fail "the build context holds a database"; fi
ok "the build context has $(wc -l <<<"$context") entries: no .venv, .git, data, env file, config, sandbox"

user=$(docker image inspect -f '{{.Config.User}}' "$IMAGE")
uid=$(docker run --rm --network none "$IMAGE" id -u)
[ "$uid" != 0 ] || fail "the image runs as root"
ok "runs as user '$user' (uid $uid), not root"

if docker run --rm --network none "$IMAGE" python -c 'import sandbox' 2>/dev/null; then
    fail "sandbox is importable in the image"
fi
demo_status=0
demo_err=$(docker run --rm --network none "$IMAGE" sms-bridge demo 2>&1) || demo_status=$?
if [ "$demo_status" -ne 1 ] || [ "$(wc -l <<<"$demo_err")" -ne 1 ]; then
    fail "sms-bridge demo in the image: exit $demo_status, said: $demo_err"
fi
ok "no sandbox/ in the image; sms-bridge demo says: $demo_err"

frozen=$(docker run --rm --network none "$IMAGE" python -c 'from importlib.metadata import \
distributions as d; print("\n".join(f"{x.name}=={x.version}" for x in d()))' |
    grep -v '^sms-bridge==' | tr 'A-Z_' 'a-z-' | sort)
locked=$(grep -E '^[A-Za-z0-9_.-]+==' deploy/requirements.lock | sed 's/ .*//' |
    tr 'A-Z_' 'a-z-' | sort)
[ "$frozen" = "$locked" ] || fail "installed packages differ from deploy/requirements.lock:
$(diff <(echo "$locked") <(echo "$frozen") || true)"
ok "the image holds the bridge and exactly the $(wc -l <<<"$locked") packages pinned in deploy/requirements.lock (no pip, no setuptools)"

health_test=$(docker image inspect -f '{{json .Config.Healthcheck.Test}}' "$IMAGE")
ok "HEALTHCHECK: $health_test"

# ------------------------------------------------------------------ a world to run against

[ -x "$PY" ] || make .venv/.installed >/dev/null
"$PY" - "$WORK/ports" "$TOKEN" >"$WORK/fakes.log" 2>&1 <<'PY' &
import asyncio, sys
from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import TelegramFake

async def main(ports_file: str, token: str) -> None:
    fake = TelegramFake(token)
    fake.add_user(111111111, "Admin")
    fake.add_group(-1001234567890, "SMS admins")
    async with RunningServer(ProviderSandbox().build_app()) as providers, RunningServer(
        fake.build_app()
    ) as telegram:
        with open(ports_file, "w") as out:
            out.write(f"{providers.url} {telegram.url}\n")
        await asyncio.Event().wait()

asyncio.run(main(*sys.argv[1:]))
PY
FAKES_PID=$!
for _ in $(seq 100); do [ -s "$WORK/ports" ] && break; sleep 0.1; done
[ -s "$WORK/ports" ] || fail "the fakes did not start: $(cat "$WORK/fakes.log")"
read -r SANDBOX_URL TELEGRAM_URL <"$WORK/ports"
say "fakes: provider simulators at $SANDBOX_URL, Telegram fake at $TELEGRAM_URL"

cat >"$WORK/config.toml" <<EOF
[telegram]
token = "env:TELEGRAM_BOT_TOKEN"
api_url = "$TELEGRAM_URL"
admins = [111111111]
admin_chat_id = -1001234567890

[[accounts]]
name = "raygan"
provider = "raygansms"
base_url = "$SANDBOX_URL/raygansms/api/smsAPI"
username = "demo"
password = "env:RAYGAN_PASSWORD"
lines = ["50002910001080"]
default = true

[[accounts]]
name = "meli"
provider = "payamak"
base_url = "$SANDBOX_URL/payamak/api/SendSMS"
username = "demo"
password = "env:PAYAMAK_PASSWORD"
lines = ["10002188"]

[polling]
inbox = 2
delivery = 2
credit = 3600
EOF
printf 'TELEGRAM_BOT_TOKEN=%s\nRAYGAN_PASSWORD=demo\nPAYAMAK_PASSWORD=demo\n' "$TOKEN" \
    >"$WORK/bridge.env"
sed 's/^admins = .*/admins = ["me"]/' "$WORK/config.toml" >"$WORK/bad.toml"
chmod 0644 "$WORK/config.toml" "$WORK/bad.toml" "$WORK/bridge.env"

# What compose sets (deploy/docker-compose.yml), and a short health interval for this check.
run_opts() {
    printf '%s\n' --network host --read-only --tmpfs /tmp --cap-drop ALL \
        --security-opt no-new-privileges:true --env-file "$WORK/bridge.env" \
        -v "$1:/config/config.toml:ro" -v "$2:/var/lib/sms-bridge/data"
}
# Sets $data to a new named volume (not in a subshell: cleanup must know of it).
new_volume() {
    data=$RUN_ID-$1
    docker volume create "$data" >/dev/null
    VOLUMES+=("$data")
}
state() { docker inspect -f "$2" "$1"; }

# ------------------------------------------------------------------ check-config

new_volume check
mapfile -t opts < <(run_opts "$WORK/config.toml" "$data")
out=$(docker run --rm "${opts[@]}" "$IMAGE" sms-bridge check-config --config /config/config.toml) ||
    fail "check-config in the image: $out"
ok "check-config in the image: $(head -1 <<<"$out")"

mapfile -t opts < <(run_opts "$WORK/bad.toml" "$data")
status=0
out=$(docker run --rm "${opts[@]}" "$IMAGE" sms-bridge check-config --config /config/config.toml \
    2>&1) || status=$?
[ "$status" -eq 2 ] || fail "check-config of a bad config: exit $status ($out)"
ok "check-config of a bad config exits 2: $out"

# ------------------------------------------------------------------ no restart loop

name=$RUN_ID-bad
CONTAINERS+=("$name")
docker run -d --name "$name" --restart unless-stopped "${opts[@]}" "$IMAGE" >/dev/null
sleep 8
[ "$(state "$name" '{{.State.Running}}')" = true ] || fail "the held container is not running"
restarts=$(state "$name" '{{.RestartCount}}')
[ "$restarts" -eq 0 ] || fail "a bad config was restarted $restarts times"
logs=$(docker logs "$name" 2>&1)
grep -q 'not restarting' <<<"$logs" || fail "no 'not restarting' line in: $logs"
started=$(date +%s.%N)
docker stop -t 20 "$name" >/dev/null
took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
[ "$(state "$name" '{{.State.ExitCode}}')" -eq 2 ] || fail "held container did not exit 2"
ok "run with a bad config under --restart unless-stopped: 0 restarts in 8 s, $(wc -l <<<"$logs") log lines, stopped in ${took}s with exit 2"
say "   $(tr '\n' '|' <<<"$logs" | sed 's/|$//; s/|/ | /g')"

# ------------------------------------------------------------------ the running bridge

new_volume run
mapfile -t opts < <(run_opts "$WORK/config.toml" "$data")
name=$RUN_ID-run
CONTAINERS+=("$name")
docker run -d --name "$name" --restart unless-stopped --stop-timeout 30 \
    --health-interval 3s --health-start-period 30s "${opts[@]}" "$IMAGE" >/dev/null
for _ in $(seq 60); do
    health=$(state "$name" '{{.State.Health.Status}}')
    [ "$health" = healthy ] && break
    [ "$(state "$name" '{{.State.Running}}')" = true ] || break
    sleep 1
done
[ "$health" = healthy ] || fail "the container is $health: $(docker logs "$name" 2>&1 | tail -20)"
ok "HEALTHCHECK reports healthy: $(state "$name" '{{range .State.Health.Log}}{{.Output}}{{end}}' |
    grep . | tail -1)"

out=$(docker exec "$name" sms-bridge health --config /config/config.toml) ||
    fail "sms-bridge health: $out"
ok "sms-bridge health in the running container: $out"

mode=$(docker exec "$name" stat -c '%a %U' data/sms-bridge.sqlite3)
[ "${mode%% *}" = 600 ] || fail "the database is $mode"
ok "the database is created $mode, by the container's user"

if err=$(docker exec "$name" sh -c 'touch /opt/sms-bridge/probe' 2>&1); then
    fail "the root filesystem is writable"
fi
ok "the root filesystem is read-only: $err"

started=$(date +%s.%N)
docker stop -t 30 "$name" >/dev/null
took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
code=$(state "$name" '{{.State.ExitCode}}')
logs=$(docker logs "$name" 2>&1)
[ "$code" -eq 0 ] || fail "docker stop: exit $code (137 is a SIGKILL after the grace period)"
! grep -q Traceback <<<"$logs" || fail "a traceback in the logs: $logs"
ok "docker stop: exit 0 in ${took}s (grace 30 s), no traceback; last log line: $(tail -1 <<<"$logs")"

# ------------------------------------------------------------------ systemd

# The unit under a real systemd (PID 1 of a container made from the image plus systemd), the
# bridge at the image's path: a bad config must fail the unit once, not restart it.
mkdir -p "$WORK/systemd/etc"
printf 'FROM %s\nUSER root\nRUN apt-get update && apt-get install -y --no-install-recommends systemd \\\n    && rm -rf /var/lib/apt/lists/*\nENTRYPOINT []\nCMD ["/lib/systemd/systemd"]\n' \
    "$IMAGE" >"$WORK/systemd/Dockerfile"
docker build --network host -t "$RUN_ID-systemd" "$WORK/systemd" >"$WORK/systemd.log" 2>&1 ||
    fail "the systemd image did not build: $(tail -5 "$WORK/systemd.log")"
sed 's|/opt/sms-bridge/.venv/bin/|/opt/sms-bridge/bin/|g' deploy/sms-bridge.service \
    >"$WORK/systemd/sms-bridge.service"
cp "$WORK/config.toml" "$WORK/systemd/etc/config.toml"
cp "$WORK/bridge.env" "$WORK/systemd/etc/sms-bridge.env"
name=$RUN_ID-systemd
CONTAINERS+=("$name")
# systemd as PID 1 needs most capabilities and the host's cgroups; all but CAP_SYS_RESOURCE,
# which an unprivileged-enough host may not grant itself.
docker run -d --name "$name" --network host --env container=docker \
    --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --cgroupns=host \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /run/lock \
    -v "$WORK/systemd/etc:/etc/sms-bridge:ro" \
    -v "$WORK/systemd/sms-bridge.service:/etc/systemd/system/sms-bridge.service:ro" \
    "$RUN_ID-systemd" >/dev/null ||
    fail "systemd could not be started in a container"
for _ in $(seq 30); do
    case $(docker exec "$name" systemctl is-system-running 2>/dev/null || true) in
    running | degraded) break ;;
    esac
    sleep 1
done
unit_state() { docker exec "$name" systemctl show -p "$1" --value sms-bridge.service; }

docker exec "$name" systemctl start sms-bridge.service
for _ in $(seq 60); do
    docker exec -u sms-bridge -w /var/lib/sms-bridge --env-file "$WORK/bridge.env" "$name" \
        /opt/sms-bridge/bin/sms-bridge health --config /etc/sms-bridge/config.toml \
        >"$WORK/systemd-health" 2>&1 && break
    sleep 1
done
[ "$(unit_state ActiveState)" = active ] || fail "the unit is $(unit_state ActiveState)"
grep -q '^healthy' "$WORK/systemd-health" || fail "under systemd: $(cat "$WORK/systemd-health")"
docker exec "$name" systemctl stop sms-bridge.service
[ "$(unit_state Result)" = success ] || fail "systemctl stop: result $(unit_state Result)"
ok "systemd: the unit runs the bridge ($(cat "$WORK/systemd-health")) and stops with result success"

sed -i 's/^admins = .*/admins = ["me"]/' "$WORK/systemd/etc/config.toml"
docker exec "$name" systemctl reset-failed sms-bridge.service 2>/dev/null || true
docker exec "$name" systemctl start sms-bridge.service 2>/dev/null || true
sleep 25  # RestartSec=10: a restart loop would have restarted twice by now
restarts=$(unit_state NRestarts)
[ "$restarts" = 0 ] || fail "systemd restarted a bad config $restarts times"
if [ "$(unit_state ActiveState)" != failed ] || [ "$(unit_state ExecMainStatus)" != 2 ]; then
    fail "the unit is $(unit_state ActiveState) with status $(unit_state ExecMainStatus)"
fi
ok "systemd: a bad config leaves the unit failed with status 2 and 0 restarts in 25 s"
docker rm -f -v "$name" >/dev/null
docker image rm "$RUN_ID-systemd" >/dev/null

# ------------------------------------------------------------------ compose

compose=()
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null; then
    compose=(docker-compose)
fi
[ "${#compose[@]}" -gt 0 ] || fail "neither 'docker compose' nor 'docker-compose' is installed"

# deploy/ set up as its header says: the config with secrets as files, the secret files owned
# by the container's user, the environment file; then pointed at the fakes. The override only
# swaps in the image built above, the host's network and a short health interval.
cp -r deploy "$WORK/compose"
cd "$WORK/compose"
sed -e 's|"env:TELEGRAM_BOT_TOKEN"|"file:/run/secrets/telegram_token"|' \
    -e 's|"env:RAYGAN_PASSWORD"|"file:/run/secrets/raygan_password"|' \
    -e 's|"env:PAYAMAK_PASSWORD"|"file:/run/secrets/payamak_password"|' \
    -e "s|^api_url = .*|api_url = \"$TELEGRAM_URL\"|" \
    -e "s|^base_url = \"https://raygansms[^\"]*\"|base_url = \"$SANDBOX_URL/raygansms/api/smsAPI\"|" \
    -e "s|^base_url = \"https://rest.payamak[^\"]*\"|base_url = \"$SANDBOX_URL/payamak/api/SendSMS\"|" \
    config.example.toml >config.good.toml
sed 's/^admins = .*/admins = ["me"]/' config.good.toml >config.bad.toml
chmod 0644 config.good.toml config.bad.toml
mkdir -m 700 secrets
printf %s "$TOKEN" >secrets/telegram_token
printf demo >secrets/raygan_password
printf demo >secrets/payamak_password
chown 10001:10001 secrets/*
chmod 0400 secrets/*
printf 'RAYGAN_USER=demo\nPAYAMAK_USER=demo\n' >sms-bridge.env
printf 'services:\n  sms-bridge:\n    image: %s\n    network_mode: host\n    healthcheck:\n      interval: 3s\n      start_period: 30s\n' \
    "$IMAGE" >docker-compose.verify.yml
dc=("${compose[@]}" -p "$RUN_ID" -f docker-compose.yml -f docker-compose.verify.yml)
compose_down() { "${dc[@]}" down -v >/dev/null 2>&1 || true; }
trap 'compose_down; cleanup' EXIT
"${dc[@]}" config -q || fail "${compose[*]} config refuses deploy/docker-compose.yml"
ok "${compose[*]} config accepts deploy/docker-compose.yml"

cp config.bad.toml config.toml
"${dc[@]}" up -d --no-build >"$WORK/compose.log" 2>&1 || fail "compose up: $(cat "$WORK/compose.log")"
cid=$("${dc[@]}" ps -q sms-bridge)
sleep 8
running=$(state "$cid" '{{.State.Running}}')
restarts=$(state "$cid" '{{.RestartCount}}')
if [ "$running" != true ] || [ "$restarts" -ne 0 ]; then
    fail "compose, bad config: running=$running, $restarts restarts"
fi
ok "compose up with a bad config: held, 0 restarts in 8 s: $(docker logs "$cid" 2>&1 | tail -1)"
compose_down

cp config.good.toml config.toml
"${dc[@]}" up -d --no-build >"$WORK/compose.log" 2>&1 || fail "compose up: $(cat "$WORK/compose.log")"
cid=$("${dc[@]}" ps -q sms-bridge)
for _ in $(seq 60); do
    health=$(state "$cid" '{{.State.Health.Status}}')
    [ "$health" = healthy ] && break
    sleep 1
done
[ "$health" = healthy ] ||
    fail "compose with secrets as files: $health; the bridge said: $(docker logs "$cid" 2>&1 | tail -5)"
log_config=$(state "$cid" '{{.HostConfig.LogConfig.Type}} {{json .HostConfig.LogConfig.Config}}')
ok "compose up with secrets as files: healthy; logs: $log_config"
"${dc[@]}" stop >/dev/null 2>&1
code=$(state "$cid" '{{.State.ExitCode}}')
[ "$code" -eq 0 ] || fail "compose stop: exit $code"
ok "compose stop: exit 0"
compose_down
cd "$ROOT"

say "all checks passed"
