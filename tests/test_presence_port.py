"""PresencePort (spec §2.8, §3.8): what the operations answer and what lands
in Kamailio's presence tables, on SQLite and MariaDB. The Kamailio side is
proven by tests/test_presence_kamailio.py."""
import json
import os
import socket
import tempfile
import threading
import time

import pytest
from lxml import etree

from ngnpro.store.presence import EXPIRED
from tests.helpers import make_dispatcher, rows
from tests.soapcall import PRESENCE, Client, SoapFault, admin

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}
PW = 'wonderland7'
URI = 'sip:alice@example.com'
DOC_URI = '/xcap-root/pres-rules/users/sip:alice@example.com/index'
NS = {'p': 'urn:ietf:params:xml:ns:pidf',
      'dm': 'urn:ietf:params:xml:ns:pidf:data-model',
      'r': 'urn:ietf:params:xml:ns:pidf:rpid',
      'cr': 'urn:ietf:params:xml:ns:common-policy',
      'pr': 'urn:ietf:params:xml:ns:pres-rules'}
DENIED = 'Invalid SIP account or password'


def sip_admin(dispatcher):
    return Client(dispatcher, 'Sip', admin())


@pytest.fixture
def port(dispatcher):
    sip = sip_admin(dispatcher)
    sip('addDomain', ('domain', {'domain': DOMAIN}))
    sip('addAccount', ('account', {'id': ALICE, 'password': PW}))
    return Client(dispatcher, 'Presence', None, PRESENCE)


def creds(user=ALICE, password=PW):
    return [('sipId', user), ('password', password)]


def info(activity, note):
    return ('information', {'activity': activity, 'note': note})


def policy(allow=(), deny=(), confirm=()):
    return ('policy', {'allow': list(allow), 'deny': list(deny),
                       'confirm': list(confirm)})


def fault(call, *args, **types):
    with pytest.raises(SoapFault) as err:
        call(*args, **types)
    return err.value.code, err.value.string


def xpath(doc, path):
    return etree.fromstring(doc).xpath(path, namespaces=NS)


# -- presence information ---------------------------------------------------

def test_publish_writes_a_pidf_document(port, dispatcher):
    note = 'In a <meeting> & "out"'
    before = int(time.time())
    assert port('setPresenceInformation', *creds(), info('busy', note),
                information='PresenceInformation') is None
    (row,) = rows(dispatcher, 'presentity')
    assert (row['username'], row['domain'], row['event']) == \
        ('alice', DOMAIN, 'presence')
    assert row['etag'].startswith('ngnpro.') and row['ruid']
    assert before <= row['received_time'] <= int(time.time())
    assert row['expires'] == row['received_time'] + 86400
    assert (row['sender'], row['priority']) == ('', 0)
    body = bytes(row['body'])
    # The note is escaped text of the document, not markup.
    assert b'In a &lt;meeting&gt; &amp; "out"' in body
    assert xpath(body, '/p:presence/@entity') == [URI]
    assert xpath(body, '//p:tuple/p:status/p:basic/text()') == ['open']
    assert xpath(body, '//p:tuple/p:note/text()') == [note]
    assert xpath(body, '//dm:person/dm:note/text()') == [note]
    assert [etree.QName(e).localname for e in
            xpath(body, '//dm:person/r:activities/*')] == ['busy']
    assert port('getPresenceInformation', *creds()) == {
        'activity': 'busy', 'note': note}

    # A new publication replaces the server's own: one row, a new etag.
    port('setPresenceInformation', *creds(), info('Away ', ' Lunch '))
    (again,) = rows(dispatcher, 'presentity')
    assert again['id'] == row['id'] and again['etag'] != row['etag']
    assert port('getPresenceInformation', *creds()) == {
        'activity': 'away', 'note': 'Lunch'}


def test_unpublish_expires_the_publication(port, dispatcher):
    port('setPresenceInformation', *creds(), info('busy', 'x'))
    assert port('deletePresenceInformation', *creds()) is None
    (row,) = rows(dispatcher, 'presentity')
    # Expired now; Kamailio notifies the watchers and deletes it.
    assert row['expires'] == EXPIRED
    assert port('getPresenceInformation', *creds()) == {
        'activity': '', 'note': ''}
    assert port('deletePresenceInformation', *creds()) is None
    port('setPresenceInformation', *creds(), info('open', 'back'))
    (row,) = rows(dispatcher, 'presentity')
    assert row['expires'] > time.time()
    assert port('getPresenceInformation', *creds()) == {
        'activity': 'open', 'note': 'back'}


def test_nothing_published_reads_empty(port):
    assert port('getPresenceInformation', *creds()) == {
        'activity': '', 'note': ''}


@pytest.mark.parametrize('activity, stored, back', [
    ('open', None, 'open'), ('', None, 'open'), ('closed', None, 'closed'),
    ('away', 'r:away', 'away'), ('on-the-phone', 'r:on-the-phone',
                                 'on-the-phone'),
    ('available', 'r:other', 'available'), ('idle', None, 'idle')])
def test_activities(port, dispatcher, activity, stored, back):
    port('setPresenceInformation', *creds(), info(activity, ''))
    (row,) = rows(dispatcher, 'presentity')
    body = bytes(row['body'])
    acts = xpath(body, '//r:activities/*')
    assert ['r:' + etree.QName(a).localname for a in acts
            if etree.QName(a).namespace == NS['r']] == \
        ([stored] if stored else [])
    if stored == 'r:other':
        assert [a.text for a in acts] == [activity]
    assert xpath(body, '//p:basic/text()') == [
        'closed' if activity == 'closed' else 'open']
    if activity == 'idle':
        assert xpath(body, '//dm:person/r:user-input/text()') == ['idle']
    assert xpath(body, '//p:note') == []
    assert port('getPresenceInformation', *creds()) == {
        'activity': back, 'note': ''}


@pytest.mark.parametrize('information, message', [
    ({'activity': 'x' * 65}, 'information.activity is longer than 64'),
    ({'note': 'n' * 1025}, 'information.note is longer than 1024'),
    (None, 'information is required')])
def test_bad_information_is_refused(port, dispatcher, information, message):
    code, text = fault(port, 'setPresenceInformation', *creds(),
                       ('information', information))
    assert code == 103 and message in text
    assert rows(dispatcher, 'presentity') == []


def test_documents_refuse_what_xml_cannot_carry():
    # No SOAP request can carry these (the envelope is refused first); the
    # document builder refuses them all the same.
    from ngnpro import presence_documents
    from ngnpro.faults import NGNProError
    with pytest.raises(NGNProError) as err:
        presence_documents.pidf(URI, 'busy', 'bell \x07')
    assert err.value.errorcode == 103


# -- policy -----------------------------------------------------------------

def test_policy_is_a_pres_rules_document(port, dispatcher):
    assert port('setPolicy', *creds(), policy(
        allow=['sip:bob@example.com', 'Example.ORG'],
        deny=['sip:spam@example.net', 'sip:spam@example.net'],
        confirm=['Carol@Example.com']), policy='PresencePolicy') is None
    (row,) = rows(dispatcher, 'xcap')
    assert (row['username'], row['domain'], row['doc_type'],
            row['doc_uri'], row['source'], row['port']) == \
        ('alice', DOMAIN, 2, DOC_URI, 0, 0)
    assert row['etag'].startswith('ngnpro.')
    doc = bytes(row['doc'])

    def rule(handling, path):
        return xpath(doc, '//cr:rule[cr:actions/pr:sub-handling="%s"]%s'
                     % (handling, path))
    assert rule('allow', '//cr:one/@id') == ['sip:bob@example.com']
    assert rule('block', '//cr:one/@id') == ['sip:spam@example.net']
    assert rule('confirm', '//cr:one/@id') == ['sip:carol@example.com']
    assert rule('allow', '//cr:many/@domain') == ['example.org']
    # Allowed watchers are given the whole document (RFC 5025).
    assert rule('allow', '/cr:transformations/pr:provide-all-attributes')
    assert port('getPolicy', *creds()) == {
        'allow': ['sip:bob@example.com', 'example.org'],
        'deny': ['sip:spam@example.net'],
        'confirm': ['sip:carol@example.com']}

    port('setPolicy', *creds(), policy(deny=['example.net']))
    (again,) = rows(dispatcher, 'xcap')
    assert again['id'] == row['id'] and again['etag'] != row['etag']
    assert port('getPolicy', *creds()) == {
        'allow': [], 'deny': ['example.net'], 'confirm': []}


def test_no_policy_reads_empty(port):
    assert port('getPolicy', *creds()) == {'allow': [], 'deny': [],
                                           'confirm': []}


def _insert(dispatcher, table, **values):
    from sqlalchemy import insert
    t = getattr(dispatcher.store.schema, table)
    with dispatcher.store.engine.begin() as conn:
        conn.execute(insert(t).values(**values))


XCAP_CLIENT_DOC = b'''<?xml version="1.0" encoding="UTF-8"?>
<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"
         xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <rule id="a"><conditions><identity><one id="sip:x@example.org"/>
    <many domain="example.net"/></identity></conditions>
    <actions><pr:sub-handling>allow</pr:sub-handling></actions></rule>
  <rule id="b"><conditions><identity><one id="sip:y@example.org"/>
    </identity></conditions>
    <actions><pr:sub-handling>polite-block</pr:sub-handling></actions></rule>
  <rule id="c"><conditions><sphere value="work"/></conditions>
    <actions><pr:sub-handling>allow</pr:sub-handling></actions></rule>
</ruleset>'''


def test_policy_of_an_xcap_client_is_read_and_replaced(port, dispatcher):
    """A pres-rules document an XCAP client stored under its own URI is read
    by getPolicy and replaced by setPolicy (presence_xml reads one per
    account)."""
    _insert(dispatcher, 'xcap', username='alice', domain=DOMAIN,
            doc=XCAP_CLIENT_DOC, doc_type=2, etag='e1', source=0, port=0,
            doc_uri='/xcap-root/pres-rules/users/sip:alice@example.com/'
                    'other.xml')
    _insert(dispatcher, 'xcap', username='alice', domain=DOMAIN,
            doc=b'<resource-lists/>', doc_type=4, etag='e2', source=0,
            port=0, doc_uri='/xcap-root/resource-lists/users/'
                            'sip:alice@example.com/index')
    assert port('getPolicy', *creds()) == {
        'allow': ['sip:x@example.org', 'example.net'],
        'deny': ['sip:y@example.org'], 'confirm': []}
    port('setPolicy', *creds(), policy(allow=['sip:z@example.org']))
    docs = {r['doc_uri']: r['doc_type'] for r in rows(dispatcher, 'xcap')}
    assert docs == {DOC_URI: 2, '/xcap-root/resource-lists/users/'
                                'sip:alice@example.com/index': 4}
    assert port('getPolicy', *creds())['allow'] == ['sip:z@example.org']


@pytest.mark.parametrize('lists, message', [
    ({'allow': ['mailto:bob@example.com']}, 'policy.allow[0]'),
    ({'deny': ['ok.example', 'sip:']}, 'policy.deny[1]'),
    ({'confirm': ['bad domain']}, 'policy.confirm[0]'),
    ({'allow': ['sip:a b@example.com']}, 'policy.allow[0]'),
    ({'allow': ['sip:bob@example.com'], 'deny': ['bob@EXAMPLE.com']},
     'sip:bob@example.com is in both policy.allow and policy.deny'),
    ({'allow': ['a.example'], 'confirm': ['b.example', 'c.example']},
     'The policy lists 3 domains, more than the maximum of 2')])
def test_bad_policy_is_refused(db_url, lists, message):
    d = make_dispatcher(db_url, presence_max_domains=2)
    try:
        sip = sip_admin(d)
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        sip('addAccount', ('account', {'id': ALICE, 'password': PW}))
        call = Client(d, 'Presence', None, PRESENCE)
        code, text = fault(call, 'setPolicy', *creds(), policy(**lists))
        assert code == 103 and message in text, text
        assert rows(d, 'xcap') == []
    finally:
        d.store.dispose()


def test_policy_arrays_are_bounded(db_url):
    d = make_dispatcher(db_url, max_array_length=3)
    try:
        sip = sip_admin(d)
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        sip('addAccount', ('account', {'id': ALICE, 'password': PW}))
        call = Client(d, 'Presence', None, PRESENCE)
        code, text = fault(call, 'setPolicy', *creds(), policy(
            allow=['sip:u%d@example.org' % i for i in range(4)]))
        # Refused while the request is parsed, before anything is decoded.
        assert code == 103 and 'allow has more items than the maximum of 3' \
            in text
    finally:
        d.store.dispose()


# -- watchers ---------------------------------------------------------------

def _watcher(dispatcher, presentity, user, domain, status, reason=None):
    _insert(dispatcher, 'watchers', presentity_uri=presentity,
            watcher_username=user, watcher_domain=domain, event='presence',
            status=status, reason=reason, inserted_time=int(time.time()))


def _subscription(dispatcher, presentity, user, domain, status, expires,
                  event='presence'):
    n = len(rows(dispatcher, 'active_watchers'))
    _insert(dispatcher, 'active_watchers', presentity_uri=presentity,
            watcher_username=user, watcher_domain=domain, to_user='alice',
            to_domain=DOMAIN, event=event, to_tag='tt%d' % n,
            from_tag='ft%d' % n, callid='c%d' % n, local_cseq=1,
            remote_cseq=1, contact='sip:%s@192.0.2.1' % user,
            expires=int(time.time()) + expires, status=status,
            socket_info='udp:127.0.0.1:5060',
            local_contact='sip:127.0.0.1:5060', from_user=user,
            from_domain=domain, updated=0, updated_winfo=0)


def test_watchers_from_kamailio_tables(port, dispatcher):
    """What Kamailio records: authorization per watcher (watchers), live
    subscriptions (active_watchers)."""
    _watcher(dispatcher, URI, 'bob', 'example.com', 1)
    _subscription(dispatcher, URI, 'bob', 'example.com', 1, 300)
    _watcher(dispatcher, URI, 'eve', 'example.net', 3, 'rejected')
    _watcher(dispatcher, URI, 'carol', 'example.org', 2)
    _subscription(dispatcher, URI, 'carol', 'example.org', 2, 300)
    _watcher(dispatcher, URI, 'pol', 'example.org', 1, 'polite-block')
    _subscription(dispatcher, URI, 'dan', 'example.com', 1, -10)  # expired
    _subscription(dispatcher, URI, 'fay', 'example.com', 1, 300)  # no auth
    _subscription(dispatcher, URI, 'bob', 'example.com', 1, 300,
                  event='presence.winfo')
    _watcher(dispatcher, 'sip:other@example.com', 'gus', 'example.com', 1)
    assert port('getWatchers', *creds()) == [
        {'id': 'sip:bob@example.com', 'status': 'allow', 'online': True},
        {'id': 'sip:carol@example.org', 'status': 'confirm', 'online': True},
        {'id': 'sip:eve@example.net', 'status': 'deny', 'online': False},
        {'id': 'sip:fay@example.com', 'status': 'allow', 'online': True},
        {'id': 'sip:pol@example.org', 'status': 'deny', 'online': False}]


def test_no_watchers(port):
    assert port('getWatchers', *creds()) == []


# -- authentication ---------------------------------------------------------

ALL = [('setPresenceInformation', [info('busy', 'x')]),
       ('getPresenceInformation', []), ('deletePresenceInformation', []),
       ('getWatchers', []), ('setPolicy', [policy(allow=['example.org'])]),
       ('getPolicy', [])]


@pytest.mark.parametrize('operation, extra', ALL, ids=[a[0] for a in ALL])
def test_wrong_password_and_unknown_account(port, dispatcher, operation,
                                            extra):
    """Both answer the same fault 100, and nothing is written."""
    wrong = fault(port, operation, *creds(password='wrong'), *extra)
    unknown = fault(port, operation, *creds(
        {'username': 'nobody', 'domain': DOMAIN}, PW), *extra)
    empty = fault(port, operation, *creds(password=''), *extra)
    assert wrong == unknown == empty == (100, DENIED)
    assert rows(dispatcher, 'presentity') == rows(dispatcher, 'xcap') == []


def test_password_checked_against_ha1_only(db_url, tmp_path):
    """No clear text stored (store_clear_text_passwords off, or an account
    provisioned with md5:md5): the HA1 decides."""
    import hashlib
    d = make_dispatcher(db_url, store_clear_text_passwords=False)
    try:
        sip = sip_admin(d)
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        sip('addAccount', ('account', {'id': ALICE, 'password': PW}))
        ha1 = hashlib.md5(b'bob:example.com:S3cret').hexdigest()
        ha1b = hashlib.md5(b'bob@example.com:example.com:S3cret').hexdigest()
        sip('addAccount', ('account', {
            'id': {'username': 'bob', 'domain': DOMAIN},
            'password': '%s:%s' % (ha1.upper(), ha1b)}))
        assert {r['username']: r['password']
                for r in rows(d, 'subscriber')} == {'alice': '', 'bob': ''}
        call = Client(d, 'Presence', None, PRESENCE)
        assert call('getPolicy', *creds())['allow'] == []
        bob = {'username': 'BOB', 'domain': 'Example.COM'}
        assert call('getPolicy', *creds(bob, 'S3cret'))['deny'] == []
        assert fault(call, 'getPolicy', *creds(bob, 's3cret')) == \
            (100, DENIED)
    finally:
        d.store.dispose()


def test_failed_logins_are_throttled(port, dispatcher):
    """Failures count like any failed login: after slow_after of them from
    one address even the right password waits; other addresses do not."""
    attacker = Client(dispatcher, 'Presence', None, PRESENCE,
                      client='192.0.2.66')
    for _ in range(dispatcher.config.login_policy.slow_after):
        assert fault(attacker, 'getPolicy', *creds(password='guess')) == \
            (100, DENIED)
    code, text = fault(attacker, 'getPolicy', *creds())
    assert code == 100 and text.startswith('Too many failed logins')
    assert port('getPolicy', *creds())['allow'] == []
    # The customer login of the same name is another key.
    assert dispatcher.throttle.refused('alice@example.com', '192.0.2.66') == 0


def test_sip_id_is_validated(port):
    code, text = fault(port, 'getPolicy', *creds(
        {'username': 'al ice', 'domain': DOMAIN}))
    assert (code, text) == (103, "Invalid SIP username 'al ice'")


# -- accounts that go ---------------------------------------------------------

def test_deleting_the_account_removes_its_presence(port, dispatcher):
    sip = sip_admin(dispatcher)
    sip('addAccount', ('account', {'id': {'username': 'bob',
                                          'domain': DOMAIN},
                                   'password': 'pw'}))
    bob_creds = creds({'username': 'bob', 'domain': DOMAIN}, 'pw')
    for who in (creds(), bob_creds):
        port('setPresenceInformation', *who, info('busy', 'x'))
        port('setPolicy', *who, policy(allow=['example.org']))
    _watcher(dispatcher, URI, 'eve', 'example.net', 1)
    _subscription(dispatcher, URI, 'eve', 'example.net', 1, 300)
    _watcher(dispatcher, 'sip:bob@example.com', 'eve', 'example.net', 1)
    sip('deleteAccount', ('sipId', ALICE))
    for table in ('presentity', 'xcap'):
        assert [r['username'] for r in rows(dispatcher, table)] == ['bob']
    assert [r['presentity_uri'] for r in rows(dispatcher, 'watchers')] == \
        ['sip:bob@example.com']
    assert rows(dispatcher, 'active_watchers') == []
    sip('deleteDomain', ('domain', DOMAIN))
    for table in ('presentity', 'xcap', 'watchers', 'active_watchers'):
        assert rows(dispatcher, table) == [], table


# -- Kamailio is told after the commit ----------------------------------------

class FakeKamailio:
    """A jsonrpcs datagram socket that records what it is sent."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='ngnpro-fake-rpc-')
        self.path = os.path.join(self.dir, 'rpc.sock')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.received = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(65536)
            except OSError:
                return
            request = json.loads(data)
            self.received.append((request['method'],
                                  request.get('params', [])))
            self.sock.sendto(json.dumps({'jsonrpc': '2.0', 'result': 'ok',
                                         'id': request['id']}).encode(),
                             peer)

    def close(self):
        self.sock.close()


def test_watchers_are_refreshed_after_commit(db_url):
    fake = FakeKamailio()
    d = make_dispatcher(db_url, kamailio_rpc_socket=fake.path)
    try:
        sip = sip_admin(d)
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        sip('addAccount', ('account', {'id': ALICE, 'password': PW}))
        call = Client(d, 'Presence', None, PRESENCE)
        del fake.received[:]
        call('setPresenceInformation', *creds(), info('busy', 'x'))
        call('setPolicy', *creds(), policy(allow=['example.org']))
        call('deletePresenceInformation', *creds())
        call('deletePresenceInformation', *creds())     # nothing to do
        call('getPolicy', *creds())
        fault(call, 'setPolicy', *creds(password='bad'), policy())
        fault(call, 'setPolicy', *creds(), policy(allow=['bad domain']))
        assert fake.received == [
            ('presence.refreshWatchers', [URI, 'presence', 1]),
            ('presence.refreshWatchers', [URI, 'presence', 0]),
            ('presence.cleanup', [])]
    finally:
        d.store.dispose()
        fake.close()


# -- configuration ----------------------------------------------------------

def test_presence_settings(tmp_path):
    from ngnpro.config import Config
    path = tmp_path / 'c.ini'
    path.write_text('[admin]\npassword = x\n[presence]\nexpires = 60\n'
                    'xcap_root = /xcap/\nmax_domains = 3\n')
    c = Config.load(str(path))
    assert (c.presence_expires, c.presence_xcap_root,
            c.presence_max_domains) == (60, '/xcap/', 3)
    path.write_text('[admin]\npassword = x\n[presence]\nexpires = 0\n')
    with pytest.raises(SystemExit) as err:
        Config.load(str(path))
    assert '[presence] expires must be at least 1' in str(err.value)
    path.write_text('[admin]\npassword = x\n[presence]\n'
                    'expires = 31536001\n')
    with pytest.raises(SystemExit) as err:
        Config.load(str(path))
    assert '[presence] expires must be at most 31536000' in str(err.value)
    defaults = Config()
    assert (defaults.presence_expires, defaults.presence_xcap_root,
            defaults.presence_max_domains) == (86400, '/xcap-root/', 50)


def test_expiry_and_xcap_root_from_the_configuration(db_url):
    d = make_dispatcher(db_url, presence_expires=60,
                        presence_xcap_root='/xcap')
    try:
        sip = sip_admin(d)
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        sip('addAccount', ('account', {'id': ALICE, 'password': PW}))
        call = Client(d, 'Presence', None, PRESENCE)
        call('setPresenceInformation', *creds(), info('busy', 'x'))
        call('setPolicy', *creds(), policy(allow=['example.org']))
        (row,) = rows(d, 'presentity')
        assert row['expires'] == row['received_time'] + 60
        (doc,) = rows(d, 'xcap')
        assert doc['doc_uri'] == \
            '/xcap/pres-rules/users/sip:alice@example.com/index'
    finally:
        d.store.dispose()


# -- concurrency --------------------------------------------------------------

def test_concurrent_writes_keep_one_row_per_account(db_url):
    """Publications and policies of one account written at the same time by
    two servers end up in one presentity row and one xcap row, and every
    call succeeds (the loser of the insert race updates the winner's row)."""
    from ngnpro.store.db import Store
    threads = 8
    servers = [make_dispatcher(db_url) for _ in range(2)]
    for d in servers:
        d.store.dispose()
        d.store = Store(db_url, pool_size=threads)
    try:
        sip = sip_admin(servers[0])
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        for run in range(3):
            user = {'username': 'u%d' % run, 'domain': DOMAIN}
            sip('addAccount', ('account', {'id': user, 'password': PW}))
            barrier = threading.Barrier(threads)
            errors = []

            def work(i):
                call = Client(servers[i % 2], 'Presence', None, PRESENCE)
                barrier.wait()
                try:
                    call('setPresenceInformation', *creds(user),
                         info('busy', 'n%d' % i))
                    call('setPolicy', *creds(user),
                         policy(allow=['sip:w%d@example.org' % i]))
                except Exception as exc:       # pragma: no cover
                    errors.append(exc)
            workers = [threading.Thread(target=work, args=(i,))
                       for i in range(threads)]
            for t in workers:
                t.start()
            for t in workers:
                t.join(60)
            assert errors == []
            assert len(rows(servers[0], 'presentity',
                            username=user['username'])) == 1
            assert len(rows(servers[0], 'xcap',
                            username=user['username'])) == 1
            call = Client(servers[0], 'Presence', None, PRESENCE)
            note = call('getPresenceInformation', *creds(user))['note']
            allowed = call('getPolicy', *creds(user))['allow']
            assert note in ['n%d' % i for i in range(threads)]
            assert len(allowed) == 1
    finally:
        for d in servers:
            d.store.dispose()
