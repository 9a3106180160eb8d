#!/bin/sh
# The image's entry point: runs the given command (by default `sms-bridge run ...`).
#
# - umask 077: whatever the bridge writes (the database and its -wal/-shm files) is private.
# - No restart loop on a bad config. Docker's restart policies cannot tell exit codes apart:
#   `unless-stopped` restarts a bridge that exited 2 (a config problem, which no restart fixes)
#   forever. So when `sms-bridge run` exits 2, this script says so once and then holds, without
#   exiting, until `docker stop`; the health check shows the container unhealthy meanwhile.
#   Any other exit (a crash, Telegram unreachable at start: exit 1) is passed on, and the
#   restart policy restarts the container with Docker's growing pause.
# - Signals: as PID 1 the shell gets no default handling, so docker stop's SIGTERM (and Ctrl+C)
#   is passed on to the bridge, which shuts down cleanly.
set -u
umask 077

if [ "${1:-}" != sms-bridge ] || [ "${2:-}" != run ]; then
    exec "$@"  # check-config, health, a shell: as they are, their exit status untouched
fi

# The trap is set before the bridge starts: a SIGTERM that came between the two would kill
# this shell and leave the bridge running, orphaned.
child=""
stopping=0
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
"$@" &
child=$!
[ "$stopping" -eq 1 ] && kill -TERM "$child" 2>/dev/null
status=0
wait "$child" || status=$?
# A trapped signal ends `wait` early (status > 128) while the bridge is still shutting down.
while kill -0 "$child" 2>/dev/null; do
    status=0
    wait "$child" || status=$?
done
trap - TERM INT

if [ "$status" -eq 2 ]; then
    echo "sms-bridge: not restarting: the config above has a problem (exit 2). Fix it, then: docker compose restart sms-bridge" >&2
    sleeper=""
    trap 'kill "$sleeper" 2>/dev/null; exit 2' TERM INT
    while :; do
        sleep 3600 &
        sleeper=$!
        wait "$sleeper" || true
    done
fi
exit "$status"
