"""Schema migrations: a database of release 0.1.0 (revision 0001, made by
its frozen revision file and filled as that release filled it, without a
version table since 0.1.0 kept none) is brought to the current schema by
`ngnpro db upgrade`, keeps every record, and works with this release's
operations (credits counted from the records it had); the head revision
creates exactly the tables and indexes of the models; the server refuses
a schema it does not know, or one not upgraded yet, with one line naming
what fixes it. SQLite and MariaDB.
"""
import datetime
import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ngnpro.store import migrations
from ngnpro.store.db import Store
from ngnpro.store.migrations.helpers import Names
from tests.helpers import ADMIN, make_dispatcher
from tests.soapcall import Client, SoapFault, admin, customer, envelope

NOW = datetime.datetime(2026, 11, 22, 12, 0, 0)


def ngnpro(tmp_path, url, *args, timeout=60):
    config = tmp_path / 'config.ini'
    config.write_text('[admin]\nusername = %s\npassword = %s\n[database]\n'
                      'url = %s\n[server]\nport = 0\n' % (ADMIN + (url,)))
    return subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c',
                           str(config)] + list(args), capture_output=True,
                          text=True, timeout=timeout, cwd=tmp_path)


def at_revision(url, revision, stamped=True):
    """A database at ``revision``, made by the revision files themselves."""
    store = Store(url)
    with store.engine.begin() as conn:
        command.upgrade(migrations._alembic(store, conn), revision)
    if not stamped:
        with store.engine.begin() as conn:
            conn.execute(sa.text('DROP TABLE %s' % migrations.VERSION_TABLE))
    return store


def release_0_1_0_tables():
    module = migrations.script().get_revision('0001').module
    m = module.tables(Names())
    return {t.name: t for t in m.sorted_tables}


def filled(table, **values):
    """A row as 0.1.0 wrote it: the given values, the neutral value of
    every other NOT NULL column."""
    row = dict(values)
    for c in table.columns:
        if c.name in row or c.nullable or c.autoincrement is True and \
                c.primary_key:
            continue
        t = c.type
        if isinstance(t, sa.Boolean):
            row[c.name] = False
        elif isinstance(t, (sa.Integer, sa.Float, sa.Numeric)):
            row[c.name] = 0
        elif isinstance(t, sa.DateTime):
            row[c.name] = NOW
        else:
            row[c.name] = ''
    return row


def fill_release_0_1_0(url):
    """What a 0.1.0 server held (written without this release's engine
    hooks, which 0.1.0 did not have): a reseller and its customer with a SIP
    credit of 2, used up by two accounts in the customer's domain (with
    Kamailio's subscriber rows), an alias, a trusted peer."""
    t = release_0_1_0_tables()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(t['ngnpro_customers'].insert(), [
            filled(t['ngnpro_customers'], id=17, reseller=17,
                   username='reseller17', password='r17-pass',
                   first_name='Ria', reseller_active=True),
            filled(t['ngnpro_customers'], id=23, reseller=17,
                   username='customer23', password='c23-pass',
                   first_name='Carl', organization='Carl BV')])
        conn.execute(t['ngnpro_customer_properties'].insert(), [
            filled(t['ngnpro_customer_properties'], customer_id=23,
                   name='sip_credit', value='2', category='credit',
                   permission='admin')])
        conn.execute(t['ngnpro_sip_domains'].insert(), [
            filled(t['ngnpro_sip_domains'], domain='old.example.com',
                   customer=23, reseller=17)])
        conn.execute(t['domain'].insert(), [
            filled(t['domain'], domain='old.example.com',
                   did='old.example.com')])
        for name, first in (('alice', 'Alice'), ('bob', 'Bob')):
            conn.execute(t['ngnpro_sip_accounts'].insert(), [filled(
                t['ngnpro_sip_accounts'], username=name,
                domain='old.example.com', password='%s-pw1' % name,
                first_name=first, last_name='Old', email='%s@x.org' % name,
                timezone='Europe/Amsterdam', quota=50, owner=23,
                customer=23, reseller=17)])
            conn.execute(t['subscriber'].insert(), [filled(
                t['subscriber'], username=name, domain='old.example.com',
                password='%s-pw1' % name, ha1='h-%s' % name,
                ha1b='hb-%s' % name)])
        conn.execute(t['ngnpro_sip_aliases'].insert(), [filled(
            t['ngnpro_sip_aliases'], username='al', domain='old.example.com',
            target_username='alice', target_domain='old.example.com',
            owner=23, customer=23, reseller=17)])
        conn.execute(t['dbaliases'].insert(), [filled(
            t['dbaliases'], alias_username='al',
            alias_domain='old.example.com', username='alice',
            domain='old.example.com')])
        conn.execute(t['ngnpro_trusted_peers'].insert(), [filled(
            t['ngnpro_trusted_peers'], ip='198.51.100.9', protocol='udp',
            description='old pbx', customer=23, reseller=17, owner=23)])
    engine.dispose()


def dump(store, names):
    out = {}
    with store.engine.connect() as conn:
        for name in names:
            t = sa.Table(name, sa.MetaData(), autoload_with=conn)
            pk = [c.name for c in t.primary_key.columns]
            out[name] = sorted((dict(r) for r in conn.execute(
                sa.select(t)).mappings()), key=lambda r: [r[c] for c in pk])
    return out


# What MariaDB reports for what the models ask (the same column types).
_SAME = [(re.compile(r' COLLATE \S+'), ''), (re.compile(r'utf8mb3'), 'utf8'),
         (re.compile(r'^FLOAT\(53\)$'), 'DOUBLE'),
         (re.compile(r'^BLOB\(16777215\)$'), 'MEDIUMBLOB')]


def _spelling(type_, dialect):
    text = type_.dialect_impl(dialect).compile(dialect=dialect)
    for pattern, replacement in _SAME:
        text = pattern.sub(replacement, text)
    return text


def _compare_type(context, inspected_column, metadata_column, inspected,
                  declared):
    dialect = context.dialect
    if _spelling(inspected, dialect) == _spelling(declared, dialect):
        return False
    return None         # Alembic's own comparison decides


def differences(store):
    """What Alembic finds between the database and the models (the
    server's tables and CDRTool's statistics tables)."""
    models = sa.MetaData()
    for m in (store.schema.metadata, migrations.statistics_metadata()):
        for table in m.sorted_tables:
            table.to_metadata(models)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            'compare_type': _compare_type,
            'version_table': migrations.VERSION_TABLE})
        return compare_metadata(context, models)


def assert_same(store):
    found = differences(store)
    assert not found, '\n'.join(map(str, found))


def test_release_0_1_0_database_is_upgraded_with_its_data(db_url, tmp_path):
    store = at_revision(db_url, '0001', stamped=False)
    fill_release_0_1_0(db_url)
    names = sorted(release_0_1_0_tables())
    before = dump(store, names)
    store.dispose()

    # The server does not run on it until it is upgraded.
    done = ngnpro(tmp_path, db_url, 'serve')
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        'ngnpro: database schema is at revision 0001 (release 0.1.0), older '
        'than this server\'s %s: run `ngnpro db upgrade`'
        % migrations.describe(migrations.head())]
    # Nor do the commands that run its operations.
    (tmp_path / 'a.csv').write_text('id.username,id.domain,password\n')
    for args in (['import', 'a.csv'], ['export']):
        done = ngnpro(tmp_path, db_url, *args)
        assert done.returncode != 0
        assert done.stderr.strip().endswith('run `ngnpro db upgrade`')
    done = ngnpro(tmp_path, db_url, 'db', 'check')
    assert done.returncode == 1
    assert 'run `ngnpro db upgrade`' in done.stdout

    done = ngnpro(tmp_path, db_url, 'db', 'upgrade')
    assert done.returncode == 0, done.stderr
    assert 'database upgraded from schema revision 0001 (release 0.1.0) ' \
        'to %s' % migrations.describe(migrations.head()) in done.stdout

    d = make_dispatcher(db_url)
    try:
        assert migrations.state(d.store).kind == migrations.CURRENT
        assert_same(d.store)
        # Every row of 0.1.0 is there, unchanged; Kamailio's version
        # table has the rows of the new native tables too.
        after = dump(d.store, names)
        versions = after.pop('version')
        assert versions[:len(before['version'])] == before.pop('version')
        assert after == before
        assert {'table_name': 'lcr_gw', 'table_version': 3} in [
            {k: v for k, v in r.items() if k != 'id'} for r in versions]
        # And this release serves them.
        sip = Client(d, 'Sip', admin())
        alice = sip('getAccount', ('sipId', {'username': 'alice',
                                             'domain': 'old.example.com'}))
        assert (alice['firstName'], alice['lastName'], alice['email'],
                alice['timezone'], alice['quota'], alice['customer']) == (
            'Alice', 'Old', 'alice@x.org', 'Europe/Amsterdam', 50, 23)
        aliases = sip('getAliases', ('query', {'filter': {
            'domain': 'old.example.com'}}))
        assert [a['id']['username'] for a in aliases['aliases']] == ['al']
        # The credit counts the records 0.1.0 made: the third account is
        # refused, the database unchanged.
        carl = Client(d, 'Sip', customer('customer23', 'c23-pass'))
        with pytest.raises(SoapFault) as fault:
            carl('addAccount', ('account', {
                'id': {'username': 'carol', 'domain': 'old.example.com'},
                'password': 'carol-pw1'}))
        assert 'has used 2 of its sip_credit of 2' in fault.value.string
        # Tables new in this release work: a DNS zone, its journal entry.
        Client(d, 'Dns', admin())('addZone', ('zone', {
            'name': 'old.example.com', 'customer': 23}))
        with d.store.engine.connect() as conn:
            j = d.store.schema.journal
            ops = conn.execute(sa.select(j.c.operation)).scalars().all()
        assert ops == ['DnsPort.addZone']
    finally:
        d.store.dispose()

    done = ngnpro(tmp_path, db_url, 'db', 'check')
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == 'schema: revision %s, current' % \
        migrations.describe(migrations.head())


def test_a_stamped_earlier_revision_is_upgraded(db_url, tmp_path):
    at_revision(db_url, '0001').dispose()
    done = ngnpro(tmp_path, db_url, 'db', 'upgrade')
    assert done.returncode == 0, done.stderr
    store = Store(db_url)
    try:
        assert migrations.state(store).kind == migrations.CURRENT
        assert_same(store)
    finally:
        store.dispose()


def test_head_revision_equals_the_models(db_url):
    """The revision files, run from nothing, make what the models define;
    so does `db init`'s creation from the models."""
    store = at_revision(db_url, 'head')
    try:
        assert_same(store)
    finally:
        store.dispose()


def test_db_init_creates_a_current_database(db_url, tmp_path):
    done = ngnpro(tmp_path, db_url, 'db', 'init')
    assert done.returncode == 0, done.stderr
    assert 'database created at schema revision %s' % \
        migrations.describe(migrations.head()) in done.stdout
    store = Store(db_url)
    try:
        assert migrations.state(store).kind == migrations.CURRENT
        assert_same(store)
    finally:
        store.dispose()
    done = ngnpro(tmp_path, db_url, 'db', 'init')
    assert done.returncode == 0 and 'current' in done.stdout


def test_server_refuses_a_schema_it_does_not_know(db_url, tmp_path):
    store = at_revision(db_url, 'head')
    with store.engine.begin() as conn:
        conn.execute(sa.text('UPDATE %s SET version_num = :v'
                             % migrations.VERSION_TABLE), {'v': '0099'})
    store.dispose()
    done = ngnpro(tmp_path, db_url, 'serve')
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith('ngnpro: database schema revision 0099 is '
                           'unknown to this server')
    assert 'made by a newer release' in line
    # Nor does upgrade touch it.
    done = ngnpro(tmp_path, db_url, 'db', 'upgrade')
    assert done.returncode != 0
    assert 'revision 0099 is unknown' in done.stderr
    assert 'Traceback' not in done.stderr


def test_server_refuses_an_empty_database(db_url, tmp_path):
    done = ngnpro(tmp_path, db_url, 'serve')
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        'ngnpro: database has no NGNPro tables: run `ngnpro db init` to '
        'create them']


def test_check_names_a_wrong_kamailio_version_row(db_url, tmp_path):
    store = at_revision(db_url, 'head')
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE version SET table_version = 6 WHERE "
                             "table_name = 'subscriber'"))
    store.dispose()
    done = ngnpro(tmp_path, db_url, 'db', 'check')
    assert done.returncode == 1
    assert 'table subscriber: version row says 6, Kamailio 5.6 and this ' \
        'server use 7' in done.stdout


def test_server_names_a_wrong_kamailio_version_row_at_start(db_url,
                                                            tmp_path):
    from tests.support.server import Server
    store = at_revision(db_url, 'head')
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE version SET table_version = 2 WHERE "
                             "table_name = 'lcr_gw'"))
    store.dispose()
    server = Server(tmp_path, db_url).start(init=False)
    try:
        status, _, _ = server.post(envelope('Sip', 'getDomains', [
            ('query', {'filter': {}})], admin()))
        assert status == 200
    finally:
        server.stop()
    log = open(os.path.join(server.workdir, 'stderr.log')).read()
    assert 'ngnpro: warning: table lcr_gw: version row says 2, Kamailio ' \
        '5.6 and this server use 3 (`ngnpro db check`)' in log
