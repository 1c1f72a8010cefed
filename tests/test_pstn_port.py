"""PSTN routing operations of the SipPort (spec §2.1, §3.2, §3.4; guide
"PSTN Routes/Carriers/Gateways/Rules"): what they answer, what they refuse,
who sees what, and that Kamailio's lcr tables always say what the records
say (same transaction, one lcr instance per reseller, lcr.reload after the
commit), on SQLite and MariaDB."""
import json
import socket
import threading

import pytest

from ngnpro import live, routing
from ngnpro.store.sip import pstn as store
from tests.helpers import make_dispatcher, rows
from tests.soapcall import Client, SoapFault, admin, customer
from tests.test_listings import check, value


def code_of(fn, *args, **kwargs):
    with pytest.raises(SoapFault) as err:
        fn(*args, **kwargs)
    return err.value.code


def lcr_rows(dispatcher, lcr_id=None):
    """The lcr tables (of one instance) as comparable sets."""
    where = {} if lcr_id is None else {'lcr_id': lcr_id}
    gws = rows(dispatcher, 'lcr_gw', **where)
    rules = rows(dispatcher, 'lcr_rule', **where)
    tags = {g['id']: g['tag'] for g in gws}
    keys = {r['id']: (r['prefix'], r['from_uri']) for r in rules}
    return (sorted((g['tag'], g['gw_name'], g['ip_addr'], g['hostname'],
                    g['port'], g['transport'], g['strip'], g['prefix'])
                   for g in gws),
            sorted((r['prefix'], r['from_uri'], r['request_uri'])
                   for r in rules),
            sorted(keys[t['rule_id']] + (tags[t['gw_id']], t['priority'])
                   for t in rows(dispatcher, 'lcr_rule_target', **where)))


def compiled(dispatcher, reseller):
    """What the lcr rows of a reseller's instance must be."""
    with dispatcher.store.engine.connect() as conn:
        s = dispatcher.store.schema
        lcr_id = store.instance_of(conn, s, reseller)
        table = routing.lcr_tables(store.load_routing(conn, s, reseller,
                                                      lcr_id))
    return lcr_id, (sorted((g.tag, g.gw_name, g.ip_addr, g.hostname, g.port,
                            g.transport, g.strip, g.prefix)
                           for g in table.gws.values()),
                    sorted((r.prefix, r.from_uri, r.request_uri)
                           for r in table.rules),
                    sorted((r.prefix, r.from_uri, tag, priority)
                           for r in table.rules
                           for tag, priority in r.targets))


def in_sync(dispatcher, *resellers):
    for reseller in resellers:
        lcr_id, wanted = compiled(dispatcher, reseller)
        assert lcr_rows(dispatcher, lcr_id) == wanted


@pytest.fixture
def sip(dispatcher):
    return Client(dispatcher, 'Sip', admin())


def build(sip):
    """A carrier with two gateways, a rule and two routes; their ids."""
    c = sip('addCarrier', ('carrier', {'name': 'KPN'}), carrier='Carrier')
    g1 = sip('addGateway', ('gateway', {
        'name': 'gw1', 'carrier_id': c['id'], 'ip': '192.0.2.10',
        'port': 5060, 'transport': 'udp'}), gateway='Gateway')
    g2 = sip('addGateway', ('gateway', {
        'name': 'gw2', 'carrier_id': c['id'], 'ip': 'GW2.Example.NET'}),
        gateway='Gateway')
    r = sip('addGatewayRule', ('rule', {
        'gateway_id': g1['id'], 'prefix': '+31', 'prepend': '',
        'strip': 2, 'minLength': 11, 'maxLength': 13}), rule='GatewayRule')
    routes = sip('addRoutes', ('routes', [
        {'prefix': '0031', 'originator': '', 'carrier_id': c['id'],
         'priority': 10},
        {'prefix': '', 'originator': 'Alice@Example.com',
         'carrier_id': c['id'], 'priority': 0}]))
    return c, g1, g2, r, routes


def test_records_read_back_and_land_in_lcr(sip, dispatcher):
    c, g1, g2, r, routes = build(sip)
    assert (c['name'], c['reseller']) == ('KPN', 0) and c['id'] > 0
    assert c['changeDate']
    assert {k: g2[k] for k in ('name', 'carrier_id', 'carrier', 'ip',
                               'port', 'transport', 'reseller')} == {
        'name': 'gw2', 'carrier_id': c['id'], 'carrier': 'KPN',
        'ip': 'gw2.example.net', 'port': 5060, 'transport': 'udp',
        'reseller': 0}
    assert {k: r[k] for k in ('gateway_id', 'gateway', 'carrier_id',
                              'carrier', 'prefix', 'strip', 'prepend',
                              'minLength', 'maxLength')} == {
        'gateway_id': g1['id'], 'gateway': 'gw1', 'carrier_id': c['id'],
        'carrier': 'KPN', 'prefix': '0031', 'strip': 2, 'prepend': '',
        'minLength': 11, 'maxLength': 13}
    assert [(x['prefix'], x['originator'], x['priority'], x['carrier'])
            for x in routes] == [('0031', '', 10, 'KPN'),
                                 ('', 'alice@example.com', 0, 'KPN')]

    got = sip('getGateways', ('query', {'filter': {'id': g1['id']}}))
    assert got == {'total': 1, 'gateways': [g1]}
    got = sip('getGatewayRules', ('query', {'filter': {'id': r['id']}}))
    assert got == {'total': 1, 'gateway_rules': [r]}
    got = sip('getRoutes', ('query', {'filter': {}}))
    assert got['total'] == 2 and got['routes'] == sorted(
        routes, key=lambda x: x['prefix'])

    (gw, variant, plain2) = sorted(rows(dispatcher, 'lcr_gw'),
                                   key=lambda g: g['tag'])
    assert (gw['tag'], gw['gw_name'], gw['ip_addr'], gw['port'],
            gw['transport'], gw['strip'], gw['lcr_id']) == \
        (str(g1['id']), 'gw1', '192.0.2.10', 5060, 1, 0, 1)
    assert (variant['tag'], variant['strip'], variant['prefix']) == \
        ('%d:%d' % (g1['id'], r['id']), 2, None)
    assert (plain2['hostname'], plain2['ip_addr']) == ('gw2.example.net',
                                                        None)
    rules = {(x['prefix'], x['from_uri']): x
             for x in rows(dispatcher, 'lcr_rule')}
    alice = r'^user:alice@example\.com$'
    # gw1's rule cuts the 0031 numbers by length, for alice's '' route too.
    assert set(rules) == {
        ('0031', '^any$(?#4-10)'), ('0031', '^any$(?#11-13)'),
        ('0031', '^any$(?#14-)'), ('', alice), ('0031', alice + '(?#4-10)'),
        ('0031', alice + '(?#11-13)'), ('0031', alice + '(?#14-)')}
    assert rules[('0031', '^any$(?#11-13)')]['request_uri'] == \
        '^sips?:[0-9]{11,13}@'
    assert all(x['stopper'] == 1 and x['enabled'] == 1
               for x in rules.values())
    in_sync(dispatcher, 0)
    (instance,) = rows(dispatcher, 'lcr_instances')
    assert (instance['lcr_id'], instance['reseller']) == (1, 0)


def test_updates_replace_and_names_follow(sip, dispatcher):
    c, g1, g2, r, routes = build(sip)
    c2 = sip('addCarrier', ('carrier', {'name': 'Other'}), carrier='Carrier')
    # Objects come back from get* with read-only members: ignored.
    c.update(name='KPN Wholesale', changeDate='2000-01-01 00:00:00')
    assert sip('updateCarrier', ('carrier', c), carrier='Carrier') is None
    g1.update(name='gw1b', ip='192.0.2.11', port=5080, transport='TCP',
              carrier='ignored')
    sip('updateGateway', ('gateway', g1), gateway='Gateway')
    r.update(prefix='00316', strip=3, prepend='0', minLength=10,
             maxLength=0, gateway='ignored', carrier_id=999)
    sip('updateGatewayRule', ('rule', r), rule='GatewayRule')
    routes[0].update(carrier_id=c2['id'], priority=7, prefix='+32')
    sip('updateRoutes', ('routes', [routes[0]]))

    got = sip('getGateways', ('query', {'filter': {'id': g1['id']}}))
    (g,) = got['gateways']
    assert (g['name'], g['ip'], g['port'], g['transport'], g['carrier']) == \
        ('gw1b', '192.0.2.11', 5080, 'tcp', 'KPN Wholesale')
    (rr,) = sip('getGatewayRules', ('query', {'filter': {'id': r['id']}})
                )['gateway_rules']
    assert (rr['prefix'], rr['strip'], rr['prepend'], rr['minLength'],
            rr['maxLength'], rr['gateway'], rr['carrier'],
            rr['carrier_id']) == ('00316', 3, '0', 10, 0, 'gw1b',
                                  'KPN Wholesale', c['id'])
    (route,) = sip('getRoutes', ('query', {'filter': {
        'id': routes[0]['id']}}))['routes']
    assert (route['prefix'], route['priority'], route['carrier_id'],
            route['carrier']) == ('0032', 7, c2['id'], 'Other')
    (other,) = sip('getRoutes', ('query', {'filter': {
        'id': routes[1]['id']}}))['routes']
    assert other['carrier'] == 'KPN Wholesale'
    in_sync(dispatcher, 0)
    (gw,) = [g for g in rows(dispatcher, 'lcr_gw')
             if g['tag'] == str(g1['id'])]
    assert (gw['gw_name'], gw['port'], gw['transport']) == ('gw1b', 5080, 2)


def test_deletes_leave_nothing_behind(sip, dispatcher):
    c, g1, g2, r, routes = build(sip)
    assert code_of(sip, 'deleteCarrier', ('id', c['id'])) == 1102
    assert code_of(sip, 'deleteGateway', ('id', g1['id'])) == 1112
    sip('deleteRoutes', ('routes', [{'id': x['id']} for x in routes]))
    assert sip('getRoutes', ('query', {'filter': {}}))['total'] == 0
    assert rows(dispatcher, 'lcr_rule') == []
    sip('deleteGatewayRule', ('id', r['id']))
    assert code_of(sip, 'deleteGatewayRule', ('id', r['id'])) == 1120
    sip('deleteGateway', ('id', g1['id']))
    assert code_of(sip, 'deleteCarrier', ('id', c['id'])) == 1102
    sip('deleteGateway', ('id', g2['id']))
    sip('deleteCarrier', ('id', c['id']))
    assert code_of(sip, 'deleteCarrier', ('id', c['id'])) == 1100
    for table in ('pstn_carriers', 'pstn_gateways', 'pstn_gateway_rules',
                  'pstn_routes', 'lcr_gw', 'lcr_rule', 'lcr_rule_target'):
        assert rows(dispatcher, table) == [], table


def test_refusals_leave_everything_as_it_was(sip, dispatcher):
    c, g1, g2, r, routes = build(sip)
    before = [rows(dispatcher, t) for t in (
        'pstn_carriers', 'pstn_gateways', 'pstn_gateway_rules',
        'pstn_routes', 'lcr_gw', 'lcr_rule', 'lcr_rule_target')]
    gw = {'name': 'x', 'carrier_id': c['id'], 'ip': '192.0.2.1'}
    cases = [
        (1100, 'addGateway', ('gateway', dict(gw, carrier_id=999))),
        (1100, 'addGateway', ('gateway', dict(gw, carrier_id=0))),
        (1101, 'addCarrier', ('carrier', {'name': 'KPN'})),
        (1111, 'addGateway', ('gateway', dict(gw, name='gw2'))),
        (1110, 'addGatewayRule', ('rule', {'gateway_id': 999})),
        (1120, 'updateGatewayRule', ('rule', {'id': 999,
                                              'gateway_id': g1['id']})),
        (1110, 'updateGateway', ('gateway', dict(gw, id=999))),
        (1100, 'updateCarrier', ('carrier', {'id': 999, 'name': 'x'})),
        (1130, 'updateRoutes', ('routes', [{'id': 999, 'carrier_id':
                                            c['id']}])),
        (1131, 'addRoutes', ('routes', [{'prefix': '0031',
                                         'carrier_id': c['id']}])),
        # One bad route rejects the whole batch.
        (1100, 'addRoutes', ('routes', [
            {'prefix': '0044', 'carrier_id': c['id'], 'priority': 1},
            {'prefix': '0045', 'carrier_id': 999}])),
        (1131, 'addRoutes', ('routes', [
            {'prefix': '0046', 'carrier_id': c['id']},
            {'prefix': '+46', 'carrier_id': c['id']}])),
        (1130, 'deleteRoutes', ('routes', [{'id': routes[0]['id']},
                                           {'id': 999}])),
        (1131, 'updateRoutes', ('routes', [dict(routes[1], prefix='0031',
                                                originator='')])),
        (103, 'addRoutes', ('routes', [{'prefix': '00a1',
                                        'carrier_id': c['id']}])),
        (103, 'addRoutes', ('routes', [{'prefix': '0' * 17,
                                        'carrier_id': c['id']}])),
        (103, 'addRoutes', ('routes', [{'prefix': '1', 'carrier_id': c['id'],
                                        'originator': 'not a caller'}])),
        (103, 'addRoutes', ('routes', [{
            'prefix': '1', 'carrier_id': c['id'],
            'originator': 'some.one.else@a-long.subdomain.of.example.com'}])),
        (103, 'addRoutes', ('routes', [{'prefix': '1', 'carrier_id': c['id'],
                                        'priority': -1}])),
        (103, 'addGateway', ('gateway', dict(gw, ip='not an address'))),
        (103, 'addGateway', ('gateway', dict(gw, ip=''))),
        (103, 'addGateway', ('gateway', dict(gw, transport='ws'))),
        (103, 'addGateway', ('gateway', dict(gw, port=70000))),
        (103, 'addGateway', ('gateway', dict(gw, name=''))),
        (103, 'addGatewayRule', ('rule', {'gateway_id': g1['id'],
                                          'minLength': 12, 'maxLength': 11})),
        (103, 'addGatewayRule', ('rule', {'gateway_id': g1['id'],
                                          'strip': 65})),
        (103, 'addGatewayRule', ('rule', {'gateway_id': g1['id'],
                                          'prepend': '9x'})),
        (103, 'addCarrier', ('carrier', {'name': ' '})),
    ]
    for code, op, arg in cases:
        assert code_of(sip, op, arg) == code, (op, arg)
    assert before == [rows(dispatcher, t) for t in (
        'pstn_carriers', 'pstn_gateways', 'pstn_gateway_rules',
        'pstn_routes', 'lcr_gw', 'lcr_rule', 'lcr_rule_target')]


@pytest.fixture
def resellers(dispatcher):
    """Resellers r1 and r2 (active) with customer c1 of r1, and an
    inactive reseller r3; their SipPort clients and ids."""
    cust = Client(dispatcher, 'Customer', admin())
    ids = {}
    for name, extra in (('r1', {'resellerActive': True}),
                        ('r2', {'resellerActive': True}),
                        ('r3', {'resellerActive': False})):
        ids[name] = cust('addAccount', ('account', dict(
            extra, username=name, password=name + '-pw')))['id']
    ids['c1'] = cust('addAccount', ('account', {
        'username': 'c1', 'password': 'c1-pw', 'reseller': ids['r1']}))['id']
    clients = {n: Client(dispatcher, 'Sip', customer(n, n + '-pw'))
               for n in ('r1', 'r2', 'r3', 'c1')}
    return clients, ids


def test_resellers_own_their_routing(dispatcher, resellers):
    clients, ids = resellers
    r1, r2 = clients['r1'], clients['r2']
    mine = build(r1)
    theirs = build(r2)
    c, g1, g2, r, routes = theirs
    assert mine[0]['reseller'] == ids['r1'] and c['reseller'] == ids['r2']
    assert all(x['reseller'] == ids['r2'] for x in (g1, g2, r) + tuple(
        routes))
    # Another reseller's records answer exactly like missing ones.
    gw = {'name': 'x', 'carrier_id': c['id'], 'ip': '192.0.2.1'}
    assert code_of(r1, 'addGateway', ('gateway', gw)) == 1100
    assert code_of(r1, 'updateCarrier', ('carrier', dict(c, name='x'))) == \
        1100
    assert code_of(r1, 'deleteCarrier', ('id', c['id'])) == 1100
    assert code_of(r1, 'updateGateway', ('gateway', g1)) == 1110
    assert code_of(r1, 'deleteGateway', ('id', g1['id'])) == 1110
    assert code_of(r1, 'addGatewayRule', ('rule', {'gateway_id':
                                                   g1['id']})) == 1110
    assert code_of(r1, 'deleteGatewayRule', ('id', r['id'])) == 1120
    assert code_of(r1, 'addRoutes', ('routes', [{'carrier_id':
                                                 c['id']}])) == 1100
    assert code_of(r1, 'updateRoutes', ('routes', [routes[0]])) == 1130
    assert code_of(r1, 'deleteRoutes', ('routes', [{'id': routes[0][
        'id']}])) == 1130
    # Moving one's own route to another reseller's carrier: not found.
    assert code_of(r1, 'updateRoutes', ('routes', [dict(
        mine[4][0], carrier_id=c['id'])])) == 1100
    for op, member in (('getCarriers', 'carriers'),
                       ('getGateways', 'gateways'),
                       ('getGatewayRules', 'gateway_rules'),
                       ('getRoutes', 'routes')):
        for who, n in (('r1', 1), ('r2', 1), ('c1', 0)):
            got = clients[who](op, ('query', {'filter': {}}))
            assert {x['reseller'] for x in got[member]} <= {ids[who]}, op
            assert bool(got['total']) == bool(n), (op, who)
        everything = Client(dispatcher, 'Sip', admin())(
            op, ('query', {'filter': {}}))
        assert {x['reseller'] for x in everything[member]} == \
            {ids['r1'], ids['r2']}
        only = Client(dispatcher, 'Sip', admin())(
            op, ('query', {'filter': {'reseller': ids['r2']}}))
        assert {x['reseller'] for x in only[member]} == {ids['r2']}
    # A reseller's carriers are its own whatever it sends.
    assert code_of(r1, 'addCarrier', ('carrier', {
        'name': 'y', 'reseller': ids['r2']})) == 101
    assert code_of(clients['c1'], 'addCarrier', ('carrier', {
        'name': 'y'})) == 101
    assert code_of(clients['c1'], 'deleteCarrier', ('id', c['id'])) == 101
    assert code_of(clients['r3'], 'addCarrier', ('carrier', {
        'name': 'y'})) == 101
    # One lcr instance each, in sync; the platform has none yet.
    by_reseller = {i['reseller']: i['lcr_id']
                   for i in rows(dispatcher, 'lcr_instances')}
    assert by_reseller == {ids['r1']: 2, ids['r2']: 3}
    in_sync(dispatcher, ids['r1'], ids['r2'])
    assert lcr_rows(dispatcher, 2)[1] == lcr_rows(dispatcher, 3)[1]
    # A reseller that owns routing is not deleted from under it.
    cust = Client(dispatcher, 'Customer', admin())
    with pytest.raises(SoapFault) as err:
        cust('deleteAccount', ('id', ids['r2']))
    assert err.value.code == 5002 and 'pstn carriers' in err.value.string


def test_admin_moves_a_carrier_with_what_hangs_off_it(dispatcher, resellers):
    clients, ids = resellers
    sip = Client(dispatcher, 'Sip', admin())
    c, g1, g2, r, routes = build(clients['r1'])
    c['reseller'] = ids['r2']
    sip('updateCarrier', ('carrier', c))
    for op, member in (('getGateways', 'gateways'),
                       ('getGatewayRules', 'gateway_rules'),
                       ('getRoutes', 'routes')):
        got = sip(op, ('query', {'filter': {}}))[member]
        assert got and {x['reseller'] for x in got} == {ids['r2']}
    # r1 owns no carrier any more: its instance is given back, its lcr
    # rows are gone; r2's instance has them.
    by_reseller = {i['reseller']: i['lcr_id']
                   for i in rows(dispatcher, 'lcr_instances')}
    assert by_reseller == {ids['r2']: 3}
    assert lcr_rows(dispatcher, 2) == ([], [], [])
    in_sync(dispatcher, ids['r2'])
    assert code_of(clients['r1'], 'deleteCarrier', ('id', c['id'])) == 1100
    # And a gateway moved by the admin to a carrier of the platform.
    p = sip('addCarrier', ('carrier', {'name': 'Platform'}))
    g2['carrier_id'] = p['id']
    sip('updateGateway', ('gateway', g2))
    (moved,) = sip('getGateways', ('query', {'filter': {
        'id': g2['id']}}))['gateways']
    assert (moved['reseller'], moved['carrier']) == (0, 'Platform')
    in_sync(dispatcher, 0, ids['r2'])


def test_lcr_instances_are_limited_by_configuration(db_url):
    d = make_dispatcher(db_url, pstn_lcr_count=2)
    try:
        cust = Client(d, 'Customer', admin())
        sip = Client(d, 'Sip', admin())
        r = [cust('addAccount', ('account', {
            'username': 'r%d' % i, 'password': 'x',
            'resellerActive': True}))['id'] for i in range(2)]
        sip('addCarrier', ('carrier', {'name': 'p'}))
        sip('addCarrier', ('carrier', {'name': 'a', 'reseller': r[0]}))
        assert code_of(sip, 'addCarrier', ('carrier', {
            'name': 'b', 'reseller': r[1]})) == 1140
        assert {i['lcr_id'] for i in rows(d, 'lcr_instances')} == {1, 2}
    finally:
        d.store.dispose()


def test_lcr_gw_rows_are_limited_by_configuration(db_url):
    d = make_dispatcher(db_url, pstn_lcr_gw_count=4)   # 3 rows
    try:
        sip = Client(d, 'Sip', admin())
        c, g1, g2, r, routes = build(sip)      # gw1, gw1+rule, gw2
        code = code_of(sip, 'addGatewayRule', ('rule', {
            'gateway_id': g2['id'], 'prefix': '0031', 'strip': 1}))
        assert code == 103
        assert len(rows(d, 'lcr_gw')) == 3
    finally:
        d.store.dispose()


class FakeKamailio:
    """A jsonrpcs datagram socket that records the methods it is sent."""

    def __init__(self, path):
        self.path, self.methods = path, []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(65536)
            except OSError:
                return
            request = json.loads(data)
            self.methods.append(request['method'])
            self.sock.sendto(json.dumps({'jsonrpc': '2.0', 'result': 'ok',
                                         'id': request['id']}).encode(),
                             peer)

    def close(self):
        self.sock.close()


def test_lcr_reload_once_per_call_after_commit(db_url, tmp_path):
    path = str(tmp_path / 'rpc.sock')
    kam = FakeKamailio(path)
    d = make_dispatcher(db_url, kamailio_rpc_socket=path)
    try:
        sip = Client(d, 'Sip', admin())
        c = sip('addCarrier', ('carrier', {'name': 'KPN'}))
        assert kam.methods == []          # no lcr row changed
        sip('addRoutes', ('routes', [
            {'prefix': p, 'carrier_id': c['id']} for p in ('1', '2', '3')]))
        assert kam.methods == ['lcr.reload']
        # A refused call changes nothing and reloads nothing; reads neither.
        code_of(sip, 'addRoutes', ('routes', [{'prefix': '1',
                                               'carrier_id': c['id']}]))
        sip('getRoutes', ('query', {'filter': {}}))
        assert kam.methods == ['lcr.reload']
        sip('addGateway', ('gateway', {'name': 'g', 'carrier_id': c['id'],
                                       'ip': '192.0.2.1'}))
        assert kam.methods == ['lcr.reload'] * 2
        (result,) = [r for r in live.results() if r['method'] == 'lcr.reload'
                     and r['target'] == 'kamailio:' + path]
        assert result['ok'] is True
    finally:
        d.store.dispose()
        kam.close()


def test_every_pstn_golden_request_is_answered(server):
    """The captured client requests reach their operations on the running
    server (none answered 104): they refer to records that do not exist
    here, so they get the not-found codes of this port."""
    from tests.helpers import seed_fixture_world
    from tests.test_wire_fixtures import FIXTURES, _raw
    from lxml import etree
    seed_fixture_world(server_db_url(server))
    expected = {'addCarrier': 200, 'getCarriers': 200, 'getGateways': 200,
                'getGatewayRules': 200, 'getRoutes': 200,
                'updateCarrier': 1100, 'deleteCarrier': 1100,
                'addGateway': 1100, 'updateGateway': 1110,
                'deleteGateway': 1110, 'addGatewayRule': 1110,
                'updateGatewayRule': 1120, 'deleteGatewayRule': 1120,
                'addRoutes': 1100, 'updateRoutes': 1130,
                'deleteRoutes': 1130}
    seen = set()
    for f in FIXTURES:
        if f['port'] != 'Sip' or f['operation'] not in expected:
            continue
        seen.add(f['operation'])
        status, _, body = server.post(_raw(f['file']))
        code = etree.fromstring(body).findtext('.//errorcode')
        got = 200 if status == 200 else int(code)
        assert got == expected[f['operation']], (f['file'], body)
    assert seen == set(expected)


def server_db_url(server):
    import configparser
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(server.config)
    return parser.get('database', 'url')


# -- listings (spec §3.2): every filter and orderBy attribute -----------------

def three_resellers(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    return [cust('addAccount', ('account', {
        'username': 'rs%d' % i, 'password': 'x',
        'resellerActive': True}))['id'] for i in range(3)]


def test_carrier_listing(dispatcher):
    owners = three_resellers(dispatcher)
    sip = Client(dispatcher, 'Sip', admin())
    records = []
    for i in range(3):
        r = {'name': value('name', i, 0), 'reseller': owners[i],
             'changeDate': i}
        r['id'] = r['key'] = sip('addCarrier', ('carrier', r))['id']
        records.append(r)
    check(sip, 'getCarriers', 'carriers', lambda c: c['id'], records,
          ('name',), {'id': [r['id'] for r in records], 'reseller': owners},
          ('name', 'changeDate'))


def three_carriers(dispatcher, sip):
    """Carriers of three resellers, named so that their names sort
    differently from their ids."""
    owners = three_resellers(dispatcher)
    return [sip('addCarrier', ('carrier', {
        'name': value('carrier', i, 1), 'reseller': owners[i]}))
        for i in range(3)]


def test_gateway_listing(dispatcher):
    sip = Client(dispatcher, 'Sip', admin())
    carriers = three_carriers(dispatcher, sip)
    records = []
    for i in range(3):
        c = carriers[(i + 2) % 3]
        r = {'name': value('name', i, 0), 'carrier_id': c['id'],
             'reseller': c['reseller'], 'ip': '192.0.2.%d' % (3 - i),
             'changeDate': i}
        r['id'] = r['key'] = sip('addGateway', ('gateway', r))['id']
        records.append(r)
    check(sip, 'getGateways', 'gateways', lambda g: g['id'], records,
          ('name',), {f: [r[f] for r in records]
                      for f in ('id', 'carrier_id', 'reseller')},
          ('name', 'carrier_id', 'ip', 'changeDate'))
    nobody = sip('getGateways', ('query', {'filter': {
        'customer': carriers[0]['reseller']}}))
    assert nobody == {'total': 0, 'gateways': []}


def test_gateway_rule_listing(dispatcher):
    sip = Client(dispatcher, 'Sip', admin())
    carriers = three_carriers(dispatcher, sip)
    records = []
    for i in range(3):
        c = carriers[i]
        g = sip('addGateway', ('gateway', {
            'name': value('gateway', i, 2), 'carrier_id': c['id'],
            'ip': '192.0.2.1'}))
        r = {'gateway_id': g['id'], 'prefix': '00%d' % ((i + 1) % 3),
             'carrier_id': c['id'], 'reseller': c['reseller'],
             'gateway': g['name'], 'carrier': c['name'], 'changeDate': i}
        r['id'] = r['key'] = sip('addGatewayRule', ('rule', r))['id']
        records.append(r)
    check(sip, 'getGatewayRules', 'gateway_rules', lambda r: r['id'],
          records, ('prefix',), {f: [r[f] for r in records] for f in (
              'id', 'gateway_id', 'carrier_id', 'reseller')},
          ('gateway', 'carrier', 'prefix', 'changeDate'))
    default = sip('getGatewayRules', ('query', {'filter': {}}))
    assert [x['id'] for x in default['gateway_rules']] == \
        [r['id'] for r in records]            # changeDate ASC by default
    nobody = sip('getGatewayRules', ('query', {'filter': {
        'customer': carriers[0]['reseller']}}))
    assert nobody['total'] == 0


def test_route_listing(dispatcher):
    sip = Client(dispatcher, 'Sip', admin())
    carriers = three_carriers(dispatcher, sip)
    records = []
    for i in range(3):
        c = carriers[(i + 2) % 3]
        r = {'prefix': '00%d1' % ((i + 1) % 3), 'carrier_id': c['id'],
             'reseller': c['reseller'], 'priority': (i + 2) % 3}
        (created,) = sip('addRoutes', ('routes', [r]))
        r['id'] = r['key'] = created['id']
        records.append(r)
    check(sip, 'getRoutes', 'routes', lambda r: r['id'], records,
          ('prefix',), {f: [r[f] for r in records]
                        for f in ('id', 'carrier_id', 'reseller')},
          ('prefix', 'priority'))
    default = sip('getRoutes', ('query', {'filter': {}}))
    assert [x['prefix'] for x in default['routes']] == \
        sorted(r['prefix'] for r in records)  # prefix ASC by default


def test_listing_columns_are_indexed(dispatcher):
    """Every filter and orderBy column of the four listings leads an
    index (or is the primary key)."""
    from ports.sip.pstn import carriers, gateways, routes, rules
    s = dispatcher.store.schema
    for module, table in ((carriers, s.pstn_carriers),
                          (gateways, s.pstn_gateways),
                          (rules, s.pstn_gateway_rules),
                          (routes, s.pstn_routes)):
        listing = module._listing(s)
        leading = {list(i.columns)[0].name for i in table.indexes}
        leading |= {list(c.columns)[0].name for c in table.constraints
                    if len(c.columns)}
        columns = [c for _, c in listing.filters.values()] + \
            list(listing.order.values())
        for column in columns:
            assert column.name in leading, (table.name, column.name)


def test_every_change_keeps_the_lcr_rows_exact(dispatcher):
    """A random sequence of changes (each recompiling only the regions it
    can touch): after each one the lcr rows are those of a complete
    recompilation."""
    import random
    rng = random.Random(8)
    sip = Client(dispatcher, 'Sip', admin())
    carriers = [sip('addCarrier', ('carrier', {'name': 'c%d' % i}))['id']
                for i in range(3)]
    prefixes = ['', '0', '00', '003', '0031', '00316', '0032', '00321',
                '0044', '+44']
    originators = ['', '', 'example.com', 'alice@example.com']
    gateways, rules, routes = [], [], []
    for step in range(120):
        op = rng.choice(['route', 'route', 'route', 'rule', 'rule',
                         'gateway', 'move', 'update_route', 'update_rule',
                         'delete_route', 'delete_rule', 'update_gateway'])
        try:
            if op == 'gateway' or not gateways:
                gateways.append(sip('addGateway', ('gateway', {
                    'name': 'g%d' % step, 'carrier_id': rng.choice(carriers),
                    'ip': '192.0.2.%d' % (step + 1)}))['id'])
            elif op == 'route':
                routes.extend(r['id'] for r in sip('addRoutes', ('routes', [{
                    'prefix': rng.choice(prefixes),
                    'originator': rng.choice(originators),
                    'carrier_id': rng.choice(carriers),
                    'priority': rng.randrange(4)}])))
            elif op == 'rule':
                rules.append(sip('addGatewayRule', ('rule', {
                    'gateway_id': rng.choice(gateways),
                    'prefix': rng.choice(prefixes),
                    'strip': rng.randrange(4), 'prepend': rng.choice(
                        ['', '0', '+']),
                    'minLength': rng.choice([0, 0, 5, 8]),
                    'maxLength': rng.choice([0, 0, 9, 12])}))['id'])
            elif op == 'move' and gateways:
                (g,) = sip('getGateways', ('query', {'filter': {
                    'id': rng.choice(gateways)}}))['gateways']
                g['carrier_id'] = rng.choice(carriers)
                sip('updateGateway', ('gateway', g))
            elif op == 'update_gateway' and gateways:
                (g,) = sip('getGateways', ('query', {'filter': {
                    'id': rng.choice(gateways)}}))['gateways']
                g.update(port=rng.choice([5060, 5070]), name='n%d' % step)
                sip('updateGateway', ('gateway', g))
            elif op == 'update_route' and routes:
                (r,) = sip('getRoutes', ('query', {'filter': {
                    'id': rng.choice(routes)}}))['routes']
                r.update(prefix=rng.choice(prefixes),
                         originator=rng.choice(originators),
                         carrier_id=rng.choice(carriers))
                sip('updateRoutes', ('routes', [r]))
            elif op == 'update_rule' and rules:
                (r,) = sip('getGatewayRules', ('query', {'filter': {
                    'id': rng.choice(rules)}}))['gateway_rules']
                r.update(prefix=rng.choice(prefixes),
                         gateway_id=rng.choice(gateways),
                         minLength=rng.choice([0, 6]))
                sip('updateGatewayRule', ('rule', r))
            elif op == 'delete_route' and routes:
                sip('deleteRoutes', ('routes', [{'id': routes.pop(
                    rng.randrange(len(routes)))}]))
            elif op == 'delete_rule' and rules:
                sip('deleteGatewayRule', ('id', rules.pop(
                    rng.randrange(len(rules)))))
        except SoapFault as exc:
            assert exc.code == 1131, exc       # a duplicate route
        in_sync(dispatcher, 0)
    assert len(routes) > 5 and len(rules) > 3
