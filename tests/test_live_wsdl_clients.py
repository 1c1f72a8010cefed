"""Three SOAP clients nobody here wrote, each driven only by a WSDL it
downloads over HTTP from the running server (the ``server`` fixture: every
test runs on SQLite and on MariaDB):

* zeep with the document/literal WSDLs (``<base>customer?wsdl``,
  ``<base>sip?wsdl``), through a requests session that refuses any URL not
  on 127.0.0.1, so nothing leaves the machine;
* suds (suds-community) with the same literal WSDLs and with the rpc/encoded
  ones, no cache, through a transport with the same rule;
* PHP ext/soap in WSDL mode with the per-port rpc/encoded WSDLs
  (``<base>wsdl/CustomerPort``, ``<base>wsdl/SipPort``) and with the literal
  ones.

Documented client behaviour the tests assert as such (not server bugs):

* A literal array is a wrapper type ``{item*}``. zeep and suds give a
  Python list in ``.item`` (also for one item). The server marks literal
  arrays with ``xsi:type`` of their schema type so that zeep decodes an
  empty one as ``item == []`` (it returns None for an element without
  children or attributes); suds still decodes an EMPTY wrapper such as
  ``<acl/>`` as ``None`` (umx.core postprocess drops empty nillable
  elements). With the rpc/encoded WSDL, PHP and suds give ``[]`` and plain
  lists: the recommended WSDL for suds.
* PHP ext/soap decodes a one-item literal wrapper as ``item => scalar``
  unless the client sets the SOAP_SINGLE_ELEMENT_ARRAYS feature.
* The WSDLs declare no fault messages, so a literal client reads the fault
  detail untyped: ``errorcode`` arrives as the text "5001" (zeep: lxml
  element, suds: Text, PHP: string). In rpc/encoded the server's
  ``xsi:type="xsd:int"`` makes PHP decode an int.
"""
import json
import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import require
from tests.helpers import ADMIN
from tests.support.php import php_missing, run_php

TYPES_NS = 'urn:AGProjects:NGNPro'
ADMIN_AUTH = {'username': ADMIN[0], 'password': ADMIN[1], 'admin': True}
CREDIT = {'name': 'sip_credit', 'value': '5', 'category': 'credit',
          'permission': 'admin'}
WEB = {'name': 'web_x', 'value': '1', 'category': 'web',
       'permission': 'customer'}
ALICE = {'username': 'alice', 'domain': 'example.com'}
BOB = {'username': 'bob', 'domain': 'example.com'}
CAROL = {'username': 'carol', 'domain': 'example.com'}
AL = {'username': 'al', 'domain': 'example.com'}
BOB_ACL = {'ip': '192.0.2.0', 'mask': 24, 'tag': 'office'}
BOB_PROP = {'name': 'language', 'value': 'en'}
GW = {'ip': '192.0.2.1', 'description': 'gateway', 'msteams': False,
      'enumLookup': True}
TEAMS = {'ip': '192.0.2.2', 'description': 'teams', 'msteams': True,
         'tenant': 'contoso'}

DUP_CUSTOMER = 'Customer username acme already exists'
NO_CUSTOMER = 'Customer 999 does not exist'
IN_GROUP = 'SIP account alice@example.com is already in group blocked'
NOT_IN_GROUP = 'SIP account alice@example.com is not in group nope'
NO_ALICE = 'SIP account alice@example.com does not exist'
DUP_DOMAIN = 'SIP domain example.com already exists'


def by_name(items):
    return sorted(items, key=lambda p: p['name'])


def on_loopback(url):
    return urlsplit(url).hostname == '127.0.0.1'


def check_literal_customer_listing(svc, acme, beta):
    """getCustomers paging, both orders and the reseller filter, as the
    literal clients (zeep, suds) call it; acme (firstName Jane) is the
    reseller of beta, zed a reseller of its own. Returns the first page."""
    page = svc.getCustomers(query={
        'filter': {'username': '%'},
        'orderBy': {'attribute': 'username', 'direction': 'ASC'},
        'range': {'start': 1, 'count': 1}})
    assert page.total == 3
    assert [a.username for a in page.accounts.item] == ['beta']
    desc = svc.getCustomers(query={
        'filter': {'username': '%'},
        'orderBy': {'attribute': 'username', 'direction': 'DESC'},
        'range': {'start': 0, 'count': 10}})
    assert desc.total == 3
    assert [a.username for a in desc.accounts.item] == ['zed', 'beta', 'acme']
    mine = svc.getCustomers(query={
        'filter': {'reseller': acme.id},
        'orderBy': {'attribute': 'username', 'direction': 'ASC'}})
    assert mine.total == 2
    assert [(a.id, a.username) for a in mine.accounts.item] == \
        [(acme.id, 'acme'), (beta.id, 'beta')]
    assert mine.accounts.item[0].firstName == 'Jane'
    return page


# -- zeep -------------------------------------------------------------------

def zeep_client(server, path):
    """A zeep Client for ``<server.url><path>`` whose session only talks to
    127.0.0.1, and that session (``.fetched`` lists every request)."""
    zeep = pytest.importorskip('zeep')
    import requests
    from zeep.transports import Transport

    class LoopbackSession(requests.Session):
        def __init__(self):
            super().__init__()
            self.trust_env = False          # no proxy from the environment
            self.fetched = []

        def request(self, method, url, *args, **kwargs):
            if not on_loopback(url):
                raise AssertionError('network access attempted: %s %s'
                                     % (method, url))
            self.fetched.append((method.upper(), url))
            return super().request(method, url, *args, **kwargs)

    session = LoopbackSession()
    client = zeep.Client(server.url + path,
                         transport=Transport(session=session, timeout=30))
    return client, session


def zeep_fault(call, *args, **kwargs):
    """Call, expect a zeep Fault -> (errorcode text, errorstring,
    faultstring), read from detail/exception like the legacy client."""
    from zeep.exceptions import Fault
    with pytest.raises(Fault) as info:
        call(*args, **kwargs)
    fault = info.value
    assert fault.detail is not None, 'fault without detail: %s' % fault
    (exc,) = fault.detail.xpath('*[local-name()="exception"]')
    (code,) = exc.xpath('*[local-name()="errorcode"]/text()')
    (text,) = exc.xpath('*[local-name()="errorstring"]/text()')
    return code, text, fault.message


def zplain(value):
    from zeep.helpers import serialize_object
    return serialize_object(value, dict)


def check_traffic(server, fetched, path):
    """The WSDL came from the server, every call went to its own URL (the
    placeholder location was rewritten), nothing else was fetched."""
    assert fetched[0] == ('GET', server.url + path)
    posts = fetched[1:]
    assert len(posts) >= 10
    assert set(posts) == {('POST', server.url)}


def test_zeep_customer_port(server):
    client, session = zeep_client(server, 'customer?wsdl')
    client.set_default_soapheaders({'auth': ADMIN_AUTH})
    svc = client.service

    acme = svc.addAccount(account={
        'username': 'acme', 'password': 'Acme-2024', 'firstName': 'John',
        'lastName': 'Doe', 'balance': 10.5, 'resellerActive': True,
        'properties': {'item': [CREDIT]}})
    assert isinstance(acme.id, int) and acme.id > 0
    assert acme.reseller == acme.id          # no reseller: its own reseller
    assert (acme.username, acme.password, acme.firstName, acme.lastName) == \
        ('acme', 'Acme-2024', 'John', 'Doe')
    assert acme.balance == 10.5 and isinstance(acme.balance, float)
    assert acme.resellerActive is True
    assert isinstance(acme.properties.item, list)
    assert zplain(acme.properties.item) == [CREDIT]
    beta = svc.addAccount(account={'username': 'beta', 'password': 'x',
                                   'reseller': acme.id})
    assert beta.id > acme.id and beta.reseller == acme.id
    assert beta.properties.item == []        # an empty list, not None
    zed = svc.addAccount(account={'username': 'zed', 'password': 'x'})
    assert zed.id > beta.id and zed.reseller == zed.id

    got = svc.getAccount(id=acme.id)
    assert (got.id, got.reseller, got.username, got.firstName) == \
        (acme.id, acme.id, 'acme', 'John')
    assert got.resellerActive is True and got.balance == 10.5
    assert zplain(got.properties.item) == [CREDIT]
    got.firstName = 'Jane'
    got.city = 'Haarlem'
    assert svc.updateAccount(account=got) is None
    after = svc.getAccount(id=acme.id)
    assert (after.firstName, after.city, after.lastName, after.password) == \
        ('Jane', 'Haarlem', 'Doe', 'Acme-2024')
    assert zplain(after.properties.item) == [CREDIT]

    check_literal_customer_listing(svc, acme, beta)
    none = svc.getCustomers(query={'filter': {'username': 'nobody'}})
    assert none.total == 0 and none.accounts.item == []

    assert svc.setProperties(customer=acme.id,
                             properties={'item': [WEB]}) is None
    props = svc.getProperties(customer=acme.id)
    assert isinstance(props, list)           # zeep unwraps the lone member
    assert by_name(zplain(props)) == [CREDIT, WEB]   # upsert, not replace

    assert zeep_fault(svc.addAccount, account={
        'username': 'acme', 'password': 'other'}) == \
        ('5001', DUP_CUSTOMER, DUP_CUSTOMER)
    assert zeep_fault(svc.getAccount, id=999) == \
        ('5000', NO_CUSTOMER, NO_CUSTOMER)
    check_traffic(server, session.fetched, 'customer?wsdl')


def test_zeep_sip_port(server):
    client, session = zeep_client(server, 'sip?wsdl')
    svc = client.service
    headers = {'auth': ADMIN_AUTH}

    def call(op, **kwargs):
        return getattr(svc, op)(_soapheaders=headers, **kwargs)

    def fault(op, **kwargs):
        return zeep_fault(getattr(svc, op), _soapheaders=headers, **kwargs)

    assert call('addDomain', domain={'domain': 'example.com'}) is None
    assert fault('addDomain', domain={'domain': 'example.com'}) == \
        ('1001', DUP_DOMAIN, DUP_DOMAIN)
    alice = call('addAccount', account={
        'id': ALICE, 'password': 'pw', 'firstName': 'Alice',
        'prepaid': False, 'groups': {'item': ['free-pstn']},
        'acl': {'item': []}, 'properties': {'item': []}})
    assert (alice.id.username, alice.id.domain) == ('alice', 'example.com')
    assert alice.email == 'alice@example.com'
    bob = call('addAccount', account={
        'id': BOB, 'password': 'pw', 'prepaid': True,
        'acl': {'item': [BOB_ACL]}, 'properties': {'item': [BOB_PROP]}})
    assert zplain(bob.id) == BOB and bob.prepaid is True
    assert zplain(bob.acl.item) == [BOB_ACL]
    assert zplain(bob.properties.item) == [BOB_PROP]
    assert bob.groups.item == []
    assert zplain(call('addAccount', account={
        'id': CAROL, 'password': 'pw'}).id) == CAROL

    got = call('getAccount', sipId=ALICE)
    assert zplain(got.id) == ALICE and got.firstName == 'Alice'
    assert isinstance(got.groups.item, list)
    assert got.groups.item == ['free-pstn']          # a one-item list
    assert got.acl.item == [] and got.properties.item == []
    assert got.prepaid is False and isinstance(got.prepaid, bool)
    assert got.timeout == 35 and isinstance(got.timeout, int)

    assert call('addToGroup', sipId=ALICE, group='blocked') is None
    assert fault('addToGroup', sipId=ALICE, group='blocked') == \
        ('1030', IN_GROUP, IN_GROUP)
    assert fault('removeFromGroup', sipId=ALICE, group='nope') == \
        ('1031', NOT_IN_GROUP, NOT_IN_GROUP)
    assert call('getGroups', sipId=ALICE) == ['blocked', 'free-pstn']
    assert call('removeFromGroup', sipId=ALICE, group='blocked') is None
    assert call('getAccount', sipId=ALICE).groups.item == ['free-pstn']

    page = call('getAccounts', query={
        'filter': {'domain': 'example.com'},
        'orderBy': {'attribute': 'username', 'direction': 'ASC'},
        'range': {'start': 1, 'count': 1}})
    assert page.total == 3
    assert [zplain(a.id) for a in page.accounts.item] == [BOB]
    assert page.accounts.item[0].prepaid is True
    grouped = call('getAccounts', query={
        'filter': {'domain': 'example.com',
                   'groups': {'item': ['free-pstn']}},
        'range': {'start': 0, 'count': 10}})
    assert grouped.total == 1
    assert [zplain(a.id) for a in grouped.accounts.item] == [ALICE]

    assert call('addAlias', alias={'id': AL, 'target': ALICE}) is None
    aliases = call('getAliases', query={
        'filter': {'targetUsername': 'alice', 'targetDomain': 'example.com'},
        'range': {'start': 0, 'count': 20}})
    assert aliases.total == 1
    assert [(zplain(a.id), zplain(a.target)) for a in aliases.aliases.item] \
        == [(AL, ALICE)]

    assert call('addTrustedPeer', peer=GW) is None
    assert call('addTrustedPeer', peer=TEAMS) is None
    teams = call('getTrustedPeers', query={'filter': {'msteams': True}})
    assert teams.total == 1
    (peer,) = teams.peers.item
    assert (peer.ip, peer.msteams, peer.tenant) == \
        ('192.0.2.2', True, 'contoso')
    plain = call('getTrustedPeers', query={'filter': {'msteams': False}})
    assert plain.total == 1
    (peer,) = plain.peers.item
    assert (peer.ip, peer.msteams, peer.enumLookup) == \
        ('192.0.2.1', False, True)
    both = call('getTrustedPeers', query={
        'filter': {'ip': '192.0.2.%'},
        'orderBy': {'attribute': 'ip', 'direction': 'ASC'}})
    assert [p.ip for p in both.peers.item] == ['192.0.2.1', '192.0.2.2']

    assert call('deleteAccount', sipId=ALICE) is None
    assert fault('getAccount', sipId=ALICE) == \
        ('1010', NO_ALICE, NO_ALICE)
    check_traffic(server, session.fetched, 'sip?wsdl')


def test_zeep_rpc_wsdl_imports_soap_encoding_from_the_server(server):
    """The per-port rpc/encoded WSDL imports the SOAP-encoding schema from
    the server's own /ngnpro/soap-encoding.xsd, never from the network."""
    client, session = zeep_client(server, 'wsdl/CustomerPort')
    assert session.fetched == [('GET', server.url + 'wsdl/CustomerPort'),
                               ('GET', server.url + 'soap-encoding.xsd')]
    headers = {'auth': ADMIN_AUTH}
    created = client.service.addAccount(
        account={'username': 'rpc-user', 'password': 'pw'},
        _soapheaders=headers)
    assert created.id > 0 and created.reseller == created.id
    got = client.service.getAccount(id=created.id, _soapheaders=headers)
    assert (got.username, got.password) == ('rpc-user', 'pw')
    assert session.fetched[2:] == [('POST', server.url)] * 2


# -- suds -------------------------------------------------------------------

def suds_client(server, path):
    """A suds Client for ``<server.url><path>``, no cache, whose transport
    only talks to 127.0.0.1; admin auth header built from the WSDL's
    AuthHeader type."""
    pytest.importorskip('suds')
    from suds.cache import NoCache
    from suds.client import Client
    from suds.transport.http import HttpTransport

    class Loopback(HttpTransport):
        def __init__(self, **kwargs):
            HttpTransport.__init__(self, **kwargs)
            self.fetched = []

        def open(self, request):
            if not on_loopback(request.url):
                raise AssertionError('network access attempted: %s'
                                     % request.url)
            self.fetched.append(('GET', request.url))
            return HttpTransport.open(self, request)

        def send(self, request):
            if not on_loopback(request.url):
                raise AssertionError('network access attempted: %s'
                                     % request.url)
            self.fetched.append(('POST', request.url))
            return HttpTransport.send(self, request)

    transport = Loopback(timeout=30)
    client = Client(server.url + path, cache=NoCache(), transport=transport)
    auth = client.factory.create('{%s}AuthHeader' % TYPES_NS)
    auth.username, auth.password, auth.admin = ADMIN[0], ADMIN[1], True
    client.set_options(soapheaders=auth)
    return client, transport


def suds_fault(call, *args, **kwargs):
    from suds import WebFault
    with pytest.raises(WebFault) as info:
        call(*args, **kwargs)
    fault = info.value.fault
    exc = fault.detail.exception
    return exc.errorcode, exc.errorstring, fault.faultstring


def splain(value):
    from suds.sudsobject import recursive_asdict
    if isinstance(value, list):
        return [splain(v) for v in value]
    return recursive_asdict(value) if hasattr(value, '__keylist__') else value


def test_suds_customer_port(server):
    client, transport = suds_client(server, 'customer?wsdl')
    svc = client.service

    account = client.factory.create('{%s}CustomerAccount' % TYPES_NS)
    account.username, account.password = 'acme', 'Acme-2024'
    account.firstName, account.lastName = 'John', 'Doe'
    account.balance, account.resellerActive = 10.5, True
    props = client.factory.create('{%s}CustomerPropertyArray' % TYPES_NS)
    props.item = [CREDIT]
    account.properties = props
    acme = svc.addAccount(account)
    assert isinstance(acme.id, int) and acme.id > 0
    assert acme.reseller == acme.id
    assert (acme.username, acme.password, acme.firstName, acme.lastName) == \
        ('acme', 'Acme-2024', 'John', 'Doe')
    assert acme.balance == 10.5 and isinstance(acme.balance, float)
    assert acme.resellerActive is True
    assert isinstance(acme.properties.item, list)
    assert splain(acme.properties.item) == [CREDIT]
    beta = svc.addAccount({'username': 'beta', 'password': 'x',
                           'reseller': acme.id})
    assert beta.id > acme.id and beta.reseller == acme.id
    assert beta.properties is None           # empty wrapper: suds gives None
    zed = svc.addAccount({'username': 'zed', 'password': 'x'})
    assert zed.id > beta.id and zed.reseller == zed.id

    got = svc.getAccount(acme.id)
    assert (got.id, got.reseller, got.username, got.firstName) == \
        (acme.id, acme.id, 'acme', 'John')
    assert got.resellerActive is True and got.balance == 10.5
    assert splain(got.properties.item) == [CREDIT]
    got.firstName, got.city = 'Jane', 'Haarlem'
    assert svc.updateAccount(got) is None
    after = svc.getAccount(id=acme.id)
    assert (after.firstName, after.city, after.lastName, after.password) == \
        ('Jane', 'Haarlem', 'Doe', 'Acme-2024')
    assert splain(after.properties.item) == [CREDIT]

    page = check_literal_customer_listing(svc, acme, beta)
    assert isinstance(page.total, int)
    none = svc.getCustomers(query={'filter': {'username': 'nobody'}})
    assert none.total == 0 and none.accounts is None

    assert svc.setProperties(acme.id, {'item': [WEB]}) is None
    props = svc.getProperties(customer=acme.id)
    assert isinstance(props.item, list)
    assert by_name(splain(props.item)) == [CREDIT, WEB]

    assert suds_fault(svc.addAccount, {'username': 'acme',
                                       'password': 'other'}) == \
        ('5001', DUP_CUSTOMER, DUP_CUSTOMER)
    assert suds_fault(svc.getAccount, 999) == \
        ('5000', NO_CUSTOMER, NO_CUSTOMER)
    check_traffic(server, transport.fetched, 'customer?wsdl')


def test_suds_rpc_encoded_wsdl(server):
    """With the rpc/encoded WSDL suds sends SOAP-ENC arrays, as the legacy
    client does, and decodes every array as a list, empty ones included
    (with the literal WSDL an empty array comes back as None)."""
    customers, transport = suds_client(server, 'wsdl/CustomerPort')
    acme = customers.service.addAccount({
        'username': 'acme', 'password': 'pw', 'resellerActive': True,
        'properties': [CREDIT]})
    sent = customers.last_sent().str()
    assert 'encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"' in sent
    assert re.search(r'arrayType="\w+:CustomerProperty\[1\]"', sent)
    assert acme.resellerActive is True and acme.balance == 0.0
    assert [splain(p) for p in acme.properties] == [CREDIT]
    plain = customers.service.addAccount({'username': 'plain',
                                          'password': 'pw'})
    assert plain.properties == [] and plain.resellerActive is False
    none = customers.service.getCustomers({'filter': {'username': 'nobody'}})
    assert none.total == 0 and none.accounts == []
    assert suds_fault(customers.service.getAccount, 999) == \
        ('5000', NO_CUSTOMER, NO_CUSTOMER)

    sip, _ = suds_client(server, 'wsdl/SipPort')
    assert sip.service.addDomain({'domain': 'example.com',
                                  'customer': acme.id}) is None
    alice = sip.service.addAccount({'id': ALICE, 'password': 'pw',
                                    'groups': ['free-pstn'],
                                    'prepaid': False})
    assert alice.groups == ['free-pstn'] and alice.prepaid is False
    assert alice.acl == [] and alice.properties == []
    assert sip.service.addToGroup(ALICE, 'blocked') is None
    assert suds_fault(sip.service.addToGroup, ALICE, 'blocked') == \
        ('1030', IN_GROUP, IN_GROUP)
    assert sip.service.getGroups(ALICE) == ['blocked', 'free-pstn']
    found = sip.service.getAccounts({
        'filter': {'groups': ['blocked']},
        'orderBy': {'attribute': 'username', 'direction': 'ASC'},
        'range': {'start': 0, 'count': 10}})
    assert found.total == 1
    assert [splain(a.id) for a in found.accounts] == [ALICE]
    empty = sip.service.getAliases({'filter': {'aliasUsername': 'nobody'}})
    assert empty.total == 0 and empty.aliases == []


def test_suds_sip_port(server):
    client, transport = suds_client(server, 'sip?wsdl')
    svc = client.service

    domain = client.factory.create('{%s}SipDomain' % TYPES_NS)
    domain.domain = 'example.com'
    assert svc.addDomain(domain) is None
    assert suds_fault(svc.addDomain, {'domain': 'example.com'}) == \
        ('1001', DUP_DOMAIN, DUP_DOMAIN)
    groups = client.factory.create('{%s}StringArray' % TYPES_NS)
    groups.item = ['free-pstn']
    alice = svc.addAccount({
        'id': ALICE, 'password': 'pw', 'firstName': 'Alice',
        'prepaid': False, 'groups': groups, 'acl': {'item': []},
        'properties': {'item': []}})
    assert (alice.id.username, alice.id.domain) == ('alice', 'example.com')
    assert alice.email == 'alice@example.com'
    bob = svc.addAccount({
        'id': BOB, 'password': 'pw', 'prepaid': True,
        'acl': {'item': [BOB_ACL]}, 'properties': {'item': [BOB_PROP]}})
    assert splain(bob.id) == BOB and bob.prepaid is True
    assert splain(bob.acl.item) == [BOB_ACL]
    assert splain(bob.properties.item) == [BOB_PROP]
    assert bob.groups is None
    assert splain(svc.addAccount({'id': CAROL, 'password': 'pw'}).id) == \
        CAROL

    got = svc.getAccount(ALICE)
    assert splain(got.id) == ALICE and got.firstName == 'Alice'
    assert isinstance(got.groups.item, list)
    assert got.groups.item == ['free-pstn']          # a one-item list
    assert got.acl is None and got.properties is None  # see module doc
    assert got.prepaid is False and isinstance(got.prepaid, bool)
    assert got.timeout == 35 and isinstance(got.timeout, int)

    assert svc.addToGroup(ALICE, 'blocked') is None
    assert suds_fault(svc.addToGroup, ALICE, 'blocked') == \
        ('1030', IN_GROUP, IN_GROUP)
    assert suds_fault(svc.removeFromGroup, sipId=ALICE, group='nope') == \
        ('1031', NOT_IN_GROUP, NOT_IN_GROUP)
    assert svc.getGroups(ALICE).item == ['blocked', 'free-pstn']
    assert svc.removeFromGroup(ALICE, 'blocked') is None
    assert svc.getAccount(ALICE).groups.item == ['free-pstn']

    page = svc.getAccounts({
        'filter': {'domain': 'example.com'},
        'orderBy': {'attribute': 'username', 'direction': 'ASC'},
        'range': {'start': 1, 'count': 1}})
    assert page.total == 3
    assert [splain(a.id) for a in page.accounts.item] == [BOB]
    assert page.accounts.item[0].prepaid is True
    grouped = svc.getAccounts({
        'filter': {'domain': 'example.com',
                   'groups': {'item': ['free-pstn']}},
        'range': {'start': 0, 'count': 10}})
    assert grouped.total == 1
    assert [splain(a.id) for a in grouped.accounts.item] == [ALICE]

    assert svc.addAlias({'id': AL, 'target': ALICE}) is None
    aliases = svc.getAliases({
        'filter': {'targetUsername': 'alice', 'targetDomain': 'example.com'},
        'range': {'start': 0, 'count': 20}})
    assert aliases.total == 1
    assert [(splain(a.id), splain(a.target)) for a in aliases.aliases.item] \
        == [(AL, ALICE)]

    assert svc.addTrustedPeer(GW) is None
    assert svc.addTrustedPeer(TEAMS) is None
    teams = svc.getTrustedPeers({'filter': {'msteams': True}})
    assert teams.total == 1
    (peer,) = teams.peers.item
    assert (peer.ip, peer.msteams, peer.tenant) == \
        ('192.0.2.2', True, 'contoso')
    plain = svc.getTrustedPeers({'filter': {'msteams': False}})
    assert plain.total == 1
    (peer,) = plain.peers.item
    assert (peer.ip, peer.msteams, peer.enumLookup) == \
        ('192.0.2.1', False, True)

    assert svc.deleteAccount(ALICE) is None
    assert suds_fault(svc.getAccount, ALICE) == ('1010', NO_ALICE, NO_ALICE)
    check_traffic(server, transport.fetched, 'sip?wsdl')


# -- PHP ext/soap in WSDL mode ------------------------------------------------

PHP_PRELUDE = r'''
function client($wsdl, $features = 0) {
    $c = new SoapClient($GLOBALS['URL'] . $wsdl, [
        'cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true, 'trace' => 1,
        'features' => $features]);
    $c->__setSoapHeaders(new SoapHeader('urn:AGProjects:NGNPro', 'auth',
        (object) ['username' => $GLOBALS['ADMIN'],
                  'password' => $GLOBALS['PASS'], 'admin' => true]));
    return $c;
}
function call($c, $op, ...$args) {
    global $locations;
    try {
        return ['ok' => $c->__soapCall($op, $args)];
    } catch (SoapFault $f) {
        $code = $f->detail->exception->errorcode ?? null;
        return ['fault' => ['code' => $code, 'code_type' => gettype($code),
            'string' => $f->detail->exception->errorstring ?? null,
            'faultstring' => $f->faultstring]];
    } finally {
        $locations[] = $c->__getLastRequestHeaders();
    }
}
$locations = [];
$out = [];
'''


@pytest.fixture
def php(server):
    require(php_missing() is None, 'PHP SOAP client', 'php-cli php-soap')

    def run(body):
        script = PHP_PRELUDE + '$URL = %s;\n' % json.dumps(server.url) + \
            '$ADMIN = %s; $PASS = %s;\n' % (json.dumps(ADMIN[0]),
                                           json.dumps(ADMIN[1])) + body + \
            '\n$out["hosts"] = array_values(array_unique(array_map(' \
            'function ($h) { preg_match("/^Host: (.*)$/mi", $h, $m); ' \
            'return trim($m[1]); }, $locations)));' \
            '\necho json_encode($out);\n'
        out = json.loads(run_php(script, timeout=60))
        # Every call went to the server's own address: the placeholder
        # location in the downloaded WSDL was rewritten.
        assert out.pop('hosts') == [urlsplit(server.url).netloc]
        return out
    return run


def fault(code, text, code_type='integer'):
    return {'fault': {'code': code, 'code_type': code_type, 'string': text,
                      'faultstring': text}}


def test_php_wsdl_customer_port_rpc_encoded(php):
    out = php(r'''
$c = client('wsdl/CustomerPort');
$add = call($c, 'addAccount', (object) ['username' => 'acme',
    'password' => 'Acme-2024', 'firstName' => 'John', 'lastName' => 'Doe',
    'balance' => 10.5, 'resellerActive' => true,
    'properties' => [(object) ['name' => 'sip_credit', 'value' => '5',
                               'category' => 'credit', 'permission' => 'admin']]]);
$out['add'] = $add;
$id = $add['ok']->id;
$out['beta'] = call($c, 'addAccount', (object) ['username' => 'beta',
    'password' => 'x', 'reseller' => $id]);
$out['zed'] = call($c, 'addAccount', (object) ['username' => 'zed',
    'password' => 'x']);
$got = call($c, 'getAccount', $id)['ok'];
$out['get'] = $got;
$out['types'] = ['id' => gettype($got->id), 'balance' => gettype($got->balance),
    'resellerActive' => gettype($got->resellerActive),
    'properties' => gettype($got->properties),
    'list' => array_is_list($got->properties)];
$got->firstName = 'Jane';
$got->city = 'Haarlem';
$out['update'] = call($c, 'updateAccount', $got);
$out['after'] = call($c, 'getAccount', $id)['ok'];
$out['page'] = call($c, 'getCustomers', (object) [
    'filter' => (object) ['username' => '%'],
    'orderBy' => (object) ['attribute' => 'username', 'direction' => 'ASC'],
    'range' => (object) ['start' => 1, 'count' => 1]]);
$out['mine'] = call($c, 'getCustomers', (object) [
    'filter' => (object) ['reseller' => $id],
    'orderBy' => (object) ['attribute' => 'username', 'direction' => 'ASC']]);
$out['none'] = call($c, 'getCustomers', (object) [
    'filter' => (object) ['username' => 'nobody']]);
$out['setp'] = call($c, 'setProperties', $id, [(object) ['name' => 'web_x',
    'value' => '1', 'category' => 'web', 'permission' => 'customer']]);
$out['props'] = call($c, 'getProperties', $id);
$out['dup'] = call($c, 'addAccount', (object) ['username' => 'acme',
    'password' => 'other']);
$out['missing'] = call($c, 'getAccount', 999);
''')
    add = out['add']['ok']
    assert add['id'] > 0 and add['reseller'] == add['id']
    assert (add['username'], add['firstName'], add['lastName']) == \
        ('acme', 'John', 'Doe')
    assert add['balance'] == 10.5 and add['resellerActive'] is True
    assert add['properties'] == [CREDIT]
    beta, zed = out['beta']['ok'], out['zed']['ok']
    assert beta['id'] > add['id'] and beta['reseller'] == add['id']
    assert beta['properties'] == []
    assert zed['id'] > beta['id'] and zed['reseller'] == zed['id']
    got = out['get']
    assert (got['id'], got['username'], got['password']) == \
        (add['id'], 'acme', 'Acme-2024')
    assert got['properties'] == [CREDIT]
    assert out['types'] == {'id': 'integer', 'balance': 'double',
                            'resellerActive': 'boolean',
                            'properties': 'array', 'list': True}
    assert out['update'] == {'ok': None}
    after = out['after']
    assert (after['firstName'], after['city'], after['lastName']) == \
        ('Jane', 'Haarlem', 'Doe')
    assert after['properties'] == [CREDIT]
    page = out['page']['ok']
    assert page['total'] == 3
    assert [a['username'] for a in page['accounts']] == ['beta']
    mine = out['mine']['ok']
    assert mine['total'] == 2
    assert [a['id'] for a in mine['accounts']] == [add['id'], beta['id']]
    assert out['none'] == {'ok': {'total': 0, 'accounts': []}}
    assert out['setp'] == {'ok': None}
    assert by_name(out['props']['ok']) == [CREDIT, WEB]
    assert out['dup'] == fault(5001, DUP_CUSTOMER)
    assert out['missing'] == fault(5000, NO_CUSTOMER)


def test_php_wsdl_sip_port_rpc_encoded(php):
    out = php(r'''
$c = client('wsdl/SipPort');
$alice = (object) ['username' => 'alice', 'domain' => 'example.com'];
$out['dom'] = call($c, 'addDomain', (object) ['domain' => 'example.com']);
$out['dupdom'] = call($c, 'addDomain', (object) ['domain' => 'example.com']);
$out['add'] = call($c, 'addAccount', (object) ['id' => $alice,
    'password' => 'pw', 'firstName' => 'Alice', 'prepaid' => false,
    'groups' => ['free-pstn'], 'acl' => [], 'properties' => []]);
$out['bob'] = call($c, 'addAccount', (object) [
    'id' => (object) ['username' => 'bob', 'domain' => 'example.com'],
    'password' => 'pw', 'prepaid' => true,
    'acl' => [(object) ['ip' => '192.0.2.0', 'mask' => 24, 'tag' => 'office']],
    'properties' => [(object) ['name' => 'language', 'value' => 'en']]]);
$out['carol'] = call($c, 'addAccount', (object) [
    'id' => (object) ['username' => 'carol', 'domain' => 'example.com'],
    'password' => 'pw']);
$got = call($c, 'getAccount', $alice)['ok'];
$out['get'] = $got;
$out['types'] = ['prepaid' => gettype($got->prepaid),
    'groups' => gettype($got->groups), 'one' => array_is_list($got->groups),
    'acl' => gettype($got->acl), 'properties' => gettype($got->properties),
    'timeout' => gettype($got->timeout)];
$out['grp'] = call($c, 'addToGroup', $alice, 'blocked');
$out['grp2'] = call($c, 'addToGroup', $alice, 'blocked');
$out['ungrp'] = call($c, 'removeFromGroup', $alice, 'nope');
$out['groups'] = call($c, 'getGroups', $alice);
$out['ungrp2'] = call($c, 'removeFromGroup', $alice, 'blocked');
$out['page'] = call($c, 'getAccounts', (object) [
    'filter' => (object) ['domain' => 'example.com'],
    'orderBy' => (object) ['attribute' => 'username', 'direction' => 'ASC'],
    'range' => (object) ['start' => 1, 'count' => 1]]);
$out['grouped'] = call($c, 'getAccounts', (object) [
    'filter' => (object) ['domain' => 'example.com', 'groups' => ['free-pstn']],
    'range' => (object) ['start' => 0, 'count' => 10]]);
$out['alias'] = call($c, 'addAlias', (object) [
    'id' => (object) ['username' => 'al', 'domain' => 'example.com'],
    'target' => $alice]);
$out['aliases'] = call($c, 'getAliases', (object) [
    'filter' => (object) ['targetUsername' => 'alice',
                          'targetDomain' => 'example.com'],
    'range' => (object) ['start' => 0, 'count' => 20]]);
$out['gw'] = call($c, 'addTrustedPeer', (object) ['ip' => '192.0.2.1',
    'description' => 'gateway', 'msteams' => false, 'enumLookup' => true]);
$out['teams'] = call($c, 'addTrustedPeer', (object) ['ip' => '192.0.2.2',
    'description' => 'teams', 'msteams' => true, 'tenant' => 'contoso']);
$out['msteams'] = call($c, 'getTrustedPeers', (object) [
    'filter' => (object) ['msteams' => true]]);
$out['plain'] = call($c, 'getTrustedPeers', (object) [
    'filter' => (object) ['msteams' => false]]);
$out['del'] = call($c, 'deleteAccount', $alice);
$out['gone'] = call($c, 'getAccount', $alice);
''')
    assert out['dom'] == {'ok': None}
    assert out['dupdom'] == fault(1001, DUP_DOMAIN)
    add = out['add']['ok']
    assert add['id'] == ALICE and add['email'] == 'alice@example.com'
    bob = out['bob']['ok']
    assert bob['id'] == BOB and bob['prepaid'] is True
    assert bob['acl'] == [BOB_ACL] and bob['properties'] == [BOB_PROP]
    assert bob['groups'] == []
    assert out['carol']['ok']['id'] == CAROL
    got = out['get']
    assert got['id'] == ALICE and got['firstName'] == 'Alice'
    assert got['groups'] == ['free-pstn']
    assert got['acl'] == [] and got['properties'] == []
    assert got['prepaid'] is False and got['timeout'] == 35
    assert out['types'] == {'prepaid': 'boolean', 'groups': 'array',
                            'one': True, 'acl': 'array',
                            'properties': 'array', 'timeout': 'integer'}
    assert out['grp'] == {'ok': None}
    assert out['grp2'] == fault(1030, IN_GROUP)
    assert out['ungrp'] == fault(1031, NOT_IN_GROUP)
    assert out['groups'] == {'ok': ['blocked', 'free-pstn']}
    assert out['ungrp2'] == {'ok': None}
    page = out['page']['ok']
    assert page['total'] == 3
    assert [a['id'] for a in page['accounts']] == [BOB]
    assert page['accounts'][0]['prepaid'] is True
    grouped = out['grouped']['ok']
    assert grouped['total'] == 1
    assert [a['id'] for a in grouped['accounts']] == [ALICE]
    assert out['alias'] == {'ok': None}
    aliases = out['aliases']['ok']
    assert aliases['total'] == 1
    assert [(a['id'], a['target']) for a in aliases['aliases']] == \
        [(AL, ALICE)]
    assert out['gw'] == {'ok': None} and out['teams'] == {'ok': None}
    teams = out['msteams']['ok']
    assert teams['total'] == 1
    assert [(p['ip'], p['msteams'], p['tenant']) for p in teams['peers']] == \
        [('192.0.2.2', True, 'contoso')]
    plain = out['plain']['ok']
    assert plain['total'] == 1
    assert [(p['ip'], p['msteams'], p['enumLookup'])
            for p in plain['peers']] == [('192.0.2.1', False, True)]
    assert out['del'] == {'ok': None}
    assert out['gone'] == fault(1010, NO_ALICE)


def test_php_wsdl_customer_port_literal(php):
    """customer?wsdl in PHP: wrapped arguments and ``->return``, arrays as
    ``{item: [...]}`` (SOAP_SINGLE_ELEMENT_ARRAYS), untyped fault detail."""
    out = php(r'''
$c = client('customer?wsdl', SOAP_SINGLE_ELEMENT_ARRAYS);
$add = call($c, 'addAccount', ['account' => (object) ['username' => 'acme',
    'password' => 'Acme-2024', 'firstName' => 'John', 'balance' => 10.5,
    'resellerActive' => true,
    'properties' => (object) ['item' => [(object) ['name' => 'sip_credit',
        'value' => '5', 'category' => 'credit', 'permission' => 'admin']]]]]);
$out['add'] = $add;
$id = $add['ok']->return->id;
$out['beta'] = call($c, 'addAccount', ['account' => (object) [
    'username' => 'beta', 'password' => 'x', 'reseller' => $id]]);
$out['zed'] = call($c, 'addAccount', ['account' => (object) [
    'username' => 'zed', 'password' => 'x']]);
$got = call($c, 'getAccount', ['id' => $id])['ok']->return;
$out['types'] = ['id' => gettype($got->id), 'balance' => gettype($got->balance),
    'resellerActive' => gettype($got->resellerActive),
    'items' => gettype($got->properties->item)];
$got->firstName = 'Jane';
$out['update'] = call($c, 'updateAccount', ['account' => $got]);
$out['after'] = call($c, 'getAccount', ['id' => $id]);
$out['page'] = call($c, 'getCustomers', ['query' => (object) [
    'filter' => (object) ['username' => '%'],
    'orderBy' => (object) ['attribute' => 'username', 'direction' => 'DESC'],
    'range' => (object) ['start' => 0, 'count' => 2]]]);
$out['setp'] = call($c, 'setProperties', ['customer' => $id,
    'properties' => (object) ['item' => [(object) ['name' => 'web_x',
        'value' => '1', 'category' => 'web', 'permission' => 'customer']]]]);
$out['props'] = call($c, 'getProperties', ['customer' => $id]);
$out['dup'] = call($c, 'addAccount', ['account' => (object) [
    'username' => 'acme', 'password' => 'other']]);
$out['missing'] = call($c, 'getAccount', ['id' => 999]);
''')
    add = out['add']['ok']['return']
    assert add['id'] > 0 and add['reseller'] == add['id']
    assert add['balance'] == 10.5 and add['resellerActive'] is True
    assert add['properties'] == {'item': [CREDIT]}
    beta = out['beta']['ok']['return']
    assert beta['reseller'] == add['id'] and beta['properties'] == {}
    zed = out['zed']['ok']['return']
    assert zed['reseller'] == zed['id'] and zed['id'] > beta['id']
    assert out['types'] == {'id': 'integer', 'balance': 'double',
                            'resellerActive': 'boolean', 'items': 'array'}
    assert out['update'] == {'ok': {}}
    after = out['after']['ok']['return']
    assert (after['firstName'], after['password']) == ('Jane', 'Acme-2024')
    assert after['properties'] == {'item': [CREDIT]}
    page = out['page']['ok']['return']
    assert page['total'] == 3
    assert [a['username'] for a in page['accounts']['item']] == \
        ['zed', 'beta']
    assert out['setp'] == {'ok': {}}
    assert by_name(out['props']['ok']['return']['item']) == [CREDIT, WEB]
    # The literal WSDL declares no fault type: errorcode arrives as text.
    assert out['dup'] == fault('5001', DUP_CUSTOMER, 'string')
    assert out['missing'] == fault('5000', NO_CUSTOMER, 'string')


def test_php_wsdl_sip_port_literal(php):
    """sip?wsdl in PHP: one group comes back as a one-item array with
    SOAP_SINGLE_ELEMENT_ARRAYS and as a bare string without it (ext/soap's
    documented default); empty wrappers are empty objects."""
    out = php(r'''
$c = client('sip?wsdl', SOAP_SINGLE_ELEMENT_ARRAYS);
$alice = (object) ['username' => 'alice', 'domain' => 'example.com'];
$out['dom'] = call($c, 'addDomain', ['domain' => (object) [
    'domain' => 'example.com']]);
$out['add'] = call($c, 'addAccount', ['account' => (object) ['id' => $alice,
    'password' => 'pw', 'prepaid' => false,
    'groups' => (object) ['item' => ['free-pstn']],
    'acl' => (object) ['item' => []], 'properties' => (object) ['item' => []]]]);
$got = call($c, 'getAccount', ['sipId' => $alice])['ok']->return;
$out['get'] = $got;
$out['prepaid'] = gettype($got->prepaid);
$bare = client('sip?wsdl');
$out['bare'] = call($bare, 'getAccount', ['sipId' => $alice])['ok']->return->groups;
$out['grp2'] = call($c, 'addToGroup', ['sipId' => $alice, 'group' => 'free-pstn']);
$out['del'] = call($c, 'deleteAccount', ['sipId' => $alice]);
$out['gone'] = call($c, 'getAccount', ['sipId' => $alice]);
''')
    assert out['dom'] == {'ok': {}}
    assert out['add']['ok']['return']['id'] == ALICE
    got = out['get']
    assert got['id'] == ALICE
    assert got['groups'] == {'item': ['free-pstn']}
    assert got['acl'] == {} and got['properties'] == {}
    assert got['prepaid'] is False and out['prepaid'] == 'boolean'
    assert out['bare'] == {'item': 'free-pstn'}
    assert out['grp2'] == fault(
        '1030', 'SIP account alice@example.com is already in group free-pstn',
        'string')
    assert out['del'] == {'ok': {}}
    assert out['gone'] == fault('1010', NO_ALICE, 'string')
