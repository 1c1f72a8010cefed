"""Engine, schema creation and the unit of work (one transaction per call).

SQLite (the embedded default) and MariaDB/MySQL through PyMySQL. Written in
SQLAlchemy Core so that it also runs on the 1.4 series Debian 12 ships.

Several database URLs (the nodes of a Galera cluster) give failover: new
connections go to the first node, from the last one that worked, that is
reachable and in the primary component (``wsrep_ready`` ON, Synced), so the
server never writes to a node that left the cluster.
"""
import contextlib
import logging
import os
import re
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from .schema import Schema

log = logging.getLogger('ngnpro')

# MySQL/MariaDB errors after which the whole unit of work is replayed:
# deadlock or Galera certification conflict, lock wait timeout, a node not
# (or no longer) ready for queries, a connection that broke or was killed.
CONFLICT = {1213, 1205}
NODE_LOST = {1047, 1053, 1927, 2003, 2006, 2013, 2055, 4031}


def split_urls(text):
    return [u for u in re.split(r'[\s,]+', text or '') if u]


class Store:
    # hide_parameters: an error's text never carries the statement's values
    # (clear passwords, HA1s), whoever formats it.
    def __init__(self, url, pool_size=8, native_tables=None):
        self.urls = split_urls(url)
        self.url = url = self.urls[0]
        self.schema = Schema(native_tables)
        self.is_sqlite = url.startswith('sqlite')
        if self.is_sqlite:
            self._prepare_sqlite_dir(url)
            self.engine = create_engine(
                url, connect_args={'check_same_thread': False, 'timeout': 30},
                poolclass=QueuePool, pool_size=pool_size, max_overflow=0,
                hide_parameters=True)
            self._sqlite_transactions(self.engine)
        else:
            # READ COMMITTED: a credit check that counts rows after taking its
            # row lock must see what other transactions committed meanwhile
            # (REPEATABLE READ would count against an older snapshot).
            extra = {}
            if len(self.urls) > 1:
                self._nodes = Nodes(self.urls)
                extra['creator'] = self._nodes.connect
            self.engine = create_engine(
                url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True,
                pool_recycle=3600, isolation_level='READ COMMITTED',
                hide_parameters=True, **extra)
        from ..credits import tracker
        from .journal import Recorder
        tracker(self.schema).install(self.engine)
        Recorder(self.schema).install(self.engine)

    @staticmethod
    def _prepare_sqlite_dir(url):
        path = url.split('///', 1)[-1]
        if path and path != ':memory:':
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)

    @staticmethod
    def _sqlite_transactions(engine):
        # pysqlite starts transactions lazily and never as IMMEDIATE; take the
        # write lock at BEGIN for writing calls so that check-then-insert
        # (credits, uniqueness) cannot interleave between threads.
        @event.listens_for(engine, 'connect')
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None
            dbapi_conn.execute('PRAGMA journal_mode=WAL')
            dbapi_conn.execute('PRAGMA busy_timeout=30000')

        @event.listens_for(engine, 'begin')
        def _begin(conn):
            mode = 'IMMEDIATE' if conn.info.get('ngnpro_write') else 'DEFERRED'
            conn.exec_driver_sql('BEGIN ' + mode)

    def init(self):
        """Create a new database, or bring an earlier release's to the
        current schema (ngnpro.store.migrations); safe to run again.
        Returns the schema states (before, after)."""
        from . import migrations
        return migrations.upgrade(self)

    @contextlib.contextmanager
    def unit_of_work(self, write=True):
        """Commit when the block ends normally, roll back on any exception.
        A failure while committing is marked (``committing``) so that the
        caller knows the outcome is unknown."""
        with self.engine.connect() as conn:
            # State of the previous user of this pooled connection is gone.
            for key in [k for k in conn.info if k.startswith('ngnpro_')]:
                del conn.info[key]
            conn.info['ngnpro_write'] = write
            tx = conn.begin()
            try:
                yield conn
            except BaseException:
                if tx.is_active:
                    tx.rollback()
                raise
            try:
                tx.commit()
            except DBAPIError as exc:
                exc.ngnpro_committing = True
                raise

    def failure(self, exc):
        """What a database error means for the unit of work: 'conflict'
        (nothing was written: replay it), 'lost' (the node went away
        before the commit: replay it elsewhere), 'unknown' (it went away
        while committing: the change may or may not be there), or None."""
        orig = getattr(exc, 'orig', None)
        code = orig.args[0] if orig is not None and orig.args and \
            isinstance(orig.args[0], int) else None
        if self.is_sqlite:
            locked = 'database is locked' in str(orig or '')
            return 'conflict' if locked else None
        if code in CONFLICT:
            return 'conflict'
        if code in NODE_LOST or getattr(exc, 'connection_invalidated', False):
            if getattr(self, '_nodes', None) is not None:
                self._nodes.failed()
            # Pooled connections to that node would fail the same way (a
            # node out of the primary component still answers pings).
            self.engine.dispose()
            return 'unknown' if getattr(exc, 'ngnpro_committing', False) \
                else 'lost'
        return None

    def dispose(self):
        self.engine.dispose()


class Nodes:
    """The database nodes of a cluster, tried in turn for new connections
    starting from the one that last worked."""

    def __init__(self, urls):
        self.urls = [make_url(u) for u in urls]
        self.current = 0
        self._lock = threading.Lock()

    def failed(self):
        with self._lock:
            self.current = (self.current + 1) % len(self.urls)

    def connect(self):
        import pymysql
        errors = []
        with self._lock:
            start = self.current
        for i in range(len(self.urls)):
            index = (start + i) % len(self.urls)
            u = self.urls[index]
            try:
                conn = pymysql.connect(
                    host=u.host or '127.0.0.1', port=u.port or 3306,
                    user=u.username, password=u.password or '',
                    database=u.database, connect_timeout=3,
                    charset=u.query.get('charset', 'utf8mb4'))
            except pymysql.err.Error as exc:
                errors.append('%s:%s %s' % (u.host, u.port, exc.args[0]))
                continue
            if _ready(conn):
                if index != start:
                    log.warning('database: now using %s:%s', u.host, u.port)
                with self._lock:
                    self.current = index
                return conn
            errors.append('%s:%s not in the primary component'
                          % (u.host, u.port))
            conn.close()
        raise pymysql.err.OperationalError(
            2003, 'no database node is available (%s)' % '; '.join(errors))


def _ready(conn):
    """A Galera node takes writes only when ready and synced; a server
    without Galera has no such status and is always ready."""
    with conn.cursor() as cur:
        cur.execute("SHOW VARIABLES LIKE 'wsrep_on'")
        row = cur.fetchone()
        if row is None or row[1] != 'ON':
            return True
        cur.execute("SHOW STATUS WHERE Variable_name IN ('wsrep_ready', "
                    "'wsrep_local_state_comment')")
        status = dict(cur.fetchall())
    return status.get('wsrep_ready') == 'ON' and \
        status.get('wsrep_local_state_comment') == 'Synced'
