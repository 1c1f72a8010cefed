"""`ngnpro import` and `ngnpro export` against the database itself (SQLite
and MariaDB): 10,000 accounts from CSV; a file with a bad record changes
nothing and names its line and fault; --keep-going commits exactly the
good records; --dry-run writes nothing; the credits of the login the
import acts as stop it at the limit; an export imported into an empty
database exports the same again; progress on a terminal and on a pipe.
"""
import csv
import fcntl
import json
import os
import pty
import re
import struct
import select as select_module
import subprocess
import sys
import termios

import pytest
from sqlalchemy import func, select

from ngnpro import cli
from ngnpro.store.db import Store
from ngnpro.store.sip.accounts import ha1_pair
from tests.helpers import ADMIN, make_dispatcher
from tests.soapcall import Client, admin

DOMAIN = 'import.example.com'
HEADER = ['id.username', 'id.domain', 'password', 'firstName', 'lastName',
          'quota', 'groups']


def config_file(tmp_path, url, name='config.ini', extra=''):
    path = tmp_path / name
    path.write_text('[admin]\nusername = %s\npassword = %s\n[database]\n'
                    'url = %s\n%s' % (ADMIN + (url, extra)))
    return str(path)


def ngnpro(config, *args, capsys=None):
    """The command in-process: (exit status, stdout, stderr)."""
    try:
        code = cli.main(['-c', config] + list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path, rows, header=HEADER):
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def account_rows(n, domain=DOMAIN, start=0):
    return [['user%05d' % i, domain, 'Secret-%05d' % i, 'First %d' % i,
             'Last', str(i % 7), '["free-pstn"]' if i % 3 == 0 else '']
            for i in range(start, start + n)]


def counts(url):
    """(accounts, subscriber rows, journal entries)."""
    store = Store(url)
    s = store.schema
    try:
        with store.engine.connect() as conn:
            return tuple(conn.execute(select(func.count()).select_from(t))
                         .scalar_one() for t in (s.sip_accounts,
                                                 s.subscriber, s.journal))
    finally:
        store.dispose()


@pytest.fixture
def world(db_url, tmp_path):
    """A database with the domain the accounts go to, and a customer 'carl'
    of a reseller whose SIP credit is 5, owning domain credit.example.com."""
    d = make_dispatcher(db_url)
    cust = Client(d, 'Customer', admin())
    boss = cust('addAccount', ('account', {
        'username': 'boss', 'password': 'Boss-pass-1',
        'resellerActive': True}))['id']
    carl = cust('addAccount', ('account', {
        'username': 'carl', 'password': 'Carl-pass-1', 'reseller': boss}))
    cust('setProperties', ('customer', carl['id']), ('properties', [{
        'name': 'sip_credit', 'value': '5', 'permission': 'admin'}]))
    sip = Client(d, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': DOMAIN}))
    sip('addDomain', ('domain', {'domain': 'credit.example.com',
                                 'customer': carl['id'], 'reseller': boss}))
    d.store.dispose()
    return {'url': db_url, 'config': config_file(tmp_path, db_url),
            'carl': carl['id'], 'boss': boss}


def test_ten_thousand_accounts_from_csv(world, tmp_path, capsys):
    path = write_csv(tmp_path / 'accounts.csv', account_rows(10000))
    before = counts(world['url'])
    code, out, err = ngnpro(world['config'], 'import', path, capsys=capsys)
    assert code == 0, out + err
    assert out.splitlines()[-1] == \
        'import: 10000 of 10000 records imported, 0 rejected'
    after = counts(world['url'])
    assert [a - b for a, b in zip(after, before)] == [10000, 10000, 10000]
    d = make_dispatcher(world['url'])
    try:
        sip = Client(d, 'Sip', admin())
        acc = sip('getAccount', ('sipId', {'username': 'user09999',
                                           'domain': DOMAIN}))
        assert (acc['firstName'], acc['lastName'], acc['quota'],
                acc['groups']) == ('First 9999', 'Last', 9999 % 7,
                                   ['free-pstn'])
        assert acc['ha1'] == ha1_pair('user09999', DOMAIN,
                                      'Secret-09999')[0]
        got = sip('getAccounts', ('query', {'filter': {'domain': DOMAIN},
                                            'range': {'start': 0,
                                                      'count': 1}}))
        assert got['total'] == 10000
        j = d.store.schema.journal
        with d.store.engine.connect() as conn:
            rows = conn.execute(select(j.c.operation, j.c.client,
                                       j.c.principal, j.c.record)
                                .order_by(j.c.id.desc()).limit(10000)).all()
        assert {r[:3] for r in rows} == {
            ('SipPort.addAccount', 'ngnpro-import', ADMIN[0])}
        assert rows[0].record == 'user09999@%s' % DOMAIN
    finally:
        d.store.dispose()


def bad_file(tmp_path):
    rows = account_rows(40)
    rows[25][0] = 'bad user'            # line 27: not a SIP username
    rows[31][5] = 'many'                # line 33: quota is not a number
    return write_csv(tmp_path / 'bad.csv', rows)


def test_a_bad_record_changes_nothing_and_is_named(world, tmp_path, capsys):
    path = bad_file(tmp_path)
    before = counts(world['url'])
    code, out, err = ngnpro(world['config'], 'import', path, capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("line 27: Invalid ") and \
        "'bad user'" in lines[0] and lines[0].endswith('(fault 103)')
    assert lines[1] == ("line 33: account.quota: 'many' is not an integer "
                        "(fault 103)")
    assert lines[2] == ('import: nothing imported: 2 of 40 records rejected '
                        '(the file is imported all or nothing; --keep-going '
                        'imports the others)')
    assert counts(world['url']) == before


def test_keep_going_commits_exactly_the_good_records(world, tmp_path,
                                                     capsys):
    path = bad_file(tmp_path)
    before = counts(world['url'])
    code, out, err = ngnpro(world['config'], 'import', '--keep-going', path,
                            capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith('line 27: ') and lines[1].startswith(
        'line 33: ')
    assert lines[2] == 'import: 38 of 40 records imported, 2 rejected'
    after = counts(world['url'])
    assert [a - b for a, b in zip(after, before)] == [38, 38, 38]
    store = Store(world['url'])
    try:
        a = store.schema.sip_accounts
        with store.engine.connect() as conn:
            names = set(conn.execute(select(a.c.username).where(
                a.c.domain == DOMAIN)).scalars())
    finally:
        store.dispose()
    assert names == {'user%05d' % i for i in range(40)} - {
        'user00025', 'user00031'}


def test_dry_run_checks_everything_and_writes_nothing(world, tmp_path,
                                                      capsys):
    before = counts(world['url'])
    path = write_csv(tmp_path / 'ok.csv', account_rows(30))
    code, out, _ = ngnpro(world['config'], 'import', '--dry-run', path,
                          capsys=capsys)
    assert code == 0
    assert out.splitlines()[-1] == ('import (dry run): 30 of 30 records '
                                    'would be imported, 0 rejected; nothing '
                                    'written')
    code, out, _ = ngnpro(world['config'], 'import', '--dry-run',
                          bad_file(tmp_path), capsys=capsys)
    assert code == 1 and out.startswith('line 27: ')
    assert counts(world['url']) == before


def test_credits_hold_during_the_import(world, tmp_path, capsys):
    """Carl may have 5 SIP accounts: importing 8 as carl is refused at the
    sixth with the credit fault; --keep-going stops at exactly 5."""
    # No PSTN (quota, free-pstn): carl's reseller has no PSTN rights.
    rows = [r[:5] + ['', ''] for r in account_rows(
        8, domain='credit.example.com')]
    path = write_csv(tmp_path / 'carl.csv', rows)
    before = counts(world['url'])
    code, out, _ = ngnpro(world['config'], 'import', '--as', 'carl', path,
                          capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    assert [line.split(':')[0] for line in lines[:3]] == [
        'line 7', 'line 8', 'line 9'], out
    assert lines[0] == ('line 7: Credit exceeded: customer %d has used 5 of '
                        'its sip_credit of 5 (fault 102)' % world['carl'])
    assert counts(world['url']) == before
    code, out, _ = ngnpro(world['config'], 'import', '--as', 'carl',
                          '--keep-going', path, capsys=capsys)
    assert out.splitlines()[-1] == 'import: 5 of 8 records imported, 3 ' \
        'rejected'
    after = counts(world['url'])
    assert [a - b for a, b in zip(after, before)] == [5, 5, 5]
    # The journal says who: carl, through the import.
    store = Store(world['url'])
    try:
        j = store.schema.journal
        with store.engine.connect() as conn:
            who = set(conn.execute(select(j.c.principal, j.c.client).where(
                j.c.operation == 'SipPort.addAccount')).all())
    finally:
        store.dispose()
    assert who == {('carl', 'ngnpro-import')}
    # Nor can carl import into a domain that is not his.
    other = write_csv(tmp_path / 'other.csv', account_rows(1))
    code, out, _ = ngnpro(world['config'], 'import', '--as', 'carl', other,
                          capsys=capsys)
    assert code == 1 and out.startswith('line 2: ')


def populate(d):
    """Every kind, with what makes a round trip hard: a reseller and its
    customer (ids referred to by domains), properties, groups, ACLs,
    an account whose clear text password is not kept (digests), aliases."""
    cust = Client(d, 'Customer', admin())
    boss = cust('addAccount', ('account', {
        'username': 'rt-boss', 'password': 'Boss-pass-1',
        'firstName': 'Bo', 'organization': 'Boss BV',
        'resellerActive': True}))['id']
    carl = cust('addAccount', ('account', {
        'username': 'rt-carl', 'password': 'Carl-pass-1', 'reseller': boss,
        'email': 'carl@example.org',
        'properties': [{'name': 'sip_credit', 'value': '100',
                        'permission': 'admin'}]}))['id']
    cust('setProperties', ('customer', boss), ('properties', [{
        'name': 'store_clear_text_passwords', 'value': '0',
        'permission': 'admin'}]))
    sip = Client(d, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': 'rt.example.com',
                                 'customer': carl, 'reseller': boss}))
    sip('addDomain', ('domain', {'domain': 'open.example.com'}))
    sip('addAccount', ('account', {
        'id': {'username': 'alice', 'domain': 'rt.example.com'},
        'password': 'Wonderland-7', 'firstName': 'Alice',
        'groups': ['free-pstn'], 'quota': 20, 'timezone': 'Europe/Paris',
        'properties': [{'name': 'language', 'value': 'fr'}],
        'acl': [{'ip': '192.0.2.0', 'mask': 24, 'tag': 'office'}]}))
    for i in range(25):
        sip('addAccount', ('account', {
            'id': {'username': 'u%02d' % i, 'domain': 'open.example.com'},
            'password': 'Pw-%02d-secret' % i, 'lastName': 'L%d' % i}))
    sip('addAlias', ('alias', {
        'id': {'username': 'al', 'domain': 'rt.example.com'},
        'target': {'username': 'alice', 'domain': 'rt.example.com'}}))
    sip('addAlias', ('alias', {
        'id': {'username': 'x', 'domain': 'open.example.com'},
        'target': {'username': 'u01', 'domain': 'open.example.com'}}))
    dns = Client(d, 'Dns', admin())
    dns('addZone', ('zone', {
        'name': 'rt.example.com', 'ttl': 3600, 'customer': carl,
        'reseller': boss, 'email': 'hostmaster@rt.example.com',
        'nameservers': ['ns1.example.com', 'ns2.example.com']}))
    dns('addRecord', ('record', {'zone': 'rt.example.com', 'name': 'www',
                                 'type': 'A', 'value': '192.0.2.1',
                                 'ttl': 600}))
    dns('addRecord', ('record', {'zone': 'rt.example.com', 'type': 'MX',
                                 'value': 'mx.rt.example.com',
                                 'priority': 10}))
    enum = Client(d, 'Enum', admin())
    enum('addRange', ('range', {
        'id': {'prefix': '3120', 'tld': 'e164.arpa'}, 'ttl': 3600,
        'minDigits': 11, 'maxDigits': 11, 'customer': carl,
        'reseller': boss, 'nameservers': ['ns1.example.com']}))
    enum('addNumber', ('number', {
        'id': {'number': '31201234567', 'tld': 'e164.arpa'},
        'mappings': [{'type': 'sip', 'mapto': 'sip:alice@rt.example.com',
                      'priority': 5, 'ttl': 3600}]}))


def test_export_then_import_into_an_empty_database_is_equal(
        db_url, tmp_path, capsys, request):
    d = make_dispatcher(db_url)
    try:
        populate(d)
    finally:
        d.store.dispose()
    first = config_file(tmp_path, db_url)
    dump = tmp_path / 'all.json'
    code, _, err = ngnpro(first, 'export', '-o', str(dump), capsys=capsys)
    assert code == 0, err
    data = json.loads(dump.read_text())
    assert [len(data[k]) for k in ('customers', 'domains', 'accounts',
                                   'aliases', 'zones', 'records', 'ranges',
                                   'numbers')] == [2, 2, 26, 2, 1, 2, 1, 1]
    alice = [a for a in data['accounts'] if a['id']['username'] == 'alice']
    # Clear text not kept for boss's domain: the digests travel instead.
    assert re.fullmatch('[0-9a-f]{32}:[0-9a-f]{32}', alice[0]['password'])

    if db_url.startswith('sqlite'):
        empty = 'sqlite:///%s' % (tmp_path / 'empty.sqlite')
    else:
        empty = request.getfixturevalue('mariadb').create_database(
            'rt_%d' % os.getpid())
    second = config_file(tmp_path, empty, 'second.ini')
    assert ngnpro(second, 'db', 'init', capsys=capsys)[0] == 0
    code, out, err = ngnpro(second, 'import', str(dump), capsys=capsys)
    assert code == 0, out + err
    assert out.splitlines()[-1] == 'import: 37 of 37 records imported, 0 ' \
        'rejected'
    again = tmp_path / 'again.json'
    assert ngnpro(second, 'export', '-o', str(again), capsys=capsys)[0] == 0
    assert json.loads(again.read_text()) == data
    # The imported account authenticates as before (same digests).
    d = make_dispatcher(empty)
    try:
        got = Client(d, 'Sip', admin())('getAccount', ('sipId', {
            'username': 'alice', 'domain': 'rt.example.com'}))
        assert got['ha1'] == ha1_pair('alice', 'rt.example.com',
                                      'Wonderland-7')[0]
        assert got['acl'] == [{'ip': '192.0.2.0', 'mask': 24,
                               'tag': 'office'}]
    finally:
        d.store.dispose()

    # CSV: the accounts of one file, the same way round.
    code, _, _ = ngnpro(first, 'export', '--kind', 'accounts', '-o',
                        str(tmp_path / 'a.csv'), capsys=capsys)
    assert code == 0
    text = (tmp_path / 'a.csv').read_text()
    assert text.splitlines()[0].startswith('id.username,id.domain,password')
    third = 'sqlite:///%s' % (tmp_path / 'third.sqlite')
    third_cfg = config_file(tmp_path, third, 'third.ini')
    assert ngnpro(third_cfg, 'db', 'init', capsys=capsys)[0] == 0
    domains = tmp_path / 'domains.json'
    domains.write_text(json.dumps({'domains': [
        {'domain': 'rt.example.com'}, {'domain': 'open.example.com'}]}))
    assert ngnpro(third_cfg, 'import', str(domains), capsys=capsys)[0] == 0
    code, out, _ = ngnpro(third_cfg, 'import', str(tmp_path / 'a.csv'),
                          capsys=capsys)
    assert code == 0, out
    ngnpro(third_cfg, 'export', '--kind', 'accounts', '-o',
           str(tmp_path / 'b.csv'), capsys=capsys)
    assert (tmp_path / 'b.csv').read_text() == text


def test_a_wrong_file_is_one_line(world, tmp_path, capsys):
    path = write_csv(tmp_path / 'h.csv', [['a']], header=['id.nickname'])
    code, out, err = ngnpro(world['config'], 'import', path, capsys=capsys)
    assert code == "ngnpro import: column 'id.nickname': SipId has no " \
        "member 'nickname'"
    path2 = write_csv(tmp_path / 'w.csv', [['a', 'b.example.com', 'pw', 'x']],
                      header=['id.username', 'id.domain', 'password'])
    code, _, _ = ngnpro(world['config'], 'import', path2, capsys=capsys)
    assert code == 'ngnpro import: line 2: 4 cells, the header names 3'
    bad = tmp_path / 'b.json'
    bad.write_text('{"accounts": [')
    code, _, _ = ngnpro(world['config'], 'import', str(bad), capsys=capsys)
    assert code.startswith('ngnpro import: not JSON: ')
    code, _, _ = ngnpro(world['config'], 'import', '--as', 'nobody', path,
                        capsys=capsys)
    assert 'nickname' in code     # the file is read first


def run_import(config, path, stderr, *extra):
    return subprocess.Popen([sys.executable, '-m', 'ngnpro.cli', '-c',
                             config, 'import', path] + list(extra),
                            stdout=subprocess.PIPE, stderr=stderr)


@pytest.mark.parametrize('size', [(30, 100), (0, 0)], ids=['sized', 'bare'])
def test_progress_on_a_terminal_is_a_bar(world, tmp_path, size):
    """A terminal of its size, and a bare pty that reports none."""
    path = write_csv(tmp_path / 'p.csv', account_rows(300))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', *size, 0, 0))
    proc = run_import(world['config'], path, slave)
    os.close(slave)
    seen = b''
    while True:
        ready, _, _ = select_module.select([master], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:          # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 0, seen
    text = seen.decode('utf-8', 'replace')
    # tqdm redraws one line: carriage returns, a bar, the rate and an ETA.
    assert '\r' in text
    assert re.search(r'import: 100%\|.*\| 300/300 \[\d\d:\d\d<00:00, '
                     r'[\d.]+ records/s\]', text), text[-400:]
    assert b'records imported' in out


def test_progress_on_a_pipe_is_plain_lines(world, tmp_path):
    path = write_csv(tmp_path / 'p.csv', account_rows(60))
    proc = run_import(world['config'], path, subprocess.PIPE,
                      '--progress-interval', '0')
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    text = err.decode()
    assert '\r' not in text and '\x1b' not in text
    lines = text.splitlines()
    pattern = re.compile(r'^import: (\d+)/60 records \((\d+)%\), \d+ '
                         r'records/s(, \d+ s left)?$')
    done = [int(pattern.match(line).group(1)) for line in lines]
    assert done == sorted(done) and done[-1] == 60 and len(done) >= 10
    assert lines[-1].startswith('import: 60/60 records (100%)')
