"""The Voicemail port of the real server with clients nobody here wrote, on
SQLite and MariaDB: PHP ext/soap in non-WSDL rpc/encoded mode on the main
URL and on /ngnpro/voicemail, zeep with the literal WSDL, and the
Voicemail port's own listening port. What they provision is checked in
Asterisk's realtime voicemail table."""
import base64
import json

import pytest
from sqlalchemy import select

from ngnpro.store.db import Store
from tests.conftest import require
from tests.helpers import ADMIN
from tests.soapcall import admin, envelope
from tests.support.mariadb import free_port
from tests.support.php import php_missing, run_php
from tests.support.server import Server
from tests.test_live_php import PRELUDE
from tests.test_live_wsdl_clients import ADMIN_AUTH, zeep_client, zeep_fault

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}
WAV = base64.b64decode('UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0'
                       'YQAAAAA=')
NO_BOB = 'SIP account bob@example.com has no voicemail account'
NO_ALICE_VM = 'SIP account alice@example.com has no voicemail account'
NO_NOBODY = 'SIP account nobody@example.com does not exist'
DUP = 'SIP account alice@example.com already has voicemail account 1000000'


def table(db_url, name, **where):
    """Rows of one schema table of the server's database, as dicts."""
    store = Store(db_url)
    try:
        t = getattr(store.schema, name)
        stmt = select(t)
        for k, v in where.items():
            stmt = stmt.where(t.c[k] == v)
        with store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]
    finally:
        store.dispose()


def sip_setup(server, *users):
    """A SIP domain with accounts, over the server's own HTTP endpoint."""
    def call(operation, *args):
        status, _, body = server.post(envelope('Sip', operation, list(args),
                                               admin()))
        assert status == 200, body
    call('addDomain', ('domain', {'domain': DOMAIN}))
    for user in users:
        call('addAccount', ('account', {'id': {'username': user,
                                               'domain': DOMAIN},
                                        'password': 'pw'}))


def php_run(server, body, url):
    require(php_missing() is None, 'PHP SOAP client', 'php-cli php-soap')
    script = PRELUDE + '$URL = %s;\n' % json.dumps(url) + \
        '$ADMIN = %s; $PASS = %s;\n' % (json.dumps(ADMIN[0]),
                                       json.dumps(ADMIN[1])) + body + \
        '\necho json_encode($out);\n'
    return json.loads(run_php(script, timeout=60))


PHP_VOICEMAIL = r'''
$vm = client($URL, 'Voicemail', $ADMIN, $PASS, true, 0);
$alice = (object) ['username' => 'alice', 'domain' => 'example.com'];
$bob = (object) ['username' => 'bob', 'domain' => 'example.com'];
$nobody = (object) ['username' => 'nobody', 'domain' => 'example.com'];
// What sip_settings.php sends to switch voicemail on.
$enable = ['account' => (object) ['sipId' => $alice, 'name' => 'Alice Smith',
    'password' => '4821', 'email' => 'alice@example.com',
    'options' => (object) ['delete' => 1]]];
$out['add'] = call($vm, 'addAccount', $enable);
$out['dup'] = call($vm, 'addAccount', $enable);
$got = call($vm, 'getAccount', ['sipId' => $alice])['ok'];
$out['get'] = $got;
$out['types'] = ['delete' => gettype($got->options->delete),
                 'mailbox' => gettype($got->mailbox)];
// Read-modify-write with the decoded options object (a PHP bool)...
$out['upd'] = call($vm, 'updateAccount', ['account' => (object) [
    'sipId' => $alice, 'email' => 'alice@example.com', 'name' => 'Alice B',
    'password' => '7391', 'options' => $got->options]]);
$out['after'] = call($vm, 'getAccount', ['sipId' => $alice])['ok'];
// ... and with array(delete => intval(...)), an Apache map on this wire.
$out['upd2'] = call($vm, 'updateAccount', ['account' => (object) [
    'sipId' => $alice, 'email' => 'alice@example.com', 'name' => 'Alice B',
    'password' => '7391', 'options' => ['delete' => 0]]]);
$out['after2'] = call($vm, 'getAccount', ['sipId' => $alice])['ok'];
$out['ann'] = call($vm, 'setAnnouncement', ['sipId' => $alice,
    'message' => base64_encode($WAV)]);
$out['badann'] = call($vm, 'setAnnouncement', ['sipId' => $alice,
    'message' => '** not base64 **']);
$out['bob'] = call($vm, 'getAccount', ['sipId' => $bob]);
$out['nobody'] = call($vm, 'getAccount', ['sipId' => $nobody]);
$out['badpin'] = call($vm, 'addAccount', ['account' => (object) [
    'sipId' => $bob, 'password' => '12ab']]);
$out['bobupd'] = call($vm, 'updateAccount', ['account' => (object) [
    'sipId' => $bob, 'password' => '1']]);
$out['bobann'] = call($vm, 'setAnnouncement', ['sipId' => $bob,
    'message' => '']);
$out['state'] = call($vm, 'getAccount', ['sipId' => $alice])['ok'];
'''


@pytest.mark.parametrize('path', ['', 'voicemail'])
def test_php_non_wsdl_voicemail(server, db_url, path):
    """Every operation from PHP ext/soap, on the main URL and on the
    Voicemail port's own path (guide: .../ngnpro/voicemail)."""
    sip_setup(server, 'alice', 'bob')
    out = php_run(server, '$WAV = base64_decode(%s);\n' % json.dumps(
        base64.b64encode(WAV).decode()) + PHP_VOICEMAIL + r'''
$out['del'] = call($vm, 'deleteAccount', ['sipId' => $alice]);
$out['gone'] = call($vm, 'getAccount', ['sipId' => $alice]);
$out['del2'] = call($vm, 'deleteAccount', ['sipId' => $alice]);
$out['again'] = call($vm, 'addAccount', $enable);
$out['again_get'] = call($vm, 'getAccount', ['sipId' => $alice])['ok'];
''', server.url + path)
    assert out['add'] == {'ok': None}
    assert out['dup']['fault'] == {'code': 2001, 'string': DUP,
                                   'faultstring': DUP}
    assert out['get'] == {'sipId': ALICE, 'mailbox': '1000000',
                          'password': '4821', 'name': 'Alice Smith',
                          'email': 'alice@example.com', 'info': '',
                          'options': {'delete': True}}
    assert out['types'] == {'delete': 'boolean', 'mailbox': 'string'}
    assert out['upd'] == {'ok': None}
    assert (out['after']['name'], out['after']['password'],
            out['after']['options']) == ('Alice B', '7391',
                                         {'delete': True})
    assert out['upd2'] == {'ok': None}
    assert out['after2']['options'] == {'delete': False}
    assert out['ann'] == {'ok': None}
    assert out['badann']['fault']['code'] == 103
    assert out['bob']['fault'] == {'code': 2000, 'string': NO_BOB,
                                   'faultstring': NO_BOB}
    assert out['nobody']['fault'] == {'code': 1010, 'string': NO_NOBODY,
                                      'faultstring': NO_NOBODY}
    assert out['badpin']['fault']['code'] == 103
    assert out['bobupd']['fault']['code'] == 2000
    assert out['bobann']['fault']['code'] == 2000
    assert out['state']['password'] == '7391'
    assert out['del'] == {'ok': None}
    assert out['gone']['fault'] == {'code': 2000, 'string': NO_ALICE_VM,
                                    'faultstring': NO_ALICE_VM}
    assert out['del2']['fault']['code'] == 2000
    assert out['again'] == {'ok': None}
    assert out['again_get']['mailbox'] == '1000000'
    # What Asterisk reads: one row, its column rules.
    (row,) = table(db_url, 'voicemail')
    assert (row['context'], row['mailbox'], row['password'], row['fullname'],
            row['email'], row['attach'], row['deletevoicemail']) == \
        ('default', '1000000', '4821', 'Alice Smith', 'alice@example.com',
         'yes', 'yes')
    # The greeting went with deleteAccount.
    assert table(db_url, 'voicemail_greetings') == []


def test_php_greeting_and_rows_before_delete(server, db_url):
    sip_setup(server, 'alice', 'bob')
    out = php_run(server, '$WAV = base64_decode(%s);\n' % json.dumps(
        base64.b64encode(WAV).decode()) + PHP_VOICEMAIL, server.url)
    assert out['ann'] == {'ok': None}
    (g,) = table(db_url, 'voicemail_greetings')
    assert bytes(g['audio']) == WAV
    (row,) = table(db_url, 'voicemail')
    assert (row['password'], row['fullname'], row['attach'],
            row['deletevoicemail']) == ('7391', 'Alice B', 'yes', 'no')
    # Deleting the SIP account takes the mailbox with it.
    status, _, body = server.post(envelope('Sip', 'deleteAccount',
                                           [('sipId', ALICE)], admin()))
    assert status == 200, body
    assert table(db_url, 'voicemail') == []
    assert table(db_url, 'voicemail_accounts') == []
    assert table(db_url, 'voicemail_greetings') == []


def test_zeep_literal_voicemail(server, db_url):
    sip_setup(server, 'alice', 'bob')
    client, session = zeep_client(server, 'voicemail?wsdl')
    client.set_default_soapheaders({'auth': ADMIN_AUTH})
    svc = client.service
    account = {'sipId': ALICE, 'name': 'Alice Smith', 'password': '4821',
               'email': 'alice@example.com', 'options': {'delete': True}}
    assert svc.addAccount(account=account) is None
    assert zeep_fault(svc.addAccount, account=account) == ('2001', DUP, DUP)
    got = svc.getAccount(sipId=ALICE)
    assert (got.mailbox, got.password, got.name, got.email) == \
        ('1000000', '4821', 'Alice Smith', 'alice@example.com')
    assert got.options.delete is True
    assert svc.updateAccount(account=dict(account, password='1111',
                                          options={'delete': False})) is None
    got = svc.getAccount(sipId=ALICE)
    assert (got.password, got.options.delete) == ('1111', False)
    assert svc.setAnnouncement(sipId=ALICE, message=base64.b64encode(
        WAV).decode()) is None
    assert bytes(table(db_url, 'voicemail_greetings')[0]['audio']) == WAV
    bob = {'username': 'bob', 'domain': DOMAIN}
    assert zeep_fault(svc.getAccount, sipId=bob) == ('2000', NO_BOB, NO_BOB)
    assert zeep_fault(svc.getAccount, sipId={
        'username': 'nobody', 'domain': DOMAIN}) == \
        ('1010', NO_NOBODY, NO_NOBODY)
    assert zeep_fault(svc.updateAccount, account=dict(
        account, password='x'))[0] == '103'
    (row,) = table(db_url, 'voicemail')
    assert (row['password'], row['attach'], row['deletevoicemail']) == \
        ('1111', 'yes', 'no')
    assert svc.deleteAccount(sipId=ALICE) is None
    assert zeep_fault(svc.getAccount, sipId=ALICE) == \
        ('2000', NO_ALICE_VM, NO_ALICE_VM)
    assert table(db_url, 'voicemail') == []
    assert session.fetched[0] == ('GET', server.url + 'voicemail?wsdl')
    assert set(session.fetched[1:]) == {('POST', server.url)}


@pytest.fixture
def vm_server(db_url, tmp_path):
    """The server with the Voicemail port on a listening port of its own,
    two worker processes sharing both sockets."""
    port = free_port()
    srv = Server(tmp_path, db_url, processes=2, extra=(
        '[voicemail]\nlisten_port = %d\nserver = vm.example.com\n' % port))
    srv.voicemail_url = 'http://127.0.0.1:%d/' % port
    srv.start()
    yield srv
    srv.stop()


def test_voicemail_on_its_own_listening_port(vm_server, db_url):
    sip_setup(vm_server, 'alice', 'bob')
    out = php_run(vm_server, r'''
$alice = (object) ['username' => 'alice', 'domain' => 'example.com'];
$vm = client($VM, 'Voicemail', $ADMIN, $PASS, true);
for ($i = 0; $i < 6; $i++) {        // both workers answer on this port
    $out['get'][] = call($vm, 'getAccount', ['sipId' => $alice]);
}
$out['add'] = call($vm, 'addAccount', ['account' => (object) [
    'sipId' => $alice, 'password' => '4821', 'name' => 'Alice']]);
$out['got'] = call($vm, 'getAccount', ['sipId' => $alice])['ok'];
// Only the Voicemail port is served here; the main URL serves all.
$sip = client($VM, 'Sip', $ADMIN, $PASS, true);
$out['sip'] = call($sip, 'getAccount', ['sipId' => $alice]);
$main = client($URL, 'Sip', $ADMIN, $PASS, true);
$out['main'] = call($main, 'getAccount', ['sipId' => $alice])['ok']->id;
'''.replace('$VM', json.dumps(vm_server.voicemail_url)), vm_server.url)
    assert [r['fault']['code'] for r in out['get']] == [2000] * 6
    assert out['add'] == {'ok': None}
    assert out['got']['mailbox'] == '1000000'
    # A <voice-mailbox> diversion reaches sip:<mailbox>@<[voicemail] server>.
    assert out['got']['info'] == 'sip:1000000@vm.example.com'
    assert out['sip']['fault']['code'] == 104
    assert out['sip']['fault']['string'] == \
        'SipPort is not served at this address'
    assert out['main'] == ALICE
    assert [r['mailbox'] for r in table(db_url, 'voicemail')] == ['1000000']
