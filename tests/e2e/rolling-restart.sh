#!/usr/bin/env bash
# RESTART_CMD for scripts/rolling-release.sh in tests/e2e/rolling-release.spec.ts: restarts one test
# node the way `systemctl restart mynumber@PORT` does — SIGTERM, wait until the process has exited
# (it drains first, R-O08), start the same port again with the environment it is given (a new
# RELEASE). Usage: rolling-restart.sh NAME@PORT; the pid is kept in $ARTIFACTS/node-NAME.pid.
set -euo pipefail
unit=$1; name=${unit%@*}; port=${unit#*@}
dir=${ARTIFACTS:-tests/.artifacts}
pid=$(cat "$dir/node-$name.pid")
kill -TERM "$pid"
# An exited child not yet reaped is a zombie: it counts as gone.
while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.1; done
PORT=$port HOST=127.0.0.1 node_modules/.bin/node server/index.ts >>"$dir/node-$name.log" 2>&1 </dev/null &
echo $! >"$dir/node-$name.pid"
