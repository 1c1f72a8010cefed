"""CustomerPort behaviours (spec §2.2, §5.2-7, §5.12, §5.14), on SQLite and
MariaDB, through the real dispatcher and rpc/encoded envelopes."""
import pytest

from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin, customer


def new_customer(call, username, reseller=None, **fields):
    account = {'username': username, 'password': username + '-pw',
               'firstName': fields.pop('firstName', username.title()),
               'lastName': 'Doe', 'email': username + '@example.com',
               'balance': 1.5, 'credit': 2.0}
    if reseller is not None:
        account['reseller'] = reseller
    account.update(fields)
    return call('addAccount', ('account', account), account='CustomerAccount')


@pytest.fixture
def cust(dispatcher):
    return Client(dispatcher, 'Customer', admin())


def test_add_account_returns_created_account_and_makes_reseller(cust):
    created = new_customer(cust, 'acme', resellerActive=1, properties=[
        {'name': 'sip_credit', 'value': '10', 'category': 'credit',
         'permission': 'admin'}])
    assert created['id'] > 0
    # No reseller given: the customer becomes its own reseller.
    assert created['reseller'] == created['id']
    assert created['username'] == 'acme'
    assert created['password'] == 'acme-pw'
    assert created['resellerActive'] is True
    assert created['balance'] == 1.5
    assert created['properties'] == [{'name': 'sip_credit', 'value': '10',
                                      'category': 'credit',
                                      'permission': 'admin'}]
    assert len(created['changeDate']) == 19

    sub = new_customer(cust, 'sub1', reseller=created['id'])
    assert sub['reseller'] == created['id'] and sub['id'] != created['id']
    assert sub['resellerActive'] is False
    assert sub['properties'] == []


def test_duplicate_username_is_5001_and_writes_nothing(cust):
    new_customer(cust, 'acme')
    with pytest.raises(SoapFault) as err:
        new_customer(cust, 'acme')
    assert err.value.code == 5001
    assert 'acme' in err.value.string
    assert cust('getCustomers', ('query', {'filter': {}}))['total'] == 1


def test_unknown_reseller_is_refused(cust):
    with pytest.raises(SoapFault) as err:
        new_customer(cust, 'x', reseller=999)
    assert err.value.code == 5000
    assert cust('getCustomers', ('query', {}))['total'] == 0


def test_get_update_delete_and_5000(cust):
    c = new_customer(cust, 'acme', properties=[
        {'name': 'a', 'value': '1', 'category': 'web', 'permission': ''},
        {'name': 'b', 'value': '2', 'category': 'web', 'permission': ''}])
    got = cust('getAccount', ('id', c['id']))
    assert got == c
    got['firstName'] = 'Changed'
    got['password'] = ''          # empty password keeps the current one
    got['properties'] = [{'name': 'b', 'value': '3', 'category': 'web',
                          'permission': ''}]
    assert cust('updateAccount', ('account', got),
                account='CustomerAccount') is None
    after = cust('getAccount', ('id', c['id']))
    assert after['firstName'] == 'Changed'
    assert after['password'] == 'acme-pw'
    # updateAccount replaces the whole property list.
    assert [(p['name'], p['value']) for p in after['properties']] == [('b', '3')]

    for op, arg in (('getAccount', ('id', 4242)),
                    ('deleteAccount', ('id', 4242)),
                    ('updateAccount', ('account', {'id': 4242,
                                                   'username': 'zz'}))):
        with pytest.raises(SoapFault) as err:
            cust(op, arg)
        assert err.value.code == 5000
    cust('deleteAccount', ('id', c['id']))
    with pytest.raises(SoapFault) as err:
        cust('getAccount', ('id', c['id']))
    assert err.value.code == 5000


def test_delete_refused_while_customers_remain(cust):
    r = new_customer(cust, 'res')
    new_customer(cust, 'sub', reseller=r['id'])
    with pytest.raises(SoapFault) as err:
        cust('deleteAccount', ('id', r['id']))
    assert err.value.code == 5002
    assert cust('getAccount', ('id', r['id']))['username'] == 'res'


def test_set_properties_merges_by_name(cust):
    c = new_customer(cust, 'acme', properties=[
        {'name': 'sip_credit', 'value': '10', 'category': 'credit',
         'permission': 'admin'}])
    cust('setProperties', ('customer', c['id']), ('properties', [
        {'name': 'sip_accounts_last_domain', 'category': 'web',
         'value': 'example.com', 'permission': 'customer'}]))
    cust('setProperties', ('customer', c['id']), ('properties', [
        {'name': 'sip_accounts_last_domain', 'category': 'web',
         'value': 'example.org', 'permission': 'customer'}]))
    props = cust('getProperties', ('customer', c['id']))
    assert sorted((p['name'], p['value']) for p in props) == [
        ('sip_accounts_last_domain', 'example.org'), ('sip_credit', '10')]


def test_known_properties_keep_their_permission(cust, dispatcher):
    """Credits and PSTN rights are the admin's whatever permission a client
    sends: a reseller cannot grant them to itself or to its customers."""
    r = new_customer(cust, 'resel', resellerActive=True)['id']
    c = new_customer(cust, 'client', reseller=r)['id']
    as_r = Client(dispatcher, 'Customer', customer('resel', 'resel-pw'))
    for target in (r, c):
        for name, permission in (('pstn_access', 'reseller'),
                                 ('sip_credit', 'customer'),
                                 ('prepaid_changes', '')):
            with pytest.raises(SoapFault) as err:
                as_r('setProperties', ('customer', target), ('properties', [
                    {'name': name, 'value': '1', 'permission': permission}]))
            assert err.value.code == 101
            assert 'permission admin' in err.value.string
    assert cust('getProperties', ('customer', r)) == []
    # A name the server does not act on keeps what the client sends.
    as_r('setProperties', ('customer', c), ('properties', [
        {'name': 'support_web', 'value': 'w', 'permission': 'reseller'}]))
    # The admin sets them; they are stored with their known permission, and
    # the reseller can still echo its account back unchanged.
    cust('setProperties', ('customer', r), ('properties', [
        {'name': 'pstn_access', 'value': '1', 'permission': 'customer'}]))
    assert cust('getProperties', ('customer', r)) == [
        {'name': 'pstn_access', 'value': '1', 'category': 'sip',
         'permission': 'admin'}]
    own = as_r('getAccount', ('id', r))
    as_r('updateAccount', ('account', dict(own, firstName='Changed')))
    assert cust('getAccount', ('id', r))['firstName'] == 'Changed'


def test_get_customers_filter_order_range_total(cust):
    r = new_customer(cust, 'reseller1')
    for i in range(25):
        new_customer(cust, 'cust%02d' % i, reseller=r['id'],
                     firstName='F%02d' % (24 - i))
    page = cust('getCustomers', ('query', {
        'filter': {'username': 'cust%', 'reseller': r['id']},
        'orderBy': {'attribute': 'username', 'direction': 'ASC'},
        'range': {'start': 20, 'count': 20}}))
    assert page['total'] == 25
    assert [a['username'] for a in page['accounts']] == [
        'cust20', 'cust21', 'cust22', 'cust23', 'cust24']
    desc = cust('getCustomers', ('query', {
        'filter': {'username': 'cust%'},
        'orderBy': {'attribute': 'firstName', 'direction': 'DESC'},
        'range': {'start': 0, 'count': 2}}))
    assert [a['firstName'] for a in desc['accounts']] == ['F24', 'F23']
    exact = cust('getCustomers', ('query', {'filter': {'username': 'cust0_'}}))
    assert exact['total'] == 10
    one = cust('getCustomers', ('query', {'filter': {'username': 'cust07'}}))
    assert one['total'] == 1 and one['accounts'][0]['username'] == 'cust07'
    none = cust('getCustomers', ('query', {'filter': {'username': 'nobody'}}))
    assert none == {'total': 0, 'accounts': []}
    # Unknown orderBy falls back to the default instead of faulting.
    fallback = cust('getCustomers', ('query', {
        'filter': {}, 'orderBy': {'attribute': 'bogus; DROP', 'direction':
                                  'sideways'}}))
    assert fallback['total'] == 26


def test_get_resellers_and_login_lookup(cust):
    r = new_customer(cust, 'res')
    c = new_customer(cust, 'sub', reseller=r['id'])
    res = cust('getResellers', ('query', {'filter': {}}))
    assert [a['username'] for a in res['accounts']] == ['res']
    only = cust('getCustomers', ('query', {'filter': {'only_resellers': '1'}}))
    assert [a['username'] for a in only['accounts']] == ['res']
    # Behaviour 14: filter.customer returns that customer even when it is
    # not a reseller.
    login = cust('getResellers', ('query', {
        'filter': {'customer': c['id']}, 'range': {'start': 0, 'count': 1}}))
    assert login['total'] == 1 and login['accounts'][0]['id'] == c['id']


def test_bad_input_is_a_fault_and_writes_nothing(cust):
    with pytest.raises(SoapFault) as err:
        new_customer(cust, '')
    assert err.value.code == 103
    with pytest.raises(SoapFault) as err:
        new_customer(cust, 'x' * 65)
    assert err.value.code == 103
    with pytest.raises(SoapFault) as err:
        new_customer(cust, 'x', properties=[{'value': 'no name'}])
    assert err.value.code == 103
    with pytest.raises(SoapFault) as err:
        cust('getAccount', ('id', 'abc'))
    assert err.value.code == 103
    with pytest.raises(SoapFault) as err:
        cust('getCustomers', ('query', {'range': {'start': -1, 'count': 5}}))
    assert err.value.code == 103
    assert cust('getCustomers', ('query', {}))['total'] == 0


def test_array_limit_enforced(dispatcher):
    dispatcher.config.max_array_length = 3
    cust = Client(dispatcher, 'Customer', admin())
    props = [{'name': 'p%d' % i, 'value': 'v'} for i in range(4)]
    with pytest.raises(SoapFault) as err:
        new_customer(cust, 'acme', properties=props)
    assert err.value.code == 103 and 'maximum of 3' in err.value.string


def test_page_size_limit_enforced(dispatcher):
    dispatcher.config.max_page_size = 3
    cust = Client(dispatcher, 'Customer', admin())
    for i in range(5):
        new_customer(cust, 'c%d' % i)
    page = cust('getCustomers', ('query', {'range': {'start': 0,
                                                     'count': 1000}}))
    assert page['total'] == 5 and len(page['accounts']) == 3


def test_wrong_or_missing_credentials(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    new_customer(cust, 'acme')
    new_customer(cust, 'nopw', password='')
    for auth in ({'username': 'ngnpro-admin', 'password': 'nope',
                  'admin': True},
                 customer('acme', 'wrong'), customer('ghost', 'x'),
                 customer('nopw', ''), customer('', ''),
                 dict(admin(), impersonate=777), None):
        with pytest.raises(SoapFault) as err:
            Client(dispatcher, 'Customer', auth)('getCustomers',
                                                 ('query', {}))
        assert err.value.code == 100


def sip_domain_with_alias(dispatcher, domain, customer_id, alias_owner=0):
    """A domain of the customer with account a and alias al -> a; returns
    the admin's SipPort client."""
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': domain, 'customer': customer_id}))
    sip('addAccount', ('account', {'id': {'username': 'a', 'domain': domain},
                                   'password': 'pw'}))
    sip('addAlias', ('alias', {'id': {'username': 'al', 'domain': domain},
                               'target': {'username': 'a', 'domain': domain},
                               'owner': alias_owner}))
    return sip


def test_moving_a_customer_moves_its_records(cust, dispatcher):
    r1 = new_customer(cust, 'rone', resellerActive=True)['id']
    r2 = new_customer(cust, 'rtwo', resellerActive=True)['id']
    c1 = new_customer(cust, 'cone', reseller=r1)['id']
    stay = new_customer(cust, 'stay', reseller=r1)['id']
    sip = sip_domain_with_alias(dispatcher, 'one.example', c1)
    sip('addTrustedPeer', ('peer', {'ip': '192.0.2.5', 'customer': c1}))
    moved = dict(cust('getAccount', ('id', c1)), reseller=r2)
    cust('updateAccount', ('account', moved))
    for table in ('sip_domains', 'sip_accounts', 'sip_aliases',
                  'trusted_peers'):
        assert {(r['customer'], r['reseller'])
                for r in rows(dispatcher, table)} == {(c1, r2)}, table
    as_r1 = Client(dispatcher, 'Sip', customer('rone', 'rone-pw'))
    as_r2 = Client(dispatcher, 'Sip', customer('rtwo', 'rtwo-pw'))
    assert as_r1('getDomains', ('query', {'filter': {}}))['total'] == 0
    assert as_r2('getDomains', ('query', {'filter': {}}))['total'] == 1
    # A reseller with customers does not move; its customers stay put.
    with pytest.raises(SoapFault) as err:
        cust('updateAccount', ('account', dict(
            cust('getAccount', ('id', r1)), reseller=r2)))
    assert err.value.code == 103 and 'still has customers' in err.value.string
    assert cust('getAccount', ('id', stay))['reseller'] == r1


def test_delete_refused_while_records_point_at_the_customer(cust, dispatcher):
    """An alias or peer it merely owns, or a login impersonating it, keeps a
    customer from being deleted (5002), as records it is the customer of."""
    r = new_customer(cust, 'rr', resellerActive=True)['id']
    owner = new_customer(cust, 'owner', reseller=r)['id']
    sip = sip_domain_with_alias(dispatcher, 'rr.example', r, owner)
    with pytest.raises(SoapFault) as err:
        cust('deleteAccount', ('id', owner))
    assert err.value.code == 5002 and 'sip aliases' in err.value.string
    sip('deleteAlias', ('id', {'username': 'al', 'domain': 'rr.example'}))
    helper = new_customer(cust, 'helper', reseller=r, impersonate=owner)
    with pytest.raises(SoapFault) as err:
        cust('deleteAccount', ('id', owner))
    assert err.value.code == 5002 and 'customers' in err.value.string
    cust('deleteAccount', ('id', helper['id']))
    cust('deleteAccount', ('id', owner))
    with pytest.raises(SoapFault) as err:
        cust('getAccount', ('id', owner))
    assert err.value.code == 5000
