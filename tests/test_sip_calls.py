"""Call history, statistics and device locations (spec §2.1, §3.3,
§5.22-23) from acc and location rows written exactly as Kamailio's acc
(with the example configuration's db_extra) and usrloc write them; the
history reads an index even with 100,000 acc rows. SQLite and MariaDB."""
import datetime
import time
from decimal import Decimal

import pytest

from ports.sip.calls import month_start
from tests.soapcall import Client, SoapFault, admin

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}
ME = ('sipId', ALICE)
NOW = datetime.datetime.now().replace(microsecond=0)


@pytest.fixture
def sip(dispatcher):
    call = Client(dispatcher, 'Sip', admin())
    call('addDomain', ('domain', {'domain': DOMAIN}))
    for user in ('alice', 'bob'):
        call('addAccount', ('account', {
            'id': {'username': user, 'domain': DOMAIN}, 'password': 'pw'}))
    return call


def epoch(dt):
    return int(time.mktime(dt.timetuple()))


def acc_row(callid, when, caller='alice', callee='bob', code='200',
            reason='OK', method='INVITE', price='0', media='audio',
            dialled=None):
    """An acc row as the acc module inserts it (time in local time)."""
    return {
        'method': method, 'from_tag': 'ft-' + callid, 'to_tag': 'tt-' + callid,
        'callid': callid, 'sip_code': code, 'sip_reason': reason,
        'time': when, 'src_user': caller, 'src_domain': DOMAIN,
        'src_ip': '192.0.2.10', 'dst_ouser': dialled or callee,
        'dst_user': callee, 'dst_domain': DOMAIN, 'proxy_ip': '192.0.2.1',
        'media': media, 'price': Decimal(price),
        'from_header': '"Alice" <sip:%s@%s>;tag=ab12%s' % (caller, DOMAIN,
                                                          callid)}


def insert(dispatcher, table, values):
    with dispatcher.store.engine.begin() as conn:
        conn.execute(getattr(dispatcher.store.schema, table).insert(),
                     values)


def query(start, stop, limit=50):
    return {'fromDate': epoch(start), 'toDate': epoch(stop), 'limit': limit}


def test_calls_placed_and_received(sip, dispatcher):
    t = NOW - datetime.timedelta(hours=5)
    minute = datetime.timedelta(minutes=1)
    insert(dispatcher, 'acc', [
        # Answered, 95 s, video; BYE rows come from either side.
        acc_row('c1', t, price='0.0734', media='audio, video'),
        acc_row('c1', t + datetime.timedelta(seconds=95), method='BYE',
                caller='bob', callee='alice'),
        # Busy: no BYE; the client hides nothing but 435.
        acc_row('c2', t + minute, code='486', reason='Busy Here'),
        # Answered and still going.
        acc_row('c3', t + 2 * minute, price='0.0100', dialled='robert'),
        # Received from bob.
        acc_row('c4', t + 3 * minute, caller='bob', callee='alice'),
        acc_row('c4', t + 3 * minute + datetime.timedelta(seconds=7),
                method='BYE', caller='alice', callee='bob'),
        # Too old for the window.
        acc_row('c0', t - datetime.timedelta(days=20)),
        # Somebody else's call.
        acc_row('c5', t, caller='bob', callee='carol'),
    ])
    got = sip('getCalls', ME, ('query', {
        'placed': query(NOW - datetime.timedelta(days=14), NOW),
        'received': query(NOW - datetime.timedelta(days=14), NOW)}),
        query='CallsQuery')
    start = epoch(t)
    placed = got['placed']
    assert [c['sessionId'] for c in placed] == ['c3', 'c2', 'c1']
    c3, c2, c1 = placed
    assert (c1['startTime'], c1['stopTime'], c1['duration'], c1['status']) \
        == (start, start + 95, 95, 200)
    assert c1['price'] == 0.0734 and isinstance(c1['startTime'], int)
    assert c1['applicationTypes'] == ['audio, video']
    assert (c1['fromURI'], c1['toURI'], c1['proxyIP']) == \
        ('sip:alice@example.com', 'sip:bob@example.com', '192.0.2.1')
    assert (c1['fromTag'], c1['toTag']) == ('ft-c1', 'tt-c1')
    # QP-safe: the client decodes =XX, so '=' travels as =3D.
    assert c1['fromHeader'] == '"Alice" <sip:alice@example.com>;tag=3Dab12c1'
    assert (c2['status'], c2['stopTime'], c2['duration']) == \
        (486, start + 60, 0)
    assert (c3['stopTime'], c3['duration']) == (0, 0)      # in progress
    assert c3['toURI'] == 'sip:robert@example.com'         # as dialled
    (c4,) = got['received']
    assert (c4['sessionId'], c4['fromURI'], c4['duration']) == \
        ('c4', 'sip:bob@example.com', 7)

    # limit, a window, one direction only.
    got = sip('getCalls', ME, ('query', {'placed': query(
        t + minute, NOW, limit=1)}))
    assert [c['sessionId'] for c in got['placed']] == ['c3']
    assert got['received'] == []
    got = sip('getCalls', ME, ('query', {'placed': query(
        t - datetime.timedelta(days=30), t)}))
    assert [c['sessionId'] for c in got['placed']] == ['c1', 'c0']
    bob = sip('getCalls', ('sipId', {'username': 'bob', 'domain': DOMAIN}),
              ('query', {'received': query(t, NOW)}))
    assert [c['sessionId'] for c in bob['received']] == ['c3', 'c2', 'c1']
    assert [c['sessionId'] for c in bob['placed']] == []


def test_call_statistics_of_this_month(sip, dispatcher):
    first = month_start()
    span = max(1, int((NOW - first).total_seconds()) // 10)
    at = [first + datetime.timedelta(seconds=span * (i + 1))
          for i in range(4)]
    insert(dispatcher, 'acc', [
        acc_row('m1', at[0], price='0.1000'),
        acc_row('m1', at[0] + datetime.timedelta(seconds=30), method='BYE'),
        acc_row('m2', at[1], price='0.0333'),
        acc_row('m2', at[1] + datetime.timedelta(seconds=12), method='BYE'),
        acc_row('m3', at[2], code='404', reason='Not Found'),
        acc_row('m4', at[3], caller='bob', callee='alice', price='0.5'),
        acc_row('old', first - datetime.timedelta(days=3), price='9'),
    ])
    got = sip('getCallStatistics', ME, ('query', {'placed': {'limit': 1}}))
    assert got == {'placed': {'calls': 2, 'price': 0.1333, 'duration': 42},
                   'received': {'calls': 1, 'price': 0.5, 'duration': 0}}


def test_device_locations(sip, dispatcher):
    now = datetime.datetime.now().replace(microsecond=0)
    base = {'ruid': '', 'username': 'alice', 'domain': DOMAIN, 'path': None,
            'q': 1.0, 'cseq': 2, 'last_modified': now, 'flags': 0,
            'cflags': 0, 'methods': 8191, 'instance': None, 'reg_id': 0,
            'server_id': 0, 'connection_id': 0, 'keepalive': 0,
            'partition': 0}
    insert(dispatcher, 'location', [
        dict(base, ruid='uloc-1', contact='sip:alice@192.0.2.10:5062;'
             'transport=tcp;ob', received='sip:198.51.100.7:40312;'
             'transport=tcp', socket='tcp:192.0.2.1:5060',
             expires=now + datetime.timedelta(seconds=300),
             callid='reg-1', user_agent='Blink 5.1'),
        dict(base, ruid='uloc-2', contact='sips:alice@[2001:db8::5]',
             received=None, socket='tls:192.0.2.1:5061',
             expires=now + datetime.timedelta(seconds=3600),
             callid='reg-2', user_agent='Sylk'),
        dict(base, ruid='uloc-3', contact='sip:alice@192.0.2.11',
             received=None, socket='udp:192.0.2.1:5060',
             expires=now - datetime.timedelta(seconds=5), callid='reg-3',
             user_agent='gone'),
        dict(base, ruid='uloc-4', username='bob',
             contact='sip:bob@192.0.2.12', received=None,
             socket='udp:192.0.2.1:5060',
             expires=now + datetime.timedelta(seconds=60), callid='reg-4',
             user_agent='Bob'),
    ])
    bob = {'username': 'bob', 'domain': DOMAIN}
    carol = {'username': 'carol', 'domain': DOMAIN}
    sip('addAccount', ('account', {'id': carol, 'password': 'pw'}))
    got = sip('getSipDeviceLocations', ('sipIds', [ALICE, carol, bob]))
    assert [g['id'] for g in got] == [ALICE, carol, bob]
    first, second = got[0]['locations']
    assert 295 <= first.pop('expires') <= 300
    assert first == {'address': '192.0.2.10', 'port': 5062,
                     'publicAddress': '198.51.100.7', 'publicPort': 40312,
                     'transport': 'tcp', 'userAgent': 'Blink 5.1'}
    assert 3595 <= second.pop('expires') <= 3600
    assert second == {'address': '2001:db8::5', 'port': 5061,
                      'publicAddress': '', 'publicPort': 0,
                      'transport': 'tls', 'userAgent': 'Sylk'}
    assert got[1]['locations'] == []
    assert [loc['userAgent'] for loc in got[2]['locations']] == ['Bob']
    with pytest.raises(SoapFault) as info:
        sip('getSipDeviceLocations', ('sipIds', [
            ALICE, {'username': 'nobody', 'domain': DOMAIN}]))
    assert info.value.code == 1010


def _plan(dispatcher, stmt):
    """The database's plan for the statement the server runs, with its
    parameters bound."""
    engine = dispatcher.store.engine
    compiled = stmt.compile(engine)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[k] for k in compiled.positiontup)
    with engine.connect() as conn:
        if dispatcher.store.is_sqlite:
            return [' '.join(str(c) for c in r) for r in conn.exec_driver_sql(
                'EXPLAIN QUERY PLAN ' + str(compiled), params)]
        return [dict(r) for r in conn.exec_driver_sql(
            'EXPLAIN ' + str(compiled), params).mappings()]


def test_call_history_reads_an_index_with_100000_rows(sip, dispatcher):
    from ngnpro.store.sip.calls import PLACED, RECEIVED, calls_statement
    t0 = NOW - datetime.timedelta(days=60)
    users = ['u%03d' % i for i in range(199)] + ['alice']
    batch = []
    for i in range(100000):
        caller = users[i % 200]
        batch.append(acc_row('h%06d' % i, t0 + datetime.timedelta(
            seconds=50 * i), caller=caller, callee=users[(i * 7) % 200],
            method='BYE' if i % 7 == 3 else 'INVITE'))
        if len(batch) == 10000:
            insert(dispatcher, 'acc', batch)
            batch = []
    s = dispatcher.store.schema
    for direction, index in ((PLACED, 'acc_src_idx'),
                             (RECEIVED, 'acc_dst_idx')):
        stmt = calls_statement(s, 'alice', DOMAIN, direction,
                               NOW - datetime.timedelta(days=14), NOW, 50)
        plan = _plan(dispatcher, stmt)
        if dispatcher.store.is_sqlite:
            assert any('USING INDEX %s' % index in p for p in plan), plan
            assert not any('TEMP B-TREE' in p for p in plan), plan
        else:
            (step,) = plan
            assert step['key'] == index, plan
            assert step['type'] in ('range', 'ref'), plan
            assert 'filesort' not in (step['Extra'] or ''), plan
    started = time.monotonic()
    got = sip('getCalls', ME, ('query', {
        'placed': query(NOW - datetime.timedelta(days=14), NOW),
        'received': query(NOW - datetime.timedelta(days=14), NOW)}))
    elapsed = time.monotonic() - started
    assert len(got['placed']) == 50 and len(got['received']) == 50
    starts = [c['startTime'] for c in got['placed']]
    assert starts == sorted(starts, reverse=True)
    assert elapsed < 2.0, elapsed
    print('getCalls(limit 50) over 100,000 acc rows: %.3f s' % elapsed)
