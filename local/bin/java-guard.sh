#!/bin/sh
# Runs java with the given arguments and stops it when the parent process goes away, however it
# goes (Ctrl-C, SIGTERM or kill -9): the parent holds our stdin as a pipe, and end-of-file on it
# means the parent is gone. The JVM itself never notices its parent dying, hence this guard.
# The guard exits only once the JVM has (it has closed its files then); a JVM still running 20 s
# after SIGTERM is killed.
command -v java >/dev/null 2>&1 || { echo "java: not found on PATH (DynamoDB Local needs Java 17+)" >&2; exit 127; }
java "$@" </dev/null &
pid=$!
stop() {
  kill "$pid" 2>/dev/null
  # The deadline: a subshell that kills the JVM at 20 s, and its sleep with it when it is told to stop (no orphan
  # sleep keeps this script's stderr open after the JVM is gone).
  (
    sleep 20 &
    s=$!
    trap 'kill $s 2>/dev/null; wait $s; exit 0' TERM
    wait $s
    kill -9 "$pid" 2>/dev/null
  ) &
  killer=$!
  wait "$pid"
  kill "$killer" 2>/dev/null
  wait "$killer" 2>/dev/null
}
trap 'stop; exit 0' TERM INT HUP
cat >/dev/null
stop
