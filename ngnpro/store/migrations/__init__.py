"""Schema migrations with Alembic (versions/: one frozen revision per
release whose schema changed; 0001 is release 0.1.0).

The revision a database is at is kept in a table of our own name
(VERSION_TABLE: the database is shared with Kamailio, PowerDNS and
others, who have their own). A new database is created from the models
and stamped with the newest revision; a database of an earlier release is
upgraded revision by revision. A database from before migrations existed
(0.1.0 had no version table) is recognised by its tables and taken as
revision 0001. Revisions are run with the deployment's native table
names.
"""
import os
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import inspect, select

VERSION_TABLE = 'ngnpro_schema_version'
HERE = os.path.dirname(os.path.abspath(__file__))
# A table every release has had: without it the database is new.
MARKER = 'ngnpro_customers'
RELEASES = {'0001': '0.1.0', '0002': '0.2.0'}

CURRENT, OLDER, UNKNOWN, NEW = 'current', 'older', 'unknown', 'new'


@dataclass
class State:
    kind: str               # CURRENT, OLDER, UNKNOWN or NEW
    revision: str = None    # what the database is at (None: new)
    head: str = None        # what this server needs
    stamped: bool = True    # False: a database from before migrations

    def describe(self):
        return describe(self.revision)


def describe(revision):
    if revision is None:
        return 'none'
    release = RELEASES.get(revision)
    return '%s (release %s)' % (revision, release) if release else revision


class SchemaError(Exception):
    """The database's schema is one this server cannot use or upgrade."""


@lru_cache(maxsize=None)
def script():
    from alembic.script import ScriptDirectory
    return ScriptDirectory(HERE)


def head():
    return script().get_current_head()


def revisions():
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(script().walk_revisions()))]


def _alembic(store, connection):
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option('script_location', HERE)
    cfg.attributes['connection'] = connection
    cfg.attributes['native_names'] = store.schema.native_names
    return cfg


def state(store):
    """Where the database's schema stands against this server's."""
    with store.engine.connect() as conn:
        return state_of(conn)


def state_of(conn):
    """state() on an open connection (the health probe has its own)."""
    from sqlalchemy import column, table
    target = head()
    found = []
    insp = inspect(conn)
    if insp.has_table(VERSION_TABLE):
        version = table(VERSION_TABLE, column('version_num'))
        found = conn.execute(select(version.c.version_num)).scalars().all()
    marker = insp.has_table(MARKER)
    if not found:
        # 0.1.0 kept no revision: its tables say what it is.
        return State(OLDER, revisions()[0], target, stamped=False) \
            if marker else State(NEW, None, target)
    if len(found) > 1 or found[0] not in revisions():
        return State(UNKNOWN, ','.join(found), target)
    return State(CURRENT if found[0] == target else OLDER, found[0], target)


def create(store):
    """A new database: every table from the models, Kamailio's version
    rows, stamped with the newest revision. Tables that exist already
    (Kamailio's or PowerDNS's own schema loaded first) are left alone."""
    from alembic import command
    s = store.schema
    s.metadata.create_all(store.engine, checkfirst=True)
    statistics_metadata().create_all(store.engine, checkfirst=True)
    with store.engine.begin() as conn:
        have = set(conn.execute(select(s.version.c.table_name)).scalars())
        rows = [r for r in s.version_rows() if r['table_name'] not in have]
        if rows:
            conn.execute(s.version.insert(), rows)
        command.stamp(_alembic(store, conn), 'head')


def statistics_metadata():
    """CDRTool's statistics tables (ngnpro.statistics), which the
    server's own database holds unless [statistics] url names another."""
    from sqlalchemy import MetaData
    from ...statistics import define
    metadata = MetaData()
    define(metadata)
    return metadata


def upgrade(store):
    """Bring the database to the newest revision; returns (state before,
    state after). A new database is created."""
    from alembic import command
    before = state(store)
    if before.kind == UNKNOWN:
        raise SchemaError(unknown_message(before))
    if before.kind in (NEW, CURRENT):
        # Current: tables someone dropped come back, as 0.1.0's init did.
        create(store)
    elif before.kind == OLDER:
        with store.engine.begin() as conn:
            cfg = _alembic(store, conn)
            if not before.stamped:
                command.stamp(cfg, before.revision)
            command.upgrade(cfg, 'head')
            _count_credits(store, conn)
    return before, state(store)


def _count_credits(store, conn):
    """Credit usage counters of an earlier release's records, when the
    upgrade just made the (empty) counter table: counters are otherwise
    created one by one on first use, which `db check` would report."""
    from ...credits import tracker
    counters = tracker(store.schema)
    if conn.execute(select(counters.usage.c.owner).limit(1)).first() is None:
        counters.repair(conn)


def unknown_message(st):
    return ('database schema revision %s is unknown to this server (it '
            'knows %s): the database was made by a newer release; install '
            'that release, or restore the backup taken before it'
            % (st.revision, ', '.join(revisions())))


def serving_problem(store):
    """None when the server can run on the database, else one line that
    says why not and what fixes it."""
    return problem(state(store))


def problem(st):
    """serving_problem() of a State already read (the health probe)."""
    if st.kind == CURRENT:
        return None
    if st.kind == UNKNOWN:
        return unknown_message(st)
    if st.kind == NEW:
        return ('database has no NGNPro tables: run `ngnpro db init` to '
                'create them')
    return ('database schema is at revision %s, older than this server\'s '
            '%s: run `ngnpro db upgrade`' % (st.describe(), describe(st.head)))
