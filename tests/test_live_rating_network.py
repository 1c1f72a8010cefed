"""The Rating and Network ports of the real server with PHP ext/soap
(non-WSDL) and zeep (literal WSDL), on SQLite and MariaDB; the golden
Voicemail, Rating and Network requests replayed over HTTP; and the combined
WSDL that PEAR's generator reads."""
import json
import os

import pytest
from lxml import etree

from ports import all_ports
from tests.helpers import seed_fixture_world
from tests.soapcall import admin, envelope
from tests.support.server import Server
from tests.test_live_http import errorcode, fixture, raw_post
from tests.test_live_voicemail import php_run, sip_setup, table
from tests.test_live_wsdl_clients import ADMIN_AUTH, zeep_client, zeep_fault

HERE = os.path.dirname(__file__)
INDEX = json.load(open(os.path.join(HERE, 'wire', 'index.json')))
ALICE_PROFILES = {'entity': 'subscriber://alice@example.com',
                  'profileWeekday': 'NL-DEFAULT', 'profileWeekdayAlt': '',
                  'profileWeekend': 'NL-WEEKEND', 'profileWeekendAlt': '',
                  'timezone': 'Europe/Amsterdam'}
NO_PROFILES = 'No rating profiles for subscriber://alice@example.com'
ROW = {'reseller_id': 0, 'gateway': '', 'domain': '',
       'subscriber': 'alice@example.com', 'profile_name1': 'NL-DEFAULT',
       'profile_name1_alt': '', 'profile_name2': 'NL-WEEKEND',
       'profile_name2_alt': '', 'timezone': 'Europe/Amsterdam',
       'increment': 0, 'min_duration': 0}


def billing(db_url):
    return [{k: v for k, v in r.items() if k != 'id'}
            for r in table(db_url, 'billing_customers')]


def test_php_non_wsdl_rating_and_network(server, db_url):
    sip_setup(server, 'alice')
    out = php_run(server, r'''
$r = client($URL, 'Rating', $ADMIN, $PASS, true, 0);
$p = json_decode(%s);
$out['set'] = call($r, 'setEntityProfiles', ['profiles' => $p]);
$out['get'] = call($r, 'getEntityProfiles',
                   ['entity' => 'subscriber://alice@example.com']);
$out['gw'] = call($r, 'setEntityProfiles', ['profiles' => (object) [
    'entity' => 'gateway://198.51.100.1', 'profileWeekday' => 'GW',
    'timezone' => 'UTC']]);
// sip_settings.php passes an undefined variable: PHP null.
$out['null'] = call($r, 'getEntityProfiles', ['entity' => null]);
$out['nodomain'] = call($r, 'getEntityProfiles',
                        ['entity' => 'domain://example.com']);
$n = client($URL, 'Network', $ADMIN, $PASS, true);
$out['status'] = json_decode(call($n, 'getStatus', [])['ok'], true);
$out['stats'] = json_decode(call($n, 'getStatistics', [])['ok'], true);
$out['statistics_type'] = gettype(call($n, 'getStatistics', [])['ok']);
''' % json.dumps(json.dumps(ALICE_PROFILES)), server.url)
    assert out['set'] == {'ok': None}
    assert out['get'] == {'ok': ALICE_PROFILES}
    assert out['gw'] == {'ok': None}
    assert out['null']['fault']['code'] == 103
    assert out['nodomain']['fault']['code'] == 4001
    assert billing(db_url) == [
        ROW, dict(ROW, subscriber='', gateway='198.51.100.1',
                  profile_name1='GW', profile_name2='', timezone='UTC')]
    (node,) = out['status'].values()
    assert node['roles'] == ['provisioning_server']
    assert node['ip'] == '127.0.0.1' and node['version'] == '0.2.0'
    assert out['statistics_type'] == 'string'
    assert out['stats']['summary']['sip_proxy']['total_accounts'] == \
        {'example.com': 1}

    out = php_run(server, r'''
$r = client($URL, 'Rating', $ADMIN, $PASS, true);
$out['del'] = call($r, 'deleteEntityProfiles',
                   ['entity' => 'subscriber://alice@example.com']);
$out['gone'] = call($r, 'getEntityProfiles',
                    ['entity' => 'subscriber://alice@example.com']);
$out['del2'] = call($r, 'deleteEntityProfiles',
                    ['entity' => 'subscriber://alice@example.com']);
''', server.url)
    assert out['del'] == {'ok': None}
    assert out['gone']['fault'] == {'code': 4001, 'string': NO_PROFILES,
                                    'faultstring': NO_PROFILES}
    assert out['del2']['fault']['code'] == 4001
    assert [r['gateway'] for r in billing(db_url)] == ['198.51.100.1']


def test_zeep_literal_rating_and_network(server, db_url):
    sip_setup(server, 'alice')
    client, session = zeep_client(server, 'rating?wsdl')
    client.set_default_soapheaders({'auth': ADMIN_AUTH})
    svc = client.service
    assert svc.setEntityProfiles(profiles=ALICE_PROFILES) is None
    got = svc.getEntityProfiles(entity='subscriber://alice@example.com')
    # zeep decodes an empty string element as None.
    assert {k: getattr(got, k) or '' for k in ALICE_PROFILES} == \
        ALICE_PROFILES
    assert got.profileWeekdayAlt is None
    assert billing(db_url) == [ROW]
    assert svc.setEntityProfiles(profiles=dict(
        ALICE_PROFILES, profileWeekendAlt='ALT')) is None
    assert billing(db_url) == [dict(ROW, profile_name2_alt='ALT')]
    # The administrator may rate what is not provisioned here: none yet.
    assert zeep_fault(svc.getEntityProfiles,
                      entity='subscriber://nobody@example.com')[:2] == \
        ('4001', 'No rating profiles for subscriber://nobody@example.com')
    assert zeep_fault(svc.getEntityProfiles, entity='sip:alice')[0] == '103'
    assert zeep_fault(svc.setEntityProfiles, profiles=dict(
        ALICE_PROFILES, timezone='Nowhere/Land'))[0] == '103'
    assert svc.deleteEntityProfiles(
        entity='subscriber://alice@example.com') is None
    assert zeep_fault(svc.getEntityProfiles,
                      entity='subscriber://alice@example.com') == \
        ('4001', NO_PROFILES, NO_PROFILES)
    assert zeep_fault(svc.deleteEntityProfiles,
                      entity='subscriber://alice@example.com')[0] == '4001'
    assert billing(db_url) == []
    assert set(session.fetched[1:]) == {('POST', server.url)}

    client, _ = zeep_client(server, 'network?wsdl')
    client.set_default_soapheaders({'auth': ADMIN_AUTH})
    status = json.loads(client.service.getStatus())
    (node,) = status.values()
    assert node['roles'] == ['provisioning_server']
    assert node['dburi'].split(':', 1)[0] in ('sqlite', 'mysql+pymysql')
    stats = json.loads(client.service.getStatistics())
    assert stats['summary']['sip_proxy']['total_accounts'] == \
        {'example.com': 1}


@pytest.fixture
def fixture_server(db_url, tmp_path):
    """The server on a database with the golden requests' customers and
    their SIP account alice@example.com (customer 23 of reseller 17)."""
    seed_fixture_world(db_url)
    srv = Server(tmp_path, db_url).start()
    status, _, body = srv.post(envelope('Sip', 'addDomain', [(
        'domain', {'domain': 'example.com', 'customer': 23})], admin()))
    assert status == 200, body
    status, _, body = srv.post(envelope('Sip', 'addAccount', [(
        'account', {'id': {'username': 'alice', 'domain': 'example.com'},
                    'password': 'pw'})], admin()))
    assert status == 200, body
    yield srv
    srv.stop()


def answer(payload):
    root = etree.fromstring(payload)
    (wrapper,) = root.find('{http://schemas.xmlsoap.org/soap/envelope/}Body')
    return wrapper


def test_golden_requests_are_served(fixture_server, db_url):
    """Every Voicemail, Rating and Network request the legacy client sends,
    byte for byte, in the order its pages send them: none is answered 104,
    and each does what it says."""
    names = [f['file'] for f in INDEX['fixtures']
             if f['port'] in ('Voicemail', 'Rating', 'Network')]
    results = {}
    for name in ['Voicemail.addAccount.xml', 'Voicemail.getAccount.xml',
                 'Voicemail.updateAccount.xml',
                 'Voicemail.updateAccount.options_changed.xml',
                 'Voicemail.setAnnouncement.xml',
                 'Voicemail.deleteAccount.xml',
                 'Rating.setEntityProfiles.xml',
                 'Rating.getEntityProfiles.xml',
                 'Rating.getEntityProfiles.null_entity.xml',
                 'Rating.deleteEntityProfiles.xml',
                 'Network.getStatus.xml', 'Network.getStatistics.xml']:
        status, _, payload = raw_post(fixture_server, fixture(name))
        results[name] = (status, payload)
        if name == 'Voicemail.getAccount.xml':
            ret = answer(payload)[0]
            assert ret.findtext('mailbox') == '1000000'
            assert ret.findtext('options/delete') == 'true'
        elif name == 'Voicemail.updateAccount.xml':
            (row,) = table(db_url, 'voicemail')
            assert (row['password'], row['deletevoicemail']) == ('7391', 'yes')
        elif name == 'Voicemail.updateAccount.options_changed.xml':
            (row,) = table(db_url, 'voicemail')
            assert (row['password'], row['deletevoicemail'],
                    row['attach']) == ('4821', 'no', 'yes')
        elif name == 'Voicemail.setAnnouncement.xml':
            (g,) = table(db_url, 'voicemail_greetings')
            assert bytes(g['audio']).startswith(b'RIFF')
        elif name == 'Voicemail.deleteAccount.xml':
            assert table(db_url, 'voicemail') == []
        elif name == 'Rating.setEntityProfiles.xml':
            assert billing(db_url) == [dict(ROW, reseller_id=17)]
        elif name == 'Rating.getEntityProfiles.xml':
            ret = answer(payload)[0]
            assert {c.tag: c.text or '' for c in ret} == ALICE_PROFILES
        elif name == 'Rating.deleteEntityProfiles.xml':
            assert billing(db_url) == []
        elif name.startswith('Network.'):
            json.loads(answer(payload)[0].text)
    assert sorted(results) == sorted(names)
    for name, (status, payload) in results.items():
        if name == 'Rating.getEntityProfiles.null_entity.xml':
            assert status == 500 and errorcode(payload) == 103, name
        else:
            assert status == 200, (name, payload)


# -- the combined WSDL, for PEAR's generateAllProxies() ----------------------

WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/'
SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/'
XSD_NS = 'http://www.w3.org/2001/XMLSchema'


def contract_operations():
    """{(port namespace, operation)} of the contract: the 108 operations of
    tests/wire/index.json."""
    namespace = {f['port']: f['port_namespace'] for f in INDEX['fixtures']
                 if f['in_contract']}
    ops = {(namespace[o['port']], o['operation']) for o in INDEX['operations']}
    assert len(ops) == INDEX['counts']['contract_operations'] == 108
    return ops


def test_combined_wsdl_for_pear(server):
    """GET /ngnpro/wsdl: no import or include points anywhere (PEAR SOAP
    fetches each one through an HTTP client that fails under PHP 8, and
    knows SOAP-ENC itself), and every operation the server serves is
    declared with its port's namespace; once every port is built, that is
    the whole contract."""
    import urllib.request
    with urllib.request.urlopen(server.url + 'wsdl', timeout=10) as resp:
        assert resp.status == 200
        root = etree.fromstring(resp.read())
    for tag in ('{%s}import' % WSDL_NS, '{%s}import' % XSD_NS,
                '{%s}include' % XSD_NS, '{%s}redefine' % XSD_NS):
        for el in root.iter(tag):
            for attr in ('location', 'schemaLocation'):
                assert el.get(attr) is None, etree.tostring(el)
    assert not any(v.startswith(('http://', 'https://'))
                   for el in root.iter(etree.Element)
                   if etree.QName(el).localname in ('import', 'include')
                   for k, v in el.attrib.items() if k != 'namespace')

    bindings = {b.get('name'): b for b in root.iter('{%s}binding' % WSDL_NS)}
    declared = set()
    for port in root.iter('{%s}port' % WSDL_NS):
        binding = bindings[port.get('binding').rpartition(':')[2]]
        for op in binding.findall('{%s}operation' % WSDL_NS):
            (body,) = op.findall('{%s}input/{%s}body' % (WSDL_NS, SOAP_NS))
            declared.add((body.get('namespace'), op.get('name')))

    served = {(p.namespace, op) for p in all_ports()
              if p.service is not None for op in p.service.public_methods}
    contract = contract_operations()
    assert declared == served
    assert served <= contract, served - contract
    finished = {'urn:AGProjects:NGNPro:%s' % p for p in (
        'Customer', 'Voicemail', 'Rating', 'Network')}
    assert {o for o in contract if o[0] in finished} <= declared
    if all(p.service is not None for p in all_ports()):
        # Every port built: the whole contract, nothing missing.
        assert declared == contract and len(declared) == 108
