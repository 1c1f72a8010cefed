"""Credit usage counters follow every way records come, go and move, and
`ngnpro db check` finds and repairs drift (both backends)."""
import subprocess
import sys

from sqlalchemy import select, update

from ngnpro.credits import tracker
from tests.soapcall import Client, admin, customer


def counters(dispatcher):
    u = dispatcher.store.schema.credit_usage
    with dispatcher.store.engine.connect() as conn:
        return {(o, c): n for o, c, n in conn.execute(
            select(u.c.owner, u.c.credit, u.c.used)) if n}


def drift(dispatcher):
    with dispatcher.store.engine.connect() as conn:
        return tracker(dispatcher.store.schema).check(conn)


def test_counters_follow_adds_deletes_and_moves(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    sip = Client(dispatcher, 'Sip', admin())
    r1 = cust('addAccount', ('account', {'username': 'r1', 'password': 'x',
                                         'resellerActive': True}))['id']
    r2 = cust('addAccount', ('account', {'username': 'r2', 'password': 'x',
                                         'resellerActive': True}))['id']
    c1 = cust('addAccount', ('account', {'username': 'c1', 'password': 'x',
                                         'reseller': r1}))['id']
    sip('addDomain', ('domain', {'domain': 'a.example.com', 'customer': c1}))
    for user in ('u1', 'u2', 'u3'):
        sip('addAccount', ('account', {'id': {'username': user,
                                              'domain': 'a.example.com'},
                                       'password': 'pw'}))
    sip('addAlias', ('alias', {'id': {'username': 'al',
                                      'domain': 'a.example.com'},
                               'target': {'username': 'u1',
                                          'domain': 'a.example.com'}}))
    assert counters(dispatcher) == {
        (c1, 'sip_credit'): 3, (r1, 'sip_credit'): 3,
        (c1, 'sip_alias_credit'): 1, (r1, 'sip_alias_credit'): 1}
    # Deleting an account takes its alias along.
    sip('deleteAccount', ('sipId', {'username': 'u1',
                                    'domain': 'a.example.com'}))
    assert counters(dispatcher) == {(c1, 'sip_credit'): 2,
                                    (r1, 'sip_credit'): 2}
    # The domain moves to reseller r2 itself: so do its records.
    sip('updateDomain', ('domain', {'domain': 'a.example.com',
                                    'reseller': r2}))
    assert counters(dispatcher) == {(r2, 'sip_credit'): 2}
    # Back to c1, then c1 moves to reseller r2 with its records.
    sip('updateDomain', ('domain', {'domain': 'a.example.com',
                                    'customer': c1}))
    account = cust('getAccount', ('id', c1))
    account['reseller'] = r2
    cust('updateAccount', ('account', account))
    assert counters(dispatcher) == {(c1, 'sip_credit'): 2,
                                    (r2, 'sip_credit'): 2}
    sip('deleteDomain', ('domain', 'a.example.com'))
    assert counters(dispatcher) == {}
    assert drift(dispatcher) == []


def test_credit_is_read_from_the_counter(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    r1 = cust('addAccount', ('account', {'username': 'r1', 'password': 'r1',
                                         'resellerActive': True,
                                         'properties': [{
                                             'name': 'sip_credit',
                                             'value': '2'}]}))['id']
    Client(dispatcher, 'Sip', admin())('addDomain', ('domain', {
        'domain': 'b.example.com', 'reseller': r1}))
    sip = Client(dispatcher, 'Sip', customer('r1', 'r1'))
    for user in ('a', 'b'):
        sip('addAccount', ('account', {'id': {'username': user,
                                              'domain': 'b.example.com'},
                                       'password': 'pw'}))
    # A counter that lies is believed (and found by db check).
    u = dispatcher.store.schema.credit_usage
    with dispatcher.store.engine.begin() as conn:
        conn.execute(update(u).where(u.c.owner == r1).values(used=0))
    sip('addAccount', ('account', {'id': {'username': 'c',
                                          'domain': 'b.example.com'},
                                   'password': 'pw'}))
    assert drift(dispatcher) == [(r1, 'sip_credit', 1, 3)]


def test_db_check_finds_and_repairs_drift(db_url, tmp_path):
    from tests.support.server import Server
    srv = Server(tmp_path, db_url)
    srv.init_db()
    from tests.helpers import make_dispatcher
    d = make_dispatcher(db_url)
    try:
        cust = Client(d, 'Customer', admin())
        r1 = cust('addAccount', ('account', {'username': 'r1',
                                             'password': 'x'}))['id']
        Client(d, 'Sip', admin())('addDomain', ('domain', {
            'domain': 'c.example.com', 'reseller': r1}))
        Client(d, 'Sip', admin())('addAccount', ('account', {
            'id': {'username': 'a', 'domain': 'c.example.com'},
            'password': 'pw'}))
        cli = [sys.executable, '-m', 'ngnpro.cli', '-c', srv.config, 'db',
               'check']
        ok = subprocess.run(cli, capture_output=True, text=True)
        assert ok.returncode == 0 and 'all equal' in ok.stdout
        u = d.store.schema.credit_usage
        with d.store.engine.begin() as conn:
            conn.execute(update(u).values(used=7))
        bad = subprocess.run(cli, capture_output=True, text=True)
        assert bad.returncode == 1
        assert 'customer %d sip_credit: counter 7, records 1' % r1 \
            in bad.stdout
        fixed = subprocess.run(cli + ['--repair'], capture_output=True,
                               text=True)
        assert fixed.returncode == 0 and 'recomputed' in fixed.stdout
        assert drift(d) == []
    finally:
        d.store.dispose()
