"""The subscriber services from clients nobody here wrote, against the real
server (SQLite and MariaDB): PHP ext/soap in non-WSDL rpc/encoded mode (as
CDRTool's self-care page calls them), PHP ext/soap with the per-port
rpc/encoded WSDL, and zeep with the literal WSDL. Every setting is set and
read back with asserted values, empty lists and the special shapes
included, and the same values are asserted in the tables Kamailio and
CDRTool read."""
import datetime
import json
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from ngnpro.store.db import Store
from tests.conftest import require
from tests.helpers import ADMIN
from tests.support.php import php_missing, run_php

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}


@pytest.fixture
def tables(server, db_url):
    store = Store(db_url)
    yield store
    store.dispose()


def native(store, table, **where):
    t = getattr(store.schema, table)
    stmt = select(t)
    for k, v in where.items():
        stmt = stmt.where(getattr(t.c, k) == v)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt.order_by(t.c.id))
                .mappings()]


def prefs(store):
    return [(r['attribute'], r['value']) for r in native(
        store, 'usr_preferences', username='alice', domain=DOMAIN)]


def seed_calls_and_devices(store):
    """acc and location rows as Kamailio writes them."""
    now = datetime.datetime.now().replace(microsecond=0)
    start = now - datetime.timedelta(hours=1)
    s = store.schema
    call = {'method': 'INVITE', 'from_tag': 'f1', 'to_tag': 't1',
            'callid': 'call-1@example.com', 'sip_code': '200',
            'sip_reason': 'OK', 'time': start, 'src_user': 'alice',
            'src_domain': DOMAIN, 'src_ip': '192.0.2.10',
            'dst_ouser': '31201234567', 'dst_user': '31201234567',
            'dst_domain': DOMAIN, 'proxy_ip': '192.0.2.1',
            'media': 'audio', 'from_header': '<sip:alice@example.com>;tag=f1',
            'price': Decimal('0.1250')}
    with store.engine.begin() as conn:
        conn.execute(s.acc.insert(), [call, dict(
            call, method='BYE', time=start + datetime.timedelta(seconds=61),
            price=Decimal(0))])
        conn.execute(s.location.insert().values(
            ruid='uloc-a', username='alice', domain=DOMAIN,
            contact='sip:alice@192.0.2.10:5062;transport=tls',
            received=None, path=None, expires=now + datetime.timedelta(
                seconds=600), q=1.0, callid='reg', cseq=1,
            last_modified=now, flags=0, cflags=0,
            user_agent='Blink', socket='tls:192.0.2.1:5061', methods=None,
            instance=None, reg_id=0, server_id=0, connection_id=0,
            keepalive=0, partition=0))
        conn.execute(s.prepaid_cards.insert().values(
            number='5558123498761234', value=Decimal('20'), batch='b',
            service='sip', reseller_id=0, blocked=0))
    return int(time.mktime(start.timetuple()))


# -- PHP ext/soap, non-WSDL (the legacy client's mode) ----------------------

@pytest.fixture
def php(server):
    from tests.test_live_php import PRELUDE
    require(php_missing() is None, 'PHP SOAP client', 'php-cli php-soap')

    def run(body):
        script = PRELUDE + '$URL = %s;\n' % json.dumps(server.url) + \
            '$ADMIN = %s; $PASS = %s;\n' % (json.dumps(ADMIN[0]),
                                           json.dumps(ADMIN[1])) + body + \
            '\necho json_encode($out);\n'
        return json.loads(run_php(script, timeout=60))
    return run


def test_self_care_settings_from_php(php, tables):
    out = php(r'''
$sip = client($URL, 'Sip', $ADMIN, $PASS, true, 0);
call($sip, 'addDomain', ['domain' => (object) ['domain' => 'example.com']]);
$me = (object) ['username' => 'alice', 'domain' => 'example.com'];
call($sip, 'addAccount', ['account' => (object) ['id' => $me,
    'password' => 'pw', 'prepaid' => 1]]);
$out['div0'] = call($sip, 'getCallDiversions', ['sipId' => $me]);
$out['setdiv'] = call($sip, 'setCallDiversions', ['sipId' => $me,
    'diversions' => (object) ['FNOL' => 'sip:31612345678@example.com',
        'FBUS' => 'sip:bob@example.com', 'FNOA' => '<voice-mailbox>']]);
$div = call($sip, 'getCallDiversions', ['sipId' => $me])['ok'];
$out['div'] = clone $div;
// The page sends the struct back with one change.
$div->FUNC = 'sip:desk@example.com';
$div->FBUS = '';
call($sip, 'setCallDiversions', ['sipId' => $me, 'diversions' => $div]);
$out['div2'] = call($sip, 'getCallDiversions', ['sipId' => $me])['ok'];
$out['rules0'] = call($sip, 'getAcceptRules', ['sipId' => $me])['ok'];
call($sip, 'addPhonebookEntry', ['sipId' => $me, 'entry' => (object) [
    'uri' => 'sip:bob@example.com', 'name' => "Bob O'Brien",
    'group' => 'coworkers']]);
call($sip, 'addPhonebookEntry', ['sipId' => $me, 'entry' => (object) [
    'uri' => 'sip:carol@example.com', 'name' => 'Carol', 'group' => '']]);
$out['setrules'] = call($sip, 'setAcceptRules', ['sipId' => $me,
    'rules' => (object) [
        'persistent' => [(object) ['start' => '09:00', 'stop' => '17:00',
            'groups' => ['coworkers'], 'days' => 31]],
        'temporary' => (object) ['groups' => ['nobody'], 'duration' => 30]]]);
$r = call($sip, 'getAcceptRules', ['sipId' => $me])['ok'];
$out['rules'] = clone $r;
// The do-not-disturb shortcut: getAcceptRules re-keyed, days dropped.
$out['dnd_off'] = call($sip, 'setAcceptRules', ['sipId' => $me,
    'rules' => (object) [
        'persistent' => [(object) ['start' => '09:00', 'stop' => '17:00',
                                   'groups' => ['coworkers']]],
        'temporary' => (object) ['groups' => ['everybody'], 'duration' => 0],
        'groups' => $r->nonEmptyGroups]]);
$out['rules2'] = call($sip, 'getAcceptRules', ['sipId' => $me])['ok'];
$out['rej0'] = call($sip, 'getRejectMembers', ['sipId' => $me])['ok'];
call($sip, 'setRejectMembers', ['sipId' => $me,
    'members' => ['sip:spam@example.net']]);
$out['rej'] = call($sip, 'getRejectMembers', ['sipId' => $me])['ok'];
call($sip, 'setBarringPrefixes', ['sipId' => $me,
    'prefixes' => ['+31900', '+4490']]);
$out['bar'] = call($sip, 'getBarringPrefixes', ['sipId' => $me])['ok'];
$out['pb'] = call($sip, 'getPhonebookEntries', ['sipId' => $me,
    'match' => (object) ['uri' => '%%%', 'name' => '%%%'],
    'range' => (object) ['start' => 0, 'count' => 100]])['ok'];
$out['pb_nogroup'] = call($sip, 'getPhonebookEntries', ['sipId' => $me,
    'match' => (object) ['uri' => '%%%', 'name' => '%%%', 'group' => ''],
    'range' => (object) ['start' => 0, 'count' => 100]])['ok'];
$out['pb_search'] = call($sip, 'getPhonebookEntries', ['sipId' => $me,
    'match' => (object) ['uri' => '%bob%', 'name' => '%bob%',
                         'group' => 'coworkers'],
    'range' => (object) ['start' => 0, 'count' => 100]])['ok'];
$out['pb_none'] = call($sip, 'getPhonebookEntries', ['sipId' => $me,
    'match' => (object) ['uri' => '%zed%', 'name' => '%zed%'],
    'range' => (object) ['start' => 0, 'count' => 100]])['ok'];
$out['pbdel'] = call($sip, 'deletePhonebookEntry', ['sipId' => $me,
    'uri' => 'sip:nobody@example.com']);
$out['types'] = [
    'pb' => gettype($out['pb']->entries), 'none' => gettype($out['pb_none']->entries),
    'rej0' => gettype($out['rej0']), 'groups' => gettype($r->nonEmptyGroups),
    'duration' => gettype($r->rules->temporary->duration),
    'persistent' => array_is_list($r->rules->persistent)];
''')
    empty = {c: '' for c in ('FUNC', 'FNOL', 'FUNV', 'FNOA', 'FBUS', 'RUNC',
                             'RNOL', 'RUNV', 'RNOA', 'RBUS')}
    assert out['div0'] == {'ok': empty}
    assert out['setdiv'] == {'ok': None}
    assert out['div'] == dict(empty, FNOL='sip:31612345678@example.com',
                              FBUS='sip:bob@example.com',
                              FNOA='<voice-mailbox>')
    assert out['div2'] == dict(empty, FUNC='sip:desk@example.com',
                               FNOL='sip:31612345678@example.com',
                               FNOA='<voice-mailbox>')
    assert out['rules0'] == {'rules': {'persistent': [], 'temporary': {
        'groups': [], 'duration': 0}}, 'nonEmptyGroups': ['everybody',
                                                          'nobody']}
    assert out['setrules'] == {'ok': None}
    rules = out['rules']
    assert rules['rules']['persistent'] == [{
        'start': '09:00', 'stop': '17:00', 'groups': ['coworkers'],
        'days': 31}]
    assert rules['rules']['temporary'] == {'groups': ['nobody'],
                                           'duration': 30}
    assert rules['nonEmptyGroups'] == ['everybody', 'nobody', 'coworkers']
    assert out['dnd_off'] == {'ok': None}
    assert out['rules2']['rules'] == {
        'persistent': [{'start': '09:00', 'stop': '17:00',
                        'groups': ['coworkers'], 'days': 31}],
        'temporary': {'groups': [], 'duration': 0}}
    assert out['rej0'] == [] and out['rej'] == ['sip:spam@example.net']
    assert out['bar'] == ['+31900', '+4490']
    assert out['pb'] == {'total': 2, 'entries': [
        {'uri': 'sip:bob@example.com', 'name': "Bob O'Brien",
         'group': 'coworkers'},
        {'uri': 'sip:carol@example.com', 'name': 'Carol', 'group': ''}]}
    assert [e['name'] for e in out['pb_nogroup']['entries']] == ['Carol']
    assert [e['name'] for e in out['pb_search']['entries']] == \
        ["Bob O'Brien"]
    assert out['pb_none'] == {'total': 0, 'entries': []}
    assert out['pbdel']['fault']['code'] == 1040
    assert out['types'] == {'pb': 'array', 'none': 'array', 'rej0': 'array',
                            'groups': 'array', 'duration': 'integer',
                            'persistent': True}
    # What Kamailio reads. No voicemail server is configured here, so the
    # <voice-mailbox> target has no row.
    assert prefs(tables) == [
        ('FUNC', 'sip:desk@example.com'),
        ('FNOL', 'sip:31612345678@example.com'),
        ('accept_rule', '31|0900|1700|coworkers'),
        ('reject', 'sip:spam@example.net')]
    assert [r['prefix'] for r in native(tables, 'userblocklist',
                                        username='alice')] == \
        ['+31900', '+4490']
    assert [(r['uri'], r['group_name']) for r in native(
        tables, 'sip_phonebook', username='alice')] == \
        [('sip:bob@example.com', 'coworkers'), ('sip:carol@example.com', '')]

    # The page's clear-all form, and lists set empty.
    out = php(r'''
$sip = client($URL, 'Sip', $ADMIN, $PASS, true, 0);
$me = (object) ['username' => 'alice', 'domain' => 'example.com'];
$out['clear'] = call($sip, 'setCallDiversions', ['sipId' => $me,
    'diversions' => (object) ['nocondition' => 'empty']]);
$out['div'] = call($sip, 'getCallDiversions', ['sipId' => $me])['ok'];
call($sip, 'setRejectMembers', ['sipId' => $me, 'members' => []]);
call($sip, 'setBarringPrefixes', ['sipId' => $me, 'prefixes' => []]);
$out['rej'] = call($sip, 'getRejectMembers', ['sipId' => $me])['ok'];
$out['bar'] = call($sip, 'getBarringPrefixes', ['sipId' => $me])['ok'];
''')
    assert out == {'clear': {'ok': None}, 'div': empty, 'rej': [],
                   'bar': []}
    assert prefs(tables) == [('accept_rule', '31|0900|1700|coworkers')]
    assert native(tables, 'userblocklist') == []
    assert native(tables, 'sip_diversions') == []


def test_prepaid_calls_devices_and_traces_from_php(php, tables):
    started = seed_calls_and_devices(tables)
    out = php(r'''
$sip = client($URL, 'Sip', $ADMIN, $PASS, true, 0);
call($sip, 'addDomain', ['domain' => (object) ['domain' => 'example.com']]);
$me = (object) ['username' => 'alice', 'domain' => 'example.com'];
call($sip, 'addAccount', ['account' => (object) ['id' => $me,
    'password' => 'pw', 'prepaid' => 1]]);
$out['hist0'] = call($sip, 'getCreditHistory', ['sipId' => $me, 'count' => 200]);
$out['add'] = call($sip, 'addBalance', ['sipId' => $me, 'value' => 10.5,
    'description' => 'CC transaction 9KX12345AB678901C']);
$out['refund'] = call($sip, 'addBalance', ['sipId' => $me, 'value' => -0.25,
    'description' => 'Refund 9KX12345AB678901C with 5TY98765CD432109E']);
$out['voucher'] = call($sip, 'addBalanceFromVoucher', ['sipId' => $me,
    'card' => (object) ['id' => 1, 'number' => '5558123498761234']]);
$out['again'] = call($sip, 'addBalanceFromVoucher', ['sipId' => $me,
    'card' => (object) ['id' => 1, 'number' => '5558123498761234']]);
$out['status'] = call($sip, 'getPrepaidStatus', ['sipIds' => [$me]]);
$hist = call($sip, 'getCreditHistory', ['sipId' => $me, 'count' => 200])['ok'];
$out['hist'] = $hist;
$calls = call($sip, 'getCalls', ['sipId' => $me, 'query' => (object) [
    'placed' => (object) ['fromDate' => time() - 14 * 86400, 'toDate' => time(),
                          'limit' => 50],
    'received' => (object) ['fromDate' => time() - 14 * 86400, 'toDate' => time(),
                            'limit' => 50]]])['ok'];
$out['calls'] = $calls;
$out['stats'] = call($sip, 'getCallStatistics', ['sipId' => $me,
    'query' => (object) ['placed' => (object) ['limit' => 1]]])['ok'];
$loc = call($sip, 'getSipDeviceLocations', ['sipIds' => [$me]])['ok'];
$out['loc'] = $loc;
$out['summary'] = call($sip, 'getMediaSummary', []);
$out['sessions'] = call($sip, 'getMediaSessions', []);
$out['mtrace'] = call($sip, 'getMediaTrace', ['filter' => (object) [
    'nodeIp' => '10.0.0.11', 'callId' => 'call-1@example.com',
    'fromTag' => 'f1', 'toTag' => '']]);
$out['strace'] = call($sip, 'getSipTrace', ['filter' => (object) [
    'nodeIp' => '10.0.0.11', 'callId' => 'call-1@example.com',
    'fromTag' => 'f1', 'toTag' => 't1']]);
$out['types'] = [
    'balance' => gettype($out['status']['ok'][0]->balance),
    'old' => gettype($out['add']['ok']->old_balance),
    'entries' => gettype($out['hist0']['ok']->entries),
    'start' => gettype($calls->placed[0]->startTime),
    'received' => gettype($calls->received),
    'expires' => gettype($loc[0]->locations[0]->expires),
    'apps' => gettype($calls->placed[0]->applicationTypes)];
// What the page does with them.
$out['shown'] = date('Y-m-d H:i', $calls->placed[0]->startTime);
$out['left'] = $loc[0]->locations[0]->expires % 60;
''')
    assert out['hist0'] == {'ok': {'entries': []}}
    assert out['add']['ok'] == {'old_balance': 0.0, 'new_balance': 10.5}
    assert out['refund']['ok'] == {'old_balance': 10.5, 'new_balance': 10.25}
    assert out['voucher']['ok'] == {'old_balance': 10.25,
                                    'new_balance': 30.25}
    assert out['again']['fault']['code'] == 1071
    assert out['status']['ok'] == [{'id': ALICE, 'balance': 30.25}]
    assert [(e['action'], e['value'], e['balance'])
            for e in out['hist']['entries']] == [
        ('Add balance', 20.0, 30.25), ('Debit balance', -0.25, 10.25),
        ('Add balance', 10.5, 10.5)]
    placed = out['calls']['placed']
    assert len(placed) == 1 and out['calls']['received'] == []
    (c,) = placed
    assert (c['startTime'], c['stopTime'], c['duration'], c['status'],
            c['price']) == (started, started + 61, 61, 200, 0.125)
    assert (c['fromURI'], c['toURI'], c['sessionId']) == \
        ('sip:alice@example.com', 'sip:31201234567@example.com',
         'call-1@example.com')
    assert c['fromHeader'] == '<sip:alice@example.com>;tag=3Df1'
    assert c['applicationTypes'] == ['audio']
    assert out['stats']['placed']['calls'] == \
        (1 if datetime.datetime.fromtimestamp(started).month ==
         datetime.datetime.now().month else 0)
    (loc,) = out['loc']
    assert loc['id'] == ALICE
    (device,) = loc['locations']
    assert 590 <= device.pop('expires') <= 600
    assert device == {'address': '192.0.2.10', 'port': 5062,
                      'publicAddress': '', 'publicPort': 0,
                      'transport': 'tls', 'userAgent': 'Blink'}
    assert out['summary'] == {'ok': '[]'} and out['sessions'] == {'ok': '[]'}
    assert out['mtrace']['fault']['code'] == 1060
    assert out['strace'] == {'ok': '[]'}
    assert out['types'] == {'balance': 'double', 'old': 'double',
                            'entries': 'array', 'start': 'integer',
                            'received': 'array', 'expires': 'integer',
                            'apps': 'array'}
    assert out['shown'] == datetime.datetime.fromtimestamp(started).strftime(
        '%Y-%m-%d %H:%M')
    # CDRTool's tables.
    (balance,) = native(tables, 'prepaid')
    assert (balance['account'], balance['balance']) == \
        ('alice@example.com', Decimal('30.2500'))
    assert native(tables, 'prepaid_cards')[0]['value'] == Decimal('0')
    assert [h['balance'] for h in native(tables, 'prepaid_history')] == \
        [Decimal('10.5'), Decimal('10.25'), Decimal('30.25')]


# -- PHP ext/soap, WSDL mode --------------------------------------------------

@pytest.fixture
def php_wsdl(server):
    from tests.test_live_wsdl_clients import PHP_PRELUDE
    require(php_missing() is None, 'PHP SOAP client', 'php-cli php-soap')

    def run(body):
        script = PHP_PRELUDE + '$URL = %s;\n' % json.dumps(server.url) + \
            '$ADMIN = %s; $PASS = %s;\n' % (json.dumps(ADMIN[0]),
                                           json.dumps(ADMIN[1])) + body + \
            '\necho json_encode($out);\n'
        return json.loads(run_php(script, timeout=60))
    return run


def test_settings_from_php_with_the_rpc_wsdl(php_wsdl, tables):
    out = php_wsdl(r'''
$c = client('wsdl/SipPort');
$me = (object) ['username' => 'alice', 'domain' => 'example.com'];
call($c, 'addDomain', (object) ['domain' => 'example.com']);
call($c, 'addAccount', (object) ['id' => $me, 'password' => 'pw']);
$out['setdiv'] = call($c, 'setCallDiversions', $me, (object) [
    'FUNC' => 'sip:bob@example.com', 'RNOL' => 'sip:desk@example.com']);
$out['div'] = call($c, 'getCallDiversions', $me);
// The WSDL knows no nocondition: an empty struct clears everything.
$out['clear'] = call($c, 'setCallDiversions', $me, (object) []);
$out['div2'] = call($c, 'getCallDiversions', $me);
$out['rules'] = call($c, 'setAcceptRules', $me, (object) [
    'persistent' => [(object) ['start' => '22:00', 'stop' => '07:00',
                               'groups' => ['nobody'], 'days' => 127]],
    'temporary' => (object) ['groups' => ['nobody'], 'duration' => 0]]);
$out['getrules'] = call($c, 'getAcceptRules', $me);
$out['rej'] = call($c, 'setRejectMembers', $me, ['sip:spam@example.net']);
$out['getrej'] = call($c, 'getRejectMembers', $me);
$out['bar'] = call($c, 'setBarringPrefixes', $me, []);
$out['getbar'] = call($c, 'getBarringPrefixes', $me);
$out['pb'] = call($c, 'addPhonebookEntry', $me, (object) [
    'uri' => 'sip:bob@example.com', 'name' => 'Bob', 'group' => 'vip']);
$out['pbup'] = call($c, 'updatePhonebookEntry', $me, (object) [
    'uri' => 'sip:bob@example.com', 'name' => 'Robert', 'group' => 'friends']);
$out['pbget'] = call($c, 'getPhonebookEntries', $me, (object) [
    'uri' => '%%%', 'name' => '%%%'], (object) ['start' => 0, 'count' => 100]);
$out['bal'] = call($c, 'addBalance', $me, 2.5, 'CC transaction 1');
$out['status'] = call($c, 'getPrepaidStatus', [$me]);
$out['hist'] = call($c, 'getCreditHistory', $me, 10);
$out['calls'] = call($c, 'getCalls', $me, (object) [
    'placed' => (object) ['fromDate' => 0, 'toDate' => time(), 'limit' => 5]]);
$out['loc'] = call($c, 'getSipDeviceLocations', [$me]);
$out['media'] = call($c, 'getMediaSessions');
''')
    empty = {c: '' for c in ('FUNC', 'FNOL', 'FUNV', 'FNOA', 'FBUS', 'RUNC',
                             'RNOL', 'RUNV', 'RNOA', 'RBUS')}
    assert out['setdiv'] == {'ok': None}
    assert out['div'] == {'ok': dict(empty, FUNC='sip:bob@example.com',
                                     RNOL='sip:desk@example.com')}
    assert out['clear'] == {'ok': None} and out['div2'] == {'ok': empty}
    assert out['rules'] == {'ok': None}
    assert out['getrules']['ok']['rules'] == {
        'persistent': [{'start': '22:00', 'stop': '07:00',
                        'groups': ['nobody'], 'days': 127}],
        'temporary': {'groups': ['nobody'], 'duration': 0}}
    assert out['getrej'] == {'ok': ['sip:spam@example.net']}
    assert out['getbar'] == {'ok': []}
    assert out['pb'] == {'ok': None} and out['pbup'] == {'ok': None}
    assert out['pbget']['ok'] == {'total': 1, 'entries': [
        {'uri': 'sip:bob@example.com', 'name': 'Robert', 'group': 'friends'}]}
    assert out['bal']['ok'] == {'old_balance': 0.0, 'new_balance': 2.5}
    assert out['status']['ok'] == [{'id': ALICE, 'balance': 2.5}]
    assert [e['description'] for e in out['hist']['ok']['entries']] == \
        ['CC transaction 1']
    assert out['calls']['ok'] == {'placed': [], 'received': []}
    assert out['loc']['ok'] == [{'id': ALICE, 'locations': []}]
    assert out['media'] == {'ok': '[]'}
    assert prefs(tables) == [('accept_rule', '127|2200|0700|nobody'),
                             ('accept_temp', '0|nobody'),
                             ('reject', 'sip:spam@example.net')]
    assert native(tables, 'userblocklist') == []


# -- zeep with the literal WSDL ------------------------------------------------

def test_settings_from_zeep_with_the_literal_wsdl(server, tables):
    from tests.test_live_wsdl_clients import (ADMIN_AUTH, check_traffic,
                                              zeep_client, zeep_fault, zplain)
    started = seed_calls_and_devices(tables)
    client, session = zeep_client(server, 'sip?wsdl')
    svc = client.service
    headers = {'auth': ADMIN_AUTH}

    def call(op, **kwargs):
        return getattr(svc, op)(_soapheaders=headers, **kwargs)

    call('addDomain', domain={'domain': DOMAIN})
    call('addAccount', account={'id': ALICE, 'password': 'pw',
                                'prepaid': True})
    assert call('setCallDiversions', sipId=ALICE, diversions={
        'FUNV': 'sip:assistant@example.com',
        'FNOA': '<voice-mailbox>'}) is None
    div = call('getCallDiversions', sipId=ALICE)
    # zeep reads an empty element as None.
    assert (div.FUNV, div.FNOA, div.FUNC) == \
        ('sip:assistant@example.com', '<voice-mailbox>', None)
    assert call('setAcceptRules', sipId=ALICE, rules={
        'persistent': {'item': [{'start': '08:30', 'stop': '12:00',
                                 'groups': {'item': ['vip']}, 'days': 96}]},
        'temporary': {'groups': {'item': []}, 'duration': 0}}) is None
    rules = call('getAcceptRules', sipId=ALICE)
    (rule,) = rules.rules.persistent.item
    assert (rule.start, rule.stop, rule.groups.item, rule.days) == \
        ('08:30', '12:00', ['vip'], 96)
    assert rules.rules.temporary.groups.item == []
    assert rules.nonEmptyGroups.item == ['everybody', 'nobody']
    assert call('setRejectMembers', sipId=ALICE, members={'item': [
        'sip:spam@example.net', 'sip:ads@example.net']}) is None
    assert call('getRejectMembers', sipId=ALICE) == \
        ['sip:spam@example.net', 'sip:ads@example.net']
    assert call('setBarringPrefixes', sipId=ALICE,
                prefixes={'item': ['+1900']}) is None
    assert call('getBarringPrefixes', sipId=ALICE) == ['+1900']
    assert call('addPhonebookEntry', sipId=ALICE, entry={
        'uri': 'sip:bob@example.com', 'name': 'Bob', 'group': 'vip'}) is None
    pb = call('getPhonebookEntries', sipId=ALICE,
              match={'uri': '%bob%', 'name': '%bob%'},
              range={'start': 0, 'count': 10})
    assert pb.total == 1
    assert zplain(pb.entries.item) == [{'uri': 'sip:bob@example.com',
                                        'name': 'Bob', 'group': 'vip'}]
    assert call('getAcceptRules', sipId=ALICE).nonEmptyGroups.item == \
        ['everybody', 'nobody', 'vip']
    code, text, _ = zeep_fault(svc.deletePhonebookEntry, _soapheaders=headers,
                               sipId=ALICE, uri='sip:zed@example.com')
    assert code == '1040'

    change = call('addBalance', sipId=ALICE, value=12.34,
                  description='CC transaction 7')
    assert (change.old_balance, change.new_balance) == (0.0, 12.34)
    assert zplain(call('getPrepaidStatus', sipIds={'item': [ALICE]})) == \
        [{'id': ALICE, 'balance': 12.34}]
    # zeep unwraps a result of one member: CreditHistory -> its entries.
    history = call('getCreditHistory', sipId=ALICE, count=5)
    assert [(e.action, e.description, e.value, e.balance)
            for e in history.item] == \
        [('Add balance', 'CC transaction 7', 12.34, 12.34)]
    calls = call('getCalls', sipId=ALICE, query={
        'placed': {'fromDate': started - 60, 'toDate': started + 3600,
                   'limit': 10}})
    (c,) = calls.placed.item
    assert (c.startTime, c.duration, c.price, c.applicationTypes.item) == \
        (started, 61, 0.125, ['audio'])
    assert calls.received.item == []
    (loc,) = call('getSipDeviceLocations', sipIds={'item': [ALICE]})
    assert zplain(loc.id) == ALICE
    (device,) = loc.locations.item
    assert (device.address, device.port, device.transport) == \
        ('192.0.2.10', 5062, 'tls') and device.expires > 500
    assert call('getMediaSummary') == '[]'
    assert json.loads(call('getSipTrace', filter={
        'nodeIp': '127.0.0.1', 'callId': 'call-1@example.com'})) == []
    check_traffic(server, session.fetched, 'sip?wsdl')
    # The proxy's view.
    assert prefs(tables) == [('FUNV', 'sip:assistant@example.com'),
                             ('accept_rule', '96|0830|1200|vip'),
                             ('reject', 'sip:spam@example.net'),
                             ('reject', 'sip:ads@example.net')]
    assert [r['prefix'] for r in native(tables, 'userblocklist')] == ['+1900']
    (balance,) = native(tables, 'prepaid')
    assert balance['balance'] == Decimal('12.3400')


# -- the golden requests, replayed -------------------------------------------

SERVICES = (
    'setCallDiversions', 'getCallDiversions', 'setAcceptRules',
    'getAcceptRules', 'setRejectMembers', 'getRejectMembers',
    'setBarringPrefixes', 'getBarringPrefixes', 'addPhonebookEntry',
    'updatePhonebookEntry', 'deletePhonebookEntry', 'getPhonebookEntries',
    'addBalance', 'addBalanceFromVoucher', 'getPrepaidStatus',
    'getCreditHistory', 'getCalls', 'getCallStatistics',
    'getSipDeviceLocations', 'getSipTrace', 'getMediaTrace',
    'getMediaSummary', 'getMediaSessions')


def test_golden_requests_of_the_services_replay(db_url, tmp_path):
    """Every captured request of these 23 operations, sent byte for byte to
    the running server in the client's order of use, is answered, and
    none with 104; the faults are the ones the client expects."""
    from tests.helpers import make_dispatcher, seed_fixture_world
    from tests.soapcall import Client, admin
    from tests.support.server import Server
    from tests.test_live_http import errorcode, fixture, raw_post
    from tests.test_wire_fixtures import INDEX
    seed_fixture_world(db_url)
    d = make_dispatcher(db_url)
    sip = Client(d, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': DOMAIN, 'customer': 23}))
    for user in ('alice', 'bob'):
        sip('addAccount', ('account', {
            'id': {'username': user, 'domain': DOMAIN}, 'password': 'pw'}))
    with d.store.engine.begin() as conn:
        conn.execute(d.store.schema.prepaid_cards.insert().values(
            id=1234, number='5558123498761234', value=Decimal('15'),
            reseller_id=17, batch='b', service='sip', blocked=0))
    d.store.dispose()
    order = {op: i for i, op in enumerate(SERVICES)}
    files = sorted((f for f in INDEX['fixtures'] if f['port'] == 'Sip'
                    and f['operation'] in order),
                   key=lambda f: (order[f['operation']], f['file']))
    assert {f['operation'] for f in files} == set(SERVICES)
    # No media relay is configured.
    expected = {'Sip.getMediaTrace.xml': 1060}
    srv = Server(tmp_path, db_url).start()
    try:
        answers = {}
        for f in files:
            status, _, payload = raw_post(srv, fixture(f['file']))
            answers[f['file']] = 200 if status == 200 else errorcode(payload)
    finally:
        srv.stop()
    assert 104 not in answers.values()
    assert answers == {f['file']: expected.get(f['file'], 200)
                       for f in files}, answers
