"""Rights matrix (guide: admin, impersonate, reseller, customer, property
permissions): each principal allowed or refused as the guide says, and a
refused call leaves the data as it was."""
import pytest

from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin, customer

ALLOW = 'allow'


@pytest.fixture
def world(dispatcher):
    """Reseller R1 (active) with customers C1, C3 (impersonate = R1); reseller
    R2 with customer C2; a SIP domain of C1 with an account."""
    root = Client(dispatcher, 'Customer', admin())

    def add(username, **extra):
        account = {'username': username, 'password': username + '-pw'}
        account.update(extra)
        return root('addAccount', ('account', account),
                    account='CustomerAccount')['id']

    r1 = add('r1', resellerActive=True)
    r2 = add('r2', resellerActive=True)
    c1 = add('c1', reseller=r1)
    c2 = add('c2', reseller=r2)
    c3 = add('c3', reseller=r1, impersonate=r1)
    r_off = add('roff', resellerActive=False)
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': 'c1.example.com', 'customer': c1}),
        domain='SipDomain')
    sip('addAccount', ('account', {
        'id': {'username': 'alice', 'domain': 'c1.example.com'},
        'password': 'pw', 'firstName': 'Alice'}), account='SipAccount')
    ids = dict(r1=r1, r2=r2, c1=c1, c2=c2, c3=c3, roff=r_off)
    logins = {
        'admin': admin(),
        'admin_as_c1': admin(impersonate=c1),
        'r1': customer('r1', 'r1-pw'),
        'c1': customer('c1', 'c1-pw'),
        'c2': customer('c2', 'c2-pw'),
        'c3': customer('c3', 'c3-pw'),
        'roff': customer('roff', 'roff-pw'),
        'wrong': customer('c1', 'not-the-password'),
    }
    return dispatcher, ids, logins


def outcome(fn):
    try:
        fn()
        return ALLOW
    except SoapFault as exc:
        return exc.code


# Who may read and change customer c1 and the records in its domain. Out of
# scope (HIDDEN) answers as if the record did not exist: the not-found code
# of its kind, so that no tenant learns what exists in another one.
HIDDEN = 'hidden'
C1_RIGHTS = {'admin': ALLOW, 'admin_as_c1': ALLOW, 'r1': ALLOW, 'c1': ALLOW,
             'c3': ALLOW, 'c2': HIDDEN, 'roff': HIDDEN, 'wrong': 100}


def expect(value, not_found):
    return not_found if value == HIDDEN else value


@pytest.mark.parametrize('who', sorted(C1_RIGHTS))
def test_read_customer(world, who):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Customer', logins[who])
    assert outcome(lambda: call('getAccount', ('id', ids['c1']))) == \
        expect(C1_RIGHTS[who], 5000)


VISIBLE = {'admin': {'r1', 'r2', 'c1', 'c2', 'c3', 'roff'},
           'admin_as_c1': {'c1'}, 'r1': {'r1', 'c1', 'c3'}, 'c1': {'c1'},
           'c3': {'r1', 'c1', 'c3'}, 'c2': {'c2'}}


@pytest.mark.parametrize('who', sorted(VISIBLE))
def test_listing_scope(world, who):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Customer', logins[who])
    result = call('getCustomers', ('query', {'filter': {}}))
    assert {a['username'] for a in result['accounts']} == VISIBLE[who]
    assert result['total'] == len(VISIBLE[who])


CREATE_CUSTOMER = {'admin': ALLOW, 'r1': ALLOW, 'c3': ALLOW,
                   'admin_as_c1': 101, 'c1': 101, 'c2': 101, 'roff': 101,
                   'wrong': 100}


@pytest.mark.parametrize('who', sorted(CREATE_CUSTOMER))
def test_create_customer(world, who):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Customer', logins[who])
    result = outcome(lambda: call('addAccount', ('account', {
        'username': 'new-' + who, 'password': 'x'}),
        account='CustomerAccount'))
    assert result == CREATE_CUSTOMER[who]
    root = Client(dispatcher, 'Customer', admin())
    found = root('getCustomers', ('query', {'filter': {
        'username': 'new-' + who}}))
    assert found['total'] == (1 if result == ALLOW else 0)
    if who in ('r1', 'c3'):
        # Created by a reseller login: forced under that reseller.
        assert found['accounts'][0]['reseller'] == ids['r1']


def test_reseller_cannot_create_under_another_reseller(world):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Customer', logins['r1'])
    with pytest.raises(SoapFault) as err:
        call('addAccount', ('account', {'username': 'x', 'password': 'x',
                                        'reseller': ids['r2']}))
    assert err.value.code == 101


@pytest.mark.parametrize('who,permission,expected', [
    ('r1', 'admin', 101), ('r1', 'reseller', ALLOW), ('r1', 'customer', ALLOW),
    ('c1', 'admin', 101), ('c1', 'reseller', 101), ('c1', 'customer', ALLOW),
    ('c1', '', ALLOW), ('c2', 'customer', 5000), ('admin', 'admin', ALLOW),
    ('admin_as_c1', 'admin', 101)])
def test_property_permissions(world, who, permission, expected):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Customer', logins[who])
    result = outcome(lambda: call('setProperties', ('customer', ids['c1']), (
        'properties', [{'name': 'p', 'value': 'v', 'category': 'sip',
                        'permission': permission}])))
    assert result == expected
    props = Client(dispatcher, 'Customer', admin())(
        'getProperties', ('customer', ids['c1']))
    assert [p['name'] for p in props] == (['p'] if result == ALLOW else [])


def test_customer_cannot_escalate_itself(world):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Customer', logins['c1'])
    mine = call('getAccount', ('id', ids['c1']))
    for member, value in (('resellerActive', True), ('reseller', ids['c1']),
                          ('impersonate', ids['r1']), ('credit', 99.0)):
        changed = dict(mine, **{member: value})
        with pytest.raises(SoapFault) as err:
            call('updateAccount', ('account', changed))
        assert err.value.code == 101, member
    assert Client(dispatcher, 'Customer', admin())(
        'getAccount', ('id', ids['c1'])) == mine
    mine['firstName'] = 'Renamed'
    call('updateAccount', ('account', mine))
    assert call('getAccount', ('id', ids['c1']))['firstName'] == 'Renamed'


@pytest.mark.parametrize('who,expected', [
    ('admin', ALLOW), ('r1', ALLOW), ('c3', ALLOW), ('c1', 5000), ('c2', 5000),
    ('admin_as_c1', 5000)])
def test_delete_customer(world, who, expected):
    dispatcher, ids, logins = world
    root = Client(dispatcher, 'Customer', admin())
    victim = root('addAccount', ('account', {'username': 'victim',
                                             'password': 'x',
                                             'reseller': ids['r1']}))['id']
    call = Client(dispatcher, 'Customer', logins[who])
    assert outcome(lambda: call('deleteAccount', ('id', victim))) == expected
    assert root('getCustomers', ('query', {'filter': {
        'username': 'victim'}}))['total'] == (0 if expected == ALLOW else 1)


@pytest.mark.parametrize('who', sorted(C1_RIGHTS))
def test_sip_account_ownership(world, who):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Sip', logins[who])
    root = Client(dispatcher, 'Sip', admin())
    sip_id = {'username': 'alice', 'domain': 'c1.example.com'}
    before = root('getAccount', ('sipId', sip_id))
    expected = expect(C1_RIGHTS[who], 1010)
    assert outcome(lambda: call('getAccount', ('sipId', sip_id))) == expected
    changed = dict(before, firstName='Mallory')
    assert outcome(lambda: call('updateAccount', ('account', changed))) == \
        expected
    after = root('getAccount', ('sipId', sip_id))
    if expected != ALLOW:
        assert after == before
        assert outcome(lambda: call('deleteAccount', ('sipId', sip_id))) == \
            expected
        assert root('getAccount', ('sipId', sip_id)) == before
    else:
        assert after['firstName'] == 'Mallory'
    listed = call('getAccounts', ('query', {'filter': {}})) \
        if expected != 100 else None
    if listed is not None:
        assert listed['total'] == (1 if expected == ALLOW else 0)


@pytest.mark.parametrize('who,expected', [
    ('admin', ALLOW), ('r1', ALLOW), ('c1', 101), ('c2', 101), ('roff', 101)])
def test_create_domain_for_c1(world, who, expected):
    dispatcher, ids, logins = world
    call = Client(dispatcher, 'Sip', logins[who])
    result = outcome(lambda: call('addDomain', ('domain', {
        'domain': 'new.example.com', 'customer': ids['c1']})))
    assert result == expected
    found = Client(dispatcher, 'Sip', admin())('getDomains', ('query', {
        'filter': {'domain': 'new.example.com'}}))
    assert found['total'] == (1 if expected == ALLOW else 0)
    if expected == ALLOW:
        assert found['domains'][0]['customer'] == ids['c1']
        assert found['domains'][0]['reseller'] == ids['r1']


def test_customers_of_an_inactive_reseller_create_nothing(world):
    """resellerActive false stops the reseller's whole tree from creating;
    reading and changing what exists still works."""
    dispatcher, ids, _ = world
    root = Client(dispatcher, 'Customer', admin())
    coff = root('addAccount', ('account', {
        'username': 'coff', 'password': 'coff-pw',
        'reseller': ids['roff']}))['id']
    Client(dispatcher, 'Sip', admin())('addDomain', ('domain', {
        'domain': 'coff.example', 'customer': coff}))
    call = Client(dispatcher, 'Sip', customer('coff', 'coff-pw'))
    account = ('account', {'id': {'username': 'u', 'domain': 'coff.example'},
                           'password': 'pw'})
    with pytest.raises(SoapFault) as err:
        call('addAccount', account)
    assert err.value.code == 101
    assert 'reseller %d is not active' % ids['roff'] in err.value.string
    assert call('getDomains', ('query', {'filter': {}}))['total'] == 1
    roff = root('getAccount', ('id', ids['roff']))
    root('updateAccount', ('account', dict(roff, resellerActive=True)))
    assert call('addAccount', account)['id']['username'] == 'u'


@pytest.mark.parametrize('who,expected', [
    ('admin', ALLOW), ('r1', ALLOW), ('c1', ALLOW), ('c2', 101)])
def test_alias_target_in_a_local_domain_must_be_visible(world, who, expected):
    """An alias may point at any SIP address elsewhere, but into a domain
    served here only where the caller may look."""
    dispatcher, ids, logins = world
    domain = 'c2.example.com' if who == 'c2' else 'c1.example.com'
    if who == 'c2':
        Client(dispatcher, 'Sip', admin())('addDomain', ('domain', {
            'domain': domain, 'customer': ids['c2']}))
    call = Client(dispatcher, 'Sip', logins[who])
    target = {'username': 'alice', 'domain': 'c1.example.com'}
    result = outcome(lambda: call('addAlias', ('alias', {
        'id': {'username': 'al', 'domain': domain}, 'target': target})))
    assert result == expected
    call('addAlias', ('alias', {'id': {'username': 'ext', 'domain': domain},
                                'target': {'username': 'bob',
                                           'domain': 'elsewhere.net'}}))
    names = {a['alias_username'] for a in rows(dispatcher, 'dbaliases')}
    assert names == ({'ext', 'al'} if expected == ALLOW else {'ext'})


def test_admin_assigns_records_only_to_real_resellers(world):
    dispatcher, ids, _ = world
    sip = Client(dispatcher, 'Sip', admin())
    with pytest.raises(SoapFault) as err:
        sip('addDomain', ('domain', {'domain': 'x.example',
                                     'reseller': ids['c1']}))
    assert err.value.code == 103 and 'not a reseller' in err.value.string
    sip('addDomain', ('domain', {'domain': 'x.example', 'reseller': ids['r2']}))
    (dom,) = rows(dispatcher, 'sip_domains', domain='x.example')
    assert (dom['customer'], dom['reseller']) == (0, ids['r2'])


@pytest.mark.parametrize('who', sorted(C1_RIGHTS))
def test_dns_zone_ownership(world, who):
    """c1's zone and record: the same matrix as its SIP records; out of
    scope answers 7000/7002 (as missing) and changes nothing."""
    dispatcher, ids, logins = world
    root = Client(dispatcher, 'Dns', admin())
    root('addZone', ('zone', {'name': 'c1.example', 'customer': ids['c1']}))
    root('addRecord', ('record', {'zone': 'c1.example', 'name': 'www',
                                  'type': 'A', 'value': '192.0.2.1'}))
    (rec,) = root('getRecords', ('query', {'filter': {}}))['records']
    zone = root('getZone', ('zone', 'c1.example'))
    call = Client(dispatcher, 'Dns', logins[who])
    expected = expect(C1_RIGHTS[who], 7000)
    assert outcome(lambda: call('getZone', ('zone', 'c1.example'))) == \
        expected
    assert outcome(lambda: call('updateZone', ('zone', dict(
        zone, info='changed')))) == expected
    assert outcome(lambda: call('addRecord', ('record', {
        'zone': 'c1.example', 'name': 'new', 'type': 'A',
        'value': '192.0.2.2'}))) == expected
    record_expected = expect(C1_RIGHTS[who], 7002)
    assert outcome(lambda: call('updateRecord', ('record', dict(
        rec, value='192.0.2.9')))) == record_expected
    if expected != ALLOW:
        assert root('getZone', ('zone', 'c1.example'))['info'] == ''
        assert root('getRecord', ('recordId', rec['id'])) == rec
        assert outcome(lambda: call('deleteRecord', ('recordId',
                                                     rec['id']))) == \
            record_expected
        assert outcome(lambda: call('deleteZone', ('zone',
                                                   'c1.example'))) == expected
        assert root('getZones', ('query', {'filter': {}}))['total'] == 1
    if expected != 100:
        listed = call('getRecords', ('query', {'filter': {}}))
        assert listed['total'] == ((2 if expected == ALLOW else 0))


@pytest.mark.parametrize('who', sorted(C1_RIGHTS))
def test_enum_number_ownership(world, who):
    dispatcher, ids, logins = world
    root = Client(dispatcher, 'Enum', admin())
    root('addRange', ('range', {'id': {'prefix': '31', 'tld': 'e164.arpa'},
                                'customer': ids['c1']}))
    number_id = {'number': '3120', 'tld': 'e164.arpa'}
    root('addNumber', ('number', {'id': number_id, 'mappings': [
        {'type': 'sip', 'mapto': 'sip:alice@c1.example.com'}]}))
    number = root('getNumber', ('enumId', number_id))
    call = Client(dispatcher, 'Enum', logins[who])
    expected = expect(C1_RIGHTS[who], 3002)
    assert outcome(lambda: call('getNumber', ('enumId', number_id))) == \
        expected
    assert outcome(lambda: call('updateNumber', ('number', dict(
        number, mappings=[])))) == expected
    assert outcome(lambda: call('addNumber', ('number', {
        'id': {'number': '3121', 'tld': 'e164.arpa'}}))) == \
        expect(C1_RIGHTS[who], 3000)
    if expected != ALLOW:
        assert root('getNumber', ('enumId', number_id)) == number
        assert outcome(lambda: call('deleteNumber', ('enumId',
                                                     number_id))) == expected
        assert outcome(lambda: call('deleteRange', ('range', {
            'prefix': '31', 'tld': 'e164.arpa'}))) == \
            expect(C1_RIGHTS[who], 3000)
        assert root('getRanges', ('query', {'filter': {}}))['total'] == 1
    else:
        assert root('getNumber', ('enumId', number_id))['mappings'] == []
