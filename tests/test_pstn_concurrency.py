"""PSTN routing writes that run at the same time, through two independent
engines on one database (two server processes), on MariaDB and SQLite:
resellers taking lcr instances get one each; writers of one reseller's
routing never lose each other's changes in the lcr tables; a carrier
deleted while a gateway is added to it never leaves a dangling row."""
import threading

import pytest

from ngnpro.store.db import Store
from tests.helpers import make_dispatcher, rows
from tests.soapcall import Client, SoapFault, admin, customer
from tests.test_pstn_port import in_sync

THREADS = 8


def race(workers):
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(i):
        barrier.wait()
        try:
            results[i] = workers[i]()
        except SoapFault as exc:
            results[i] = exc.code

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


@pytest.fixture
def two_servers(db_url):
    a = make_dispatcher(db_url)
    b = make_dispatcher(db_url)
    for d in (a, b):
        d.store.dispose()
        d.store = Store(db_url, pool_size=THREADS)
    yield a, b
    a.store.dispose()
    b.store.dispose()


def resellers(dispatcher, n):
    cust = Client(dispatcher, 'Customer', admin())
    return [cust('addAccount', ('account', {
        'username': 'r%d' % i, 'password': 'pw',
        'resellerActive': True}))['id'] for i in range(n)]


def test_each_reseller_gets_its_own_instance(two_servers):
    a, b = two_servers
    ids = resellers(a, THREADS)

    def first_carrier(i):
        def work():
            sip = Client((a, b)[i % 2], 'Sip', customer('r%d' % i, 'pw'))
            c = sip('addCarrier', ('carrier', {'name': 'c'}))
            sip('addRoutes', ('routes', [{'prefix': '00%d' % i,
                                          'carrier_id': c['id']}]))
            return 'ok'
        return work
    assert race([first_carrier(i) for i in range(THREADS)]) == \
        ['ok'] * THREADS
    instances = {i['reseller']: i['lcr_id']
                 for i in rows(a, 'lcr_instances')}
    assert sorted(instances) == sorted(ids)
    assert sorted(instances.values()) == list(range(2, THREADS + 2))
    in_sync(a, *ids)


def test_writers_of_one_routing_lose_nothing(two_servers):
    a, b = two_servers
    (r,) = resellers(a, 1)
    sip = Client(a, 'Sip', customer('r0', 'pw'))
    c = sip('addCarrier', ('carrier', {'name': 'c'}))
    g = sip('addGateway', ('gateway', {'name': 'g', 'carrier_id': c['id'],
                                       'ip': '192.0.2.1'}))

    def writer(i):
        def work():
            me = Client((a, b)[i % 2], 'Sip', customer('r0', 'pw'))
            if i % 2:
                me('addGatewayRule', ('rule', {
                    'gateway_id': g['id'], 'prefix': '00%d' % i,
                    'strip': 2}))
            me('addRoutes', ('routes', [{'prefix': '00%d' % i,
                                         'carrier_id': c['id']}]))
            return 'ok'
        return work
    assert race([writer(i) for i in range(THREADS)]) == ['ok'] * THREADS
    assert len(rows(a, 'pstn_routes')) == THREADS
    in_sync(a, r)
    # Every route and rule made it into the lcr rows.
    assert {x['prefix'] for x in rows(a, 'lcr_rule')} == \
        {'00%d' % i for i in range(THREADS)}
    assert len([x for x in rows(a, 'lcr_gw') if ':' in x['tag']]) == \
        THREADS // 2


def test_no_dangling_gateway(two_servers):
    a, b = two_servers
    for run in range(5):
        sip = Client(a, 'Sip', admin())
        c = sip('addCarrier', ('carrier', {'name': 'c%d' % run}))

        def delete():
            return Client(a, 'Sip', admin())('deleteCarrier',
                                             ('id', c['id'])) or 'deleted'

        def add():
            return Client(b, 'Sip', admin())('addGateway', ('gateway', {
                'name': 'g%d' % run, 'carrier_id': c['id'],
                'ip': '192.0.2.1'}))['name']
        results = race([delete, add])
        assert sorted(map(str, results)) in (
            sorted(['deleted', '1100']), sorted(['1102', 'g%d' % run])), \
            results
        carriers = {x['id'] for x in rows(a, 'pstn_carriers')}
        assert all(x['carrier_id'] in carriers
                   for x in rows(a, 'pstn_gateways'))
        in_sync(a, 0)
