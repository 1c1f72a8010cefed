"""SipPort self-care settings (spec §2.1, §3.4, §5.11): call diversions,
accept rules, reject and barring lists, the phonebook. What the server
answers and what lands in the tables Kamailio reads, on SQLite and
MariaDB."""
import time

import pytest

from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}
ME = ('sipId', ALICE)
EMPTY_DIVERSIONS = {c: '' for c in ('FUNC', 'FNOL', 'FUNV', 'FNOA', 'FBUS',
                                    'RUNC', 'RNOL', 'RUNV', 'RNOA', 'RBUS')}


@pytest.fixture
def sip(dispatcher):
    call = Client(dispatcher, 'Sip', admin())
    call('addDomain', ('domain', {'domain': DOMAIN}))
    for user in ('alice', 'bob'):
        call('addAccount', ('account', {
            'id': {'username': user, 'domain': DOMAIN}, 'password': 'pw'}))
    return call


def prefs(dispatcher, user='alice'):
    return [(r['attribute'], r['value'], r['type'], r['uuid'])
            for r in sorted(rows(dispatcher, 'usr_preferences',
                                 username=user, domain=DOMAIN),
                            key=lambda r: r['id'])]


def fault(call, *args):
    with pytest.raises(SoapFault) as info:
        call(*args)
    return info.value.code, info.value.string


def add_mailbox(dispatcher, mailbox='8005551', user='alice'):
    from ngnpro.store.rows import now
    with dispatcher.store.engine.begin() as conn:
        conn.execute(dispatcher.store.schema.voicemail_accounts.insert()
                     .values(username=user, domain=DOMAIN, mailbox=mailbox,
                             context='default',
                             change_date=now()))


# -- call diversions ---------------------------------------------------------

def test_diversions_replace_the_whole_struct(sip, dispatcher):
    assert sip('getCallDiversions', ME) == EMPTY_DIVERSIONS
    sip('setCallDiversions', ME, ('diversions', {
        'FNOL': 'sip:31612345678@example.com', 'FBUS': 'sip:bob@example.com',
        'RUNV': 'sips:desk@example.org;transport=tls'}),
        diversions='CallDiversions')
    got = sip('getCallDiversions', ME)
    assert got == dict(EMPTY_DIVERSIONS, FNOL='sip:31612345678@example.com',
                       FBUS='sip:bob@example.com',
                       RUNV='sips:desk@example.org;transport=tls')
    assert prefs(dispatcher) == [
        ('FNOL', 'sip:31612345678@example.com', 0, ''),
        ('FBUS', 'sip:bob@example.com', 0, ''),
        ('RUNV', 'sips:desk@example.org;transport=tls', 0, '')]
    # The struct read back is sent back with one change (round trip, with
    # empty strings for the conditions without a target): FBUS dropped.
    got['FBUS'] = ''
    got['FUNC'] = 'sip:bob@example.com'
    sip('setCallDiversions', ME, ('diversions', got))
    assert prefs(dispatcher) == [
        ('FUNC', 'sip:bob@example.com', 0, ''),
        ('FNOL', 'sip:31612345678@example.com', 0, ''),
        ('RUNV', 'sips:desk@example.org;transport=tls', 0, '')]
    # A condition absent from the struct is cleared too.
    sip('setCallDiversions', ME, ('diversions', {
        'FNOL': 'sip:31612345678@example.com'}))
    assert prefs(dispatcher) == [('FNOL', 'sip:31612345678@example.com', 0,
                                  '')]
    # The client's clear-all form: an unknown member only.
    sip('setCallDiversions', ME, ('diversions', {'nocondition': 'empty'}))
    assert sip('getCallDiversions', ME) == EMPTY_DIVERSIONS
    assert prefs(dispatcher) == []
    assert rows(dispatcher, 'sip_diversions') == []
    # Bob's settings were never touched.
    assert prefs(dispatcher, 'bob') == []


def test_voice_mailbox_resolves_to_the_mailbox(sip, dispatcher):
    from ngnpro.store.sip.diversions import rewrite_diversions
    dispatcher.config.voicemail_server = 'vm.example.net'
    sip('setCallDiversions', ME, ('diversions', {
        'FNOA': '<voice-mailbox>', 'FBUS': '<voice-mailbox>',
        'FNOL': 'sip:bob@example.com'}))
    # What the client set is what it reads; without a mailbox the proxy
    # gets no row for those conditions.
    assert sip('getCallDiversions', ME) == dict(
        EMPTY_DIVERSIONS, FNOA='<voice-mailbox>', FBUS='<voice-mailbox>',
        FNOL='sip:bob@example.com')
    assert prefs(dispatcher) == [('FNOL', 'sip:bob@example.com', 0, '')]
    add_mailbox(dispatcher, '8005551')
    # The hook the Voicemail port calls when a mailbox comes or goes.
    with dispatcher.store.unit_of_work() as conn:
        rewrite_diversions(conn, dispatcher.store.schema, dispatcher.config,
                           'alice', DOMAIN)
    assert prefs(dispatcher) == [
        ('FNOL', 'sip:bob@example.com', 0, ''),
        ('FNOA', 'sip:8005551@vm.example.net', 0, ''),
        ('FBUS', 'sip:8005551@vm.example.net', 0, '')]
    # Setting again resolves at once; the absolute form is a plain URI.
    sip('setCallDiversions', ME, ('diversions', {
        'FNOL': '<voice-mailbox>', 'FBUS': 'sip:8005551@vm.example.net'}))
    assert prefs(dispatcher) == [
        ('FNOL', 'sip:8005551@vm.example.net', 0, ''),
        ('FBUS', 'sip:8005551@vm.example.net', 0, '')]
    assert sip('getCallDiversions', ME)['FNOL'] == '<voice-mailbox>'
    # No voicemail server configured: nothing to divert to.
    dispatcher.config.voicemail_server = ''
    sip('setCallDiversions', ME, ('diversions', {
        'FNOL': '<voice-mailbox>'}))
    assert prefs(dispatcher) == []
    assert sip('getCallDiversions', ME)['FNOL'] == '<voice-mailbox>'


@pytest.mark.parametrize('target', [
    'bob@example.com', 'tel:+31201234567', 'sip:bob', 'sip:bob@exa mple.com',
    'sip:<bob>@example.com', 'http://example.com/', '<voicemail>',
    'sip:%s@example.com' % ('x' * 120), 'sip:alice@example.com'])
def test_diversion_targets_are_checked(sip, dispatcher, target):
    sip('setCallDiversions', ME, ('diversions', {
        'FUNC': 'sip:bob@example.com'}))
    code, text = fault(sip, 'setCallDiversions', ME, ('diversions', {
        'FNOA': 'sip:bob@example.com', 'FBUS': target}))
    assert code == 103 and ('FBUS' in text or 'longer' in text)
    # Nothing changed.
    assert prefs(dispatcher) == [('FUNC', 'sip:bob@example.com', 0, '')]
    assert sip('getCallDiversions', ME)['FNOA'] == ''


# -- accept rules ------------------------------------------------------------

RULES = {'persistent': [
    {'start': '09:00', 'stop': '17:00', 'groups': ['vip', 'business'],
     'days': 31},
    {'start': '22:00', 'stop': '07:30', 'groups': ['nobody'], 'days': 96}],
    'temporary': {'groups': [], 'duration': 0}}


def test_accept_rules_persistent_and_temporary(sip, dispatcher):
    empty = sip('getAcceptRules', ME)
    assert empty == {'rules': {'persistent': [],
                               'temporary': {'groups': [], 'duration': 0}},
                     'nonEmptyGroups': ['everybody', 'nobody']}
    sip('setAcceptRules', ME, ('rules', RULES), rules='AcceptRules')
    got = sip('getAcceptRules', ME)
    assert got['rules'] == RULES
    assert prefs(dispatcher) == [
        ('accept_rule', '31|0900|1700|vip,business', 0, ''),
        ('accept_rule', '96|2200|0730|nobody', 0, '')]
    # Temporary do-not-disturb: the remaining minutes count down.
    before = int(time.time())
    sip('setAcceptRules', ME, ('rules', dict(
        RULES, temporary={'groups': ['nobody'], 'duration': 30})))
    (temp,) = [p for p in prefs(dispatcher) if p[0] == 'accept_temp']
    expires = int(temp[1].split('|')[0])
    assert before + 1800 <= expires <= int(time.time()) + 1800
    assert temp[1].endswith('|nobody')
    assert sip('getAcceptRules', ME)['rules']['temporary'] == \
        {'groups': ['nobody'], 'duration': 30}
    # An expired rule reads as none (the proxy ignores it too).
    with dispatcher.store.engine.begin() as conn:
        up = dispatcher.store.schema.usr_preferences
        conn.execute(up.update().where(up.c.attribute == 'accept_temp')
                     .values(value='%d|nobody' % (time.time() - 5)))
    assert sip('getAcceptRules', ME)['rules']['temporary'] == \
        {'groups': [], 'duration': 0}
    # DND without expiry, then off (everybody, 0): the rule is gone.
    sip('setAcceptRules', ME, ('rules', {
        'temporary': {'groups': ['nobody'], 'duration': 0}}))
    assert prefs(dispatcher) == [('accept_temp', '0|nobody', 0, '')]
    assert sip('getAcceptRules', ME)['rules'] == {
        'persistent': [], 'temporary': {'groups': ['nobody'],
                                        'duration': 0}}
    sip('setAcceptRules', ME, ('rules', {
        'persistent': [], 'temporary': {'groups': ['everybody'],
                                        'duration': 0}}))
    assert prefs(dispatcher) == []


def test_accept_rules_shortcut_shape_keeps_days(sip, dispatcher):
    """The DND shortcut re-keys getAcceptRules' answer: items without days
    and an extra groups member (sip_settings.php set_dnd_on)."""
    sip('setAcceptRules', ME, ('rules', {'persistent': [
        {'start': '09:00', 'stop': '17:00', 'groups': ['everybody'],
         'days': 31},
        {'start': '10:00', 'stop': '14:00', 'groups': ['vip', 'family'],
         'days': 96}]}))
    sip('setAcceptRules', ME, ('rules', {
        'persistent': [
            {'start': '09:00', 'stop': '17:00', 'groups': ['everybody']},
            {'start': '10:00', 'stop': '14:00', 'groups': ['vip', 'family']},
            {'start': '18:00', 'stop': '19:00', 'groups': ['family']}],
        'temporary': {'groups': ['nobody'], 'duration': 60},
        'groups': ['everybody', 'nobody', 'vip', 'family']}))
    got = sip('getAcceptRules', ME)['rules']
    assert [(r['start'], r['days']) for r in got['persistent']] == \
        [('09:00', 31), ('10:00', 96), ('18:00', 127)]
    assert got['temporary'] == {'groups': ['nobody'], 'duration': 60}


def test_non_empty_groups_come_from_the_phonebook(sip):
    for uri, group in (('sip:bob@example.com', 'vip'),
                       ('sip:carol@example.com', 'family'),
                       ('sip:dave@example.com', 'vip'),
                       ('sip:erin@example.com', '')):
        sip('addPhonebookEntry', ME, ('entry', {'uri': uri, 'name': uri,
                                                'group': group}))
    assert sip('getAcceptRules', ME)['nonEmptyGroups'] == \
        ['everybody', 'nobody', 'family', 'vip']


@pytest.mark.parametrize('rules, member', [
    ({'persistent': [{'start': '9:00', 'stop': '17:00', 'days': 1,
                      'groups': ['vip']}]}, 'start'),
    ({'persistent': [{'start': '09:00', 'stop': '24:00', 'days': 1,
                      'groups': ['vip']}]}, 'stop'),
    ({'persistent': [{'start': '09:00', 'stop': '17:60', 'days': 1,
                      'groups': ['vip']}]}, 'stop'),
    ({'persistent': [{'start': '09:00', 'stop': '17:00', 'days': 128,
                      'groups': ['vip']}]}, 'days'),
    ({'persistent': [{'start': '09:00', 'stop': '17:00', 'days': -1,
                      'groups': ['vip']}]}, 'days'),
    ({'persistent': [{'start': '09:00', 'stop': '17:00', 'days': 1,
                      'groups': ['v,ip']}]}, 'groups'),
    ({'temporary': {'groups': ['nobody'], 'duration': -5}}, 'duration'),
    ({'temporary': {'groups': ['vip|x'], 'duration': 5}}, 'groups'),
    ({'temporary': {'groups': ['g%02d-%s' % (i, 'x' * 10)
                               for i in range(12)], 'duration': 5}},
     'temporary'),
])
def test_accept_rules_are_checked(sip, dispatcher, rules, member):
    sip('setAcceptRules', ME, ('rules', RULES))
    code, text = fault(sip, 'setAcceptRules', ME, ('rules', rules))
    assert code == 103 and member in text, text
    assert sip('getAcceptRules', ME)['rules'] == RULES


# -- reject and barring lists ------------------------------------------------

def test_reject_members_replace_the_list(sip, dispatcher):
    assert sip('getRejectMembers', ME) == []
    sip('setRejectMembers', ME, ('members', [
        'sip:Spam@Example.NET', 'sip:31208005999@example.com',
        'sip:spam@example.net']))
    assert sip('getRejectMembers', ME) == ['sip:spam@example.net',
                                           'sip:31208005999@example.com']
    assert prefs(dispatcher) == [
        ('reject', 'sip:spam@example.net', 0, ''),
        ('reject', 'sip:31208005999@example.com', 0, '')]
    sip('setRejectMembers', ME, ('members', ['sip:anonymous@anonymous.invalid']))
    assert sip('getRejectMembers', ME) == ['sip:anonymous@anonymous.invalid']
    code, _ = fault(sip, 'setRejectMembers', ME, ('members', [
        'sip:ok@example.com', 'not a uri']))
    assert code == 103
    assert sip('getRejectMembers', ME) == ['sip:anonymous@anonymous.invalid']
    sip('setRejectMembers', ME, ('members', []))
    assert sip('getRejectMembers', ME) == [] and prefs(dispatcher) == []


def test_barring_prefixes_in_userblocklist(sip, dispatcher):
    assert sip('getBarringPrefixes', ME) == []
    sip('setBarringPrefixes', ME, ('prefixes', ['+31900', '+4490', '+31900']))
    assert sip('getBarringPrefixes', ME) == ['+31900', '+4490']
    assert [(r['username'], r['domain'], r['prefix'], r['allowlist'])
            for r in rows(dispatcher, 'userblocklist')] == \
        [('alice', DOMAIN, '+31900', 0), ('alice', DOMAIN, '+4490', 0)]
    for bad in ('31900', '+31 900', '+', '0031900', '+%s' % ('1' * 64)):
        code, text = fault(sip, 'setBarringPrefixes', ME,
                           ('prefixes', ['+1', bad]))
        assert code == 103 and 'prefixes[1]' in text
    assert sip('getBarringPrefixes', ME) == ['+31900', '+4490']
    sip('setBarringPrefixes', ME, ('prefixes', []))
    assert rows(dispatcher, 'userblocklist') == []


def test_lists_are_bounded_by_max_array_length(sip, dispatcher):
    dispatcher.config.max_array_length = 3
    code, text = fault(sip, 'setBarringPrefixes', ME, ('prefixes', [
        '+1', '+2', '+3', '+4']))
    assert code == 103 and 'maximum of 3' in text


# -- phonebook ---------------------------------------------------------------

def entry(uri, name, group=None):
    e = {'uri': uri, 'name': name}
    if group is not None:
        e['group'] = group
    return ('entry', e)


def page(sip, match, start=0, count=100):
    return sip('getPhonebookEntries', ME, ('match', match),
               ('range', {'start': start, 'count': count}))


def test_phonebook_entries(sip, dispatcher):
    sip('addPhonebookEntry', ME, entry('sip:Bob@Example.com', "Bob O'Brien",
                                       'coworkers'), entry='PhonebookEntry')
    sip('addPhonebookEntry', ME, entry('sip:carol@example.com', 'Carol',
                                       'family'))
    sip('addPhonebookEntry', ME, entry('sip:dave@example.com', 'Dave'))
    code, _ = fault(sip, 'addPhonebookEntry', ME,
                    entry('sip:bob@example.com', 'again', 'vip'))
    assert code == 1041
    everything = {'uri': '%%%', 'name': '%%%'}
    assert page(sip, everything) == {'total': 3, 'entries': [
        {'uri': 'sip:bob@example.com', 'name': "Bob O'Brien",
         'group': 'coworkers'},
        {'uri': 'sip:carol@example.com', 'name': 'Carol', 'group': 'family'},
        {'uri': 'sip:dave@example.com', 'name': 'Dave', 'group': ''}]}
    # Absent group = any, '' = entries without group, else that group.
    assert [e['uri'] for e in page(sip, dict(everything, group=''))
            ['entries']] == ['sip:dave@example.com']
    assert [e['uri'] for e in page(sip, dict(everything, group='family'))
            ['entries']] == ['sip:carol@example.com']
    # uri and name patterns are ORed.
    found = page(sip, {'uri': '%dave%', 'name': '%dave%'})
    assert [e['uri'] for e in found['entries']] == ['sip:dave@example.com']
    found = page(sip, {'uri': '%carol%', 'name': '%brien%'})
    assert [e['uri'] for e in found['entries']] == \
        ['sip:bob@example.com', 'sip:carol@example.com']
    assert page(sip, {'uri': '%zed%', 'name': '%zed%'}) == \
        {'total': 0, 'entries': []}
    # Range: total ignores it.
    second = page(sip, everything, start=1, count=1)
    assert second['total'] == 3 and [e['name'] for e in second['entries']] \
        == ['Carol']

    sip('updatePhonebookEntry', ME, entry('sip:bob@example.com',
                                          'Bob OBrien', 'friends'))
    (bob,) = rows(dispatcher, 'sip_phonebook', uri='sip:bob@example.com')
    assert (bob['username'], bob['name'], bob['group_name']) == \
        ('alice', 'Bob OBrien', 'friends')
    code, _ = fault(sip, 'updatePhonebookEntry', ME,
                    entry('sip:nobody@example.com', 'x'))
    assert code == 1040
    sip('deletePhonebookEntry', ME, ('uri', 'sip:bob@example.com'))
    code, text = fault(sip, 'deletePhonebookEntry', ME,
                       ('uri', 'sip:bob@example.com'))
    assert code == 1040 and 'sip:bob@example.com' in text
    assert [r['uri'] for r in rows(dispatcher, 'sip_phonebook')] == \
        ['sip:carol@example.com', 'sip:dave@example.com']


@pytest.mark.parametrize('bad', [
    entry('bob@example.com', 'Bob'), entry('sip:bob@example.com', 'x', 'a,b'),
    entry('sip:bob@example.com', 'x', 'everybody'),
    entry('sip:bob@example.com', 'x' * 256)])
def test_phonebook_entries_are_checked(sip, dispatcher, bad):
    code, _ = fault(sip, 'addPhonebookEntry', ME, bad)
    assert code == 103
    assert rows(dispatcher, 'sip_phonebook') == []


# -- rights and clean-up -----------------------------------------------------

SETTERS = [
    ('setCallDiversions', ('diversions', {'FUNC': 'sip:x@example.org'})),
    ('setAcceptRules', ('rules', {'temporary': {'groups': ['nobody'],
                                                'duration': 0}})),
    ('setRejectMembers', ('members', ['sip:x@example.org'])),
    ('setBarringPrefixes', ('prefixes', ['+1900'])),
    ('addPhonebookEntry', entry('sip:x@example.org', 'X', 'vip')),
]
GETTERS = [('getCallDiversions',), ('getAcceptRules',),
           ('getRejectMembers',), ('getBarringPrefixes',),
           ('getPhonebookEntries', ('match', {'uri': '%', 'name': '%'}),
            ('range', {'start': 0, 'count': 10}))]


def test_another_tenant_sees_no_account(dispatcher):
    from tests.test_sip_port import reseller_with_customer
    cust, r, c = reseller_with_customer(dispatcher)
    other = cust('addAccount', ('account', {'username': 'other',
                                            'password': 'opw'}))['id']
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': DOMAIN, 'customer': c}))
    sip('addAccount', ('account', {'id': ALICE, 'password': 'pw'}))
    mine = Client(dispatcher, 'Sip', admin(impersonate=c))
    theirs = Client(dispatcher, 'Sip', admin(impersonate=other))
    for op, arg in SETTERS:
        mine(op, ME, arg)
        assert fault(theirs, op, ME, arg) == \
            (1010, 'SIP account alice@example.com does not exist')
    for op, *args in GETTERS:
        mine(op, ME, *args)
        assert fault(theirs, op, ME, *args)[0] == 1010
    assert sip('getRejectMembers', ME) == ['sip:x@example.org']


def test_delete_account_and_domain_remove_everything(sip, dispatcher):
    def populate(user):
        me = ('sipId', {'username': user, 'domain': DOMAIN})
        for op, arg in SETTERS:
            sip(op, me, arg)
        sip('addBalance', me, ('value', 5.0), ('description', 'x'))
    populate('alice')
    populate('bob')
    tables = ('usr_preferences', 'userblocklist', 'sip_diversions',
              'sip_phonebook', 'prepaid_history')
    assert all(len(rows(dispatcher, t, username='alice')) for t in tables)
    sip('deleteAccount', ME)
    for t in tables:
        assert rows(dispatcher, t, username='alice') == [], t
        assert rows(dispatcher, t, username='bob'), t
    assert [r['account'] for r in rows(dispatcher, 'prepaid')] == \
        ['bob@example.com']
    sip('deleteDomain', ('domain', DOMAIN))
    for t in tables + ('prepaid',):
        assert rows(dispatcher, t) == [], t
