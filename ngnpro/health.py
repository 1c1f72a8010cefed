"""GET /ngnpro/health: the server's state for load balancers and monitoring.

200 when the database answers and its schema is usable, else 503, with a
JSON body: the database (reachable, milliseconds), the schema state, and
the reloads (pending ones of every process on the database, the last
outcome of each in this process). Failing reloads do not make the server
unhealthy: calls still work, and the reloads are retried (ngnpro.live).

One probe runs at a time on a connection of its own (a pool busy with
calls is not a database down), bounded by ``TIMEOUT``; answers within a
second share its result.
"""
import json
import threading
import time

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from . import live

TIMEOUT = 2.0
FRESH = 1.0
HEALTHY_SCHEMA = ('current',)


def schema_status(conn):
    """('current' | 'older' | 'new' | 'unknown', detail): whether the
    database's schema is the one this version expects; anything but current
    answers 503 (the detail names the command that fixes it)."""
    from .store import migrations
    st = migrations.state_of(conn)
    return st.kind, (migrations.problem(st) or
                     'revision %s' % st.describe())


class Health:
    def __init__(self, config, store, version):
        self.config = config
        self.store = store
        self.version = version
        extra = {}
        nodes = getattr(store, '_nodes', None)
        if nodes is not None:           # Galera: the node failover picks
            extra['creator'] = nodes.connect
        elif not store.is_sqlite:
            # Read and write bounded too: a path that drops packets would
            # otherwise hang the probe (and health answers 503) for as long
            # as TCP keeps the dead connection, after the path is back.
            bound = int(TIMEOUT) + 1
            extra['connect_args'] = {'connect_timeout': bound,
                                     'read_timeout': bound,
                                     'write_timeout': bound}
        self.engine = create_engine(store.engine.url, poolclass=NullPool,
                                    **extra)
        self._lock = threading.Lock()
        self._probe = None           # the running probe thread
        self._last = None            # (monotonic time, status, body)

    def answer(self):
        """-> (HTTP status, JSON bytes)."""
        with self._lock:
            if self._last and time.monotonic() - self._last[0] < FRESH:
                return self._last[1:]
            probe = self._probe
            if probe is None or not probe.is_alive():
                probe = self._probe = _Probe(self)
                probe.start()
        probe.join(TIMEOUT)
        result = probe.result or self._timed_out()
        status = 200 if result['database']['ok'] and \
            result['schema']['status'] in HEALTHY_SCHEMA else 503
        result['status'] = 'ok' if status == 200 else 'unavailable'
        body = json.dumps(result, sort_keys=True, indent=1).encode() + b'\n'
        with self._lock:
            self._last = (time.monotonic(), status, body)
        return status, body

    def _timed_out(self):
        return self._result({'ok': False, 'error': 'no answer within %g s'
                             % TIMEOUT}, None, None)

    def _result(self, database, schema, pending):
        return {'version': self.version, 'database': database,
                'schema': schema or {'status': 'unknown',
                                     'detail': 'database unreachable'},
                'reloads': {'pending': pending, 'last': live.results()}}

    def probe(self):
        started = time.monotonic()
        try:
            with self.engine.connect() as conn:
                conn.execute(text('SELECT 1'))
                ms = round((time.monotonic() - started) * 1000, 1)
                state, detail = schema_status(conn)
                try:
                    pending = live.pending(conn, self.store.schema,
                                           self.config)
                except SQLAlchemyError as exc:     # db init not run yet
                    pending = {'error': _first_line(exc)}
        except Exception as exc:
            return self._result({'ok': False, 'error': _first_line(exc)},
                                None, None)
        return self._result({'ok': True, 'ms': ms},
                            {'status': state, 'detail': detail}, pending)


class _Probe(threading.Thread):
    def __init__(self, health):
        super().__init__(daemon=True, name='ngnpro-health')
        self.health = health
        self.result = None

    def run(self):
        self.result = self.health.probe()


def _first_line(exc):
    # The driver's message (never the statement: parameters are hidden).
    orig = getattr(exc, 'orig', None)
    return (str(orig if orig is not None else exc).splitlines() or
            [type(exc).__name__])[0][:300]
