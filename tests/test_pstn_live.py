"""PSTN routing through clients nobody here wrote, against the real server
(SQLite and MariaDB): PHP ext/soap in non-WSDL rpc/encoded mode, and zeep
with the literal WSDL. Each builds, as a reseller, two carriers, four
gateways with a rule each and twenty routes in one batch, reads them back,
updates and deletes them, and meets every refusal: unknown carrier, carrier
and gateway in use, another reseller's objects, a batch with one bad
route. What lands in Kamailio's lcr tables is checked alongside."""
import configparser
import json

from sqlalchemy import create_engine, select

from ngnpro import routing
from ngnpro.store.schema import Schema
from ngnpro.store.sip import pstn as store
from tests.helpers import ADMIN
from tests.test_live_php import php  # noqa: F401  (fixture)
from tests.test_live_wsdl_clients import zeep_client, zeep_fault, zplain

PREFIXES = ['00%d' % (31 + i) for i in range(20)]


def database(server):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(server.config)
    return create_engine(parser.get('database', 'url'))


def lcr_state(server):
    """({reseller: lcr_id}, {lcr_id: (gw rows, rules, targets)}) and
    whether every instance holds what its routing compiles to."""
    engine = database(server)
    s = Schema()
    try:
        with engine.connect() as conn:
            instances = dict(conn.execute(select(
                s.lcr_instances.c.reseller, s.lcr_instances.c.lcr_id)).all())
            counts, in_sync = {}, True
            for reseller, lcr_id in instances.items():
                tables = routing.lcr_tables(store.load_routing(
                    conn, s, reseller, lcr_id))
                got = [conn.execute(select(t.c.id).where(
                    t.c.lcr_id == lcr_id)).all() for t in
                    (s.lcr_gw, s.lcr_rule, s.lcr_rule_target)]
                counts[lcr_id] = tuple(len(g) for g in got)
                in_sync &= counts[lcr_id] == (
                    len(tables.gws), len(tables.rules),
                    sum(len(r.targets) for r in tables.rules))
            total = [len(conn.execute(select(t.c.id)).all()) for t in
                     (s.lcr_gw, s.lcr_rule, s.lcr_rule_target)]
    finally:
        engine.dispose()
    return instances, counts, in_sync, total


def expected_routes(carriers):
    """The twenty routes: alternating carriers, priority = position."""
    return [{'prefix': p, 'originator': 'mobile' if i % 5 == 0 else '',
             'carrier': carriers[i % 2], 'priority': i}
            for i, p in enumerate(PREFIXES)]


def test_pstn_routing_from_php(php, server):  # noqa: F811
    out = php(r'''
$cust = client($URL, 'Customer', $ADMIN, $PASS, true);
foreach (['res1', 'res2'] as $r) {
    $ids[$r] = call($cust, 'addAccount', ['account' => (object) [
        'username' => $r, 'password' => $r . '-pw', 'resellerActive' => 1]])
        ['ok']->id;
}
$out['ids'] = $ids;
$sip = client($URL, 'Sip', 'res1', 'res1-pw', false);
$other = client($URL, 'Sip', 'res2', 'res2-pw', false);
foreach (['Carrier A', 'Carrier B'] as $name) {
    $c = call($sip, 'addCarrier', ['carrier' => (object) [
        'name' => $name, 'reseller' => $ids['res1']]])['ok'];
    $carriers[] = $c;
}
$out['carriers'] = $carriers;
for ($i = 0; $i < 4; $i++) {
    $gws[] = call($sip, 'addGateway', ['gateway' => (object) [
        'name' => "gw$i", 'carrier_id' => $carriers[$i % 2]->id,
        'ip' => "192.0.2.1$i", 'port' => 5060 + $i,
        'transport' => 'udp']])['ok'];
    $rules[] = call($sip, 'addGatewayRule', ['rule' => (object) [
        'gateway_id' => $gws[$i]->id, 'prefix' => '003' . $i,
        'prepend' => $i ? '' : '+', 'strip' => 2, 'minLength' => 0,
        'maxLength' => 0]])['ok'];
}
$out['gateways'] = $gws;
$out['rules'] = $rules;
$batch = [];
foreach (json_decode('PREFIXES') as $i => $p) {
    $batch[] = (object) ['prefix' => $p,
        'originator' => ($i % 5 == 0) ? 'mobile' : '',
        'carrier_id' => $carriers[$i % 2]->id, 'priority' => $i];
}
$out['added'] = call($sip, 'addRoutes', ['routes' => $batch]);
$page = function ($c, $start, $count) {
    return call($c, 'getRoutes', ['query' => (object) [
        'filter' => (object) ['prefix' => '', 'carrier_id' => 0,
                              'reseller' => 0, 'id' => 0],
        'orderBy' => (object) ['attribute' => 'prefix', 'direction' => 'ASC'],
        'range' => (object) ['start' => $start, 'count' => $count]]]);
};
$out['routes'] = $page($sip, 0, 20);
$out['second_page'] = $page($sip, 10, 10);
$out['carriers_read'] = call($sip, 'getCarriers', ['query' => (object) [
    'filter' => (object) ['id' => 0, 'name' => '', 'reseller' => 0],
    'orderBy' => (object) ['attribute' => 'name', 'direction' => 'DESC'],
    'range' => (object) ['start' => 0, 'count' => 1000]]]);
$out['gateways_read'] = call($sip, 'getGateways', ['query' => (object) [
    'filter' => (object) ['carrier_id' => $carriers[0]->id],
    'orderBy' => (object) ['attribute' => 'name', 'direction' => 'ASC'],
    'range' => (object) ['start' => 0, 'count' => 20]]]);
$out['rules_read'] = call($sip, 'getGatewayRules', ['query' => (object) [
    'filter' => (object) ['id' => 0, 'gateway_id' => 0, 'carrier_id' => 0,
                          'prefix' => '', 'customer' => 0, 'reseller' => 0],
    'orderBy' => (object) ['attribute' => 'changeDate', 'direction' => 'ASC'],
    'range' => (object) ['start' => 0, 'count' => 20]]]);

// Updates: objects from get* with edited members, sent back whole.
$c = clone $out['carriers_read']['ok']->carriers[1];
$c->name = 'Carrier A1';
$out['upd_carrier'] = call($sip, 'updateCarrier', ['carrier' => $c]);
$g = clone $out['gateways_read']['ok']->gateways[0];
$g->port = 5080; $g->ip = '192.0.2.99';
$out['upd_gateway'] = call($sip, 'updateGateway', ['gateway' => $g]);
$r = clone $out['rules_read']['ok']->gateway_rules[0];
$r->strip = 4; $r->prepend = '0'; $r->maxLength = 13;
$out['upd_rule'] = call($sip, 'updateGatewayRule', ['rule' => $r]);
$moved = [];
foreach (array_slice($out['routes']['ok']->routes, 0, 5) as $m) {
    $m = clone $m;
    $m->carrier_id = $carriers[1]->id; $m->priority += 100;
    $moved[] = $m;
}
$out['upd_routes'] = call($sip, 'updateRoutes', ['routes' => $moved]);
$out['after'] = $page($sip, 0, 20);
$out['gw_after'] = call($sip, 'getGateways', ['query' => (object) [
    'filter' => (object) ['id' => $g->id]]]);
$out['rule_after'] = call($sip, 'getGatewayRules', ['query' => (object) [
    'filter' => (object) ['id' => $r->id]]]);

// Refusals.
$out['unknown_carrier'] = call($sip, 'addGateway', ['gateway' => (object) [
    'name' => 'x', 'carrier_id' => 99999, 'ip' => '192.0.2.1']]);
$out['carrier_in_use'] = call($sip, 'deleteCarrier', ['id' => $carriers[0]->id]);
$out['gateway_in_use'] = call($sip, 'deleteGateway', ['id' => $gws[0]->id]);
$out['bad_batch'] = call($sip, 'addRoutes', ['routes' => [
    (object) ['prefix' => '0099', 'carrier_id' => $carriers[0]->id],
    (object) ['prefix' => '0098', 'carrier_id' => 99999]]]);
$out['dup_batch'] = call($sip, 'addRoutes', ['routes' => [
    (object) ['prefix' => '0097', 'carrier_id' => $carriers[0]->id],
    (object) ['prefix' => PREFIX6, 'originator' => '',
              'carrier_id' => $carriers[0]->id]]]);
$out['after_bad'] = $page($sip, 0, 100)['ok']->total;
$out['other_list'] = $page($other, 0, 100);
$out['other_carriers'] = call($other, 'getCarriers', ['query' => (object) [
    'filter' => (object) ['name' => '']]]);
$out['other_del_carrier'] = call($other, 'deleteCarrier', ['id' => $carriers[0]->id]);
$out['other_upd_gateway'] = call($other, 'updateGateway', ['gateway' => $g]);
$out['other_add_gateway'] = call($other, 'addGateway', ['gateway' => (object) [
    'name' => 'x', 'carrier_id' => $carriers[0]->id, 'ip' => '192.0.2.1']]);
$out['other_upd_rule'] = call($other, 'updateGatewayRule', ['rule' => $r]);
$out['other_del_routes'] = call($other, 'deleteRoutes', ['routes' => [
    (object) ['id' => $moved[0]->id]]]);
$out['other_add_routes'] = call($other, 'addRoutes', ['routes' => [
    (object) ['prefix' => '0096', 'carrier_id' => $carriers[0]->id]]]);
$out['customer'] = call(client($URL, 'Sip', 'res1', 'wrong', false),
                        'getCarriers', ['query' => (object) ['filter' => (object) []]]);

// Deletes: routes by id only, then rules, gateways, carriers.
$ids = [];
foreach ($page($sip, 0, 100)['ok']->routes as $x) { $ids[] = (object) ['id' => $x->id]; }
$out['del_routes'] = call($sip, 'deleteRoutes', ['routes' => $ids]);
foreach ($rules as $x) { $out['del'][] = call($sip, 'deleteGatewayRule', ['id' => $x->id]); }
foreach ($gws as $x) { $out['del'][] = call($sip, 'deleteGateway', ['id' => $x->id]); }
foreach ($carriers as $x) { $out['del'][] = call($sip, 'deleteCarrier', ['id' => $x->id]); }
$out['gone'] = call($sip, 'deleteCarrier', ['id' => $carriers[0]->id]);
$out['empty'] = $page($sip, 0, 100);
'''.replace("'PREFIXES'", "'%s'" % json.dumps(PREFIXES))
       .replace('PREFIX6', "'%s'" % PREFIXES[6]))
    first = second = out
    ids = first['ids']
    carriers = first['carriers']
    assert [(c['name'], c['reseller']) for c in carriers] == \
        [('Carrier A', ids['res1']), ('Carrier B', ids['res1'])]
    names = [c['name'] for c in carriers]
    gws = first['gateways']
    assert [(g['name'], g['carrier'], g['ip'], g['port'], g['transport'],
             g['reseller']) for g in gws] == [
        ('gw%d' % i, names[i % 2], '192.0.2.1%d' % i, 5060 + i, 'udp',
         ids['res1']) for i in range(4)]
    assert [(r['gateway'], r['prefix'], r['strip'], r['prepend'])
            for r in first['rules']] == [
        ('gw%d' % i, '003%d' % i, 2, '+' if i == 0 else '')
        for i in range(4)]
    added = first['added']['ok']
    assert len(added) == 20 and all(isinstance(r['id'], int) for r in added)
    wanted = expected_routes(names)
    listed = first['routes']['ok']
    assert listed['total'] == 20
    assert [{k: r[k] for k in ('prefix', 'originator', 'carrier',
                               'priority')} for r in listed['routes']] == \
        wanted
    assert [r['prefix'] for r in first['second_page']['ok']['routes']] == \
        PREFIXES[10:]
    read = first['carriers_read']['ok']
    assert read['total'] == 2
    assert [c['name'] for c in read['carriers']] == ['Carrier B',
                                                     'Carrier A']
    assert [g['name'] for g in first['gateways_read']['ok']['gateways']] == \
        ['gw0', 'gw2']
    assert [r['id'] for r in first['rules_read']['ok']['gateway_rules']] == \
        [r['id'] for r in first['rules']]

    for key in ('upd_carrier', 'upd_gateway', 'upd_rule', 'upd_routes'):
        assert first[key] == {'ok': None}, key
    after = first['after']['ok']['routes']
    moved = {r['prefix'] for r in after if r['priority'] >= 100}
    assert moved == set(PREFIXES[:5])
    assert all(r['carrier'] == 'Carrier B' for r in after
               if r['prefix'] in moved)
    assert all(r['carrier'] == 'Carrier A1' for r in after
               if r['prefix'] not in moved and
               PREFIXES.index(r['prefix']) % 2 == 0)
    (g,) = first['gw_after']['ok']['gateways']
    assert (g['name'], g['port'], g['ip'], g['carrier']) == \
        ('gw0', 5080, '192.0.2.99', 'Carrier A1')
    (r,) = first['rule_after']['ok']['gateway_rules']
    assert (r['strip'], r['prepend'], r['maxLength'], r['carrier']) == \
        (4, '0', 13, 'Carrier A1')

    codes = {k: first[k]['fault']['code'] for k in (
        'unknown_carrier', 'carrier_in_use', 'gateway_in_use', 'bad_batch',
        'dup_batch', 'other_del_carrier', 'other_upd_gateway',
        'other_add_gateway', 'other_upd_rule', 'other_del_routes',
        'other_add_routes', 'customer')}
    assert codes == {
        'unknown_carrier': 1100, 'carrier_in_use': 1102,
        'gateway_in_use': 1112, 'bad_batch': 1100, 'dup_batch': 1131,
        'other_del_carrier': 1100, 'other_upd_gateway': 1110,
        'other_add_gateway': 1100, 'other_upd_rule': 1120,
        'other_del_routes': 1130, 'other_add_routes': 1100, 'customer': 100}
    assert 'in use by 2 gateways and' in first['carrier_in_use']['fault'][
        'string']
    assert first['after_bad'] == 20
    assert first['other_list']['ok'] == {'total': 0, 'routes': []}
    assert first['other_carriers']['ok'] == {'total': 0, 'carriers': []}

    assert second['del_routes'] == {'ok': None}
    assert second['del'] == [{'ok': None}] * 10
    assert second['gone']['fault']['code'] == 1100
    assert second['empty']['ok'] == {'total': 0, 'routes': []}
    instances, counts, in_sync, total = lcr_state(server)
    assert instances == {} and total == [0, 0, 0]


def test_pstn_routing_from_zeep(server):
    client, session = zeep_client(server, 'sip?wsdl')
    svc = client.service
    admin = {'auth': {'username': ADMIN[0], 'password': ADMIN[1],
                      'admin': True}}
    cust, _ = zeep_client(server, 'customer?wsdl')
    ids = {}
    for name in ('res1', 'res2'):
        ids[name] = cust.service.addAccount(account={
            'username': name, 'password': name + '-pw',
            'resellerActive': True}, _soapheaders=admin).id
    mine = {'auth': {'username': 'res1', 'password': 'res1-pw',
                     'admin': False}}
    theirs = {'auth': {'username': 'res2', 'password': 'res2-pw',
                       'admin': False}}

    def call(op, headers=mine, **kw):
        return getattr(svc, op)(_soapheaders=headers, **kw)

    def fault(op, headers=mine, **kw):
        code, text, _ = zeep_fault(getattr(svc, op), _soapheaders=headers,
                                   **kw)
        return int(code), text

    carriers = [call('addCarrier', carrier={'name': n})
                for n in ('Carrier A', 'Carrier B')]
    assert [(c.name, c.reseller) for c in carriers] == \
        [('Carrier A', ids['res1']), ('Carrier B', ids['res1'])]
    gws, rules = [], []
    for i in range(4):
        gws.append(call('addGateway', gateway={
            'name': 'gw%d' % i, 'carrier_id': carriers[i % 2].id,
            'ip': '192.0.2.1%d' % i, 'port': 5060 + i}))
        rules.append(call('addGatewayRule', rule={
            'gateway_id': gws[i].id, 'prefix': PREFIXES[i], 'strip': 2,
            'prepend': '+' if i == 0 else '', 'minLength': 10 + i}))
    assert [(g.name, g.carrier, g.transport, g.port) for g in gws] == [
        ('gw%d' % i, carriers[i % 2].name, 'udp', 5060 + i)
        for i in range(4)]
    assert [(r.gateway, r.carrier_id, r.minLength, r.maxLength)
            for r in rules] == [('gw%d' % i, carriers[i % 2].id, 10 + i, 0)
                                for i in range(4)]
    added = call('addRoutes', routes={'item': [
        {'prefix': p, 'originator': 'mobile' if i % 5 == 0 else '',
         'carrier_id': carriers[i % 2].id, 'priority': i}
        for i, p in enumerate(PREFIXES)]})
    assert len(added) == 20
    names = [c.name for c in carriers]
    listed = call('getRoutes', query={
        'filter': {'prefix': '00%'},
        'orderBy': {'attribute': 'priority', 'direction': 'DESC'},
        'range': {'start': 0, 'count': 100}})
    assert listed.total == 20
    # zeep reads an empty string element as None.
    assert [{k: getattr(r, k) if getattr(r, k) is not None else ''
             for k in ('prefix', 'originator', 'carrier', 'priority')}
            for r in listed.routes.item] == expected_routes(names)[::-1]
    page = call('getGateways', query={
        'filter': {'name': 'gw%'},
        'orderBy': {'attribute': 'ip', 'direction': 'DESC'},
        'range': {'start': 1, 'count': 2}})
    assert page.total == 4
    assert [g.name for g in page.gateways.item] == ['gw2', 'gw1']
    instances, counts, in_sync, _ = lcr_state(server)
    assert instances == {ids['res1']: 2} and in_sync
    assert counts[2][1] > 20   # the rules' length windows cut their prefixes

    # Updates with objects as read.
    (c,) = call('getCarriers', query={'filter': {'id': carriers[0].id}}
                ).carriers.item
    c.name = 'Carrier A1'
    assert call('updateCarrier', carrier=zplain(c)) is None
    (g,) = call('getGateways', query={'filter': {'id': gws[1].id}}
                ).gateways.item
    g.carrier_id, g.transport = carriers[0].id, 'tcp'
    assert call('updateGateway', gateway=zplain(g)) is None
    (r,) = call('getGatewayRules', query={'filter': {'id': rules[1].id}}
                ).gateway_rules.item
    r.prefix, r.maxLength = '+31', 12
    assert call('updateGatewayRule', rule=zplain(r)) is None
    routes = call('getRoutes', query={
        'filter': {'carrier_id': carriers[1].id},
        'orderBy': {'attribute': 'prefix', 'direction': 'ASC'}}
    ).routes.item
    assert len(routes) == 10
    for x in routes:
        x.carrier_id = carriers[0].id
    assert call('updateRoutes', routes={'item': [zplain(x)
                                                 for x in routes]}) is None
    (g,) = call('getGateways', query={'filter': {'id': gws[1].id}}
                ).gateways.item
    assert (g.carrier, g.transport) == ('Carrier A1', 'tcp')
    (r,) = call('getGatewayRules', query={'filter': {'id': rules[1].id}}
                ).gateway_rules.item
    assert (r.prefix, r.maxLength, r.carrier) == ('0031', 12, 'Carrier A1')
    assert call('getRoutes', query={'filter': {
        'carrier_id': carriers[0].id}}).total == 20
    assert lcr_state(server)[2]

    # Refusals.
    assert fault('addGateway', gateway={
        'name': 'x', 'carrier_id': 99999, 'ip': '192.0.2.1'}) == \
        (1100, 'Carrier 99999 does not exist')
    assert fault('deleteCarrier', id=carriers[0].id)[0] == 1102
    assert fault('deleteGateway', id=gws[0].id)[0] == 1112
    assert fault('addRoutes', routes={'item': [
        {'prefix': '0099', 'carrier_id': carriers[1].id},
        {'prefix': '0098', 'carrier_id': 99999}]})[0] == 1100
    assert call('getRoutes', query={'filter': {}}).total == 20
    for op, kw, code in (
            ('deleteCarrier', {'id': carriers[1].id}, 1100),
            ('updateCarrier', {'carrier': {'id': carriers[1].id,
                                           'name': 'x'}}, 1100),
            ('deleteGateway', {'id': gws[3].id}, 1110),
            ('deleteGatewayRule', {'id': rules[3].id}, 1120),
            ('addGatewayRule', {'rule': {'gateway_id': gws[3].id}}, 1110),
            ('updateRoutes', {'routes': {'item': [zplain(routes[0])]}}, 1130),
            ('deleteRoutes', {'routes': {'item': [{'id': added[0].id}]}},
             1130)):
        assert fault(op, headers=theirs, **kw)[0] == code, op
    assert call('getGateways', headers=theirs,
                query={'filter': {}}).total == 0

    # Deletes.
    assert call('deleteRoutes', routes={'item': [{'id': x.id}
                                                 for x in added]}) is None
    for x in rules:
        call('deleteGatewayRule', id=x.id)
    for x in gws:
        call('deleteGateway', id=x.id)
    for x in carriers:
        call('deleteCarrier', id=x.id)
    assert call('getCarriers', query={'filter': {}}).total == 0
    assert fault('deleteGateway', id=gws[0].id)[0] == 1110
    instances, _, _, total = lcr_state(server)
    assert instances == {} and total == [0, 0, 0]
