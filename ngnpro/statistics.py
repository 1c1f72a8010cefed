"""CDRTool's provisioning statistics (spec §5.28): the tables its
provisioning statistics page reads, written only by an NGNPro server.

* ``ngnpro_logs``: per minute (``date``), the SOAP requests served
  (``total``) and the seconds they took together (``total_time``);
  CDRTool rolls rows older than 30 days into ``ngnpro_logs_summary``.
* ``ngnpro_logs_functions``: per day, operation (``function`` =
  ``SipPort:addAccount``) and client address (``ip``), the number of calls
  (``total``). Days before today move to ``ngnpro_logs_functions_history``
  (same columns), which keeps the table written on every flush small;
  CDRTool adds both up.

Counting is a dictionary update under a lock on the request path; a
background thread writes what was counted every ``[statistics] interval``
seconds in one transaction, to the database ``[statistics] url`` names
(default: the server's own; CDRTool's on the same MariaDB, for example).
A write that fails keeps the counts for the next one and is logged: it
never fails nor slows a call.
"""
import datetime
import logging
import threading

from sqlalchemy import (Column, DateTime, Float, Index, Integer, MetaData,
                        String, Table, UniqueConstraint, create_engine,
                        delete, event, insert, select, update)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

log = logging.getLogger('ngnpro')

# Addresses counted separately per day; more (a scan from many addresses)
# are counted under this one, so memory stays bounded.
MAX_KEYS = 10000
OTHER = 'other'


def define(metadata):
    """The four tables, as CDRTool's queries use them."""
    def ident():
        return Column('id', Integer, primary_key=True, autoincrement=True)

    def functions(name, unique):
        extra = [UniqueConstraint('date', 'function', 'ip',
                                  name=name + '_key')] if unique else \
            [Index(name + '_date', 'date')]
        return Table(name, metadata, ident(),
                     Column('date', DateTime, nullable=False),
                     Column('function', String(128), nullable=False),
                     Column('ip', String(64), nullable=False),
                     Column('total', Integer, nullable=False, default=0),
                     Index(name + '_function', 'function'), *extra)

    def totals(name):
        return Table(name, metadata, ident(),
                     Column('date', DateTime, nullable=False, index=True),
                     Column('total', Integer, nullable=False, default=0),
                     # seconds; DOUBLE on MySQL
                     Column('total_time', Float(precision=53),
                            nullable=False, default=0))
    return (totals('ngnpro_logs'), functions('ngnpro_logs_functions', True),
            functions('ngnpro_logs_functions_history', False),
            totals('ngnpro_logs_summary'))


class Statistics:
    def __init__(self, url, functions, interval=10):
        """``functions``: the Port:method names counted (the operations
        the server has; anything else a client sends is not)."""
        self.url = url
        self.functions = frozenset(functions)
        self.interval = interval
        self.metadata = MetaData()
        self.logs, self.calls, self.history, _ = define(self.metadata)
        self._lock = threading.Lock()
        self._minutes = {}       # minute -> [total, seconds]
        self._calls = {}         # (day, function, ip) -> total
        self._engine = None
        self._ready = False
        self._rolled = None      # the day whose older rows were moved
        self._failing = False
        self._stop = threading.Event()
        self._flushing = threading.Lock()
        self.thread = None

    # -- on the request path -------------------------------------------------

    def count(self, port, operation, ip, seconds, now=None):
        now = now or datetime.datetime.now()
        minute = now.replace(second=0, microsecond=0)
        function = '%s:%s' % (port, operation)
        with self._lock:
            slot = self._minutes.get(minute)
            if slot is None:
                slot = self._minutes[minute] = [0, 0.0]
            slot[0] += 1
            slot[1] += seconds
            if function not in self.functions:
                return
            key = (minute.replace(hour=0, minute=0), function, ip or '-')
            if key not in self._calls and len(self._calls) >= MAX_KEYS:
                key = key[:2] + (OTHER,)
            self._calls[key] = self._calls.get(key, 0) + 1

    # -- in the background ---------------------------------------------------

    def start(self):
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name='ngnpro-statistics')
        self.thread.start()
        return self

    def _loop(self):
        while not self._stop.wait(self.interval):
            self.flush()

    def stop(self, timeout=5):
        """Write what is left (bounded: the database may be away)."""
        self._stop.set()
        if self.thread is not None:
            self.thread.join(timeout)
        done = threading.Thread(target=self.flush, daemon=True)
        done.start()
        done.join(timeout)
        if self._engine is not None:
            self._engine.dispose()

    def flush(self, today=None):
        """Write the counts so far; True when they were written (or there
        were none)."""
        with self._flushing:
            with self._lock:
                minutes, self._minutes = self._minutes, {}
                calls, self._calls = self._calls, {}
            try:
                if minutes or calls:
                    self._write(minutes, calls)
                self._roll(today or datetime.date.today())
            except SQLAlchemyError as exc:
                self._keep(minutes, calls)
                if not self._failing:
                    self._failing = True
                    log.warning('statistics: cannot write to %s (%s); the '
                                'counts are kept and written later',
                                self._safe_url(),
                                str(exc).splitlines()[0])
                return False
            except Exception as exc:
                from .faults import loggable
                self._keep(minutes, calls)
                log.error('statistics: %s', loggable(exc))
                return False
            if self._failing:
                self._failing = False
                log.warning('statistics: written to %s again',
                            self._safe_url())
            return True

    def _keep(self, minutes, calls):
        with self._lock:
            for minute, (total, seconds) in minutes.items():
                slot = self._minutes.setdefault(minute, [0, 0.0])
                slot[0] += total
                slot[1] += seconds
            for key, total in calls.items():
                if key not in self._calls and len(self._calls) >= MAX_KEYS:
                    key = key[:2] + (OTHER,)
                self._calls[key] = self._calls.get(key, 0) + total

    def _connect(self):
        if self._engine is None:
            self._engine = _engine(self.url)
        if not self._ready:
            self.metadata.create_all(self._engine, checkfirst=True)
            self._ready = True
        return self._engine

    def _write(self, minutes, calls):
        engine = self._connect()
        for attempt in range(3):
            try:
                with engine.begin() as conn:
                    for minute, (total, seconds) in sorted(minutes.items()):
                        _add(conn, self.logs, {'date': minute},
                             total=total, total_time=seconds)
                    for (day, function, ip), total in sorted(calls.items()):
                        _add(conn, self.calls, {'date': day,
                                                'function': function,
                                                'ip': ip}, total=total)
                return
            except IntegrityError:
                # Another process inserted one of our rows first: its
                # update now finds the row.
                if attempt == 2:
                    raise

    def _roll(self, today):
        """Move the days before today to the history table, once a day."""
        if self._rolled == today:
            return
        engine = self._connect()
        t, h = self.calls, self.history
        midnight = datetime.datetime.combine(today, datetime.time())
        with engine.begin() as conn:
            # Locked: of two processes rolling at once, the second finds
            # the rows gone.
            rows = [dict(r) for r in conn.execute(
                select(t).where(t.c.date < midnight).with_for_update()
            ).mappings()]
            if rows:
                conn.execute(insert(h), [
                    {k: r[k] for k in ('date', 'function', 'ip', 'total')}
                    for r in rows])
                conn.execute(delete(t).where(t.c.id.in_(
                    [r['id'] for r in rows])))
        self._rolled = today

    def _safe_url(self):
        from sqlalchemy.engine import make_url
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:
            return '(unparsable URL)'


def _add(conn, table, key, **amounts):
    """Add to the row of ``key``, or create it: an UPDATE first (the row
    exists for all but the first flush of the minute or day)."""
    c = table.c
    stmt = update(table)
    for name, value in key.items():
        stmt = stmt.where(c[name] == value)
    n = conn.execute(stmt.values(**{name: c[name] + value for name, value
                                    in amounts.items()})).rowcount
    if not n:
        conn.execute(insert(table).values(**key, **amounts))


def _engine(url):
    if url.startswith('sqlite'):
        engine = create_engine(url, connect_args={'timeout': 30,
                                                  'check_same_thread': False},
                               pool_size=1, max_overflow=0)

        # BEGIN IMMEDIATE: the roll-over's read and its writes under one
        # lock, as FOR UPDATE gives on MariaDB.
        @event.listens_for(engine, 'connect')
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None
            dbapi_conn.execute('PRAGMA busy_timeout=30000')

        @event.listens_for(engine, 'begin')
        def _begin(conn):
            conn.exec_driver_sql('BEGIN IMMEDIATE')
        return engine
    return create_engine(url, pool_size=1, max_overflow=0, pool_recycle=3600,
                         pool_pre_ping=True, isolation_level='READ COMMITTED',
                         hide_parameters=True,
                         connect_args={'connect_timeout': 5})


def functions_of(dispatcher):
    """The Port:method names of every built operation."""
    return ['%s:%s' % (port.name, op) for port in dispatcher.ports.values()
            for op in port.operations]
