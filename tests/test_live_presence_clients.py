"""The PresencePort through SOAP clients nobody here wrote, against the real
server (the ``server`` fixture: every test on SQLite and on MariaDB):

* PHP ext/soap in non-WSDL rpc/encoded mode, as NGNPro/Presence.php uses
  it: no auth header, the account's own password as an argument;
* PHP ext/soap in WSDL mode with the per-port rpc/encoded WSDL
  (``<base>wsdl/PresencePort``);
* zeep with the document/literal WSDL (``<base>presence?wsdl``).

Each calls all six operations with asserted values, a wrong password and an
unknown account (the same fault 100).
"""
import json

import pytest

from tests.conftest import require
from tests.helpers import ADMIN
from tests.support.php import php_missing, run_php
from tests.test_live_wsdl_clients import zeep_client, zeep_fault, zplain

DENIED = 'Invalid SIP account or password'
NOTE = 'In a <meeting> & "busy"'
POLICY = {'allow': ['sip:bob@example.com', 'example.org'],
          'deny': ['sip:spam@example.net'], 'confirm': []}

WATCHERS = [{'id': 'sip:bob@example.com', 'status': 'allow', 'online': True},
            {'id': 'sip:eve@example.net', 'status': 'deny', 'online': False}]


def seed_watchers(db_url):
    """Two watchers of alice as Kamailio records them: bob allowed and
    subscribed, eve rejected."""
    import time
    from sqlalchemy import create_engine, insert
    from ngnpro.store.schema import Schema
    s = Schema()
    engine = create_engine(db_url)
    now = int(time.time())
    uri = 'sip:alice@example.com'
    with engine.begin() as conn:
        conn.execute(insert(s.watchers), [
            {'presentity_uri': uri, 'watcher_username': 'bob',
             'watcher_domain': 'example.com', 'event': 'presence',
             'status': 1, 'inserted_time': now},
            {'presentity_uri': uri, 'watcher_username': 'eve',
             'watcher_domain': 'example.net', 'event': 'presence',
             'status': 3, 'reason': 'rejected', 'inserted_time': now}])
        conn.execute(insert(s.active_watchers).values(
            presentity_uri=uri, watcher_username='bob',
            watcher_domain='example.com', to_user='alice',
            to_domain='example.com', event='presence', to_tag='t',
            from_tag='f', callid='c', local_cseq=1, remote_cseq=1,
            contact='sip:bob@192.0.2.1', expires=now + 600, status=1,
            socket_info='udp:127.0.0.1:5060',
            local_contact='sip:127.0.0.1:5060', from_user='bob',
            from_domain='example.com', updated=0, updated_winfo=0))
    engine.dispose()


PRELUDE = r'''
function client($url, $uri) {
    return new SoapClient(null, ['location' => $url, 'uri' => $uri,
        'style' => SOAP_RPC, 'use' => SOAP_ENCODED, 'exceptions' => true,
        'trace' => 1]);
}
function call($c, $op, $args) {
    $params = [];
    foreach ($args as $name => $value) { $params[] = new SoapParam($value, $name); }
    try {
        return ['ok' => $c->__soapCall($op, $params)];
    } catch (SoapFault $f) {
        $code = $f->detail->exception->errorcode ?? null;
        return ['fault' => ['code' => $code, 'code_type' => gettype($code),
                            'string' => $f->detail->exception->errorstring ?? null,
                            'faultstring' => $f->faultstring]];
    }
}
$sip = client($URL, 'urn:AGProjects:NGNPro:Sip');
$sip->__setSoapHeaders(new SoapHeader('urn:AGProjects:NGNPro', 'auth',
    (object) ['username' => $ADMIN, 'password' => $PASS, 'admin' => true]));
call($sip, 'addDomain', ['domain' => (object) ['domain' => 'example.com']]);
call($sip, 'addAccount', ['account' => (object) [
    'id' => (object) ['username' => 'alice', 'domain' => 'example.com'],
    'password' => 'wonderland7']]);
$out = [];
'''


@pytest.fixture
def php(server, db_url):
    require(php_missing() is None, 'PHP SOAP client', 'php-cli php-soap')
    seed_watchers(db_url)

    def run(body):
        script = '$URL = %s; $ADMIN = %s; $PASS = %s;\n' % (
            json.dumps(server.url), json.dumps(ADMIN[0]),
            json.dumps(ADMIN[1])) + PRELUDE + body + \
            '\necho json_encode($out);\n'
        return json.loads(run_php(script, timeout=60))
    return run


def denied():
    return {'fault': {'code': 100, 'code_type': 'integer', 'string': DENIED,
                      'faultstring': DENIED}}


PHP_CALLS = r'''
$alice = (object) ['username' => 'alice', 'domain' => 'example.com'];
$pw = 'wonderland7';
$out['empty'] = CALL('getPresenceInformation', $alice, $pw);
$out['set'] = CALL('setPresenceInformation', $alice, $pw,
    (object) ['activity' => 'busy', 'note' => NOTE]);
$out['get'] = CALL('getPresenceInformation', $alice, $pw);
$out['setpol'] = CALL('setPolicy', $alice, $pw, (object) [
    'allow' => ['sip:bob@example.com', 'Example.ORG'],
    'deny' => ['sip:spam@example.net'], 'confirm' => []]);
$out['getpol'] = CALL('getPolicy', $alice, $pw);
$out['watchers'] = CALL('getWatchers', $alice, $pw);
$out['del'] = CALL('deletePresenceInformation', $alice, $pw);
$out['after'] = CALL('getPresenceInformation', $alice, $pw);
$out['wrong'] = CALL('getPolicy', $alice, 'wonderland8');
$out['unknown'] = CALL('getPolicy',
    (object) ['username' => 'nobody', 'domain' => 'example.com'], $pw);
$out['wrongset'] = CALL('setPresenceInformation', $alice, 'x',
    (object) ['activity' => 'away', 'note' => 'no']);
$out['still'] = CALL('getPresenceInformation', $alice, $pw);
'''.replace('NOTE', json.dumps(NOTE))


def check_php(out):
    assert out['empty'] == {'ok': {'activity': '', 'note': ''}}
    assert out['set'] == {'ok': None}
    assert out['get'] == {'ok': {'activity': 'busy', 'note': NOTE}}
    assert out['setpol'] == {'ok': None}
    assert out['getpol'] == {'ok': POLICY}
    assert out['watchers'] == {'ok': WATCHERS}
    assert out['del'] == {'ok': None}
    assert out['after'] == {'ok': {'activity': '', 'note': ''}}
    assert out['wrong'] == out['unknown'] == out['wrongset'] == denied()
    assert out['still'] == out['after']


def test_presence_from_php_without_wsdl(php):
    """As NGNPro/Presence.php calls it: arguments named and typed by the
    message, no auth header."""
    out = php(r'''
$p = client($URL, 'urn:AGProjects:SoapSIMPLEProxy:Presence');
function pcall($op, $sipId, $password, $third = null) {
    global $p;
    $args = ['sipId' => $sipId, 'password' => $password];
    if ($third !== null) {
        $args[$op == 'setPolicy' ? 'policy' : 'information'] = $third;
    }
    return call($p, $op, $args);
}
''' + PHP_CALLS.replace('CALL', 'pcall') +
        r'''
$out['headers'] = $p->__getLastRequest();
''')
    # Not a trace of an auth header in what PHP sent.
    assert '<auth>' not in out.pop('headers')
    check_php(out)


def test_presence_from_php_with_the_rpc_wsdl(php):
    out = php(r'''
$p = new SoapClient($URL . 'wsdl/PresencePort', [
    'cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true]);
function pcall($op, ...$args) {
    global $p;
    try {
        return ['ok' => $p->__soapCall($op, $args)];
    } catch (SoapFault $f) {
        $code = $f->detail->exception->errorcode ?? null;
        return ['fault' => ['code' => $code, 'code_type' => gettype($code),
                            'string' => $f->detail->exception->errorstring ?? null,
                            'faultstring' => $f->faultstring]];
    }
}
''' + PHP_CALLS.replace('CALL', 'pcall'))
    check_php(out)


def test_presence_from_zeep(server, db_url):
    from tests.soapcall import admin, envelope
    seed_watchers(db_url)
    status, _, body = server.post(envelope(
        'Sip', 'addDomain', [('domain', {'domain': 'example.com'})], admin()))
    assert status == 200, body
    status, _, body = server.post(envelope('Sip', 'addAccount', [(
        'account', {'id': {'username': 'alice', 'domain': 'example.com'},
                    'password': 'wonderland7'})], admin()))
    assert status == 200, body

    client, session = zeep_client(server, 'presence?wsdl')
    svc = client.service
    alice = {'username': 'alice', 'domain': 'example.com'}
    pw = 'wonderland7'
    empty = svc.getPresenceInformation(sipId=alice, password=pw)
    # zeep reads an empty string element (<note></note>) as None.
    assert (empty.activity, empty.note) == (None, None)
    assert svc.setPresenceInformation(sipId=alice, password=pw, information={
        'activity': 'busy', 'note': NOTE}) is None
    got = svc.getPresenceInformation(sipId=alice, password=pw)
    assert (got.activity, got.note) == ('busy', NOTE)
    assert svc.setPolicy(sipId=alice, password=pw, policy={
        'allow': {'item': ['sip:bob@example.com', 'example.org']},
        'deny': {'item': ['sip:spam@example.net']},
        'confirm': {'item': []}}) is None
    policy = svc.getPolicy(sipId=alice, password=pw)
    assert {k: v['item'] for k, v in zplain(policy).items()} == POLICY
    watchers = svc.getWatchers(sipId=alice, password=pw)
    assert zplain(watchers) == WATCHERS
    assert isinstance(watchers[0].online, bool)
    assert svc.deletePresenceInformation(sipId=alice, password=pw) is None
    after = svc.getPresenceInformation(sipId=alice, password=pw)
    assert (after.activity, after.note) == (None, None)
    wrong = zeep_fault(svc.getPolicy, sipId=alice, password='nope')
    unknown = zeep_fault(svc.getWatchers, sipId={
        'username': 'nobody', 'domain': 'example.com'}, password=pw)
    assert wrong == unknown == ('100', DENIED, DENIED)
    assert session.fetched[0] == ('GET', server.url + 'presence?wsdl')
    assert set(session.fetched[1:]) == {('POST', server.url)}


def test_golden_requests_are_answered(server):
    """The Presence requests captured from the legacy client, sent as they
    are to the running server, for an account with the fixtures' password:
    every one answered (never 104), with the values they set."""
    import os
    from lxml import etree
    from tests.soapcall import admin, decode, envelope
    here = os.path.join(os.path.dirname(__file__), 'wire')
    index = json.load(open(os.path.join(here, 'index.json')))
    fixtures = {f['operation']: f for f in index['fixtures']
                if f['port'] == 'Presence'}
    assert len(fixtures) == 6
    first = fixtures['setPresenceInformation']['args']
    for op, arg in (('addDomain', ('domain', {
            'domain': first['sipId']['domain']})),
            ('addAccount', ('account', {'id': first['sipId'],
                                        'password': first['password']}))):
        status, _, body = server.post(envelope('Sip', op, [arg], admin()))
        assert status == 200, body
    answers = {}
    for op in ('setPresenceInformation', 'getPresenceInformation',
               'setPolicy', 'getPolicy', 'getWatchers',
               'deletePresenceInformation'):
        with open(os.path.join(here, 'requests', fixtures[op]['file']),
                  'rb') as f:
            status, headers, body = server.post(f.read())
        assert status == 200, body
        wrapper = etree.fromstring(body)[0][0]
        assert wrapper.tag == '{urn:AGProjects:SoapSIMPLEProxy:Presence}' \
            '%sResponse' % op
        answers[op] = decode(wrapper[0]) if len(wrapper) else None
    assert answers == {
        'setPresenceInformation': None,
        'getPresenceInformation': first['information'],
        'setPolicy': None,
        'getPolicy': fixtures['setPolicy']['args']['policy'],
        'getWatchers': [], 'deletePresenceInformation': None}
