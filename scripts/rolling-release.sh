#!/usr/bin/env bash
# Rolling release (R-O08): restart app nodes one at a time, each only after the previous one is
# ready again, so the service never stops. Usage:
#   scripts/rolling-release.sh http://10.0.0.11:3000=mynumber@3000 http://10.0.0.12:3000=mynumber@3000
# Each argument is a node's address and the command that restarts it (a systemd unit name here;
# set RESTART_CMD to override, e.g. RESTART_CMD='ssh {host} sudo systemctl restart {unit}').
# Before it: install the new release next to the old one and switch /opt/mynumber/current; the
# first node to start runs the database migrations under an advisory lock (they are additive, so
# the old release keeps working against the new schema while the other nodes restart).
set -euo pipefail
RESTART_CMD=${RESTART_CMD:-'sudo systemctl restart {unit}'}
READY_TIMEOUT=${READY_TIMEOUT:-120}
for spec in "$@"; do
  url=${spec%%=*}; unit=${spec#*=}; host=$(echo "$url" | sed -E 's#^https?://([^:/]+).*#\1#')
  echo "== restarting $unit on $host"
  cmd=${RESTART_CMD//\{unit\}/$unit}; cmd=${cmd//\{host\}/$host}
  bash -c "$cmd"
  sleep 2
  deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS "$url/readyz" | grep -q '"status":"ok"'; do
    if (( SECONDS > deadline )); then echo "!! $url not ready after ${READY_TIMEOUT}s: stopping the release here" >&2; exit 1; fi
    sleep 1
  done
  echo "   $url ready"
done
echo "release done"
