"""NetworkPort (spec §2.7, §3.9): the JSON CDRTool's platform status page
decodes, for this deployment, on SQLite and MariaDB."""
import datetime
import json
import socket

import pytest
from sqlalchemy import insert

from ngnpro import live
from tests.soapcall import Client, SoapFault, admin, customer

NOW = datetime.datetime.now().replace(microsecond=0)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def world(dispatcher):
    """Reseller r1 (example.com: alice, bob, alias al) and reseller r2
    (other.example: carol); registrations of alice (two devices, on two
    proxies), bob (expired), carol (permanent) and a user of a domain not
    provisioned here."""
    cust = Client(dispatcher, 'Customer', admin())
    r1 = cust('addAccount', ('account', {'username': 'r1', 'password': 'p1',
                                         'resellerActive': True}))['id']
    r2 = cust('addAccount', ('account', {'username': 'r2', 'password': 'p2',
                                         'resellerActive': True}))['id']
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': 'example.com', 'reseller': r1}))
    sip('addDomain', ('domain', {'domain': 'other.example', 'reseller': r2}))
    for user, domain in (('alice', 'example.com'), ('bob', 'example.com'),
                         ('carol', 'other.example')):
        sip('addAccount', ('account', {'id': {'username': user,
                                              'domain': domain},
                                       'password': 'pw'}))
    sip('addAlias', ('alias', {
        'id': {'username': 'al', 'domain': 'example.com'},
        'target': {'username': 'alice', 'domain': 'example.com'}}))
    registrations = [
        ('alice', 'example.com', 'udp:192.0.2.10:5060', NOW + HOUR),
        ('alice', 'example.com', 'tls:[2001:db8::10]:5061', NOW + HOUR),
        ('alice', 'example.com', 'udp:192.0.2.10:5060', NOW + HOUR),
        ('bob', 'example.com', 'udp:192.0.2.10:5060', NOW - HOUR),
        ('carol', 'other.example', 'udp:192.0.2.11:5060',
         datetime.datetime(1970, 1, 1, 1, 0)),
        ('dave', 'elsewhere.example', '', NOW + HOUR)]
    with dispatcher.store.engine.begin() as conn:
        conn.execute(insert(dispatcher.store.schema.location), [
            {'ruid': 'r%d' % i, 'username': u, 'domain': d, 'socket': s,
             'contact': 'sip:%s@198.51.100.%d' % (u, i), 'expires': e}
            for i, (u, d, s, e) in enumerate(registrations)])
    return Client(dispatcher, 'Network', admin()), r1, r2


def statistics(client):
    return json.loads(client('getStatistics'))


def test_statistics_for_the_admin(world):
    network, _, _ = world
    got = statistics(network)
    assert got == {
        'summary': {'sip_proxy': {
            'total_accounts': {'example.com': 2, 'other.example': 1},
            'total_aliases': {'example.com': 1},
            'online_accounts': {'example.com': 1, 'other.example': 1,
                                'elsewhere.example': 1},
            'online_devices': {'example.com': 3, 'other.example': 1,
                               'elsewhere.example': 1}}},
        # Per proxy: the address Kamailio received each registration on.
        '192.0.2.10': {'sip_proxy': {'online_accounts': {'example.com': 1},
                                     'online_devices': {'example.com': 2}}},
        '2001:db8::10': {'sip_proxy': {
            'online_accounts': {'example.com': 1},
            'online_devices': {'example.com': 1}}},
        '192.0.2.11': {'sip_proxy': {
            'online_accounts': {'other.example': 1},
            'online_devices': {'other.example': 1}}}}


def test_statistics_limited_to_what_the_caller_sees(world, dispatcher):
    _, r1, r2 = world
    got = statistics(Client(dispatcher, 'Network', customer('r1', 'p1')))
    assert got == {
        'summary': {'sip_proxy': {
            'total_accounts': {'example.com': 2},
            'total_aliases': {'example.com': 1},
            'online_accounts': {'example.com': 1},
            'online_devices': {'example.com': 3}}},
        '192.0.2.10': {'sip_proxy': {'online_accounts': {'example.com': 1},
                                     'online_devices': {'example.com': 2}}},
        '2001:db8::10': {'sip_proxy': {
            'online_accounts': {'example.com': 1},
            'online_devices': {'example.com': 1}}}}
    got = statistics(Client(dispatcher, 'Network', admin(impersonate=r2)))
    assert got['summary']['sip_proxy']['total_accounts'] == \
        {'other.example': 1}
    assert set(got) == {'summary', '192.0.2.11'}


def test_statistics_of_an_empty_platform(dispatcher):
    assert statistics(Client(dispatcher, 'Network', admin())) == {
        'summary': {'sip_proxy': {'total_accounts': {}, 'total_aliases': {},
                                  'online_accounts': {},
                                  'online_devices': {}}}}


def test_status_for_the_admin(dispatcher, monkeypatch):
    # Reload outcomes are kept per process: start from none.
    monkeypatch.setattr(live, '_results', {})
    cfg = dispatcher.config
    cfg.node_id, cfg.kamailio_rpc_socket = 'prov1', '/run/k/kamailio.sock'
    cfg.voicemail_server, cfg.voicemail_port = 'vm.example.com', 9201
    network = Client(dispatcher, 'Network', admin())
    status = json.loads(network('getStatus'))
    (node,) = status.values()
    assert list(status) == ['prov1']
    assert (node['ip'], node['version'], node['roles']) == \
        ('127.0.0.1', '0.2.0', ['provisioning_server'])
    assert node['url'] == 'http://127.0.0.1:9200/ngnpro/'
    assert node['voicemail_url'] == 'http://127.0.0.1:9201/'
    assert node['voicemail_server'] == 'vm.example.com'
    assert node['hostname'] == socket.gethostname()
    # The database, its password masked.
    if cfg.database_url.startswith('sqlite'):
        assert node['dburi'] == cfg.database_url
    else:
        assert node['dburi'].startswith('mysql+pymysql://ngnpro:***@')
    cfg.database_url = 'mysql+pymysql://prov:S3cr3t-DB@db.example:3306/ng'
    (node,) = json.loads(network('getStatus')).values()
    assert node['dburi'] == 'mysql+pymysql://prov:***@db.example:3306/ng'
    assert node['reload kamailio:/run/k/kamailio.sock'] == \
        'no reload sent yet'
    # Every other attribute is a scalar: CDRTool prints them as name=value.
    assert all(isinstance(v, (str, int)) for k, v in node.items()
               if k != 'roles')

    live.record('kamailio:/run/k/kamailio.sock', 'domain.reload')
    live.record('kamailio:/run/k/kamailio.sock', 'permissions.addressReload',
                '[Errno 111] Connection refused')
    live.record('pdns:/run/pdns/pdns.controlsocket', 'rediscover')
    (node,) = json.loads(network('getStatus')).values()
    lines = node['reload kamailio:/run/k/kamailio.sock'].split('; ')
    assert [line.rsplit(' at ', 1)[0] for line in lines] == [
        'domain.reload ok', 'permissions.addressReload failed '
        '([Errno 111] Connection refused)']
    assert node['reload pdns:/run/pdns/pdns.controlsocket'].startswith(
        'rediscover ok at ')
    cfg.node_address = '192.0.2.5'
    (node,) = json.loads(network('getStatus')).values()
    assert node['ip'] == '192.0.2.5'


def test_status_for_others_is_the_inventory_only(world, dispatcher):
    _, r1, _ = world
    for auth in (customer('r1', 'p1'), admin(impersonate=r1)):
        status = json.loads(Client(dispatcher, 'Network', auth)('getStatus'))
        (node,) = status.values()
        assert node == {'ip': '127.0.0.1', 'version': '0.2.0',
                        'roles': ['provisioning_server']}


def test_network_needs_a_login(dispatcher):
    bad = Client(dispatcher, 'Network', customer('nobody', 'x'))
    with pytest.raises(SoapFault) as err:
        bad('getStatus')
    assert err.value.code == 100
