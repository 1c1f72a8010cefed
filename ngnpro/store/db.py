"""Engine, schema creation and the unit of work (one transaction per call).

SQLite (the embedded default) and MariaDB/MySQL through PyMySQL. Written in
SQLAlchemy Core so that it also runs on the 1.4 series Debian 12 ships.
"""
import contextlib
import os

from sqlalchemy import create_engine, event, select
from sqlalchemy.pool import QueuePool

from .schema import Schema


class Store:
    # hide_parameters: an error's text never carries the statement's values
    # (clear passwords, HA1s), whoever formats it.
    def __init__(self, url, pool_size=8, native_tables=None):
        self.url = url
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
            self.engine = create_engine(
                url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True,
                pool_recycle=3600, isolation_level='READ COMMITTED',
                hide_parameters=True)
        from ..credits import tracker
        tracker(self.schema).install(self.engine)

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
        """Create every table that is missing and Kamailio's version rows;
        safe to run again on an existing database."""
        self.schema.metadata.create_all(self.engine, checkfirst=True)
        version = self.schema.version
        with self.engine.begin() as conn:
            have = set(conn.execute(select(version.c.table_name)).scalars())
            rows = [r for r in self.schema.version_rows()
                    if r['table_name'] not in have]
            if rows:
                conn.execute(version.insert(), rows)

    @contextlib.contextmanager
    def unit_of_work(self, write=True):
        """Commit when the block ends normally, roll back on any exception."""
        with self.engine.connect() as conn:
            conn.info['ngnpro_write'] = write
            with conn.begin():
                yield conn

    def dispose(self):
        self.engine.dispose()
