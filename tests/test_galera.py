"""Scale-out on a 3-node MariaDB Galera cluster (loopback, started here):
four server processes, two on each of two nodes, race for credits; the
counts stay exact. A node killed with kill -9 under load loses nothing that
was acknowledged, and rejoins by IST."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ngnpro.store.db import Store
from tests.conftest import require
from tests.hostile.conftest import parse_answer
from tests.soapcall import admin, customer, envelope
from tests.support.galera import GaleraCluster, find_provider
from tests.support.mariadb import find_binary
from tests.support.server import Server

ROUNDS = 10
CLIENTS = 32
CREDIT = 10


@pytest.fixture(scope='module')
def cluster():
    require(find_binary() and find_provider(), 'MariaDB Galera',
            'mariadb-server galera-4 rsync')
    c = GaleraCluster(3).start()
    yield c
    c.stop()


@pytest.fixture(scope='module')
def servers(cluster, tmp_path_factory):
    urls = cluster.urls('ngnpro_galera')
    cluster.create_database('ngnpro_galera')
    out = []
    # Two processes prefer node 0, two node 1; each fails over to the rest.
    for i, first in enumerate((0, 0, 1, 1)):
        order = urls[first:] + urls[:first]
        srv = Server(tmp_path_factory.mktemp('galera%d' % i), ' '.join(order),
                     db_extra='retries = 12')
        srv.start(init=(i == 0))
        out.append(srv)
    yield out
    for srv in out:
        srv.stop()


def call(srv, port, operation, args, auth):
    status, _, body = srv.post(envelope(port, operation, args, auth))
    return parse_answer(status, body)


def on_every_node(cluster, sql, args=()):
    out = []
    for node in cluster.nodes:
        if node.proc is None:
            continue
        conn = node.connect(database='ngnpro_galera')
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                out.append(cur.fetchall())
        finally:
            conn.close()
    return out


def race(servers, attempts):
    """Run the (operation, args, auth) attempts concurrently, spread over
    the servers; their error codes (0 = success)."""
    def one(i):
        port, operation, args, auth = attempts[i]
        return call(servers[i % len(servers)], port, operation, args,
                    auth)[0]
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(len(attempts))))


def test_credits_stay_exact_across_nodes(cluster, servers):
    root = admin()
    for r in range(ROUNDS):
        name = 'res%d' % r
        code, answer = call(servers[0], 'Customer', 'addAccount', [(
            'account', {'username': name, 'password': 'pw-' + name,
                        'resellerActive': True, 'properties': [
                            {'name': 'sip_credit', 'value': str(CREDIT)},
                            {'name': 'sip_alias_credit',
                             'value': str(CREDIT)}]})], root)
        assert code == 0, answer
        rid = int(answer.findtext('.//return/id'))
        domain = 'r%d.galera.example.com' % r
        assert call(servers[0], 'Sip', 'addDomain', [(
            'domain', {'domain': domain, 'reseller': rid})], root)[0] == 0
        login = customer(name, 'pw-' + name)
        codes = race(servers, [('Sip', 'addAccount', [('account', {
            'id': {'username': 'u%d' % i, 'domain': domain},
            'password': 'pw'})], login) for i in range(CLIENTS)])
        assert sorted(codes) == [0] * CREDIT + [102] * (CLIENTS - CREDIT)
        codes = race(servers, [('Sip', 'addAlias', [('alias', {
            'id': {'username': 'a%d' % i, 'domain': domain},
            'target': {'username': 'x', 'domain': 'elsewhere.example.com'}})],
            login) for i in range(CLIENTS)])
        assert sorted(codes) == [0] * CREDIT + [102] * (CLIENTS - CREDIT)
        # One username, many creators: exactly one wins.
        codes = race(servers, [('Customer', 'addAccount', [('account', {
            'username': 'same%d' % r, 'password': 'pw%d' % i})], root)
            for i in range(CLIENTS)])
        assert sorted(codes) == [0] + [5001] * (CLIENTS - 1)
        for rows in on_every_node(cluster, 'SELECT COUNT(*) FROM '
                                  'ngnpro_sip_accounts WHERE reseller = %s',
                                  (rid,)):
            assert rows[0][0] == CREDIT
        for rows in on_every_node(cluster, 'SELECT used FROM '
                                  'ngnpro_credit_usage WHERE owner = %s '
                                  'ORDER BY credit', (rid,)):
            assert [n for (n,) in rows] == [CREDIT, CREDIT]
    store = Store(cluster.urls('ngnpro_galera')[0])
    try:
        from ngnpro.credits import tracker
        with store.engine.connect() as conn:
            assert tracker(store.schema).check(conn) == []
    finally:
        store.dispose()


def test_node_killed_under_load_loses_nothing(cluster, servers):
    root = admin()
    domain = 'load.galera.example.com'
    assert call(servers[0], 'Sip', 'addDomain', [('domain', {
        'domain': domain})], root)[0] == 0
    acknowledged, outcomes = [], []
    stop = threading.Event()
    lock = threading.Lock()

    def worker(w):
        n = 0
        while not stop.is_set():
            user = 'w%d-%d' % (w, n)
            n += 1
            try:
                code, _ = call(servers[w % len(servers)], 'Sip',
                               'addAccount', [('account', {
                                   'id': {'username': user,
                                          'domain': domain},
                                   'password': 'pw'})], root)
            except OSError:
                code = 'connection'
            with lock:
                outcomes.append(code)
                if code == 0:
                    acknowledged.append(user)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    time.sleep(3)
    before_kill = len(acknowledged)
    cluster.kill(0)               # the node two of the servers prefer
    time.sleep(6)
    stop.set()
    for t in threads:
        t.join(30)
    after_kill = len(acknowledged) - before_kill
    assert before_kill > 20 and after_kill > 20, (before_kill, after_kill)
    # Calls in flight failed cleanly: a fault with a code, never 900.
    assert set(outcomes) <= {0, 107, 108}, set(outcomes)
    # Later calls succeed, on the surviving nodes.
    for srv in servers:
        code, _ = call(srv, 'Sip', 'getAccount', [('sipId', {
            'username': acknowledged[0], 'domain': domain})], root)
        assert code == 0
    cluster.wait_synced(2)
    for rows in on_every_node(cluster, 'SELECT username FROM '
                              'ngnpro_sip_accounts WHERE domain = %s',
                              (domain,)):
        assert set(acknowledged) <= {u for (u,) in rows}
    # The killed node comes back, catches up by IST, and agrees.
    cluster.restart(0)
    log = open(cluster.nodes[0].errlog).read()
    assert 'IST received' in log.split('Recovered position')[-1]
    counts = on_every_node(cluster, 'SELECT COUNT(*), MAX(username) FROM '
                           'ngnpro_sip_accounts WHERE domain = %s',
                           (domain,))
    assert len(counts) == 3 and len({tuple(c[0]) for c in counts}) == 1
    assert counts[0][0][0] >= len(acknowledged)
