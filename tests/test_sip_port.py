"""SipPort core (spec §2.1, §3.4, §4.2, §5): behaviours and what lands in
Kamailio's own tables, on SQLite and MariaDB."""
import hashlib

import pytest
from sqlalchemy import func, select

from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin, customer

DOMAIN = 'example.com'


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


@pytest.fixture
def sip(dispatcher):
    call = Client(dispatcher, 'Sip', admin())
    call('addDomain', ('domain', {'domain': DOMAIN}), domain='SipDomain')
    return call


def reseller_with_customer(dispatcher):
    """Active reseller r (password rpw) with customer c (cpw): the admin's
    CustomerPort client and both ids."""
    cust = Client(dispatcher, 'Customer', admin())
    r = cust('addAccount', ('account', {'username': 'r', 'password': 'rpw',
                                        'resellerActive': True}))['id']
    c = cust('addAccount', ('account', {'username': 'c', 'password': 'cpw',
                                        'reseller': r}))['id']
    return cust, r, c


def account(username, password='secret', **extra):
    a = {'id': {'username': username, 'domain': DOMAIN},
         'password': password, 'firstName': 'First', 'lastName': 'Last'}
    a.update(extra)
    return ('account', a)


def test_add_account_clear_password_writes_subscriber(sip, dispatcher):
    created = sip('addAccount', account(
        'alice', 'pw1', email='a@example.com', groups=['free-pstn', 'vip'],
        properties=[{'name': 'language', 'value': 'nl'}],
        acl=[{'ip': '10.0.0.0', 'mask': 8}], quota=20, callLimit=2,
        prepaid=1, timezone='Europe/Amsterdam', owner=0),
        account='SipAccount')
    assert created['id'] == {'username': 'alice', 'domain': DOMAIN}
    assert created['email'] == 'a@example.com'
    assert created['password'] == 'pw1'
    assert created['prepaid'] is True and created['quota'] == 20
    assert created['groups'] == ['free-pstn', 'vip']
    assert created['properties'] == [{'name': 'language', 'value': 'nl'}]
    assert created['acl'] == [{'ip': '10.0.0.0', 'mask': 8, 'tag': ''}]
    assert created['timeout'] == 35
    assert created['ha1'] == md5('alice:example.com:pw1')
    (sub,) = rows(dispatcher, 'subscriber', username='alice')
    assert sub['domain'] == DOMAIN and sub['password'] == 'pw1'
    assert sub['ha1'] == md5('alice:%s:pw1' % DOMAIN)
    assert sub['ha1b'] == md5('alice@%s:%s:pw1' % (DOMAIN, DOMAIN))
    assert sorted(r['grp'] for r in rows(dispatcher, 'grp', username='alice')) \
        == ['free-pstn', 'vip']
    assert rows(dispatcher, 'domain')[0]['domain'] == DOMAIN


def test_md5_password_pair_and_no_clear_text(sip, dispatcher):
    ha1 = md5('bob:%s:hidden' % DOMAIN)
    ha1b = md5('bob@%s:%s:hidden' % (DOMAIN, DOMAIN))
    got = sip('addAccount', account('bob', '%s:%s' % (ha1, ha1b.upper())))
    assert got['password'] == '' and got['ha1'] == ha1
    (sub,) = rows(dispatcher, 'subscriber', username='bob')
    assert (sub['password'], sub['ha1'], sub['ha1b']) == ('', ha1, ha1b)


def test_store_clear_text_off_by_config_and_reseller_property(dispatcher):
    dispatcher.config.store_clear_text_passwords = False
    call = Client(dispatcher, 'Sip', admin())
    call('addDomain', ('domain', {'domain': DOMAIN}))
    got = call('addAccount', account('carol', 'pw'))
    assert got['password'] == ''
    assert rows(dispatcher, 'subscriber')[0]['password'] == ''
    assert rows(dispatcher, 'subscriber')[0]['ha1'] == md5(
        'carol:%s:pw' % DOMAIN)
    # A reseller's property overrides the configuration.
    cust = Client(dispatcher, 'Customer', admin())
    r = cust('addAccount', ('account', {
        'username': 'r', 'password': 'x', 'properties': [
            {'name': 'store_clear_text_passwords', 'value': '1',
             'category': 'sip', 'permission': 'admin'}]}))['id']
    call('addDomain', ('domain', {'domain': 'r.example.com', 'customer': r}))
    got = call('addAccount', ('account', {
        'id': {'username': 'dave', 'domain': 'r.example.com'},
        'password': 'pw'}))
    assert got['password'] == 'pw'


def test_autoincrement_username(sip):
    first = sip('addAccount', account('<autoincrement>'))
    second = sip('addAccount', account('<autoincrement>'))
    assert first['id']['username'] == '1000'
    assert second['id']['username'] == '1001'
    # Only all-digit names count, compared as numbers, not as text.
    for name in ('alice', '99999x', '999', '12000', '0000000000000000000042'):
        sip('addAccount', account(name))
    assert sip('addAccount', account('<autoincrement>'))['id']['username'] \
        == '12001'


def test_update_replaces_but_keeps_password(sip, dispatcher):
    sip('addAccount', account('alice', 'pw1', groups=['a', 'b'], rpid='31',
                              properties=[{'name': 'x', 'value': '1'}]))
    got = sip('getAccount', ('sipId', {'username': 'alice', 'domain': DOMAIN}))
    got['firstName'] = 'Changed'
    got['groups'] = ['c']
    got['properties'] = []
    del got['password']
    got['answerTimeout'] = 0           # legacy member: ignored
    got['changeDate'] = '1999-01-01 00:00:00'
    sip('updateAccount', ('account', got), account='SipAccount')
    after = sip('getAccount', ('sipId', {'username': 'alice',
                                         'domain': DOMAIN}))
    assert after['firstName'] == 'Changed' and after['rpid'] == '31'
    assert after['groups'] == ['c'] and after['properties'] == []
    assert after['password'] == 'pw1' and after['timeout'] == 35
    assert after['changeDate'] != '1999-01-01 00:00:00'
    old_ha1 = rows(dispatcher, 'subscriber')[0]['ha1']
    after['password'] = 'pw2'
    sip('updateAccount', ('account', after))
    (sub,) = rows(dispatcher, 'subscriber')
    assert sub['ha1'] == md5('alice:%s:pw2' % DOMAIN) != old_ha1
    assert sorted(r['grp'] for r in rows(dispatcher, 'grp')) == ['c']


def test_fault_codes(sip):
    alice = {'username': 'alice', 'domain': DOMAIN}
    cases = [
        (lambda: sip('addDomain', ('domain', {'domain': DOMAIN})), 1001),
        (lambda: sip('getAccount', ('sipId', alice)), 1010),
        (lambda: sip('deleteAccount', ('sipId', alice)), 1010),
        (lambda: sip('addAccount', ('account', {
            'id': {'username': 'x', 'domain': 'nowhere.org'},
            'password': 'p'})), 1000),
        (lambda: sip('deleteDomain', ('domain', 'nowhere.org')), 1000),
        (lambda: sip('getAlias', ('id', alice)), 1020),
        (lambda: sip('deleteTrustedPeer', ('ip', '192.0.2.9')), 1050),
        (lambda: sip('addAccount', ('account', {
            'id': {'username': 'bad user', 'domain': DOMAIN},
            'password': 'p'})), 103),
        (lambda: sip('addAccount', account('nopw', '')), 103),
        (lambda: sip('addAccount', account('neg', timeout=-5)), 103),
        (lambda: sip('addAccount', account('q', quota=-1)), 103),
        (lambda: sip('addTrustedPeer', ('peer', {'ip': 'not-an-ip'})), 103),
    ]
    for fn, code in cases:
        with pytest.raises(SoapFault) as err:
            fn()
        assert err.value.code == code, err.value
    sip('addAccount', account('alice'))
    with pytest.raises(SoapFault) as err:
        sip('addAccount', account('alice'))
    assert err.value.code == 1011
    sip('addToGroup', ('sipId', alice), ('group', 'blocked'))
    with pytest.raises(SoapFault) as err:
        sip('addToGroup', ('sipId', alice), ('group', 'blocked'))
    assert err.value.code == 1030
    sip('removeFromGroup', ('sipId', alice), ('group', 'blocked'))
    with pytest.raises(SoapFault) as err:
        sip('removeFromGroup', ('sipId', alice), ('group', 'blocked'))
    assert err.value.code == 1031
    assert sip('getGroups', ('sipId', alice)) == []


def test_aliases(sip, dispatcher):
    sip('addAccount', account('alice'))
    alias = {'id': {'username': 'al', 'domain': DOMAIN},
             'target': {'username': 'alice', 'domain': DOMAIN}, 'owner': 0}
    sip('addAlias', ('alias', alias), alias='SipAlias')
    with pytest.raises(SoapFault) as err:
        sip('addAlias', ('alias', alias))
    assert err.value.code == 1021
    got = sip('getAlias', ('id', alias['id']))
    assert got['id'] == alias['id'] and got['target'] == alias['target']
    (db,) = rows(dispatcher, 'dbaliases')
    assert (db['alias_username'], db['alias_domain'], db['username'],
            db['domain']) == ('al', DOMAIN, 'alice', DOMAIN)
    found = sip('getAliases', ('query', {'filter': {
        'targetUsername': 'alice', 'targetDomain': DOMAIN},
        'range': {'start': 0, 'count': 20}}))
    assert found['total'] == 1 and found['aliases'][0]['id']['username'] == 'al'
    sip('updateAlias', ('alias', dict(alias, target={'username': 'bob',
                                                     'domain': DOMAIN})))
    assert rows(dispatcher, 'dbaliases')[0]['username'] == 'bob'
    sip('deleteAlias', ('id', alias['id']))
    assert rows(dispatcher, 'dbaliases') == []


def test_delete_account_removes_rows_everywhere(sip, dispatcher):
    sip('addAccount', account('alice', groups=['g1'], properties=[
        {'name': 'p', 'value': 'v'}], acl=[{'ip': '10.1.0.0', 'mask': 16}]))
    sip('addAlias', ('alias', {'id': {'username': 'al', 'domain': DOMAIN},
                               'target': {'username': 'alice',
                                          'domain': DOMAIN}}))
    sip('deleteAccount', ('sipId', {'username': 'alice', 'domain': DOMAIN}))
    for table in ('sip_accounts', 'subscriber', 'grp', 'dbaliases',
                  'sip_aliases', 'sip_account_properties', 'sip_account_acl'):
        assert rows(dispatcher, table) == [], table
    sip('deleteDomain', ('domain', DOMAIN))
    assert rows(dispatcher, 'domain') == []


def test_delete_domain_removes_aliases_pointing_into_it(sip, dispatcher):
    sip('addDomain', ('domain', {'domain': 'other.example'}))
    sip('addAccount', account('alice'))
    sip('addAccount', ('account', {'id': {'username': 'bob',
                                          'domain': 'other.example'},
                                   'password': 'pw'}))
    for user, target in (('in', 'alice'), ('keep', 'bob')):
        sip('addAlias', ('alias', {
            'id': {'username': user, 'domain': 'other.example'},
            'target': {'username': target, 'domain': DOMAIN
                       if target == 'alice' else 'other.example'}}))
    sip('deleteDomain', ('domain', DOMAIN))
    assert [a['username'] for a in rows(dispatcher, 'sip_aliases')] == ['keep']
    assert [(a['alias_username'], a['username'])
            for a in rows(dispatcher, 'dbaliases')] == [('keep', 'bob')]
    assert [a['username'] for a in rows(dispatcher, 'subscriber')] == ['bob']


def test_trusted_peer_update_keeps_what_the_form_does_not_send(dispatcher):
    cust, r, c = reseller_with_customer(dispatcher)
    other = cust('addAccount', ('account', {'username': 'o',
                                            'password': 'opw'}))['id']
    as_r = Client(dispatcher, 'Sip', customer('r', 'rpw'))
    with pytest.raises(SoapFault) as err:
        as_r('addTrustedPeer', ('peer', {'ip': '192.0.2.9', 'owner': other}))
    assert err.value.code == 5000   # not r's customer: as if it did not exist
    as_r('addTrustedPeer', ('peer', {'ip': '192.0.2.9', 'customer': c,
                                     'owner': c, 'description': 'gw'}))
    as_r('updateTrustedPeer', ('peer', {'ip': '192.0.2.9',
                                        'description': 'gw 2'}))
    Client(dispatcher, 'Sip', admin())('updateTrustedPeer', ('peer', {
        'ip': '192.0.2.9/32', 'description': 'gw 3'}))
    (peer,) = rows(dispatcher, 'trusted_peers')
    assert (peer['customer'], peer['reseller'], peer['owner'],
            peer['description']) == (c, r, c, 'gw 3')


def test_import_replay_of_an_existing_account_is_1011(sip):
    """Exports carry an empty password when clear text is not kept."""
    sip('addAccount', account('alice'))
    with pytest.raises(SoapFault) as err:
        sip('addAccount', account('alice', password=''))
    assert err.value.code == 1011


def test_trusted_peers(sip, dispatcher):
    peer = {'ip': '192.0.2.10', 'description': 'Carrier A', 'callLimit': 30,
            'msteams': False, 'tags': 'pstn carrier', 'enumLookup': 1,
            'prepaid': 0, 'strip': 2, 'prefix': '00', 'billingId': 'B1'}
    sip('addTrustedPeer', ('peer', peer), peer='TrustedPeer')
    sip('addTrustedPeer', ('peer', {'ip': '198.51.100.7', 'msteams': True,
                                    'tenant': 'contoso', 'description':
                                    'Teams'}))
    # The same host in any spelling is the same peer.
    for spelling in ('192.0.2.10', '192.0.2.10/32', '192.0.2.10/255.255.255.255'):
        with pytest.raises(SoapFault) as err:
            sip('addTrustedPeer', ('peer', dict(peer, ip=spelling)))
        assert err.value.code == 1051
    (addr,) = [a for a in rows(dispatcher, 'address')
               if a['ip_addr'] == '192.0.2.10']
    assert (addr['grp'], addr['mask'], addr['port']) == (1, 32, 0)
    query = {'filter': {'ip': '', 'description': '', 'tenant': '',
                        'tags': '%%', 'billingId': '', 'msteams': False},
             'orderBy': {'attribute': 'description', 'direction': 'ASC'},
             'range': {'start': 0, 'count': 20}}
    found = sip('getTrustedPeers', ('query', query))
    assert found['total'] == 1
    got = found['peers'][0]
    assert got['ip'] == '192.0.2.10' and got['callLimit'] == 30
    assert got['enumLookup'] is True and got['msteams'] is False
    assert got['protocol'] == 'any' and got['tags'] == 'pstn carrier'
    query['filter']['msteams'] = True
    teams = sip('getTrustedPeers', ('query', query))
    assert [p['tenant'] for p in teams['peers']] == ['contoso']
    query['filter'].update(msteams=False, tags='%carrier%')
    assert sip('getTrustedPeers', ('query', query))['total'] == 1
    sip('updateTrustedPeer', ('peer', dict(peer, description='Carrier B',
                                           callLimit=5)))
    query['filter']['tags'] = '%%'
    got = sip('getTrustedPeers', ('query', query))['peers'][0]
    assert (got['description'], got['callLimit']) == ('Carrier B', 5)
    sip('deleteTrustedPeer', ('ip', '192.0.2.10'))
    assert [a['ip_addr'] for a in rows(dispatcher, 'address')] == [
        '198.51.100.7']


def test_paging_250_accounts(sip):
    for i in range(250):
        sip('addAccount', account('user%03d' % i, firstName='F%d' % (i % 7),
                                  groups=['even'] if i % 2 == 0 else []))
    seen = []
    start = 0
    while True:
        page = sip('getAccounts', ('query', {
            'filter': {'username': 'user%', 'domain': DOMAIN,
                       'groups': ['']},
            'orderBy': {'attribute': 'username', 'direction': 'ASC'},
            'range': {'start': start, 'count': 20}}))
        assert page['total'] == 250
        seen += [a['id']['username'] for a in page['accounts']]
        start += 20
        if start >= page['total']:
            break
    assert seen == ['user%03d' % i for i in range(250)]
    desc = sip('getAccounts', ('query', {
        'filter': {'username': 'user1_9'},
        'orderBy': {'attribute': 'username', 'direction': 'DESC'},
        'range': {'start': 0, 'count': 5}}))
    assert desc['total'] == 10
    assert [a['id']['username'] for a in desc['accounts']] == [
        'user199', 'user189', 'user179', 'user169', 'user159']
    even = sip('getAccounts', ('query', {
        'filter': {'groups': ['even'], 'firstName': 'F3'},
        'range': {'start': 0, 'count': 500}}))
    expected = [i for i in range(250) if i % 2 == 0 and i % 7 == 3]
    assert even['total'] == len(expected) == len(even['accounts'])
    assert all(a['groups'] == ['even'] for a in even['accounts'])
    # No range, no orderBy: export path returns everything.
    assert len(sip('getAccounts', ('query', {'filter': {}}))['accounts']) \
        == 250


def test_sip_credit_exhaustion_leaves_no_row(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    c = cust('addAccount', ('account', {
        'username': 'c', 'password': 'cpw', 'resellerActive': True,
        'properties': [
            {'name': 'sip_credit', 'value': '3', 'category': 'credit',
             'permission': 'admin'},
            {'name': 'sip_alias_credit', 'value': '1', 'category': 'credit',
             'permission': 'admin'}]}))['id']
    Client(dispatcher, 'Sip', admin())('addDomain', ('domain', {
        'domain': DOMAIN, 'customer': c}))
    call = Client(dispatcher, 'Sip', customer('c', 'cpw'))
    for i in range(3):
        call('addAccount', account('u%d' % i, groups=['g']))
    with pytest.raises(SoapFault) as err:
        call('addAccount', account('u3', groups=['g'], properties=[
            {'name': 'p', 'value': 'v'}]))
    assert err.value.code == 102
    for table, column in (('sip_accounts', 'username'),
                          ('subscriber', 'username'), ('grp', 'username')):
        assert [r for r in rows(dispatcher, table) if r[column] == 'u3'] == []
    assert len(rows(dispatcher, 'sip_account_properties')) == 0
    call('addAlias', ('alias', {'id': {'username': 'a1', 'domain': DOMAIN},
                                'target': {'username': 'u0',
                                           'domain': DOMAIN}}))
    with pytest.raises(SoapFault) as err:
        call('addAlias', ('alias', {'id': {'username': 'a2', 'domain': DOMAIN},
                                    'target': {'username': 'u0',
                                               'domain': DOMAIN}}))
    assert err.value.code == 102
    # Deleting gives the credit back.
    call('deleteAccount', ('sipId', {'username': 'u0', 'domain': DOMAIN}))
    call('addAccount', account('u3'))


def test_moving_a_domain_charges_the_new_owner(dispatcher):
    """A domain's accounts and aliases move with it: the new customer must
    have the credit for them, or nothing moves."""
    cust = Client(dispatcher, 'Customer', admin())
    r = cust('addAccount', ('account', {'username': 'r', 'password': 'rpw',
                                        'resellerActive': True}))['id']

    def customer_with(name, credit):
        return cust('addAccount', ('account', {
            'username': name, 'password': 'pw', 'reseller': r,
            'properties': [{'name': 'sip_credit', 'value': credit,
                            'category': 'credit', 'permission': 'admin'}]}
        ))['id']
    c1, c2 = customer_with('c1', '5'), customer_with('c2', '1')
    call = Client(dispatcher, 'Sip', customer('r', 'rpw'))
    call('addDomain', ('domain', {'domain': DOMAIN, 'customer': c1}))
    call('addAccount', account('u1'))
    call('addAccount', account('u2'))
    assert {a['customer'] for a in rows(dispatcher, 'sip_accounts')} == {c1}
    with pytest.raises(SoapFault) as err:
        call('updateDomain', ('domain', {'domain': DOMAIN, 'customer': c2}))
    assert err.value.code == 102
    assert 'customer %d' % c2 in err.value.string
    (dom,) = rows(dispatcher, 'sip_domains', domain=DOMAIN)
    assert dom['customer'] == c1
    assert {a['customer'] for a in rows(dispatcher, 'sip_accounts')} == {c1}
    cust('setProperties', ('customer', c2), ('properties', [
        {'name': 'sip_credit', 'value': '2', 'category': 'credit',
         'permission': 'admin'}]))
    call('updateDomain', ('domain', {'domain': DOMAIN, 'customer': c2}))
    assert {a['customer'] for a in rows(dispatcher, 'sip_accounts')} == {c2}
    assert rows(dispatcher, 'sip_domains', domain=DOMAIN)[0]['customer'] == c2


def test_pstn_rights_follow_reseller_properties(dispatcher):
    cust, r, c = reseller_with_customer(dispatcher)
    Client(dispatcher, 'Sip', admin())('addDomain', ('domain', {
        'domain': DOMAIN, 'customer': c}))
    call = Client(dispatcher, 'Sip', customer('c', 'cpw'))
    with pytest.raises(SoapFault) as err:
        call('addAccount', account('p1', groups=['free-pstn']))
    assert err.value.code == 101
    call('addAccount', account('p1'))
    alice = {'username': 'p1', 'domain': DOMAIN}
    with pytest.raises(SoapFault) as err:
        call('addToGroup', ('sipId', alice), ('group', 'free-pstn'))
    assert err.value.code == 101
    cust('setProperties', ('customer', r), ('properties', [
        {'name': 'pstn_access', 'value': '1', 'category': 'sip',
         'permission': 'admin'},
        {'name': 'pstn_changes', 'value': '1', 'category': 'sip',
         'permission': 'admin'}]))
    call('addToGroup', ('sipId', alice), ('group', 'free-pstn'))
    got = call('getAccount', ('sipId', alice))
    assert got['groups'] == ['free-pstn']
    with pytest.raises(SoapFault) as err:
        call('updateAccount', ('account', dict(got, prepaid=True)))
    assert err.value.code == 101
    assert call('getAccount', ('sipId', alice))['prepaid'] is False


def test_reserved_groups_are_not_for_customers(dispatcher):
    """intercept is the administrator's; a block (blocked) is lifted by the
    reseller or admin; the quota block and prepaid follow pstn_changes and
    prepaid_changes like free-pstn and the prepaid flag."""
    cust, r, c = reseller_with_customer(dispatcher)
    root = Client(dispatcher, 'Sip', admin())
    root('addDomain', ('domain', {'domain': DOMAIN, 'customer': c}))
    reserved = ['blocked', 'intercept', 'prepaid', 'quota']
    root('addAccount', account('x', groups=reserved))
    root('addAccount', account('y'))
    x = {'username': 'x', 'domain': DOMAIN}
    y = {'username': 'y', 'domain': DOMAIN}
    as_c = Client(dispatcher, 'Sip', customer('c', 'cpw'))
    as_r = Client(dispatcher, 'Sip', customer('r', 'rpw'))

    def refused(call, *args):
        with pytest.raises(SoapFault) as err:
            call(*args)
        assert err.value.code == 101
        return err.value.string
    said = [refused(as_c, 'removeFromGroup', ('sipId', x), ('group', g))
            for g in reserved]
    assert 'lift a block' in said[0] and 'reserved' in said[1]
    assert 'prepaid_changes' in said[2] and 'pstn_changes' in said[3]
    got = as_c('getAccount', ('sipId', x))
    refused(as_c, 'updateAccount', ('account', dict(got, groups=[])))
    refused(as_c, 'addToGroup', ('sipId', y), ('group', 'intercept'))
    refused(as_c, 'addAccount', account('z', groups=['intercept']))
    # Echoing the account back unchanged is fine; so is blocking oneself.
    as_c('updateAccount', ('account', dict(got, firstName='Echo')))
    as_c('addToGroup', ('sipId', y), ('group', 'blocked'))
    assert as_c('getGroups', ('sipId', x)) == reserved
    # The reseller lifts the block, but not the intercept.
    as_r('removeFromGroup', ('sipId', x), ('group', 'blocked'))
    refused(as_r, 'removeFromGroup', ('sipId', x), ('group', 'intercept'))
    cust('setProperties', ('customer', r), ('properties', [
        {'name': 'pstn_changes', 'value': '1', 'category': 'sip',
         'permission': 'admin'}]))
    as_c('removeFromGroup', ('sipId', x), ('group', 'quota'))
    assert as_c('getGroups', ('sipId', x)) == ['intercept', 'prepaid']
    root('removeFromGroup', ('sipId', x), ('group', 'intercept'))
    assert [r['grp'] for r in rows(dispatcher, 'grp', username='x')] \
        == ['prepaid']


def test_default_orders(sip):
    """No or an unknown orderBy: changeDate DESC (§5.5), except trusted
    peers, which default to description ASC (§3.2)."""
    for name in ('b.example', 'a.example', 'c.example'):
        sip('addDomain', ('domain', {'domain': name}))
    newest_first = ['c.example', 'a.example', 'b.example', DOMAIN]
    for order in (None, {'attribute': 'bogus', 'direction': 'ASC'}):
        query = {'filter': {}} if order is None else \
            {'filter': {}, 'orderBy': order}
        got = sip('getDomains', ('query', query))
        assert [d['domain'] for d in got['domains']] == newest_first
    for ip, text in (('192.0.2.1', 'b'), ('192.0.2.2', 'c'), ('192.0.2.3', 'a')):
        sip('addTrustedPeer', ('peer', {'ip': ip, 'description': text}))
    for order in (None, {'attribute': 'bogus', 'direction': 'DESC'}):
        query = {'filter': {}} if order is None else \
            {'filter': {}, 'orderBy': order}
        got = sip('getTrustedPeers', ('query', query))
        assert [p['description'] for p in got['peers']] == ['a', 'b', 'c']


def test_domains_listing_and_reassignment(sip, dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    c = cust('addAccount', ('account', {'username': 'c',
                                        'password': 'x'}))['id']
    sip('addDomain', ('domain', {'domain': 'b.example.org', 'customer': c,
                                 'verify_cert': 1}))
    sip('addAccount', ('account', {'id': {'username': 'u', 'domain':
                                          'b.example.org'}, 'password': 'p'}))
    found = sip('getDomains', ('query', {'filter': {'domain': '%example.%'},
                                         'orderBy': {'attribute': 'domain',
                                                     'direction': 'DESC'}}))
    assert [d['domain'] for d in found['domains']] == ['example.com',
                                                       'b.example.org']
    b = found['domains'][1]
    assert b['customer'] == c and b['reseller'] == c and b['verify_cert']
    b['customer'] = 0
    sip('updateDomain', ('domain', b))
    acc = sip('getAccount', ('sipId', {'username': 'u',
                                       'domain': 'b.example.org'}))
    assert acc['customer'] == 0 and acc['reseller'] == c


def test_failed_write_leaves_database_unchanged(sip, dispatcher):
    """An error after the first insert of a call rolls the whole call back."""
    def snapshot():
        with dispatcher.store.engine.connect() as conn:
            s = dispatcher.store.schema
            return [conn.execute(select(func.count()).select_from(t))
                    .scalar_one() for t in (s.sip_accounts, s.subscriber,
                                            s.grp)]
    before = snapshot()
    with pytest.raises(SoapFault) as err:
        sip('addAccount', account('zed', groups=['x'],
                                  acl=[{'ip': '300.1.1.1', 'mask': 8}]))
    assert err.value.code == 103
    assert snapshot() == before


def test_renamed_kamailio_tables(db_url):
    """Deployments rename Kamailio's tables; writes follow the configuration
    and the version rows name the renamed tables."""
    from tests.helpers import make_dispatcher
    names = {'subscriber': 'kam_subscriber', 'grp': 'kam_grp',
             'dbaliases': 'kam_aliases', 'domain': 'kam_domain',
             'address': 'kam_address'}
    d = make_dispatcher(db_url, native_tables=names)
    try:
        call = Client(d, 'Sip', admin())
        call('addDomain', ('domain', {'domain': DOMAIN}))
        call('addAccount', account('alice', groups=['g']))
        call('addTrustedPeer', ('peer', {'ip': '192.0.2.1'}))
        s = d.store.schema
        assert s.subscriber.name == 'kam_subscriber'
        with d.store.engine.connect() as conn:
            assert conn.execute(select(s.subscriber.c.username)).scalars() \
                .all() == ['alice']
            assert conn.execute(select(s.grp.c.grp)).scalars().all() == ['g']
            assert conn.execute(select(s.domain.c.domain)).scalars().all() \
                == [DOMAIN]
            assert conn.execute(select(s.address.c.ip_addr)).scalars() \
                .all() == ['192.0.2.1']
            versions = dict(conn.execute(select(
                s.version.c.table_name, s.version.c.table_version)).all())
        assert versions['kam_subscriber'] == 7 and versions['kam_grp'] == 2
        assert versions['kam_domain'] == 2 and versions['kam_address'] == 6
    finally:
        d.store.dispose()


def test_db_init_is_idempotent(db_url):
    from ngnpro.store.db import Store
    for _ in range(2):
        store = Store(db_url)
        store.init()
        with store.engine.connect() as conn:
            rows = conn.execute(select(store.schema.version)).all()
        store.dispose()
    assert len(rows) == len(store.schema.versions)
