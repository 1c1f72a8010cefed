"""VoicemailPort (spec §2.5, §3.8, §4.2, §5.17): one mailbox per SIP account
and its row in Asterisk's realtime voicemail table (native-schemas B3), on
SQLite and MariaDB."""
import base64
import threading

import pytest
from sqlalchemy import insert

from ngnpro.store import voicemail as store
from tests.helpers import make_dispatcher, rows
from tests.soapcall import Client, SoapFault, admin, customer

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}
BOB = {'username': 'bob', 'domain': DOMAIN}
WAV = base64.b64decode('UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0'
                       'YQAAAAA=')
# Columns app_voicemail gets from voicemail.conf when the row leaves them
# NULL: the server writes none of them.
UNMANAGED = ('alias', 'pager', 'attachfmt', 'serveremail', 'language', 'tz',
             'saycid', 'sendvoicemail', 'review', 'tempgreetwarn', 'operator',
             'envelope', 'sayduration', 'forcename', 'forcegreetings',
             'callback', 'dialout', 'exitcontext', 'maxmsg', 'volgain',
             'imapuser', 'imappassword', 'imapserver', 'imapport',
             'imapflags')


@pytest.fixture
def world(dispatcher):
    """A SIP domain with alice and bob; admin clients for Sip and
    Voicemail."""
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': DOMAIN}))
    for user in ('alice', 'bob'):
        sip('addAccount', ('account', {'id': {'username': user,
                                              'domain': DOMAIN},
                                       'password': 'pw'}))
    return sip, Client(dispatcher, 'Voicemail', admin())


def vm_account(sip_id=ALICE, **extra):
    a = {'sipId': sip_id, 'name': 'Alice Smith', 'password': '4821',
         'email': 'alice@example.com', 'options': {'delete': 1}}
    a.update(extra)
    return ('account', a)


def code(fn):
    with pytest.raises(SoapFault) as err:
        fn()
    return err.value.code


def asterisk(dispatcher, mailbox):
    (row,) = rows(dispatcher, 'voicemail', mailbox=mailbox)
    return row


def test_add_writes_asterisk_row(world, dispatcher):
    sip, vm = world
    dispatcher.config.voicemail_context = 'subscribers'
    assert vm('addAccount', vm_account(), account='VoicemailAccount') is None
    got = vm('getAccount', ('sipId', ALICE), sipId='SipId')
    assert got == {'sipId': ALICE, 'mailbox': '1000000', 'password': '4821',
                   'name': 'Alice Smith', 'email': 'alice@example.com',
                   'info': '', 'options': {'delete': True}}
    row = asterisk(dispatcher, '1000000')
    assert (row['context'], row['password'], row['fullname'],
            row['email']) == ('subscribers', '4821', 'Alice Smith',
                              'alice@example.com')
    # Delete after e-mailing: the message must travel with the mail.
    assert (row['attach'], row['deletevoicemail']) == ('yes', 'yes')
    assert row['stamp'] is not None
    assert {c: row[c] for c in UNMANAGED} == {c: None for c in UNMANAGED}
    (box,) = rows(dispatcher, 'voicemail_accounts')
    assert (box['username'], box['domain'], box['mailbox'], box['context'],
            box['active']) == ('alice', DOMAIN, '1000000', 'subscribers',
                               True)


def test_numbering_from_1000000_and_given_numbers(world, dispatcher):
    sip, vm = world
    vm('addAccount', vm_account(ALICE))
    vm('addAccount', vm_account(BOB, email=''))
    assert [vm('getAccount', ('sipId', s))['mailbox'] for s in (ALICE, BOB)] \
        == ['1000000', '1000001']
    # A number given by the client is taken as it is...
    sip('addAccount', ('account', {'id': {'username': 'carol',
                                          'domain': DOMAIN},
                                   'password': 'pw'}))
    carol = {'username': 'carol', 'domain': DOMAIN}
    vm('addAccount', vm_account(carol, mailbox='1000002'))
    # ... and skipped by the generator, as is a mailbox Asterisk has from
    # elsewhere.
    with dispatcher.store.engine.begin() as conn:
        conn.execute(insert(dispatcher.store.schema.voicemail).values(
            context='default', mailbox='1000003', password='1'))
    sip('addAccount', ('account', {'id': {'username': 'dave',
                                          'domain': DOMAIN},
                                   'password': 'pw'}))
    dave = {'username': 'dave', 'domain': DOMAIN}
    vm('addAccount', vm_account(dave))
    assert vm('getAccount', ('sipId', dave))['mailbox'] == '1000004'
    # Taken numbers and malformed ones are refused.
    sip('addAccount', ('account', {'id': {'username': 'eve',
                                          'domain': DOMAIN},
                                   'password': 'pw'}))
    eve = {'username': 'eve', 'domain': DOMAIN}
    assert code(lambda: vm('addAccount', vm_account(eve, mailbox='1000001'))) \
        == 2001
    assert code(lambda: vm('addAccount', vm_account(eve, mailbox='1000003'))) \
        == 2001
    assert code(lambda: vm('addAccount', vm_account(eve, mailbox='12a'))) \
        == 103
    # Bob got the SIP account's e-mail address.
    assert vm('getAccount', ('sipId', BOB))['email'] == 'bob@example.com'


def test_first_mailbox_from_config(world, dispatcher):
    sip, vm = world
    dispatcher.config.voicemail_first_mailbox = 5000
    vm('addAccount', vm_account(ALICE))
    vm('addAccount', vm_account(BOB))
    assert [r['mailbox'] for r in rows(dispatcher, 'voicemail')] == \
        ['5000', '5001']


def test_one_mailbox_per_account_and_faults(world, dispatcher):
    sip, vm = world
    vm('addAccount', vm_account())
    assert code(lambda: vm('addAccount', vm_account())) == 2001
    assert code(lambda: vm('getAccount', ('sipId', BOB))) == 2000
    assert code(lambda: vm('updateAccount', vm_account(BOB))) == 2000
    assert code(lambda: vm('deleteAccount', ('sipId', BOB))) == 2000
    assert code(lambda: vm('setAnnouncement', ('sipId', BOB),
                           ('message', 'UklGRg=='))) == 2000
    nobody = {'username': 'nobody', 'domain': DOMAIN}
    for call in (lambda: vm('getAccount', ('sipId', nobody)),
                 lambda: vm('addAccount', vm_account(nobody)),
                 lambda: vm('updateAccount', vm_account(nobody)),
                 lambda: vm('deleteAccount', ('sipId', nobody)),
                 lambda: vm('setAnnouncement', ('sipId', nobody),
                            ('message', ''))):
        assert code(call) == 1010
    assert len(rows(dispatcher, 'voicemail')) == 1


@pytest.mark.parametrize('bad', [
    {'password': ''}, {'password': '12ab'}, {'email': 'not an address'},
    {'name': 'x' * 81}, {'password': '1' * 81}])
def test_bad_input_changes_nothing(world, dispatcher, bad):
    sip, vm = world
    assert code(lambda: vm('addAccount', vm_account(**bad))) == 103
    assert rows(dispatcher, 'voicemail') == []
    assert rows(dispatcher, 'voicemail_accounts') == []
    assert rows(dispatcher, 'voicemail_numbering') == [
        {'id': 1, 'next_mailbox': 0}]


def test_update(world, dispatcher):
    sip, vm = world
    vm('addAccount', vm_account())
    before = asterisk(dispatcher, '1000000')
    # What sip_settings.php sends: no mailbox, options from getAccount.
    vm('updateAccount', ('account', {
        'sipId': ALICE, 'email': 'a2@example.com', 'name': 'Alice B',
        'password': '7391', 'options': {'delete': True}}))
    row = asterisk(dispatcher, '1000000')
    assert (row['password'], row['fullname'], row['email'], row['attach'],
            row['deletevoicemail']) == ('7391', 'Alice B', 'a2@example.com',
                                        'yes', 'yes')
    assert row['uniqueid'] == before['uniqueid']
    # Keep messages on the server; no PIN keeps the PIN.
    vm('updateAccount', ('account', {
        'sipId': ALICE, 'email': 'a2@example.com', 'name': 'Alice B',
        'password': '', 'options': {'delete': 0}}))
    row = asterisk(dispatcher, '1000000')
    assert (row['password'], row['attach'], row['deletevoicemail']) == \
        ('7391', 'yes', 'no')
    got = vm('getAccount', ('sipId', ALICE))
    assert got['options'] == {'delete': False} and got['password'] == '7391'
    # No options: the flag stays.
    vm('updateAccount', ('account', {'sipId': ALICE, 'name': 'A',
                                     'email': 'a2@example.com'}))
    assert asterisk(dispatcher, '1000000')['deletevoicemail'] == 'no'
    # The same mailbox echoed back is fine; another number is refused.
    vm('updateAccount', vm_account(mailbox='1000000'))
    assert code(lambda: vm('updateAccount', vm_account(mailbox='1000009'))) \
        == 103
    assert code(lambda: vm('updateAccount', vm_account(password='x1'))) == 103
    assert asterisk(dispatcher, '1000000')['password'] == '4821'


def test_delete_after_mail_needs_an_address(world, dispatcher):
    sip, vm = world
    sip('updateAccount', ('account', {'id': ALICE, 'email': ''}))
    assert code(lambda: vm('addAccount', vm_account(email='', options={
        'delete': True}))) == 103
    vm('addAccount', vm_account(email='', options={'delete': False}))
    row = asterisk(dispatcher, '1000000')
    assert (row['email'], row['attach'], row['deletevoicemail']) == \
        ('', 'no', 'no')


def test_delete_keeps_the_number_for_the_account(world, dispatcher):
    sip, vm = world
    vm('addAccount', vm_account(ALICE))
    vm('setAnnouncement', ('sipId', ALICE), ('message', 'UklGRg=='))
    assert vm('deleteAccount', ('sipId', ALICE), sipId='SipId') is None
    assert rows(dispatcher, 'voicemail') == []
    assert rows(dispatcher, 'voicemail_greetings') == []
    assert code(lambda: vm('getAccount', ('sipId', ALICE))) == 2000
    assert store.mailbox_uri(None, None, dispatcher.config, 'a', 'b') is None
    # Nobody else gets 1000000 while alice exists; she gets it back.
    vm('addAccount', vm_account(BOB))
    assert vm('getAccount', ('sipId', BOB))['mailbox'] == '1000001'
    assert code(lambda: vm('addAccount', vm_account(BOB, mailbox='1000000'))
                ) == 2001
    vm('addAccount', vm_account(ALICE, password='55'))
    assert vm('getAccount', ('sipId', ALICE))['mailbox'] == '1000000'
    assert asterisk(dispatcher, '1000000')['password'] == '55'


def test_sip_account_and_domain_deletion_take_the_mailbox(world, dispatcher):
    sip, vm = world
    vm('addAccount', vm_account(ALICE))
    vm('addAccount', vm_account(BOB))
    vm('setAnnouncement', ('sipId', ALICE), ('message', 'UklGRg=='))
    sip('deleteAccount', ('sipId', ALICE))
    assert [r['mailbox'] for r in rows(dispatcher, 'voicemail')] == \
        ['1000001']
    assert [r['username'] for r in rows(dispatcher, 'voicemail_accounts')] \
        == ['bob']
    assert rows(dispatcher, 'voicemail_greetings') == []
    # Re-created, alice is a new account: a new mailbox.
    sip('addAccount', ('account', {'id': ALICE, 'password': 'pw'}))
    assert code(lambda: vm('getAccount', ('sipId', ALICE))) == 2000
    vm('addAccount', vm_account(ALICE))
    assert vm('getAccount', ('sipId', ALICE))['mailbox'] == '1000002'
    # A mailbox Asterisk has in another domain is left alone.
    sip('addDomain', ('domain', {'domain': 'other.example'}))
    carol = {'username': 'carol', 'domain': 'other.example'}
    sip('addAccount', ('account', {'id': carol, 'password': 'pw'}))
    vm('addAccount', vm_account(carol))
    sip('deleteDomain', ('domain', DOMAIN))
    assert [r['mailbox'] for r in rows(dispatcher, 'voicemail')] == \
        ['1000003']
    assert [r['domain'] for r in rows(dispatcher, 'voicemail_accounts')] == \
        ['other.example']


def test_announcement(world, dispatcher):
    sip, vm = world
    vm('addAccount', vm_account())
    text = base64.b64encode(WAV).decode()
    # Line-wrapped base64, as MIME encoders write it, is fine.
    wrapped = '\r\n'.join(text[i:i + 20] for i in range(0, len(text), 20))
    assert vm('setAnnouncement', ('sipId', ALICE), ('message', wrapped)) \
        is None
    (g,) = rows(dispatcher, 'voicemail_greetings')
    assert bytes(g['audio']) == WAV
    assert code(lambda: vm('setAnnouncement', ('sipId', ALICE),
                           ('message', 'not base64!'))) == 103
    assert bytes(rows(dispatcher, 'voicemail_greetings')[0]['audio']) == WAV
    vm('setAnnouncement', ('sipId', ALICE), ('message', ''))
    assert rows(dispatcher, 'voicemail_greetings') == []


def test_voice_mailbox_uri(world, dispatcher):
    sip, vm = world
    dispatcher.config.voicemail_server = 'vm.example.com'
    vm('addAccount', vm_account())
    got = vm('getAccount', ('sipId', ALICE))
    assert got['info'] == 'sip:1000000@vm.example.com'
    with dispatcher.store.engine.connect() as conn:
        s = dispatcher.store.schema
        cfg = dispatcher.config
        assert store.mailbox_uri(conn, s, cfg, 'alice', DOMAIN) == \
            'sip:1000000@vm.example.com'
        assert store.mailbox_uri(conn, s, cfg, 'bob', DOMAIN) is None
    vm('deleteAccount', ('sipId', ALICE))
    with dispatcher.store.engine.connect() as conn:
        assert store.mailbox_uri(conn, s, cfg, 'alice', DOMAIN) is None


def test_rights_follow_the_sip_account(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    r1 = cust('addAccount', ('account', {'username': 'r1', 'password': 'r1pw',
                                         'resellerActive': True}))['id']
    c1 = cust('addAccount', ('account', {'username': 'c1', 'password': 'c1pw',
                                         'reseller': r1}))['id']
    cust('addAccount', ('account', {'username': 'r2', 'password': 'r2pw',
                                    'resellerActive': True}))
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': DOMAIN, 'customer': c1}))
    sip('addAccount', ('account', {'id': ALICE, 'password': 'pw'}))
    mine = Client(dispatcher, 'Voicemail', customer('c1', 'c1pw'))
    mine('addAccount', vm_account())
    assert mine('getAccount', ('sipId', ALICE))['mailbox'] == '1000000'
    assert Client(dispatcher, 'Voicemail', customer('r1', 'r1pw'))(
        'getAccount', ('sipId', ALICE))['mailbox'] == '1000000'
    assert Client(dispatcher, 'Voicemail', admin(impersonate=r1))(
        'getAccount', ('sipId', ALICE))['mailbox'] == '1000000'
    # Another tenant: exactly like a missing SIP account.
    other = Client(dispatcher, 'Voicemail', customer('r2', 'r2pw'))
    for call in (lambda: other('getAccount', ('sipId', ALICE)),
                 lambda: other('updateAccount', vm_account()),
                 lambda: other('deleteAccount', ('sipId', ALICE)),
                 lambda: other('setAnnouncement', ('sipId', ALICE),
                               ('message', ''))):
        with pytest.raises(SoapFault) as err:
            call()
        assert err.value.code == 1010
        assert err.value.string == 'SIP account alice@example.com does not ' \
            'exist'
    assert asterisk(dispatcher, '1000000')['password'] == '4821'


def test_inactive_reseller_creates_no_mailbox(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    r = cust('addAccount', ('account', {'username': 'off', 'password': 'opw',
                                        'resellerActive': False}))['id']
    sip = Client(dispatcher, 'Sip', admin())
    sip('addDomain', ('domain', {'domain': DOMAIN, 'reseller': r}))
    sip('addAccount', ('account', {'id': ALICE, 'password': 'pw'}))
    off = Client(dispatcher, 'Voicemail', customer('off', 'opw'))
    assert code(lambda: off('addAccount', vm_account())) == 101
    assert rows(dispatcher, 'voicemail') == []


THREADS = 12


def test_concurrent_adds_get_distinct_numbers(db_url):
    """Twelve accounts switch voicemail on at once, through two independent
    engines (two server processes on one database): twelve different
    numbers, 1000000 upwards without a gap."""
    a, b = make_dispatcher(db_url), make_dispatcher(db_url)
    try:
        sip = Client(a, 'Sip', admin())
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        users = ['u%02d' % i for i in range(THREADS)]
        for u in users:
            sip('addAccount', ('account', {'id': {'username': u,
                                                  'domain': DOMAIN},
                                           'password': 'pw'}))
        barrier = threading.Barrier(THREADS)
        results = [None] * THREADS

        def run(i):
            vm = Client((a, b)[i % 2], 'Voicemail', admin())
            barrier.wait()
            try:
                vm('addAccount', vm_account({'username': users[i],
                                             'domain': DOMAIN}))
                results[i] = 'ok'
            except SoapFault as exc:
                results[i] = exc.code
        threads = [threading.Thread(target=run, args=(i,))
                   for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert results == ['ok'] * THREADS
        numbers = sorted(int(r['mailbox']) for r in rows(a, 'voicemail'))
        assert numbers == list(range(1000000, 1000000 + THREADS))
        assert sorted(int(r['mailbox']) for r in
                      rows(a, 'voicemail_accounts')) == numbers
    finally:
        a.store.dispose()
        b.store.dispose()


def test_numbering_row_recreated_when_missing(world, dispatcher):
    sip, vm = world
    from sqlalchemy import delete
    with dispatcher.store.engine.begin() as conn:
        conn.execute(delete(dispatcher.store.schema.voicemail_numbering))
    vm('addAccount', vm_account(ALICE))
    vm('addAccount', vm_account(BOB))
    assert [r['mailbox'] for r in rows(dispatcher, 'voicemail')] == \
        ['1000000', '1000001']
    assert rows(dispatcher, 'voicemail_numbering') == [
        {'id': 1, 'next_mailbox': 1000002}]
