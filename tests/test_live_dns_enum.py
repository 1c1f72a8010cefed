"""DnsPort and EnumPort driven by clients nobody here wrote, against the
real server (SQLite and MariaDB): PHP ext/soap in non-WSDL rpc/encoded mode
(as CDRTool's pages speak) and in WSDL mode with the per-port rpc WSDLs
(``wsdl/DnsPort``, ``wsdl/EnumPort``), one scenario for both; zeep with the
document/literal WSDLs (``dns?wsdl``, ``enum?wsdl``). Every operation with
asserted values, every fault code of the two ports, the add-mapping
workflow, refused records, credits and another reseller's records.

Reseller r1 has one credit of each kind (dns_zone_credit, email_credit,
enum_range_credit, enum_number_credit) and works for its customer c1;
reseller r2 looks at r1's records and finds nothing."""
import json

import pytest

from tests.conftest import require
from tests.helpers import ADMIN
from tests.support.php import php_missing, run_php
from tests.test_live_wsdl_clients import zeep_client, zeep_fault, zplain

CREDITS = [{'name': n, 'value': '1', 'category': 'credit',
            'permission': 'admin'} for n in (
    'dns_zone_credit', 'email_credit', 'enum_range_credit',
    'enum_number_credit')]

PRELUDE = r'''
function client($port, $user, $pass, $admin) {
    global $URL, $MODE;
    $options = ['exceptions' => true, 'trace' => 1];
    if ($MODE == 'wsdl') {
        $c = new SoapClient($URL . 'wsdl/' . $port . 'Port',
                            $options + ['cache_wsdl' => WSDL_CACHE_NONE]);
    } else {
        $c = new SoapClient(null, $options + ['location' => $URL,
            'uri' => 'urn:AGProjects:NGNPro:' . $port, 'style' => SOAP_RPC,
            'use' => SOAP_ENCODED]);
    }
    $c->__setSoapHeaders(new SoapHeader('urn:AGProjects:NGNPro', 'auth',
        (object) ['username' => $user, 'password' => $pass,
                  'admin' => $admin]));
    return $c;
}
// Named arguments without a WSDL, positional ones with it.
function call($c, $op, $args) {
    global $MODE;
    try {
        if ($MODE == 'wsdl') {
            return ['ok' => $c->__soapCall($op, array_values($args))];
        }
        $params = [];
        foreach ($args as $name => $value) {
            $params[] = new SoapParam($value, $name);
        }
        return ['ok' => $c->__soapCall($op, $params)];
    } catch (SoapFault $f) {
        return ['fault' => $f->detail->exception->errorcode ?? null,
                'string' => $f->detail->exception->errorstring ?? null];
    }
}
function code($r) { return $r['fault'] ?? 'ok'; }
$out = [];
'''

SCENARIO = r'''
$cust = client('Customer', $ADMIN, $PASS, true);
$r1 = call($cust, 'addAccount', ['account' => (object) [
    'username' => 'r1', 'password' => 'r1-pw', 'resellerActive' => true,
    'properties' => $CREDITS]])['ok']->id;
$c1 = call($cust, 'addAccount', ['account' => (object) [
    'username' => 'c1', 'password' => 'c1-pw', 'reseller' => $r1]])['ok']->id;
call($cust, 'addAccount', ['account' => (object) [
    'username' => 'r2', 'password' => 'r2-pw', 'resellerActive' => true]]);
$out['ids'] = [$r1, $c1];

// -- zones ------------------------------------------------------------------
$dns = client('Dns', 'r1', 'r1-pw', false);
$other = client('Dns', 'r2', 'r2-pw', false);
$zone = (object) ['name' => 'example.com', 'ttl' => 3600,
    'info' => 'Main company zone', 'customer' => $c1, 'reseller' => 0,
    'nameservers' => ['ns1.example.net', 'ns2.example.net']];
$out['addZone'] = call($dns, 'addZone', ['zone' => $zone]);
$out['zoneExists'] = code(call($dns, 'addZone', ['zone' => $zone]));
$out['zoneCredit'] = code(call($dns, 'addZone', ['zone' => (object) [
    'name' => 'two.example']]));
$got = call($dns, 'getZone', ['zone' => 'example.com'])['ok'];
$out['getZone'] = $got;
$out['zoneTypes'] = [gettype($got->ttl), gettype($got->serial),
    gettype($got->nameservers), array_is_list($got->nameservers)];
$out['getZones'] = call($dns, 'getZones', ['query' => (object) [
    'filter' => (object) ['name' => 'example%', 'info' => '', 'customer' => 0,
                          'reseller' => 0],
    'orderBy' => (object) ['attribute' => 'name', 'direction' => 'ASC'],
    'range' => (object) ['start' => 0, 'count' => 20]]])['ok'];
$edit = clone $got;
$edit->ttl = 600; $edit->retry = 1800; $edit->serial = 0;
$edit->info = 'edited';
unset($edit->nameservers);          // the emptied name-server box
$out['updateZone'] = call($dns, 'updateZone', ['zone' => $edit]);
$out['updated'] = call($dns, 'getZone', ['zone' => 'example.com'])['ok'];
$out['noZone'] = call($dns, 'getZone', ['zone' => 'nowhere.example']);
$out['otherZone'] = code(call($other, 'getZone', ['zone' => 'example.com']));
$out['otherZones'] = call($other, 'getZones', ['query' => (object) [
    'filter' => (object) ['name' => '']]])['ok']->total;

// -- records ----------------------------------------------------------------
function record($name, $type, $value, $priority = 0, $ttl = 3600) {
    return ['record' => (object) ['name' => $name, 'zone' => 'example.com',
        'type' => $type, 'value' => $value, 'owner' => 0, 'ttl' => $ttl,
        'priority' => $priority]];
}
foreach ([['www', 'A', '192.0.2.80', 0], ['', 'MX', 'mail.example.com', 10],
          ['_sip._udp', 'SRV', '0 5060 sip.example.com', 10],
          ['', 'TXT', 'v=spf1 mx -all', 0],
          ['', 'NAPTR', '20 100 "s" "SIP+D2T" "" _sip._tcp', 100],
          ['v6', 'AAAA', '2001:db8::1', 0]] as $r) {
    $out['add'][] = code(call($dns, 'addRecord', record(...$r)));
}
$out['recordExists'] = code(call($dns, 'addRecord',
                                 record('www', 'A', '192.0.2.80')));
$out['refused'] = [
    code(call($dns, 'addRecord', record('www', 'A', '192.0.2.300'))),
    code(call($dns, 'addRecord', record('', 'CNAME', 'www.example.org'))),
    code(call($dns, 'addRecord', record('www', 'CNAME', 'x.example.org'))),
    code(call($dns, 'addRecord', record('_x._udp', 'SRV', '5060 sip'))),
    code(call($dns, 'addRecord', record('n', 'NAPTR', '10 "u" "" .')))];
$list = call($dns, 'getRecords', ['query' => (object) [
    'filter' => (object) ['id' => 0, 'zone' => 'example.com', 'name' => '',
        'type' => '', 'value' => '', 'owner' => 0, 'customer' => 0,
        'reseller' => 0],
    'orderBy' => (object) ['attribute' => 'type', 'direction' => 'ASC'],
    'range' => (object) ['start' => 0, 'count' => 20]]])['ok'];
$out['getRecords'] = $list;
$byType = [];
foreach ($list->records as $r) { $byType[$r->type] = $r; }
$www = call($dns, 'getRecord', ['recordId' => $byType['A']->id])['ok'];
$out['getRecord'] = clone $www;
$www->value = '192.0.2.81'; $www->ttl = 300;
$out['updateRecord'] = call($dns, 'updateRecord', ['record' => $www]);
$out['updatedRecord'] = call($dns, 'getRecord',
                             ['recordId' => $www->id])['ok'];
$out['byId'] = call($dns, 'getRecords', ['query' => (object) [
    'filter' => (object) ['id' => $www->id],
    'range' => (object) ['start' => 0, 'count' => 1]]])['ok'];
$out['deleteRecord'] = call($dns, 'deleteRecord', ['recordId' => $www->id]);
$out['goneRecord'] = call($dns, 'getRecord', ['recordId' => $www->id]);
$out['otherRecord'] = code(call($other, 'getRecord',
                                ['recordId' => $byType['MX']->id]));

// -- fancy records ----------------------------------------------------------
$out['addMail'] = call($dns, 'addFancyRecord', record('alice@example.com',
    'MBOXFW', 'alice.smith@example.net'));
$out['mailCredit'] = code(call($dns, 'addFancyRecord',
    record('bob@example.com', 'MBOXFW', 'bob@example.net')));
$out['addUrl'] = call($dns, 'addFancyRecord', record('www', 'URL',
    'https://www.example.org/landing?src=dns&lang=en'));
$out['urlExists'] = code(call($dns, 'addFancyRecord', record('www', 'URL',
    'https://elsewhere.example.org/')));
$mails = call($dns, 'getFancyRecords', ['query' => (object) [
    'filter' => (object) ['id' => 0, 'zone' => '', 'name' => '',
        'type' => 'MBOXFW', 'value' => '', 'owner' => 0, 'customer' => 0,
        'reseller' => 0],
    'orderBy' => (object) ['attribute' => 'changeDate', 'direction' => 'DESC'],
    'range' => (object) ['start' => 0, 'count' => 20]]])['ok'];
$out['getFancyRecords'] = $mails;
$mail = call($dns, 'getFancyRecord',
             ['recordId' => $mails->records[0]->id])['ok'];
$out['getFancyRecord'] = clone $mail;
$mail->value = 'alice@example.org';
$out['updateFancyRecord'] = call($dns, 'updateFancyRecord',
                                 ['record' => $mail]);
$out['updatedFancy'] = call($dns, 'getFancyRecord',
                            ['recordId' => $mail->id])['ok']->value;
$out['deleteFancyRecord'] = call($dns, 'deleteFancyRecord',
                                 ['recordId' => $mail->id]);
$out['goneFancy'] = call($dns, 'getFancyRecord', ['recordId' => $mail->id]);

// -- ENUM -------------------------------------------------------------------
$enum = client('Enum', 'r1', 'r1-pw', false);
$otherEnum = client('Enum', 'r2', 'r2-pw', false);
$rangeId = (object) ['prefix' => '3120800', 'tld' => 'e164.arpa'];
$range = (object) ['id' => $rangeId, 'ttl' => 3600, 'info' => 'Amsterdam',
    'minDigits' => 11, 'maxDigits' => 11, 'size' => 1000, 'customer' => $c1,
    'reseller' => 0];
$out['addRange'] = call($enum, 'addRange', ['range' => $range]);
$out['rangeExists'] = code(call($enum, 'addRange', ['range' => $range]));
$out['rangeCredit'] = code(call($enum, 'addRange', ['range' => (object) [
    'id' => (object) ['prefix' => '3120801', 'tld' => 'e164.arpa']]]));
$lookup = ['query' => (object) [
    'filter' => (object) ['prefix' => '3120800', 'tld' => 'e164.arpa'],
    'orderBy' => (object) ['attribute' => 'changeDate', 'direction' => 'DESC'],
    'range' => (object) ['start' => 0, 'count' => 1]]];
$ranges = call($enum, 'getRanges', $lookup)['ok'];
$out['getRanges'] = $ranges;
$edit = clone $ranges->ranges[0];
$edit->size = 2000; $edit->maxDigits = 12; $edit->info = 'Amsterdam (main)';
$out['updateRange'] = call($enum, 'updateRange', ['range' => $edit]);
$out['updatedRange'] = call($enum, 'getRanges', $lookup)['ok']->ranges[0];

// The client's add-mapping workflow.
$id = (object) ['number' => '31208005123', 'tld' => 'e164.arpa'];
$first = call($enum, 'getNumber', ['enumId' => $id]);
$out['workflow'][] = code($first);
if (code($first) == 3002) {
    $out['workflow'][] = code(call($enum, 'addNumber', ['number' => (object) [
        'id' => $id, 'owner' => $c1, 'info' => '',
        'mappings' => [(object) ['type' => 'sip',
            'mapto' => 'sip:alice@example.com', 'ttl' => 3600,
            'priority' => 5]]]]));
}
$number = call($enum, 'getNumber', ['enumId' => $id])['ok'];
$out['getNumber'] = clone $number;
$out['mappingTypes'] = [gettype($number->mappings),
                        array_is_list($number->mappings)];
$number->mappings[] = (object) ['type' => 'mailto',
    'mapto' => 'mailto:alice@example.com', 'ttl' => 3600, 'priority' => 10];
$number->info = 'Alice desk phone';
$out['workflow'][] = code(call($enum, 'updateNumber', ['number' => $number]));
$out['updatedNumber'] = call($enum, 'getNumber', ['enumId' => $id])['ok'];
$out['numberExists'] = code(call($enum, 'addNumber', ['number' => (object) [
    'id' => $id]]));
$out['numberCredit'] = code(call($enum, 'addNumber', ['number' => (object) [
    'id' => (object) ['number' => '31208005124', 'tld' => 'e164.arpa']]]));
$out['noRange'] = code(call($enum, 'addNumber', ['number' => (object) [
    'id' => (object) ['number' => '4420800512', 'tld' => 'e164.arpa']]]));
$out['badMapping'] = code(call($enum, 'updateNumber', ['number' => (object) [
    'id' => $id, 'mappings' => [(object) ['type' => 'sip',
        'mapto' => 'mailto:alice@example.com']]]]));
$out['getNumbers'] = call($enum, 'getNumbers', ['query' => (object) [
    'filter' => (object) ['type' => 'sip', 'mapto' => 'alice@example.com',
                          'owner' => $c1],
    'orderBy' => (object) ['attribute' => 'changeDate', 'direction' => 'ASC'],
    'range' => (object) ['start' => 0, 'count' => 10]]])['ok'];
$out['otherNumber'] = code(call($otherEnum, 'getNumber', ['enumId' => $id]));
$out['otherRanges'] = call($otherEnum, 'getRanges', ['query' => (object) [
    'filter' => (object) ['prefix' => '']]])['ok']->total;
$out['deleteNumber'] = call($enum, 'deleteNumber', ['enumId' => $id]);
$out['goneNumber'] = code(call($enum, 'getNumber', ['enumId' => $id]));
$out['deleteRange'] = call($enum, 'deleteRange', ['range' => $rangeId]);
$out['goneRange'] = code(call($enum, 'deleteRange', ['range' => $rangeId]));
$out['deleteZone'] = call($dns, 'deleteZone', ['zone' => 'example.com']);
$out['goneZone'] = code(call($dns, 'getZone', ['zone' => 'example.com']));
'''


@pytest.fixture
def php(server):
    require(php_missing() is None, 'PHP SOAP client', 'php-cli php-soap')

    def run(mode):
        script = PRELUDE + '$URL = %s; $MODE = %s;\n' % (
            json.dumps(server.url), json.dumps(mode)) + \
            '$ADMIN = %s; $PASS = %s;\n' % (
                json.dumps(ADMIN[0]), json.dumps(ADMIN[1])) + \
            '$CREDITS = array_map(function ($p) { return (object) $p; }, ' \
            'json_decode(%s, true));\n' % json.dumps(json.dumps(CREDITS)) + \
            SCENARIO + '\necho json_encode($out);\n'
        return json.loads(run_php(script, timeout=120))
    return run


@pytest.mark.parametrize('mode', ['plain', 'wsdl'])
def test_php_dns_and_enum_ports(php, mode):
    out = php(mode)
    r1, c1 = out['ids']
    assert out['addZone'] == {'ok': None}
    assert out['zoneExists'] == 7001 and out['zoneCredit'] == 102
    zone = out['getZone']
    serial = zone['serial']
    assert zone == {
        'name': 'example.com', 'ttl': 3600,
        'nameservers': ['ns1.example.net', 'ns2.example.net'],
        'email': 'hostmaster@example.com', 'serial': serial,
        'refresh': 10800, 'retry': 3600, 'expire': 604800, 'minimum': 3600,
        'customer': c1, 'reseller': r1, 'changeDate': zone['changeDate'],
        'info': 'Main company zone'}
    assert out['zoneTypes'] == ['integer', 'integer', 'array', True]
    assert out['getZones']['total'] == 1
    assert out['getZones']['zones'] == [zone]
    assert out['updateZone'] == {'ok': None}
    updated = out['updated']
    assert (updated['ttl'], updated['retry'], updated['info'],
            updated['serial'], updated['nameservers']) == (
        600, 1800, 'edited', serial + 1,
        ['ns1.example.net', 'ns2.example.net'])
    assert out['noZone'] == {'fault': 7000, 'string':
                             'DNS zone nowhere.example does not exist'}
    assert out['otherZone'] == 7000 and out['otherZones'] == 0

    assert out['add'] == ['ok'] * 6
    assert out['recordExists'] == 7003
    assert out['refused'] == [103] * 5
    records = out['getRecords']
    assert records['total'] == 6
    assert [(r['type'], r['name'], r['value'], r['priority'])
            for r in records['records']] == [
        ('A', 'www', '192.0.2.80', 0),
        ('AAAA', 'v6', '2001:db8::1', 0),
        ('MX', '', 'mail.example.com', 10),
        ('NAPTR', '', '20 100 "s" "SIP+D2T" "" _sip._tcp.example.com', 100),
        ('SRV', '_sip._udp', '0 5060 sip.example.com', 10),
        ('TXT', '', 'v=spf1 mx -all', 0)]
    assert {(r['zone'], r['customer'], r['reseller'])
            for r in records['records']} == {('example.com', c1, r1)}
    www = out['getRecord']
    assert www == records['records'][0]
    assert out['updateRecord'] == {'ok': None}
    assert (out['updatedRecord']['value'], out['updatedRecord']['ttl'],
            out['updatedRecord']['id']) == ('192.0.2.81', 300, www['id'])
    assert out['byId']['total'] == 1
    assert out['byId']['records'] == [out['updatedRecord']]
    assert out['deleteRecord'] == {'ok': None}
    assert out['goneRecord'] == {'fault': 7002, 'string':
                                 'DNS record %d does not exist' % www['id']}
    assert out['otherRecord'] == 7002

    assert out['addMail'] == {'ok': None} and out['mailCredit'] == 102
    assert out['addUrl'] == {'ok': None} and out['urlExists'] == 7005
    mails = out['getFancyRecords']
    assert mails['total'] == 1
    (mail,) = mails['records']
    assert (mail['name'], mail['type'], mail['value'], mail['zone'],
            mail['customer']) == ('alice@example.com', 'MBOXFW',
                                  'alice.smith@example.net', 'example.com',
                                  c1)
    assert out['getFancyRecord'] == mail
    assert out['updateFancyRecord'] == {'ok': None}
    assert out['updatedFancy'] == 'alice@example.org'
    assert out['deleteFancyRecord'] == {'ok': None}
    assert out['goneFancy']['fault'] == 7004

    assert out['addRange'] == {'ok': None}
    assert out['rangeExists'] == 3001 and out['rangeCredit'] == 102
    assert out['getRanges']['total'] == 1
    rng = out['getRanges']['ranges'][0]
    assert {k: rng[k] for k in ('id', 'ttl', 'minDigits', 'maxDigits',
                                'size', 'used', 'nameservers', 'customer',
                                'reseller', 'info')} == {
        'id': {'prefix': '3120800', 'tld': 'e164.arpa'}, 'ttl': 3600,
        'minDigits': 11, 'maxDigits': 11, 'size': 1000, 'used': 0,
        'nameservers': [], 'customer': c1, 'reseller': r1,
        'info': 'Amsterdam'}
    assert out['updateRange'] == {'ok': None}
    after = out['updatedRange']
    assert (after['size'], after['maxDigits'], after['info'],
            after['serial']) == (2000, 12, 'Amsterdam (main)',
                                 rng['serial'] + 1)
    assert out['workflow'] == [3002, 'ok', 'ok']
    number = out['getNumber']
    (sip,) = number['mappings']
    assert number == {
        'id': {'number': '31208005123', 'tld': 'e164.arpa'},
        'mappings': [{'id': sip['id'], 'type': 'sip',
                      'mapto': 'sip:alice@example.com', 'priority': 5,
                      'ttl': 3600}],
        'info': '', 'owner': c1, 'customer': c1, 'reseller': r1,
        'changeDate': number['changeDate']}
    assert out['mappingTypes'] == ['array', True]
    updated = out['updatedNumber']
    assert updated['info'] == 'Alice desk phone'
    assert [(m['id'] == sip['id'], m['type'], m['mapto'])
            for m in updated['mappings']] == [
        (True, 'sip', 'sip:alice@example.com'),
        (False, 'mailto', 'mailto:alice@example.com')]
    assert out['numberExists'] == 3003 and out['numberCredit'] == 102
    assert out['noRange'] == 3000 and out['badMapping'] == 103
    assert out['getNumbers']['total'] == 1
    assert out['getNumbers']['numbers'] == [updated]
    assert out['otherNumber'] == 3002 and out['otherRanges'] == 0
    assert out['deleteNumber'] == {'ok': None} and out['goneNumber'] == 3002
    assert out['deleteRange'] == {'ok': None} and out['goneRange'] == 3000
    assert out['deleteZone'] == {'ok': None} and out['goneZone'] == 7000


# -- zeep with the literal WSDLs ---------------------------------------------

def zeep_setup(server):
    """r1 (one credit of each kind) with customer c1, and r2, made with
    zeep's customer?wsdl client."""
    cust, _ = zeep_client(server, 'customer?wsdl')
    auth = {'auth': {'username': ADMIN[0], 'password': ADMIN[1],
                     'admin': True}}
    r1 = cust.service.addAccount(account={
        'username': 'r1', 'password': 'r1-pw', 'resellerActive': True,
        'properties': {'item': CREDITS}}, _soapheaders=auth).id
    c1 = cust.service.addAccount(account={
        'username': 'c1', 'password': 'c1-pw', 'reseller': r1},
        _soapheaders=auth).id
    cust.service.addAccount(account={
        'username': 'r2', 'password': 'r2-pw', 'resellerActive': True},
        _soapheaders=auth)
    return r1, c1


def login(name):
    return {'auth': {'username': name, 'password': name + '-pw',
                     'admin': False}}


def test_zeep_dns_port(server):
    r1, c1 = zeep_setup(server)
    client, session = zeep_client(server, 'dns?wsdl')
    svc = client.service

    def call(op, who='r1', **kwargs):
        return getattr(svc, op)(_soapheaders=login(who), **kwargs)

    def fault(op, who='r1', **kwargs):
        return zeep_fault(getattr(svc, op), _soapheaders=login(who),
                          **kwargs)[:2]

    zone = {'name': 'example.com', 'ttl': 3600, 'info': 'Main',
            'customer': c1, 'nameservers': {'item': ['ns1.example.net']}}
    assert call('addZone', zone=zone) is None
    assert fault('addZone', zone=zone) == \
        ('7001', 'DNS zone example.com already exists')
    assert fault('addZone', zone={'name': 'two.example'})[0] == '102'
    got = call('getZone', zone='example.com')
    assert (got.name, got.ttl, got.nameservers.item, got.customer,
            got.reseller, got.email) == (
        'example.com', 3600, ['ns1.example.net'], c1, r1,
        'hostmaster@example.com')
    serial = got.serial
    assert isinstance(serial, int) and isinstance(got.ttl, int)
    got.serial, got.ttl, got.nameservers = 0, 900, None
    assert call('updateZone', zone=got) is None
    after = call('getZone', zone='example.com')
    assert (after.ttl, after.serial, after.nameservers.item) == \
        (900, serial + 1, ['ns1.example.net'])
    zones = call('getZones', query={'filter': {'name': 'example%'},
                                    'range': {'start': 0, 'count': 10}})
    assert zones.total == 1 and [z.name for z in zones.zones.item] == \
        ['example.com']
    assert fault('getZone', zone='nowhere.example') == \
        ('7000', 'DNS zone nowhere.example does not exist')
    assert fault('getZone', 'r2', zone='example.com')[0] == '7000'

    def record(name, rtype, value, priority=0):
        return {'zone': 'example.com', 'name': name, 'type': rtype,
                'value': value, 'priority': priority, 'ttl': 300}
    assert call('addRecord', record=record('www', 'A', '192.0.2.80')) is None
    assert call('addRecord', record=record('', 'MX', 'mail.example.com',
                                           10)) is None
    assert call('addRecord', record=record(
        '_sip._udp', 'SRV', '0 5060 sip.example.com', 10)) is None
    assert fault('addRecord', record=record('www', 'A', '192.0.2.80'))[0] \
        == '7003'
    assert fault('addRecord', record=record('www', 'AAAA', 'nope'))[0] == \
        '103'
    listed = call('getRecords', query={
        'filter': {'zone': 'example.com'},
        'orderBy': {'attribute': 'type', 'direction': 'DESC'}})
    assert listed.total == 3
    # (zeep decodes an empty string element as None: the apex's name)
    assert [(r.type, r.name, r.value, r.priority, r.ttl)
            for r in listed.records.item] == [
        ('SRV', '_sip._udp', '0 5060 sip.example.com', 10, 300),
        ('MX', None, 'mail.example.com', 10, 300),
        ('A', 'www', '192.0.2.80', 0, 300)]
    www = listed.records.item[2]
    assert zplain(call('getRecord', recordId=www.id)) == zplain(www)
    www.value = '192.0.2.81'
    assert call('updateRecord', record=www) is None
    assert call('getRecord', recordId=www.id).value == '192.0.2.81'
    assert call('deleteRecord', recordId=www.id) is None
    assert fault('getRecord', recordId=www.id) == \
        ('7002', 'DNS record %d does not exist' % www.id)
    assert fault('getRecord', 'r2', recordId=listed.records.item[0].id)[0] \
        == '7002'

    assert call('addFancyRecord', record=record(
        'alice', 'MBOXFW', 'alice@example.net')) is None
    assert fault('addFancyRecord', record=record(
        'bob', 'MBOXFW', 'bob@example.net'))[0] == '102'
    assert call('addFancyRecord', record=record(
        'www', 'URL', 'https://www.example.org/')) is None
    assert fault('addFancyRecord', record=record(
        'www', 'URL', 'https://www.example.net/'))[0] == '7005'
    fancy = call('getFancyRecords', query={'filter': {'type': 'URL'}})
    (url,) = fancy.records.item
    assert (url.name, url.value) == ('www', 'https://www.example.org/')
    url.value = 'http://www.example.org/new'
    assert call('updateFancyRecord', record=url) is None
    assert call('getFancyRecord', recordId=url.id).value == \
        'http://www.example.org/new'
    assert call('deleteFancyRecord', recordId=url.id) is None
    assert fault('getFancyRecord', recordId=url.id)[0] == '7004'
    assert call('deleteZone', zone='example.com') is None
    assert fault('deleteZone', zone='example.com')[0] == '7000'


def test_zeep_enum_port(server):
    r1, c1 = zeep_setup(server)
    client, _ = zeep_client(server, 'enum?wsdl')
    svc = client.service

    def call(op, who='r1', **kwargs):
        return getattr(svc, op)(_soapheaders=login(who), **kwargs)

    def fault(op, who='r1', **kwargs):
        return zeep_fault(getattr(svc, op), _soapheaders=login(who),
                          **kwargs)[:2]

    range_id = {'prefix': '3120800', 'tld': 'e164.arpa'}
    rng = {'id': range_id, 'ttl': 3600, 'minDigits': 11, 'maxDigits': 11,
           'size': 10, 'customer': c1, 'info': 'Amsterdam'}
    assert call('addRange', range=rng) is None
    assert fault('addRange', range=rng) == \
        ('3001', 'ENUM range 3120800@e164.arpa already exists')
    assert fault('addRange', range={'id': {'prefix': '44',
                                           'tld': 'e164.arpa'}})[0] == '102'
    ranges = call('getRanges', query={'filter': {'prefix': '3120800'}})
    (got,) = ranges.ranges.item
    assert (got.id.prefix, got.size, got.used, got.customer, got.reseller,
            got.nameservers.item) == ('3120800', 10, 0, c1, r1, [])
    got.size = 20
    assert call('updateRange', range=got) is None
    assert call('getRanges', query={'filter': {'prefix': '3120800'}}
                ).ranges.item[0].size == 20

    number_id = {'number': '31208005123', 'tld': 'e164.arpa'}
    assert fault('getNumber', enumId=number_id) == \
        ('3002', 'ENUM number 31208005123@e164.arpa does not exist')
    assert call('addNumber', number={'id': number_id, 'mappings': {'item': [
        {'type': 'sip', 'mapto': 'sip:alice@example.com', 'priority': 5,
         'ttl': 3600}]}}) is None
    number = call('getNumber', enumId=number_id)
    (sip,) = number.mappings.item
    assert (sip.type, sip.mapto, sip.priority, number.customer,
            number.reseller) == ('sip', 'sip:alice@example.com', 5, c1, r1)
    number.mappings.item.append({'type': 'tel', 'mapto': 'tel:+31208005123',
                                 'priority': 10, 'ttl': 600})
    assert call('updateNumber', number=number) is None
    after = call('getNumber', enumId=number_id)
    assert [(m.id == sip.id, m.type, m.ttl) for m in after.mappings.item] == \
        [(True, 'sip', 3600), (False, 'tel', 600)]
    assert fault('addNumber', number={'id': number_id})[0] == '3003'
    assert fault('addNumber', number={'id': {
        'number': '31208005124', 'tld': 'e164.arpa'}})[0] == '102'
    assert fault('addNumber', number={'id': {
        'number': '4420800512', 'tld': 'e164.arpa'}})[0] == '3000'
    listed = call('getNumbers', query={'filter': {
        'number': '3120800%', 'type': 'tel', 'mapto': '%31208005123'}})
    assert listed.total == 1
    assert listed.numbers.item[0].id.number == '31208005123'
    assert fault('getNumber', 'r2', enumId=number_id)[0] == '3002'
    assert call('deleteNumber', enumId=number_id) is None
    assert fault('deleteNumber', enumId=number_id)[0] == '3002'
    assert call('deleteRange', range=range_id) is None
    assert fault('deleteRange', range=range_id) == \
        ('3000', 'ENUM range 3120800@e164.arpa does not exist')
