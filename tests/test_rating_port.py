"""RatingPort (spec §2.6, §3.8, §4.2): rating profiles in CDRTool's
billing_customers (native-schemas B4), on SQLite and MariaDB."""
import pytest
from sqlalchemy import update

from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin, customer

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}
EMPTY = {'reseller_id': 0, 'gateway': '', 'domain': '', 'subscriber': '',
         'profile_name1': '', 'profile_name1_alt': '', 'profile_name2': '',
         'profile_name2_alt': '', 'timezone': '', 'increment': 0,
         'min_duration': 0}


def profiles(entity, weekday='NL-DEFAULT', **extra):
    p = {'entity': entity, 'profileWeekday': weekday,
         'profileWeekdayAlt': '', 'profileWeekend': 'NL-WEEKEND',
         'profileWeekendAlt': '', 'timezone': 'Europe/Amsterdam'}
    p.update(extra)
    return ('profiles', p)


def code(fn):
    with pytest.raises(SoapFault) as err:
        fn()
    return err.value.code


def billing(dispatcher):
    out = []
    for r in rows(dispatcher, 'billing_customers'):
        r.pop('id')
        out.append(r)
    return out


@pytest.fixture
def world(dispatcher):
    """Reseller r1 with customer c1, who owns example.com (alice) and
    trusted peer 192.0.2.1; reseller r2 owns other.example (bob) and peer
    192.0.2.2."""
    cust = Client(dispatcher, 'Customer', admin())

    def add(username, **extra):
        return cust('addAccount', ('account', dict(
            username=username, password=username + 'pw', **extra)))['id']
    r1 = add('r1', resellerActive=True)
    c1 = add('c1', reseller=r1)
    r2 = add('r2', resellerActive=True)
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': DOMAIN, 'customer': c1}))
    sip('addDomain', ('domain', {'domain': 'other.example', 'reseller': r2}))
    sip('addAccount', ('account', {'id': ALICE, 'password': 'pw'}))
    sip('addAccount', ('account', {'id': {'username': 'bob',
                                          'domain': 'other.example'},
                                   'password': 'pw'}))
    sip('addTrustedPeer', ('peer', {'ip': '192.0.2.1', 'customer': c1}))
    sip('addTrustedPeer', ('peer', {'ip': '192.0.2.2', 'reseller': r2}))
    return sip, Client(dispatcher, 'Rating', admin()), r1, r2


def test_entities_land_in_their_column(world, dispatcher):
    sip, rating, r1, r2 = world
    assert rating('setEntityProfiles', profiles(
        'subscriber://alice@example.com', profileWeekdayAlt='NL-ALT',
        profileWeekendAlt='NL-WE-ALT'),
        profiles='RatingEntityProfiles') is None
    rating('setEntityProfiles', profiles('domain://other.example',
                                         weekday='DOM', timezone=''))
    rating('setEntityProfiles', profiles('gateway://192.0.2.1',
                                         weekday='GW'))
    assert billing(dispatcher) == [
        dict(EMPTY, reseller_id=r1, subscriber='alice@example.com',
             profile_name1='NL-DEFAULT', profile_name1_alt='NL-ALT',
             profile_name2='NL-WEEKEND', profile_name2_alt='NL-WE-ALT',
             timezone='Europe/Amsterdam'),
        dict(EMPTY, reseller_id=r2, domain='other.example',
             profile_name1='DOM', profile_name2='NL-WEEKEND'),
        dict(EMPTY, reseller_id=r1, gateway='192.0.2.1',
             profile_name1='GW', profile_name2='NL-WEEKEND',
             timezone='Europe/Amsterdam')]
    assert rating('getEntityProfiles', ('entity',
                                        'subscriber://alice@example.com')) \
        == {'entity': 'subscriber://alice@example.com',
            'profileWeekday': 'NL-DEFAULT', 'profileWeekdayAlt': 'NL-ALT',
            'profileWeekend': 'NL-WEEKEND', 'profileWeekendAlt': 'NL-WE-ALT',
            'timezone': 'Europe/Amsterdam'}
    assert rating('getEntityProfiles', ('entity', 'gateway://192.0.2.1'))[
        'profileWeekday'] == 'GW'
    assert rating('getEntityProfiles', ('entity', 'domain://other.example')
                  )['timezone'] == ''


def test_set_replaces_and_keeps_cdrtool_settings(world, dispatcher):
    sip, rating, r1, _ = world
    rating('setEntityProfiles', profiles('subscriber://alice@example.com'))
    (first,) = rows(dispatcher, 'billing_customers')
    # Set on CDRTool's own pages, not through NGNPro: kept.
    t = dispatcher.store.schema.billing_customers
    with dispatcher.store.engine.begin() as conn:
        conn.execute(update(t).values(increment=60, min_duration=5))
    # One spelling: scheme, user and domain are case-insensitive.
    rating('setEntityProfiles', profiles('Subscriber://Alice@Example.COM',
                                         weekday='OTHER', timezone='UTC'))
    (row,) = rows(dispatcher, 'billing_customers')
    assert row['id'] == first['id']
    assert (row['subscriber'], row['profile_name1'], row['timezone'],
            row['increment'], row['min_duration']) == \
        ('alice@example.com', 'OTHER', 'UTC', 60, 5)


def test_none_is_4001(world, dispatcher):
    sip, rating, _, _ = world
    for entity in ('subscriber://alice@example.com', 'domain://example.com',
                   'gateway://192.0.2.1'):
        assert code(lambda: rating('getEntityProfiles', ('entity', entity))) \
            == 4001
        assert code(lambda: rating('deleteEntityProfiles',
                                   ('entity', entity))) == 4001
    rating('setEntityProfiles', profiles('domain://example.com'))
    assert rating('deleteEntityProfiles', ('entity', 'domain://example.com')) \
        is None
    assert rows(dispatcher, 'billing_customers') == []
    assert code(lambda: rating('getEntityProfiles',
                               ('entity', 'domain://example.com'))) == 4001


@pytest.mark.parametrize('entity', [
    None, '', 'alice@example.com', 'sip://alice@example.com',
    'subscriber://example.com', 'subscriber://al ice@example.com',
    'domain://bad_domain', 'gateway://192.0.2', 'gateway://2001:db8::1',
    'gateway://192.0.2.0/24',
    'subscriber://%s@%s.example.com' % ('u' * 64, 'd' * 52)])
def test_malformed_entities(world, dispatcher, entity):
    sip, rating, _, _ = world
    assert code(lambda: rating('getEntityProfiles', ('entity', entity))) \
        == 103
    assert code(lambda: rating('setEntityProfiles', profiles(entity))) == 103
    assert rows(dispatcher, 'billing_customers') == []


@pytest.mark.parametrize('bad', [
    {'profileWeekday': ''}, {'timezone': 'Mars/Olympus'},
    {'profileWeekend': 'x' * 26}, {'timezone': 'x' * 129}])
def test_bad_profiles_change_nothing(world, dispatcher, bad):
    sip, rating, _, _ = world
    rating('setEntityProfiles', profiles('domain://example.com'))
    before = rows(dispatcher, 'billing_customers')
    assert code(lambda: rating('setEntityProfiles', profiles(
        'domain://example.com', **bad))) == 103
    assert rows(dispatcher, 'billing_customers') == before


def test_rights_as_for_the_named_record(world, dispatcher):
    sip, rating, r1, r2 = world
    rating('setEntityProfiles', profiles('subscriber://bob@other.example'))
    mine = {'c1': Client(dispatcher, 'Rating', customer('c1', 'c1pw')),
            'r1': Client(dispatcher, 'Rating', customer('r1', 'r1pw')),
            'as_r1': Client(dispatcher, 'Rating', admin(impersonate=r1))}
    # The reseller rates its customer's account, domain and peer.
    for entity in ('subscriber://alice@example.com', 'domain://example.com',
                   'gateway://192.0.2.1'):
        mine['r1']('setEntityProfiles', profiles(entity, weekday='R1'))
        assert mine['as_r1']('getEntityProfiles', ('entity', entity))[
            'profileWeekday'] == 'R1'
        # The customer reads them, but does not choose its own tariff.
        assert mine['c1']('getEntityProfiles', ('entity', entity))[
            'profileWeekday'] == 'R1'
        assert code(lambda: mine['c1']('setEntityProfiles',
                                       profiles(entity))) == 101
        assert code(lambda: mine['c1']('deleteEntityProfiles',
                                       ('entity', entity))) == 101
    assert {r['reseller_id'] for r in rows(dispatcher, 'billing_customers')
            if r['profile_name1'] == 'R1'} == {r1}
    # Another tenant's records, or none at all: the record's not-found
    # fault, exactly as for a record that does not exist.
    for entity, missing, fault in (
            ('subscriber://bob@other.example',
             'subscriber://nobody@other.example', 1010),
            ('domain://other.example', 'domain://nowhere.example', 1000),
            ('gateway://192.0.2.2', 'gateway://192.0.2.99', 1050)):
        for who in ('c1', 'r1'):
            for call in (
                    lambda e: mine[who]('getEntityProfiles', ('entity', e)),
                    lambda e: mine[who]('deleteEntityProfiles', ('entity', e)),
                    lambda e: mine[who]('setEntityProfiles', profiles(e))):
                with pytest.raises(SoapFault) as hidden:
                    call(entity)
                with pytest.raises(SoapFault) as absent:
                    call(missing)
                assert hidden.value.code == absent.value.code == fault
                assert hidden.value.string == absent.value.string.replace(
                    missing.partition('://')[2], entity.partition('://')[2])
    assert rating('getEntityProfiles', ('entity',
                                        'subscriber://bob@other.example'))[
        'profileWeekday'] == 'NL-DEFAULT'


def test_admin_rates_entities_not_provisioned_here(world, dispatcher):
    sip, rating, _, _ = world
    rating('setEntityProfiles', profiles('gateway://198.51.100.7'))
    rating('setEntityProfiles', profiles('domain://pstn.example.net'))
    assert {(r['gateway'], r['domain'], r['reseller_id'])
            for r in rows(dispatcher, 'billing_customers')} == {
        ('198.51.100.7', '', 0), ('', 'pstn.example.net', 0)}
    assert rating('getEntityProfiles', ('entity', 'gateway://198.51.100.7'))[
        'entity'] == 'gateway://198.51.100.7'


def test_deleted_accounts_and_domains_take_their_profiles(world, dispatcher):
    sip, rating, _, _ = world
    for entity in ('subscriber://alice@example.com', 'domain://example.com',
                   'subscriber://bob@other.example',
                   'domain://other.example', 'gateway://192.0.2.1'):
        rating('setEntityProfiles', profiles(entity))
    sip('addAccount', ('account', {'id': {'username': 'carol',
                                          'domain': DOMAIN},
                                   'password': 'pw'}))
    rating('setEntityProfiles', profiles('subscriber://carol@example.com'))
    sip('deleteAccount', ('sipId', ALICE))
    assert sorted(r['subscriber'] or r['domain'] or r['gateway']
                  for r in rows(dispatcher, 'billing_customers')) == [
        '192.0.2.1', 'bob@other.example', 'carol@example.com', 'example.com',
        'other.example']
    sip('deleteDomain', ('domain', DOMAIN))
    assert sorted(r['subscriber'] or r['domain'] or r['gateway']
                  for r in rows(dispatcher, 'billing_customers')) == [
        '192.0.2.1', 'bob@other.example', 'other.example']
