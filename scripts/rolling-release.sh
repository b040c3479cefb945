#!/usr/bin/env bash
# Rolling release (R-O08): restart app nodes one at a time, each only after the previous one is
# ready again, so the service never stops. Usage:
#   scripts/rolling-release.sh http://10.0.0.11:3000=mynumber@3000 http://10.0.0.12:3000=mynumber@3000
# Each argument is a node's address and the command that restarts it (a systemd unit name here;
# set RESTART_CMD to override, e.g. RESTART_CMD='ssh {host} sudo systemctl restart {unit}').
# Before it: install the new release next to the old one and switch /opt/mynumber/current; the
# first node to start runs the database migrations under an advisory lock (they are additive, so
# the old release keeps working against the new schema while the other nodes restart).
#
# What a restart does to a node (server/index.ts): on SIGTERM its /readyz answers 503 "draining" at
# once while it keeps serving for SHUTDOWN_DRAIN_MS (5 s), so the balancer's health check takes it
# out of rotation; then it refuses new connections, closes its sockets (clients reconnect to the
# other nodes), finishes in-flight requests and jobs, and exits. The restart command must wait for
# that (systemctl restart does; TimeoutStopSec must exceed SHUTDOWN_DRAIN_MS + SHUTDOWN_TIMEOUT_MS).
#
# Environment: RESTART_CMD (above); READY_TIMEOUT (120 s) for a restarted node to answer
# /readyz "ok"; SETTLE_SECONDS (5) to wait after that before the next node drains, so the balancer
# has counted the node back in (at least its health-check interval, or nginx's fail_timeout).
set -euo pipefail
RESTART_CMD=${RESTART_CMD:-'sudo systemctl restart {unit}'}
READY_TIMEOUT=${READY_TIMEOUT:-120}
SETTLE_SECONDS=${SETTLE_SECONDS:-5}
urls=(); for spec in "$@"; do urls+=("${spec%%=*}"); done
ready() { curl -fsS --max-time 5 "$1/readyz" 2>/dev/null | grep -q '"status":"ok"'; }
n=0
for spec in "$@"; do
  n=$((n + 1))
  url=${spec%%=*}; unit=${spec#*=}; host=$(echo "$url" | sed -E 's#^https?://([^:/]+).*#\1#')
  # Never take the last ready node down: another one must be serving before this one drains.
  if (( ${#urls[@]} > 1 )); then
    others=0; for u in "${urls[@]}"; do [[ $u != "$url" ]] && ready "$u" && others=$((others + 1)); done
    if (( others == 0 )); then echo "!! no other node is ready: not restarting $url" >&2; exit 1; fi
  fi
  echo "== restarting $unit on $host"
  cmd=${RESTART_CMD//\{unit\}/$unit}; cmd=${cmd//\{host\}/$host}
  bash -c "$cmd"
  # A node still draining answers 503 "draining", so it cannot be taken for the restarted one.
  deadline=$((SECONDS + READY_TIMEOUT))
  until ready "$url"; do
    if (( SECONDS > deadline )); then echo "!! $url not ready after ${READY_TIMEOUT}s: stopping the release here" >&2; exit 1; fi
    sleep 0.5
  done
  echo "   $url ready"
  if (( n < $# )); then sleep "$SETTLE_SECONDS"; fi
done
echo "release done"
