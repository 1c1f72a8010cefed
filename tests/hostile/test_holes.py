"""The holes a hostile test found in the shared layers, one test (or a few)
each, against the live server on both backends."""
import gzip
import hashlib
import os
import socket
import time

import pytest
from tests.hostile.conftest import Live, database_url
from tests.soapcall import admin, customer, envelope
from tests.support.server import Server


def fault_of(result):
    code, text = result
    assert code, 'expected a fault, got an answer'
    return code, text


# -- 1. property names: one canonical form ---------------------------------

@pytest.mark.parametrize('spelling', ['PSTN_ACCESS', 'Pstn_Access',
                                      ' pstn_access ', 'pstn_ACCESS'])
def test_reseller_cannot_grant_itself_pstn_by_case(live, unchanged, spelling):
    w = live.world
    code, text = fault_of(live.call('Customer', 'setProperties', [
        ('customer', w.ids['r1']),
        ('properties', [{'name': spelling, 'value': '1',
                         'permission': 'customer'}])], w.login('r1')))
    assert code == 101 and 'pstn_access' in text


def test_case_variants_are_one_property_for_the_admin(live):
    w = live.world
    root = admin()
    for spelling, value in (('PSTN_ACCESS', '1'), ('pstn_access', '0')):
        assert live.call('Customer', 'setProperties', [
            ('customer', w.ids['r1']),
            ('properties', [{'name': spelling, 'value': value}])],
            root)[0] == 0
    code, answer = live.call('Customer', 'getProperties',
                             [('customer', w.ids['r1'])], root)
    props = {i.findtext('name'): i.findtext('value')
             for i in answer.iter('item')}
    assert props['pstn_access'] == '0'
    assert [n for n in props if n.lower() == 'pstn_access'] == ['pstn_access']
    # ... and the reseller, without PSTN rights, still cannot sell PSTN.
    code, _ = live.call('Sip', 'addAccount', [('account', {
        'id': {'username': 'pstn-try', 'domain': w.domains['c1']},
        'password': 'x-pw-1', 'groups': ['FREE-PSTN']})], w.login('r1'))
    assert code == 101


# -- 2. no secret in the log ------------------------------------------------

@pytest.fixture(params=['sqlite', 'mariadb'])
def breakable(request, tmp_path_factory):
    """A server of its own, on a database the test may damage."""
    url = database_url(request, tmp_path_factory, 'breakable')
    srv = Server(tmp_path_factory.mktemp('breakable'), url).start()
    live = Live(srv, url)
    yield live
    live.store.dispose()
    srv.stop()


def test_database_errors_log_no_secret(breakable):
    live = breakable
    root = admin()
    assert live.call('Sip', 'addDomain', [('domain', {
        'domain': 'leak.example.com'})], root)[0] == 0
    secret = 'Clear-Secret-4242'
    ha1 = hashlib.md5(('carol:leak.example.com:%s' % secret).encode()
                      ).hexdigest()
    # The Kamailio table the insert needs is gone: an internal error.
    with live.store.engine.begin() as conn:
        conn.exec_driver_sql('DROP TABLE subscriber')
    code, text = fault_of(live.call('Sip', 'addAccount', [('account', {
        'id': {'username': 'carol', 'domain': 'leak.example.com'},
        'password': secret})], root))
    assert code == 900 and secret not in text
    # A customer password through a failing write, too.
    with live.store.engine.begin() as conn:
        conn.exec_driver_sql('DROP TABLE ngnpro_customer_properties')
    code, _ = fault_of(live.call('Customer', 'addAccount', [('account', {
        'username': 'dora', 'password': 'Cust-Secret-77',
        'properties': [{'name': 'x', 'value': '1'}]})], root))
    assert code == 900
    log = open(live.server.log).read() + live.server.tail()
    assert 'internal error in SipPort.addAccount' in log
    for leaked in (secret, ha1, 'Cust-Secret-77'):
        assert leaked not in log


# -- 3. uploads are bounded before they are read ---------------------------

def _connect(live):
    return socket.create_connection(('127.0.0.1', live.server.port), 10)


def _read_all(sock, timeout=5):
    sock.settimeout(timeout)
    data = b''
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data


def test_huge_declared_length_is_refused_at_the_header(live, unchanged):
    with _connect(live) as s:
        started = time.monotonic()
        s.sendall(b'POST /ngnpro/ HTTP/1.1\r\nHost: x\r\n'
                  b'Content-Type: text/xml\r\n'
                  b'Content-Length: 4294967296\r\n\r\n')
        sent = 0
        try:
            for _ in range(4096):              # up to 256 MiB if accepted
                s.sendall(b'x' * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_all(s)
    assert answer.startswith(b'HTTP/1.1 500'), answer[:200]
    assert b'<errorcode xsi:type="xsd:int">106</errorcode>' in answer
    assert time.monotonic() - started < 10
    assert sent < 64 * 1024 * 1024     # the server stopped reading early


def test_body_without_length_stops_at_the_limit(live, unchanged):
    with _connect(live) as s:
        s.sendall(b'POST /ngnpro/ HTTP/1.1\r\nHost: x\r\n'
                  b'Content-Type: text/xml\r\n'
                  b'Transfer-Encoding: chunked\r\n\r\n')
        sent = 0
        try:
            for _ in range(2048):
                s.sendall(b'10000\r\n' + b'x' * 65536 + b'\r\n')
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_all(s)
    assert b'<errorcode xsi:type="xsd:int">106</errorcode>' in answer
    assert sent < 64 * 1024 * 1024


def test_bodies_are_not_spooled_to_disk(tmp_path, db_url):
    spool = tmp_path / 'tmp'
    spool.mkdir()
    srv = Server(tmp_path, db_url, env=dict(os.environ, TMPDIR=str(spool)))
    srv.start()
    try:
        body = envelope('Sip', 'getDomains', [('query', {'filter': {
            'domain': 'x' * 200}})], admin())
        body += b' ' * (900 * 1024)        # large, but under the limit
        status, _, _ = srv.post(body)
        assert status == 200
        assert list(spool.iterdir()) == []
    finally:
        srv.stop()


# -- 4. element bombs stop while parsing -----------------------------------

def _rss_kb(pid):
    for line in open('/proc/%d/status' % pid):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    return 0


def test_element_bomb_is_refused_while_parsing(live, unchanged):
    inner = b'<a/>' * 950000
    bomb = gzip.compress(envelope('Sip', 'getDomains', [
        ('query', {'filter': {}})], admin()).replace(
            b'<filter></filter>', b'<filter>' + inner + b'</filter>'), 9)
    assert len(bomb) < 8000
    rss = _rss_kb(live.server.proc.pid)
    started = time.monotonic()
    status, body = live.post(bomb, {'Content-Encoding': 'gzip'})
    took = time.monotonic() - started
    assert status == 500
    assert b'<errorcode xsi:type="xsd:int">106</errorcode>' in body
    assert b'more than 50000 XML elements' in body
    assert took < 1.0
    assert _rss_kb(live.server.proc.pid) - rss < 60 * 1024


def test_array_over_the_limit_is_refused_before_decoding(live, unchanged):
    code, text = fault_of(live.call('Customer', 'setProperties', [
        ('customer', live.world.ids['c1']),
        ('properties', [{'name': 'p%d' % i, 'value': 'v'}
                        for i in range(1001)])], admin()))
    assert code == 103 and 'more items than the maximum of 1000' in text


# -- 5. slow clients cannot exhaust descriptors -----------------------------

@pytest.fixture
def guarded(tmp_path):
    srv = Server(tmp_path, 'sqlite:///%s' % (tmp_path / 'g.sqlite'),
                 server_extra='request_timeout = 2\n'
                              'max_connections_per_address = 20\n')
    srv.start()
    yield srv
    srv.stop()


def test_slow_clients_are_cut_and_capped(guarded):
    srv = guarded
    slow = []
    for _ in range(60):
        s = socket.create_connection(('127.0.0.1', srv.port), 5)
        s.sendall(b'POST /ngnpro/ HTTP/1.1\r\n')
        slow.append(s)
    time.sleep(0.3)
    # Past the per-address cap the server hung up at once.
    closed = 0
    for s in slow[20:]:
        s.settimeout(2)
        try:
            closed += s.recv(1) == b''
        except (ConnectionResetError, socket.timeout):
            closed += 1
    assert closed == 40
    for s in slow[20:]:
        s.close()
    # The first 20 trickle a header byte a second: cut after 2 s anyway.
    started = time.monotonic()
    alive = slow[:20]
    while alive and time.monotonic() - started < 8:
        for s in list(alive):
            try:
                s.sendall(b'X')
            except OSError:
                alive.remove(s)
        time.sleep(0.5)
    assert not alive
    assert time.monotonic() - started < 6
    for s in slow[:20]:
        s.close()
    # And the server still answers.
    body = envelope('Sip', 'getDomains', [('query', {})], admin())
    status, _, data = srv.post(body)
    assert status == 200, data
    log = open(srv.log).read()
    assert 'already has 20 connections open' in log
    assert 'took more than 2 s to send a request' in log


def test_fd_limit_raised_and_unit_sets_it(guarded):
    limits = open('/proc/%d/limits' % guarded.proc.pid).read()
    (line,) = [x for x in limits.splitlines()
               if x.startswith('Max open files')]
    soft, hard = line.split()[3:5]
    assert soft == hard       # the server took all the descriptors it may
    unit = open(os.path.join(os.path.dirname(__file__), '..', '..',
                             'debian', 'ngnpro.service')).read()
    assert 'LimitNOFILE=65536' in unit


# -- 6. password guessing is slowed, then refused ---------------------------

def test_guessing_is_throttled_and_logged(live):
    w = live.world
    root = admin()
    code, answer = live.call('Customer', 'addAccount', [('account', {
        'username': 'guessed', 'password': 'Right-Pw-1',
        'reseller': w.ids['r1']})], root)
    cid = int(answer.findtext('.//return/id'))
    wrong = customer('guessed', 'not-the-password')
    started = time.monotonic()
    codes = [live.call('Customer', 'getAccount', [('id', cid)], wrong)
             for _ in range(50)]
    assert time.monotonic() - started < 10
    assert [c for c, _ in codes] == [100] * 50
    assert [t for _, t in codes[:3]] == ['Invalid customer credentials'] * 3
    # Past three failures the password is not even checked.
    assert all('Too many failed logins' in t for _, t in codes[3:])
    # While throttled even the right password from this address waits...
    code, text = live.call('Customer', 'getAccount', [('id', cid)],
                           customer('guessed', 'Right-Pw-1'))
    assert code == 100 and 'Too many failed logins' in text
    # ... and other users are not affected.
    assert live.call('Customer', 'getAccount', [('id', w.ids['c1'])],
                     w.login('c1'))[0] == 0
    log = open(live.server.log).read()
    assert "login failed: user 'guessed' from 127.0.0.1" in log
    assert "login throttled: user 'guessed' from 127.0.0.1" in log
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        code, _ = live.call('Customer', 'getAccount', [('id', cid)],
                            customer('guessed', 'Right-Pw-1'))
        if code == 0:
            break
        time.sleep(0.5)
    assert code == 0      # the legitimate user gets in once the wait is over
    assert live.call('Customer', 'deleteAccount', [('id', cid)], root)[0] == 0


def test_lockout_spares_other_addresses(tmp_path):
    """Per address: c2 locked out from one address logs in from another;
    an attacker spraying addresses is refused on new ones once the user is
    attacked from many."""
    from tests.helpers import make_dispatcher
    from tests.soapcall import Client
    d = make_dispatcher('sqlite:///%s' % (tmp_path / 't.sqlite'))
    try:
        root = Client(d, 'Customer', admin())
        cid = root('addAccount', ('account', {'username': 'vic',
                                              'password': 'Right-1'}))['id']

        def attempt(password, address):
            body = envelope('Customer', 'getAccount', [('id', cid)],
                            customer('vic', password))
            return d.handle(body, address).errorcode

        assert attempt('Right-1', '198.51.100.7') == 0    # a known address
        for _ in range(12):
            attempt('guess', '203.0.113.5')
        assert attempt('Right-1', '203.0.113.5') == 100   # locked there
        assert attempt('Right-1', '198.51.100.8') == 0    # not elsewhere
        for i in range(60):                               # a spray
            attempt('guess', '192.0.2.%d' % i)
        assert attempt('Right-1', '192.0.2.200') == 100   # new address
        assert attempt('Right-1', '198.51.100.7') == 0    # known address
    finally:
        d.store.dispose()


# -- 7. a block outlives delete-and-recreate --------------------------------

def test_customer_cannot_shed_a_block(live):
    w = live.world
    root = admin()
    sip_id = {'username': 'blocked-one', 'domain': w.domains['c1']}
    assert live.call('Sip', 'addAccount', [('account', {
        'id': sip_id, 'password': 'pw-blocked'})], root)[0] == 0
    assert live.call('Sip', 'addAlias', [('alias', {
        'id': {'username': 'blocked-alias', 'domain': w.domains['c1']},
        'target': sip_id})], root)[0] == 0
    assert live.call('Sip', 'addToGroup', [('sipId', sip_id),
                                          ('group', 'blocked')], root)[0] == 0
    before = live.snapshot()
    code, text = fault_of(live.call('Sip', 'deleteAccount',
                                    [('sipId', sip_id)], w.login('c1')))
    assert code == 101 and 'blocked' in text
    assert live.snapshot() == before
    # The reseller may (it may lift the block anyway).
    assert live.call('Sip', 'deleteAccount', [('sipId', sip_id)],
                     w.login('r1'))[0] == 0


# -- and the rest -----------------------------------------------------------

@pytest.mark.parametrize('port,operation,args', [
    ('Customer', 'getAccount', [('id', 10 ** 30)]),
    ('Customer', 'updateAccount', [('account', {'id': 1, 'balance': '1e400'})]),
    ('Customer', 'updateAccount', [('account', {'id': 1, 'balance': 'NaN'})]),
    ('Sip', 'addAccount', [('account', {
        'id': {'username': 'long', 'domain': 'c1.example.com'},
        'password': 'pw', 'firstName': 'x' * 100000})]),
    ('Sip', 'getAccounts', [('query', {'filter': {'username': 'a%' * 50000}})]),
])
def test_out_of_range_values(live, unchanged, port, operation, args):
    code, text = fault_of(live.call(port, operation, args, admin()))
    assert code == 103, text


@pytest.mark.parametrize('error', ['IntegrityError', 'DataError'])
def test_database_refusals_name_no_table(db_url, monkeypatch, error):
    """A refusal by the database that no port check anticipated: the fault
    says what happened in the client's terms, never which table, column or
    index, nor the values."""
    import sqlalchemy.exc
    from ports.sip import domains
    from tests.helpers import make_dispatcher
    from tests.soapcall import Client, SoapFault

    def refuse(*args, **kwargs):
        orig = Exception(1062, "Duplicate entry 'S3cr3t-x' for key "
                         "'account_idx' in table 'subscriber'")
        raise getattr(sqlalchemy.exc, error)(
            'INSERT INTO subscriber (password) VALUES (%s)', ('S3cr3t-x',),
            orig)
    d = make_dispatcher(db_url)
    try:
        call = Client(d, 'Sip', admin())
        call('addDomain', ('domain', {'domain': 'refused.example.com'}))
        monkeypatch.setattr(domains.store, 'update_domain', refuse)
        with pytest.raises(SoapFault) as err:
            call('updateDomain', ('domain', {
                'domain': 'refused.example.com'}))
        assert err.value.code == 103
        for word in ('subscriber', 'account_idx', 'Duplicate', 'S3cr3t',
                     'INSERT', 'password'):
            assert word not in err.value.string
    finally:
        d.store.dispose()


@pytest.mark.parametrize('port,operation,make_args', [
    ('Sip', 'getAccount', lambda w, u: [('sipId', {
        'username': u, 'domain': w.domains['c1']})]),
    ('Sip', 'deleteAccount', lambda w, u: [('sipId', {
        'username': u, 'domain': w.domains['c1']})]),
    ('Sip', 'getAlias', lambda w, u: [('id', {
        'username': u + '-alias', 'domain': w.domains['c1']})]),
    ('Sip', 'deleteDomain', lambda w, u: [('domain', (
        w.domains['c1'] if u == 'alice' else 'nowhere.example.com'))]),
    ('Sip', 'addAccount', lambda w, u: [('account', {
        'id': {'username': 'new', 'domain': (
            w.domains['c1'] if u == 'alice' else 'nowhere.example.com')},
        'password': 'pw-new'})]),
    ('Customer', 'getAccount', lambda w, u: [('id', (
        w.ids['c1'] if u == 'alice' else 999999))]),
])
def test_no_existence_oracle(live, unchanged, port, operation, make_args):
    """Another tenant's record answers exactly like a missing one."""
    w = live.world
    existing = fault_of(live.call(port, operation, make_args(w, 'alice'),
                                  w.login('c2')))
    missing = fault_of(live.call(port, operation, make_args(w, 'nobody'),
                                 w.login('c2')))
    assert existing[0] == missing[0] and existing[0] in (1000, 1010, 1020,
                                                         5000)
