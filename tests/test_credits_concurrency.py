"""Credits never over-grant under concurrency: 32 threads, each in its own
transaction, split over two independent engines (as two server processes
sharing one database), race for a credit of 10. Exactly 10 win, 10 runs in a
row, on MariaDB and SQLite."""
import threading
import time

import pytest
from sqlalchemy import delete, insert, select, func

from ngnpro import credits
from ngnpro.auth import Principal
from ngnpro.faults import CREDIT_EXCEEDED, NGNProError
from ngnpro.store.db import Store
from ngnpro.store.rows import now
from tests.helpers import make_dispatcher
from tests.soapcall import Client, admin, customer, envelope

THREADS, CREDIT, RUNS = 32, 10, 10


def race(worker):
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def run(i):
        barrier.wait()
        results[i] = worker(i)

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def two_servers(db_url):
    a = make_dispatcher(db_url)
    b = make_dispatcher(db_url)
    for d in (a, b):
        # Big enough pools that no thread waits for a connection.
        d.store.dispose()
        d.store = Store(db_url, pool_size=THREADS)
    cust = Client(a, 'Customer', admin())
    cid = cust('addAccount', ('account', {
        'username': 'c', 'password': 'cpw', 'resellerActive': True,
        'properties': [{'name': 'sip_credit', 'value': str(CREDIT),
                        'category': 'credit', 'permission': 'admin'}]}))['id']
    Client(a, 'Sip', admin())('addDomain', ('domain', {
        'domain': 'example.com', 'customer': cid}))
    yield a, b, cid
    a.store.dispose()
    b.store.dispose()


def test_credits_engine_race(two_servers):
    a, b, cid = two_servers
    schema = a.store.schema
    principal = Principal(name='c', customer_id=cid, reseller_id=cid,
                          is_reseller=True, reseller_active=True)
    for run in range(RUNS):
        def worker(i):
            store = (a, b)[i % 2].store
            try:
                with store.unit_of_work() as conn:
                    credits.consume(conn, schema, principal, 'sip_credit',
                                    cid, cid)
                    time.sleep(0.005)  # widen the window between check+insert
                    stamp = now()
                    conn.execute(insert(schema.sip_accounts).values(
                        username='r%d_%d' % (run, i), domain='example.com',
                        customer=cid, reseller=cid, create_date=stamp,
                        change_date=stamp))
                return 'ok'
            except NGNProError as exc:
                return exc.errorcode
        results = race(worker)
        assert results.count('ok') == CREDIT, (run, results)
        assert results.count(CREDIT_EXCEEDED) == THREADS - CREDIT, results
        with a.store.engine.begin() as conn:
            assert conn.execute(select(func.count()).select_from(
                schema.sip_accounts)).scalar_one() == CREDIT
            conn.execute(delete(schema.sip_accounts))


def test_add_account_race(two_servers):
    a, b, cid = two_servers
    auth = customer('c', 'cpw')
    for run in range(RUNS):
        def worker(i):
            data = envelope('Sip', 'addAccount', [('account', {
                'id': {'username': 'u%d_%d' % (run, i),
                       'domain': 'example.com'}, 'password': 'pw'})], auth)
            return (a, b)[i % 2].handle(data).errorcode
        results = race(worker)
        assert results.count(0) == CREDIT, (run, results)
        assert results.count(CREDIT_EXCEEDED) == THREADS - CREDIT, results
        schema = a.store.schema
        with a.store.engine.begin() as conn:
            for table in (schema.sip_accounts, schema.subscriber):
                assert conn.execute(select(func.count()).select_from(
                    table)).scalar_one() == CREDIT
            conn.execute(delete(schema.sip_accounts))
            conn.execute(delete(schema.subscriber))


def test_autoincrement_race(two_servers):
    """Concurrent <autoincrement> adds in one domain each get their own
    number; none fails on a duplicate username."""
    a, b, _ = two_servers
    auth = admin()
    names = []

    def worker(i):
        data = envelope('Sip', 'addAccount', [('account', {
            'id': {'username': '<autoincrement>', 'domain': 'example.com'},
            'password': 'pw'})], auth)
        return (a, b)[i % 2].handle(data).errorcode
    results = race(worker)
    assert results == [0] * THREADS
    schema = a.store.schema
    with a.store.engine.begin() as conn:
        names = sorted(int(n) for (n,) in conn.execute(
            select(schema.subscriber.c.username)))
    assert names == list(range(1000, 1000 + THREADS))


@pytest.mark.parametrize('operation,arg,code', [
    ('addDomain', ('domain', {'domain': 'race.example'}), 1001),
    ('addAccount', ('account', {'id': {'username': 'same', 'domain':
                                       'example.com'}, 'password': 'pw'}),
     1011),
    ('addTrustedPeer', ('peer', {'ip': '192.0.2.77'}), 1051),
])
def test_duplicate_add_race(two_servers, operation, arg, code):
    """Concurrent adds of one key: one wins, every other gets the same
    'already exists' fault as a sequential duplicate, never 103."""
    a, b, _ = two_servers

    def worker(i):
        data = envelope('Sip', operation, [arg], admin())
        return (a, b)[i % 2].handle(data).errorcode
    results = race(worker)
    assert sorted(set(results)) == [0, code], results
    assert results.count(0) == 1
