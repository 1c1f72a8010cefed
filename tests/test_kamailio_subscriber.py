"""Subscriber settings provisioned over SOAP take effect in a real Kamailio
5.6 running etc/kamailio/kamailio.cfg (features/subscriber.cfg) on the
same MariaDB: real INVITEs get 302 to the diversion target, 486 for
do-not-disturb, 403 for a barred prefix, 603 from a rejected caller, and
the next INVITE after clearing a setting over SOAP is routed normally.
What the proxy read is asserted in its tables too."""
import datetime
import re
import uuid

import pytest
from sqlalchemy import select

from ngnpro.store.db import Store
from tests.conftest import VOICEMAIL_SERVER
from tests.soapcall import admin, decode, envelope

CALLER_PW = 'Caller-1'


@pytest.fixture
def stack(sip_stack, unique_domain):
    srv, kam = sip_stack
    store = Store(srv.db_url)
    soap(srv, 'addDomain', ('domain', {'domain': unique_domain}))
    for user in ('alice', 'bob', 'carol'):
        soap(srv, 'addAccount', ('account', {
            'id': {'username': user, 'domain': unique_domain},
            'password': CALLER_PW}))
    yield srv, kam, store, unique_domain
    store.dispose()


def soap(srv, operation, *args):
    from lxml import etree
    status, _, body = srv.post(envelope('Sip', operation, list(args),
                                        admin()))
    assert status == 200, body
    wrapper = etree.fromstring(body)[0][0]
    return decode(wrapper[0]) if len(wrapper) else None


def native(store, table, **where):
    t = getattr(store.schema, table)
    stmt = select(t)
    for k, v in where.items():
        stmt = stmt.where(getattr(t.c, k) == v)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt.order_by(t.c.id))
                .mappings()]


def contacts(reply):
    """[(URI, parameters)] of every Contact of a reply, in order (a 3xx
    lists the destination set in one header)."""
    out = []
    for line in re.findall(r'^(?:Contact|m):([^\r\n]*)', reply, re.M | re.I):
        out += re.findall(r'<([^>]*)>([^,]*)', line)
    return out


def sip_id(user, domain):
    return {'username': user, 'domain': domain}


def test_unconditional_diversion_then_cleared(stack):
    srv, kam, store, dom = stack
    alice, bob = 'sip:alice@' + dom, 'sip:bob@' + dom
    assert kam.register('alice', dom, CALLER_PW) == 200, kam.last_output
    status, reply = kam.invite(alice, bob)
    assert status == 302
    registered = contacts(reply)
    assert [c for c, _ in registered] == ['sip:alice@127.0.0.1:5099']

    target = 'sip:31612345678@elsewhere.example'
    soap(srv, 'setCallDiversions', ('sipId', sip_id('alice', dom)),
         ('diversions', {'FUNC': target}))
    assert [(r['attribute'], r['value'], r['type']) for r in native(
        store, 'usr_preferences', username='alice', domain=dom)] == \
        [('FUNC', target, 0)]
    status, reply = kam.invite(alice, bob)
    assert status == 302, reply
    assert [c for c, _ in contacts(reply)] == [target]
    assert re.search(r'^Diversion:\s*<sip:alice@%s>;reason=unconditional'
                     % re.escape(dom), reply, re.M)

    # The client's clear-all form; the very next INVITE is routed normally.
    soap(srv, 'setCallDiversions', ('sipId', sip_id('alice', dom)),
         ('diversions', {'nocondition': 'empty'}))
    assert native(store, 'usr_preferences', username='alice',
                  domain=dom) == []
    status, reply = kam.invite(alice, bob)
    assert status == 302 and contacts(reply) == registered


def test_not_online_voice_mailbox_and_busy_targets(stack):
    srv, kam, store, dom = stack
    alice = 'sip:alice@' + dom
    with store.engine.begin() as conn:
        conn.execute(store.schema.voicemail_accounts.insert().values(
            username='alice', domain=dom, mailbox='8001234', context='default',
            change_date=datetime.datetime.now()))
    soap(srv, 'setCallDiversions', ('sipId', sip_id('alice', dom)),
         ('diversions', {'FNOL': '<voice-mailbox>',
                         'FBUS': 'sip:bob@' + dom}))
    mailbox = 'sip:8001234@%s' % VOICEMAIL_SERVER
    assert soap(srv, 'getCallDiversions', ('sipId', sip_id('alice', dom))
                )['FNOL'] == '<voice-mailbox>'
    assert {r['attribute']: r['value'] for r in native(
        store, 'usr_preferences', username='alice', domain=dom)} == \
        {'FNOL': mailbox, 'FBUS': 'sip:bob@' + dom}
    # Not registered: the mailbox.
    status, reply = kam.invite(alice, 'sip:carol@' + dom)
    assert status == 302, reply
    assert [c for c, _ in contacts(reply)] == [mailbox]
    assert 'reason=unavailable' in reply
    # Registered: the device first, the busy target as the fallback.
    assert kam.register('alice', dom, CALLER_PW) == 200, kam.last_output
    status, reply = kam.invite(alice, 'sip:carol@' + dom)
    assert status == 302
    found = contacts(reply)
    assert sorted(c for c, _ in found) == \
        sorted(['sip:alice@127.0.0.1:5099', 'sip:bob@' + dom])
    assert dict(found)['sip:bob@' + dom].strip() == ';q=0.5'


def test_do_not_disturb_and_phonebook_exceptions(stack):
    srv, kam, store, dom = stack
    alice, bob, carol = ('sip:%s@%s' % (u, dom)
                         for u in ('alice', 'bob', 'carol'))
    me = ('sipId', sip_id('alice', dom))
    status, _ = kam.invite(alice, bob)
    assert status == 404          # not registered: normal routing

    soap(srv, 'setAcceptRules', me, ('rules', {
        'persistent': [],
        'temporary': {'groups': ['nobody'], 'duration': 0}}))
    (row,) = native(store, 'usr_preferences', username='alice', domain=dom)
    assert (row['attribute'], row['value']) == ('accept_temp', '0|nobody')
    assert kam.invite(alice, bob)[0] == 486

    # Only the vip group of the phonebook gets through.
    soap(srv, 'addPhonebookEntry', me, ('entry', {
        'uri': bob, 'name': 'Bob', 'group': 'vip'}))
    soap(srv, 'setAcceptRules', me, ('rules', {
        'temporary': {'groups': ['vip'], 'duration': 30}}))
    assert kam.invite(alice, bob)[0] == 404
    assert kam.invite(alice, carol)[0] == 486

    # An unavailable-diversion takes the refused call instead of 486.
    soap(srv, 'setCallDiversions', me, ('diversions', {
        'FUNV': 'sip:assistant@elsewhere.example'}))
    status, reply = kam.invite(alice, carol)
    assert status == 302
    assert [c for c, _ in contacts(reply)] == \
        ['sip:assistant@elsewhere.example']

    # DND off: everybody, no duration.
    soap(srv, 'setAcceptRules', me, ('rules', {
        'temporary': {'groups': ['everybody'], 'duration': 0}}))
    assert native(store, 'usr_preferences', username='alice', domain=dom,
                  attribute='accept_temp') == []
    assert kam.invite(alice, carol)[0] == 404


def test_persistent_accept_rules_follow_the_clock(stack):
    srv, kam, store, dom = stack
    alice, bob = 'sip:alice@' + dom, 'sip:bob@' + dom
    me = ('sipId', sip_id('alice', dom))
    now = datetime.datetime.now()
    today = 1 << now.weekday()           # Mon=1 ... Sun=64

    def hhmm(delta):
        return (now + datetime.timedelta(minutes=delta)).strftime('%H:%M')
    # Nobody during a window around now, today: refused.
    soap(srv, 'setAcceptRules', me, ('rules', {'persistent': [
        {'start': hhmm(-60), 'stop': hhmm(60), 'groups': ['nobody'],
         'days': today}]}))
    assert kam.invite(alice, bob)[0] == 486
    # The same window on the other days only: normal routing.
    soap(srv, 'setAcceptRules', me, ('rules', {'persistent': [
        {'start': hhmm(-60), 'stop': hhmm(60), 'groups': ['nobody'],
         'days': 127 & ~today}]}))
    assert kam.invite(alice, bob)[0] == 404
    # A window later today: outside it calls are accepted.
    soap(srv, 'setAcceptRules', me, ('rules', {'persistent': [
        {'start': hhmm(120), 'stop': hhmm(180), 'groups': ['nobody'],
         'days': 127}]}))
    assert kam.invite(alice, bob)[0] == 404


def test_barred_prefix_then_cleared(stack):
    srv, kam, store, dom = stack
    alice = 'sip:alice@' + dom
    barred, other = 'sip:+31900123456@' + dom, 'sip:+31201234567@' + dom
    before = kam.invite(barred, alice)[0]
    assert before != 403
    soap(srv, 'setBarringPrefixes', ('sipId', sip_id('alice', dom)),
         ('prefixes', ['+31900', '+4490']))
    assert [(r['prefix'], r['allowlist']) for r in native(
        store, 'userblocklist', username='alice', domain=dom)] == \
        [('+31900', 0), ('+4490', 0)]
    status, reply = kam.invite(barred, alice)
    assert status == 403, reply
    assert kam.invite('sip:0031900123456@' + dom, alice)[0] == 403
    assert kam.invite('sip:+449012@' + dom, alice)[0] == 403
    assert kam.invite(other, alice)[0] != 403
    # Another caller is not barred by alice's list.
    assert kam.invite(barred, 'sip:bob@' + dom)[0] == before
    soap(srv, 'setBarringPrefixes', ('sipId', sip_id('alice', dom)),
         ('prefixes', []))
    assert native(store, 'userblocklist', username='alice', domain=dom) == []
    assert kam.invite(barred, alice)[0] == before


def test_rejected_caller_then_cleared(stack):
    srv, kam, store, dom = stack
    alice, bob, carol = ('sip:%s@%s' % (u, dom)
                         for u in ('alice', 'bob', 'carol'))
    me = ('sipId', sip_id('alice', dom))
    soap(srv, 'setRejectMembers', me, ('members', [bob.upper().replace(
        'SIP:', 'sip:'), 'sip:spam@example.net']))
    assert [(r['attribute'], r['value']) for r in native(
        store, 'usr_preferences', username='alice', domain=dom)] == \
        [('reject', bob), ('reject', 'sip:spam@example.net')]
    assert kam.invite(alice, bob)[0] == 603
    assert kam.invite(alice, 'sip:spam@example.net')[0] == 603
    assert kam.invite(alice, carol)[0] == 404
    soap(srv, 'setRejectMembers', me, ('members', []))
    assert kam.invite(alice, bob)[0] == 404


def test_sip_trace_of_a_real_call(stack):
    """siptrace stores what the proxy received and sent; getSipTrace
    returns it for the Call-ID."""
    import json
    srv, kam, store, dom = stack
    call_id = '%s@127.0.0.1' % uuid.uuid4().hex
    status, reply = kam.invite('sip:alice@' + dom, 'sip:bob@' + dom,
                               call_id=call_id)
    assert status == 404
    trace = []
    for _ in range(50):          # siptrace writes as it goes
        trace = json.loads(soap(srv, 'getSipTrace', ('filter', {
            'nodeIp': '127.0.0.1', 'callId': call_id})))
        if len(trace) >= 2:
            break
        import time
        time.sleep(0.1)
    assert [(m['method'], m['direction']) for m in trace][:2] == \
        [('INVITE', 'in'), ('INVITE', 'out')]
    assert trace[0]['message'].startswith('INVITE sip:alice@%s ' % dom)
    assert trace[1]['status'] == '404'
    assert trace[1]['message'].startswith('SIP/2.0 404')
    assert re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$',
                    trace[0]['time_stamp'])


def _answer_one_request(sock):
    """A minimal UAS: answer the first request on ``sock`` with 200 OK."""
    data, peer = sock.recvfrom(65535)
    head = data.decode(errors='replace').split('\r\n\r\n', 1)[0]
    lines = head.split('\r\n')[1:]
    keep = [h for h in lines if re.match(r'^(Via|v|From|f|To|t|Call-ID|i|'
                                         r'CSeq):', h, re.I)]
    reply = 'SIP/2.0 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n' % \
        '\r\n'.join(keep)
    sock.sendto(reply.encode(), peer)


def test_acc_records_what_the_proxy_relays(stack):
    """A BYE the proxy relays is accounted (acc db_flag): Kamailio's own
    insert lands in the acc layout `ngnpro db init` created, extra columns
    included."""
    import socket
    import threading
    import time
    srv, kam, store, dom = stack
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as uas:
        uas.bind(('127.0.0.1', 0))
        uas.settimeout(5)
        port = uas.getsockname()[1]
        worker = threading.Thread(target=_answer_one_request, args=(uas,))
        worker.start()
        call_id = '%s@127.0.0.1' % uuid.uuid4().hex
        reply = kam.request('BYE', 'sip:uas@127.0.0.1:%d' % port,
                            from_uri='sip:alice@' + dom, call_id=call_id)
        worker.join(5)
    assert reply and reply.startswith('SIP/2.0 200'), reply
    rows = []
    for _ in range(50):
        rows = native(store, 'acc', callid=call_id)
        if rows:
            break
        time.sleep(0.1)
    (row,) = rows
    assert (row['method'], row['sip_code'], row['sip_reason']) == \
        ('BYE', '200', 'OK')
    assert (row['src_ip'], row['proxy_ip']) == ('127.0.0.1', '127.0.0.1')
    assert row['from_header'].startswith('<sip:alice@%s>' % dom)
    assert row['price'] == 0
    assert abs((datetime.datetime.now() - row['time']).total_seconds()) < 60


def test_registered_device_is_a_location(stack):
    """usrloc writes the registration through to location; the SOAP view
    of it is the device the self-care page lists."""
    srv, kam, store, dom = stack
    me = sip_id('alice', dom)
    assert soap(srv, 'getSipDeviceLocations', ('sipIds', [me])) == \
        [{'id': me, 'locations': []}]
    assert kam.register('alice', dom, CALLER_PW, expires=300) == 200, \
        kam.last_output
    (row,) = native(store, 'location', username='alice', domain=dom)
    assert row['contact'] == 'sip:alice@127.0.0.1:5099'
    ((got,),) = [g['locations'] for g in soap(
        srv, 'getSipDeviceLocations', ('sipIds', [me]))]
    assert 290 <= got.pop('expires') <= 300
    assert (got['address'], got['port'], got['transport']) == \
        ('127.0.0.1', 5099, 'udp')
    assert got['userAgent'] == row['user_agent']
