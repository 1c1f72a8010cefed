#!/usr/bin/env bash
# Throughput of one call with wrk (a C load generator: the client costs far
# less CPU than bench/run.py's Python threads, so the server gets more of the
# 2 cores). Starts a server on SQLite, provisions with bench/run.py's
# provisioning, then runs wrk for each body. Needs Debian's wrk.
#   [PROCESSES=2] bench/wrk.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
CONNS=${2:-32}
PY=${PYTHON:-python3}
work=$(mktemp -d /tmp/ngnpro-wrk-XXXX)
trap 'kill $(cat "$work/pid") 2>/dev/null || true; rm -rf "$work"' EXIT
$PY - "$work" <<'PYEOF'
import os, sys
sys.path.insert(0, os.getcwd())
from bench.run import provision
from tests.soapcall import admin, envelope
from tests.support.server import Server
work = sys.argv[1]
srv = Server(work, 'sqlite:///%s/db.sqlite' % work,
             processes=int(os.environ.get('PROCESSES', '1')))
srv.init_db()
import subprocess
proc = subprocess.Popen(srv._cli('serve'), stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, start_new_session=True)
open(os.path.join(work, 'pid'), 'w').write(str(proc.pid))
open(os.path.join(work, 'port'), 'w').write(str(srv.port))
import socket, time
for _ in range(200):
    try:
        socket.create_connection(('127.0.0.1', srv.port), 0.2).close(); break
    except OSError:
        time.sleep(0.05)
provision(srv.port, 1000)
bodies = {
    'getAccount': envelope('Sip', 'getAccount', [('sipId', {
        'username': 'user00042', 'domain': 'bench.example.com'})], admin()),
    'getAccounts': envelope('Sip', 'getAccounts', [('query', {
        'filter': {'username': 'user%'}, 'orderBy': {
            'attribute': 'username', 'direction': 'ASC'},
        'range': {'start': 100, 'count': 20}})], admin()),
}
for name, body in bodies.items():
    open(os.path.join(work, name + '.xml'), 'wb').write(body)
PYEOF
port=$(cat "$work/port")
for name in getAccount getAccounts; do
    cat > "$work/$name.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=UTF-8"
wrk.headers["SOAPAction"] = '""'
local f = io.open("$work/$name.xml", "rb"); wrk.body = f:read("*a"); f:close()
LUA
    echo "== $name, $CONNS connections, keep-alive"
    wrk -t2 -c"$CONNS" -d"${SECONDS_RUN}s" --latency -s "$work/$name.lua" \
        "http://127.0.0.1:$port/ngnpro/" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
done
for pid in $(cat "$work/pid") $(pgrep -P "$(cat "$work/pid")" || true); do
    echo "process $pid peak RSS: $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/$pid/status)"
done
