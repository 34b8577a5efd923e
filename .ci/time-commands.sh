#!/usr/bin/env bash
# Times the README's two commands in a clone: `make serve` until it prints the first-administrator
# link (then stops the server), then `make test`. Prints one line per command and keeps the logs.
# Usage: .ci/time-commands.sh CLONE LOGDIR   (CARGO_TARGET_DIR etc. from the environment)
# For the cold figures see the README ("How long the two commands take").
set -euo pipefail
clone=$(cd "$1" && pwd)
logs=$(mkdir -p "$2" && cd "$2" && pwd)
cd "$clone"
port=${TIME_SERVE_PORT:-3300}   # not 3000, in case a portal already serves there
start=$(date +%s)
# Its own process group, so that stopping it stops make, the server and nothing else.
PORTAL_BIND=127.0.0.1:$port PORTAL_PUBLIC_URL=http://localhost:$port \
  setsid make serve >"$logs/serve.log" 2>&1 &
serve=$!
until grep -qs '/enrol/' "$logs/serve.log"; do
  if ! kill -0 "$serve" 2>/dev/null; then
    echo "make serve stopped before printing the link; see $logs/serve.log" >&2
    exit 1
  fi
  sleep 1
done
serve_s=$(($(date +%s) - start))
kill -- "-$serve" 2>/dev/null || true
wait "$serve" 2>/dev/null || true
echo "make serve: link after ${serve_s}s"

start=$(date +%s)
if make test >"$logs/test.log" 2>&1; then result=passed; else result=FAILED; fi
echo "make test: $result in $(($(date +%s) - start))s"
