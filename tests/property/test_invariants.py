"""Random sequences of valid operations, by several tenants, keep the
invariants the platform relies on (both backends):

* every SIP account has exactly one Kamailio subscriber row, whose HA1 and
  HA1B match the account's current password;
* a successful add never takes a customer or reseller past its credit, and
  a credit refusal happens only at the credit;
* no tenant sees a record it does not own.
"""
import hashlib
import itertools
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize,
                                 invariant, rule, run_state_machine_as_test)
from sqlalchemy import func, select

from tests.helpers import make_dispatcher
from tests.soapcall import Client, SoapFault, admin, customer

_dbs = itertools.count()
USERS = st.sampled_from(['ann', 'ben', 'cat', 'dan', 'eve', 'fay'])
PASSWORDS = st.text(alphabet='abcXYZ019!-', min_size=1, max_size=12)
TENANTS = ('c1', 'c2', 'r2')


def ha1(user, domain, password):
    return hashlib.md5(('%s:%s:%s' % (user, domain, password)).encode()
                       ).hexdigest()


def ha1b(user, domain, password):
    return hashlib.md5(('%s@%s:%s:%s' % (user, domain, domain, password)
                        ).encode()).hexdigest()


class Platform(RuleBasedStateMachine):
    """A model of who owns what, checked against the server's answers and
    tables after every step."""
    url = None

    @initialize()
    def world(self):
        self.d = make_dispatcher(self.url())
        root = Client(self.d, 'Customer', admin())
        self.ids, self.logins = {}, {'admin': admin()}

        def add(name, reseller=None, **extra):
            acc = dict({'username': name, 'password': name + '-pw'}, **extra)
            if reseller:
                acc['reseller'] = self.ids[reseller]
            self.ids[name] = root('addAccount', ('account', acc))['id']
            self.logins[name] = customer(name, name + '-pw')
        add('r1', resellerActive=True)
        add('c1', reseller='r1')
        add('r2', resellerActive=True)
        add('c2', reseller='r2')
        self.domain_of = {'c1': 'c1.example.com', 'c2': 'c2.example.com',
                          'r2': 'r2.example.com'}
        sip = Client(self.d, 'Sip', admin())
        for who, dom in self.domain_of.items():
            sip('addDomain', ('domain', {'domain': dom,
                                         'customer': self.ids[who]}))
        self.credit = {}          # customer id -> sip_credit
        self.passwords = {}       # (user, domain) -> password
        self.owner = {}           # (user, domain) -> tenant

    def teardown(self):
        self.d.store.dispose()

    def sip(self, who):
        return Client(self.d, 'Sip', self.logins[who])

    def _count(self, column, value):
        a = self.d.store.schema.sip_accounts
        with self.d.store.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(a).where(
                a.c[column] == value)).scalar_one()

    @rule(who=st.sampled_from(['c1', 'c2']), limit=st.integers(0, 4))
    def set_credit(self, who, limit):
        Client(self.d, 'Customer', admin())('setProperties', (
            'customer', self.ids[who]), ('properties', [
                {'name': 'sip_credit', 'value': str(limit),
                 'permission': 'admin'}]))
        self.credit[self.ids[who]] = limit

    @rule(who=st.sampled_from(TENANTS + ('r1',)), user=USERS,
          password=PASSWORDS)
    def add_account(self, who, user, password):
        # r1 provisions in its customer c1's domain.
        tenant = 'c1' if who == 'r1' else who
        dom = self.domain_of[tenant]
        cid = self.ids[tenant] if tenant != 'r2' else self.ids['r2']
        used = self._count('customer', cid)
        try:
            self.sip(who)('addAccount', ('account', {
                'id': {'username': user, 'domain': dom},
                'password': password}))
        except SoapFault as err:
            if err.code == 1011:
                assert (user, dom) in self.passwords
            else:
                assert err.code == 102, err
                assert used >= self.credit.get(cid, 10 ** 9)
            return
        assert (user, dom) not in self.passwords
        assert used + 1 <= self.credit.get(cid, 10 ** 9)
        self.passwords[(user, dom)] = password
        self.owner[(user, dom)] = tenant

    @rule(data=st.data(), password=PASSWORDS)
    def change_password(self, data, password):
        if not self.passwords:
            return
        key = data.draw(st.sampled_from(sorted(self.passwords)))
        self.sip(self.owner[key])('updateAccount', ('account', {
            'id': {'username': key[0], 'domain': key[1]},
            'password': password}))
        self.passwords[key] = password

    @rule(data=st.data())
    def delete_account(self, data):
        if not self.passwords:
            return
        key = data.draw(st.sampled_from(sorted(self.passwords)))
        self.sip(self.owner[key])('deleteAccount', ('sipId', {
            'username': key[0], 'domain': key[1]}))
        del self.passwords[key], self.owner[key]

    @rule(data=st.data(), intruder=st.sampled_from(TENANTS))
    def intrude(self, data, intruder):
        """Another tenant's account is neither readable nor changeable."""
        foreign = sorted(k for k, o in self.owner.items()
                         if o != intruder and not (intruder == 'r2'
                                                   and o == 'c2'))
        if not foreign:
            return
        user, dom = data.draw(st.sampled_from(foreign))
        sip_id = {'username': user, 'domain': dom}
        for op, arg in (('getAccount', ('sipId', sip_id)),
                        ('updateAccount', ('account', {'id': sip_id,
                                                       'password': 'x'})),
                        ('deleteAccount', ('sipId', sip_id))):
            with pytest.raises(SoapFault) as err:
                self.sip(intruder)(op, arg)
            assert err.value.code == 1010

    @invariant()
    def one_subscriber_row_with_matching_digests(self):
        if not hasattr(self, 'd'):
            return
        s = self.d.store.schema
        with self.d.store.engine.connect() as conn:
            accounts = {(r.username, r.domain) for r in conn.execute(
                select(s.sip_accounts.c.username, s.sip_accounts.c.domain))}
            subs = conn.execute(select(s.subscriber.c.username,
                                       s.subscriber.c.domain,
                                       s.subscriber.c.ha1,
                                       s.subscriber.c.ha1b)).all()
        assert accounts == set(self.passwords)
        assert sorted((u, d) for u, d, _, _ in subs) == sorted(accounts)
        for u, d, h1, h1b in subs:
            assert h1 == ha1(u, d, self.passwords[(u, d)])
            assert h1b == ha1b(u, d, self.passwords[(u, d)])

    @invariant()
    def usage_counters_equal_the_records(self):
        if not hasattr(self, 'd'):
            return
        from ngnpro.credits import tracker
        with self.d.store.engine.connect() as conn:
            assert tracker(self.d.store.schema).check(conn) == []

    @invariant()
    def tenants_see_only_their_own(self):
        if not hasattr(self, 'd'):
            return
        for who in TENANTS:
            listed = self.sip(who)('getAccounts', ('query', {'filter': {}}))
            seen = {(a['id']['username'], a['id']['domain'])
                    for a in listed['accounts']}
            mine = {k for k, o in self.owner.items()
                    if o == who or (who == 'r2' and o == 'c2')}
            assert seen == mine and listed['total'] == len(mine)


@pytest.mark.parametrize('backend', ['sqlite', 'mariadb'])
def test_random_operations_keep_the_invariants(backend, request,
                                                tmp_path_factory):
    if backend == 'sqlite':
        def url():
            return 'sqlite:///%s' % (tmp_path_factory.mktemp('inv')
                                     / 'i.sqlite')
    else:
        mariadb = request.getfixturevalue('mariadb')

        def url():
            return mariadb.create_database('inv_%d_%d' % (os.getpid(),
                                                          next(_dbs)))
    machine = type('Platform_' + backend, (Platform,), {
        'url': staticmethod(url)})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=8, stateful_step_count=25, deadline=None,
        derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow,
                               HealthCheck.function_scoped_fixture]))
