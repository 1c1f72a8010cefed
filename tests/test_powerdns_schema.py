"""``ngnpro db init`` creates PowerDNS's domains and records exactly as
PowerDNS 4.7's own schema.mysql.sql does (columns, types, defaults,
character sets, indexes, engine), so either may come first; configured
names ([powerdns_tables]) move them, into another database too. MariaDB."""
import os


from ngnpro.store.db import Store
from tests.conftest import require
from tests.soapcall import Client, admin
from tests.helpers import make_dispatcher
from tests.support.powerdns import SCHEMA


def describe(conn, database, table):
    with conn.cursor() as cur:
        cur.execute(
            'SELECT column_name, column_type, is_nullable, column_default, '
            'character_set_name FROM information_schema.columns WHERE '
            'table_schema = %s AND table_name = %s ORDER BY ordinal_position',
            (database, table))
        columns = cur.fetchall()
        cur.execute(
            'SELECT index_name, non_unique, seq_in_index, column_name FROM '
            'information_schema.statistics WHERE table_schema = %s AND '
            'table_name = %s ORDER BY index_name, seq_in_index',
            (database, table))
        indexes = cur.fetchall()
        cur.execute('SELECT engine, table_collation FROM '
                    'information_schema.tables WHERE table_schema = %s AND '
                    'table_name = %s', (database, table))
        return columns, indexes, cur.fetchall()


def test_tables_match_powerdns_schema(mariadb):
    require(os.path.exists(SCHEMA), 'PowerDNS gmysql schema',
            'pdns-backend-mysql')
    ours = 'pdns_ours_%d' % os.getpid()
    theirs = 'pdns_theirs_%d' % os.getpid()
    store = Store(mariadb.create_database(ours))
    store.init()
    store.dispose()
    mariadb.create_database(theirs)
    conn = mariadb.connect(theirs)
    with open(SCHEMA) as f:
        with conn.cursor() as cur:
            for statement in f.read().split(';'):
                if statement.strip():
                    cur.execute(statement)
    for table in ('domains', 'records'):
        assert describe(conn, ours, table) == describe(conn, theirs, table), \
            table
    conn.close()
    # PowerDNS's schema first, then db init: its tables are left alone.
    url = mariadb.url(theirs)
    store = Store(url)
    store.init()
    store.dispose()


def test_configured_names_in_another_database(mariadb):
    main = mariadb.create_database('pdns_main_%d' % os.getpid())
    other = 'pdns_other_%d' % os.getpid()
    mariadb.create_database(other)
    d = make_dispatcher(main, native_tables={
        'domains': '%s.pdns_domains' % other,
        'records': '%s.pdns_records' % other})
    Client(d, 'Dns', admin())('addZone', ('zone', {'name': 'example.com'}))
    conn = mariadb.connect(other)
    with conn.cursor() as cur:
        cur.execute('SELECT name, type FROM pdns_domains')
        assert cur.fetchall() == (('example.com', 'NATIVE'),)
        cur.execute('SELECT type FROM pdns_records')
        assert cur.fetchall() == (('SOA',),)
    conn.close()
    d.store.dispose()
