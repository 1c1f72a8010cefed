"""The route function (ngnpro.routing.route) over a table of numbers and
callers: longest prefix, priorities and load sharing, strip and prepend,
length windows and rule ties, originator tiers, empty carriers, '+'
numbers. The routing is provisioned over SOAP (SQLite and MariaDB); for
every number the answer of route() on the stored routing, and what
Kamailio's lcr module makes of the lcr_* rows the server wrote (the
simulation in tests/support/lcr.py, with the rules in many orders), are
both the expected one."""
import random

import pytest

from ngnpro import routing
from ngnpro.store.sip import pstn as store
from tests.helpers import rows
from tests.soapcall import Client, admin
from tests.support.lcr import Lcr, caller_uris

CARRIERS = {
    'Alpha': [('a1', '192.0.2.1', 5060, 'udp'), ('a2', '192.0.2.2', 5060,
                                                   'udp')],
    'Beta': [('b1', 'gw-b.example.net', 5080, 'tcp')],
    'Gamma': [('g1', '192.0.2.7', 5060, 'udp')],
    'Delta': [('d1', '2001:db8::1', 5060, 'udp')],
    'Empty': [],
}
# gateway, prefix, strip, prepend, minLength, maxLength (creation order)
RULES = [
    ('a1', '0031', 2, '', 11, 13),
    ('a1', '00316', 5, '06', 0, 0),
    ('a2', '00', 2, '+', 0, 0),
    ('b1', '0044', 0, '777', 12, 0),
    ('b1', '0044', 4, '0', 0, 11),
    ('b1', '00442', 2, '', 10, 14),
    ('g1', '0032', 6, '', 0, 0),
    ('g1', '0032', 0, '8', 0, 0),      # same prefix: only when the first not
]
# prefix, originator, carrier, priority
ROUTES = [
    ('', '', 'Gamma', 5),
    ('0031', '', 'Alpha', 10),
    ('0031', '', 'Beta', 20),
    ('00316', '', 'Beta', 10),
    ('00316', '', 'Alpha', 20),
    ('0044', '', 'Beta', 10),
    ('0044', '', 'Delta', 10),
    ('0049', '', 'Empty', 1),
    ('0032', '', 'Gamma', 1),
    ('0032', '', 'Alpha', 2),
    ('+31', 'example.com', 'Delta', 1),
    ('', 'alice@example.com', 'Beta', 1),
    ('0049', 'bob@example.com', 'Empty', 1),
    ('0033', 'sip:Bob@Example.com', 'Alpha', 3),
    ('0031', 'mobile', 'Gamma', 1),
]

ALICE, BOB, CAROL = ('sip:alice@example.com', 'sip:bob@example.com',
                     'sip:carol@example.com')
# number, caller, expected: [{gateway: number sent}] per rank
TABLE = [
    ('0031201234567', '', [{'a1': '31201234567', 'a2': '+31201234567'},
                           {'b1': '0031201234567'}]),
    ('+31201234567', '', [{'a1': '31201234567', 'a2': '+31201234567'},
                          {'b1': '0031201234567'}]),
    ('00312012345678', '', [{'a1': '00312012345678', 'a2': '+312012345678'},
                            {'b1': '00312012345678'}]),
    ('0031201234', '', [{'a1': '0031201234', 'a2': '+31201234'},
                        {'b1': '0031201234'}]),
    ('0031', '', [{'a1': '0031', 'a2': '+31'}, {'b1': '0031'}]),
    ('0031612345678', '', [{'b1': '0031612345678'},
                           {'a1': '0612345678', 'a2': '+31612345678'}]),
    ('003161', '', [{'b1': '003161'}, {'a1': '061', 'a2': '+3161'}]),
    ('00316', '', [{'b1': '00316'}, {'a1': '06', 'a2': '+316'}]),
    ('0044123456789', '', [{'b1': '7770044123456789',
                            'd1': '0044123456789'}]),
    ('00441234567', '', [{'b1': '01234567', 'd1': '00441234567'}]),
    ('00441234567890', '', [{'b1': '77700441234567890',
                             'd1': '00441234567890'}]),
    ('0044201234567', '', [{'b1': '44201234567', 'd1': '0044201234567'}]),
    ('004420123456789', '', [{'b1': '777004420123456789',
                              'd1': '004420123456789'}]),
    ('00442012', '', [{'b1': '02012', 'd1': '00442012'}]),
    ('0032123456', '', [{'g1': '3456'}, {'a1': '0032123456',
                                         'a2': '+32123456'}]),
    ('00321', '', [{'g1': '800321'}, {'a1': '00321', 'a2': '+321'}]),
    ('0032', '', [{'g1': '80032'}, {'a1': '0032', 'a2': '+32'}]),
    ('0049301234', '', []),
    ('0033123456', '', [{'g1': '0033123456'}]),
    ('123', '', [{'g1': '123'}]),
    ('0', '', [{'g1': '0'}]),
    ('0031201234567', CAROL, [{'d1': '0031201234567'}]),
    ('0033123', CAROL, [{'g1': '0033123'}]),
    ('0031201234567', ALICE, [{'b1': '0031201234567'}]),
    ('0044123456789', ALICE, [{'b1': '7770044123456789'}]),
    ('+44123456789', 'alice@example.com', [{'b1': '7770044123456789'}]),
    ('0031612345678', '<sip:alice@example.com;transport=tcp>',
     [{'b1': '0031612345678'}]),
    ('0049301234', BOB, []),
    ('0033123', BOB, [{'a1': '0033123', 'a2': '+33123'}]),
    ('0031201234567', BOB, [{'d1': '0031201234567'}]),
    ('0031201234567', 'mobile', [{'g1': '0031201234567'}]),
    ('0044123456789', 'mobile', [{'b1': '7770044123456789',
                                  'd1': '0044123456789'}]),
    ('0031201234567', 'sip:dave@other.example',
     [{'a1': '31201234567', 'a2': '+31201234567'}, {'b1': '0031201234567'}]),
    ('+3212345678', 'example.com', [{'g1': '345678'}, {'a1': '003212345678',
                                                     'a2': '+3212345678'}]),
]


@pytest.fixture
def provisioned(dispatcher):
    """The routing above, created over SOAP by the admin (the platform's
    routing, lcr_id 1); {gateway name: id}."""
    sip = Client(dispatcher, 'Sip', admin())
    carriers, gateways = {}, {}
    for name, gws in CARRIERS.items():
        carriers[name] = sip('addCarrier', ('carrier', {'name': name}),
                             carrier='Carrier')['id']
        for gw, ip, port, transport in gws:
            gateways[gw] = sip('addGateway', ('gateway', {
                'name': gw, 'carrier_id': carriers[name], 'ip': ip,
                'port': port, 'transport': transport}),
                gateway='Gateway')['id']
    for gw, prefix, strip, prepend, low, high in RULES:
        sip('addGatewayRule', ('rule', {
            'gateway_id': gateways[gw], 'prefix': prefix, 'strip': strip,
            'prepend': prepend, 'minLength': low, 'maxLength': high}),
            rule='GatewayRule')
    sip('addRoutes', ('routes', [
        {'prefix': p, 'originator': o, 'carrier_id': carriers[c],
         'priority': prio} for p, o, c, prio in ROUTES]))
    return dispatcher, gateways


def by_rank(decision):
    ranks = {}
    for hop in decision.hops:
        ranks.setdefault(hop.rank, {})[hop.gateway.name] = hop.number
    return [ranks[r] for r in sorted(ranks)]


def test_table_has_enough_cases():
    assert len(TABLE) >= 30
    assert len({(n, c) for n, c, _ in TABLE}) == len(TABLE)


def test_route_and_lcr_rows_agree_with_the_table(provisioned):
    dispatcher, gateways = provisioned
    names = {str(i): n for n, i in gateways.items()}
    with dispatcher.store.engine.connect() as conn:
        stored = store.routing_for(conn, dispatcher.store.schema, 0)
    assert stored.lcr_id == 1
    lcr_rows = (rows(dispatcher, 'lcr_gw'), rows(dispatcher, 'lcr_rule'),
                rows(dispatcher, 'lcr_rule_target'))
    # Rows the stored routing compiles to are exactly those in the tables.
    tables = routing.lcr_tables(stored)
    assert {g['tag'] for g in lcr_rows[0]} == set(tables.gws)
    assert {(r['prefix'], r['from_uri']) for r in lcr_rows[1]} == \
        {(r.prefix, r.from_uri) for r in tables.rules}
    assert len(lcr_rows[2]) == sum(len(r.targets) for r in tables.rules)
    simulations = [Lcr(*lcr_rows)] + [
        Lcr(*lcr_rows, rng=random.Random(seed)) for seed in range(5)]
    for number, caller, expected in TABLE:
        decision = routing.route(stored, number, caller)
        assert by_rank(decision) == expected, (number, caller)
        hops = {h.gateway.name: h.uri for h in decision.hops}
        n = routing.pstn_number(number)
        for lcr in simulations:
            got = lcr.call(1, n, caller_uris(routing.caller_keys(caller)))
            assert [{names[tag.split(':')[0]]: uri for tag, uri in rank}
                    for rank in got] == \
                [{g: hops[g] for g in rank} for rank in expected], \
                (number, caller)


def test_uris_name_the_gateway_as_provisioned(provisioned):
    dispatcher, _ = provisioned
    with dispatcher.store.engine.connect() as conn:
        stored = store.routing_for(conn, dispatcher.store.schema, 0)
    uris = {h.gateway.name: h.uri for h in routing.route(
        stored, '0044123456789').hops}
    assert uris == {
        'b1': 'sip:7770044123456789@gw-b.example.net:5080;transport=tcp',
        'd1': 'sip:0044123456789@[2001:db8::1]:5060;transport=udp'}
    gw = {g['gw_name']: g for g in rows(dispatcher, 'lcr_gw')}
    assert (gw['b1']['hostname'], gw['b1']['ip_addr'], gw['b1']['port'],
            gw['b1']['transport']) == ('gw-b.example.net', None, 5080, 2)
    assert (gw['d1']['ip_addr'], gw['d1']['hostname']) == ('2001:db8::1',
                                                            None)


def test_originator_spellings_are_one(provisioned):
    """'sip:Bob@Example.com' was stored as bob@example.com."""
    dispatcher, _ = provisioned
    sip = Client(dispatcher, 'Sip', admin())
    got = sip('getRoutes', ('query', {'filter': {'prefix': '0033'}}))
    assert [r['originator'] for r in got['routes']] == ['bob@example.com']
    assert [r['prefix'] for r in sip('getRoutes', ('query', {'filter': {
        'prefix': '0031'}}))['routes']] == ['0031'] * 4


def test_pure_function_refuses_what_kamailio_cannot_hold():
    gws = [routing.Gateway(i, 'g%d' % i, 1, 'C', '192.0.2.1')
           for i in range(routing.MAX_TARGETS + 1)]
    table = routing.Routing(1, 0, gws, [], [routing.Route(1, 1, '00')])
    with pytest.raises(routing.RoutingError, match='at most 128'):
        routing.lcr_tables(table)
    with pytest.raises(routing.RoutingError, match='too long'):
        routing.check_originator('a' * 30 + '@' + 'example.' * 3 + 'com')
    with pytest.raises(ValueError):
        routing.route(table, 'sip:alice')


def ngnpro_route(tmp_path, db_url, *args):
    import subprocess
    import sys
    config = tmp_path / 'route.ini'
    config.write_text('[admin]\npassword = x\n[database]\nurl = %s\n'
                      % db_url)
    return subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c',
                           str(config), 'route'] + list(args),
                          capture_output=True, text=True, timeout=60)


def test_ngnpro_route_prints_the_decision(provisioned, db_url, tmp_path):
    done = ngnpro_route(tmp_path, db_url, '+31612345678')
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ('0031612345678 from any caller: routing of the '
                        'platform (lcr_id 1)')
    assert lines[1] == "routes of prefix '00316', any originator"
    assert lines[2].startswith('  1. b1 (carrier Beta, route priority 10) '
                               'sip:0031612345678@gw-b.example.net:5080;'
                               'transport=tcp  [no rule]')
    assert sorted(lines[3:]) == [
        "  2. a1 (carrier Alpha, route priority 20, load shared) "
        "sip:0612345678@192.0.2.1:5060;transport=udp  [rule 2: strip 5, "
        "prepend '06']",
        "  2. a2 (carrier Alpha, route priority 20, load shared) "
        "sip:+31612345678@192.0.2.2:5060;transport=udp  [rule 3: strip 2, "
        "prepend '+']"]
    done = ngnpro_route(tmp_path, db_url, '0031201234567', '--originator',
                        'sip:alice@example.com')
    assert done.returncode == 0
    assert "originator alice@example.com" in done.stdout
    assert ' b1 (carrier Beta' in done.stdout and ' a1 ' not in done.stdout
    done = ngnpro_route(tmp_path, db_url, '0049301234')
    assert done.returncode == 1
    assert 'no route' in done.stdout
    done = ngnpro_route(tmp_path, db_url, 'alice')
    assert done.returncode != 0 and 'not a telephone number' in done.stderr
    done = ngnpro_route(tmp_path, db_url, '0031', '--reseller', '99')
    assert 'routing of the platform' in done.stdout     # no instance of 99
