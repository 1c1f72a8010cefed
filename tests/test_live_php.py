"""PHP ext/soap (a client nobody here wrote) against the real server, in
non-WSDL rpc/encoded mode as CDRTool-style scripts use it: arguments as PHP
objects and as associative arrays (sent as Apache maps), answers decoded
from the message's own typing."""
import json

import pytest

from tests.conftest import require
from tests.helpers import ADMIN
from tests.support.php import php_missing, run_php

PRELUDE = r'''
function client($url, $port, $user, $pass, $admin, $impersonate = null) {
    $c = new SoapClient(null, ['location' => $url,
        'uri' => 'urn:AGProjects:NGNPro:' . $port, 'style' => SOAP_RPC,
        'use' => SOAP_ENCODED, 'exceptions' => true, 'trace' => 1]);
    $auth = ['username' => $user, 'password' => $pass, 'admin' => $admin];
    if ($impersonate !== null) { $auth['impersonate'] = $impersonate; }
    $c->__setSoapHeaders(new SoapHeader('urn:AGProjects:NGNPro', 'auth',
                                        (object) $auth));
    return $c;
}
function call($c, $op, $args) {
    $params = [];
    foreach ($args as $name => $value) { $params[] = new SoapParam($value, $name); }
    try {
        return ['ok' => $c->__soapCall($op, $params)];
    } catch (SoapFault $f) {
        return ['fault' => ['code' => $f->detail->exception->errorcode ?? null,
                            'string' => $f->detail->exception->errorstring ?? null,
                            'faultstring' => $f->faultstring]];
    }
}
$out = [];
'''


@pytest.fixture
def php(server):
    require(php_missing() is None, 'PHP SOAP client', 'php-cli php-soap')

    def run(body):
        script = PRELUDE + '$URL = %s;\n' % json.dumps(server.url) + \
            '$ADMIN = %s; $PASS = %s;\n' % (json.dumps(ADMIN[0]),
                                           json.dumps(ADMIN[1])) + body + \
            '\necho json_encode($out);\n'
        return json.loads(run_php(script, timeout=60))
    return run


def test_customer_port_from_php(php):
    out = php(r'''
$cust = client($URL, 'Customer', $ADMIN, $PASS, true);
$out['add'] = call($cust, 'addAccount', ['account' => (object) [
    'username' => 'acme', 'password' => 'Acme-2024', 'firstName' => 'John',
    'lastName' => 'Doe', 'balance' => 10.5, 'credit' => 0.0,
    'resellerActive' => 1,
    'properties' => [(object) ['name' => 'sip_credit', 'value' => '5',
                               'category' => 'credit', 'permission' => 'admin']]]]);
$id = $out['add']['ok']->id;
// An associative array goes on the wire as an Apache map.
$out['add2'] = call($cust, 'addAccount', ['account' => [
    'username' => 'sub', 'password' => 'x', 'reseller' => $id,
    'properties' => []]]);
$out['get'] = call($cust, 'getAccount', ['id' => $id]);
$got = $out['get']['ok'];
$out['types'] = [
    'resellerActive' => gettype($got->resellerActive),
    'id' => gettype($got->id), 'balance' => gettype($got->balance),
    'properties' => gettype($got->properties),
    'props_is_list' => array_is_list($got->properties)];
$out['sub_props'] = gettype($out['add2']['ok']->properties);
$out['dup'] = call($cust, 'addAccount', ['account' => (object) [
    'username' => 'acme', 'password' => 'x']]);
$out['page'] = call($cust, 'getCustomers', ['query' => (object) [
    'filter' => (object) ['username' => '%'],
    'orderBy' => (object) ['attribute' => 'username', 'direction' => 'ASC'],
    'range' => (object) ['start' => 0, 'count' => 10]]]);
$out['none'] = call($cust, 'getCustomers', ['query' => (object) [
    'filter' => (object) ['username' => 'nobody']]]);
$out['setp'] = call($cust, 'setProperties', ['customer' => $id,
    'properties' => [(object) ['name' => 'web_x', 'value' => '1',
                               'category' => 'web', 'permission' => 'customer']]]);
$out['props'] = call($cust, 'getProperties', ['customer' => $id]);
$got->firstName = 'Jane';
$out['update'] = call($cust, 'updateAccount', ['account' => $got]);
$out['after'] = call($cust, 'getAccount', ['id' => $id])['ok']->firstName;
$out['missing'] = call($cust, 'getAccount', ['id' => 999]);
$bad = client($URL, 'Customer', $ADMIN, 'wrong', true);
$out['badauth'] = call($bad, 'getAccount', ['id' => $id]);
$login = client($URL, 'Customer', 'acme', 'Acme-2024', false);
$out['login'] = call($login, 'getResellers', ['query' => (object) [
    'filter' => (object) ['customer' => $id],
    'range' => (object) ['start' => 0, 'count' => 1]]]);
''')
    add = out['add']['ok']
    assert add['username'] == 'acme' and add['reseller'] == add['id']
    assert add['resellerActive'] is True and add['balance'] == 10.5
    assert add['properties'] == [{'name': 'sip_credit', 'value': '5',
                                  'category': 'credit',
                                  'permission': 'admin'}]
    assert out['add2']['ok']['reseller'] == add['id']
    assert out['types'] == {'resellerActive': 'boolean', 'id': 'integer',
                            'balance': 'double', 'properties': 'array',
                            'props_is_list': True}
    assert out['sub_props'] == 'array'          # empty array, not ''
    assert out['dup']['fault']['code'] == 5001
    page = out['page']['ok']
    assert page['total'] == 2
    assert [a['username'] for a in page['accounts']] == ['acme', 'sub']
    assert out['none']['ok'] == {'total': 0, 'accounts': []}
    assert out['setp'] == {'ok': None}
    assert sorted(p['name'] for p in out['props']['ok']) == ['sip_credit',
                                                            'web_x']
    assert out['update'] == {'ok': None}
    assert out['after'] == 'Jane'
    assert out['missing']['fault']['code'] == 5000
    assert out['badauth']['fault']['code'] == 100
    login = out['login']['ok']
    assert login['total'] == 1 and login['accounts'][0]['username'] == 'acme'


def test_sip_port_from_php(php):
    out = php(r'''
$sip = client($URL, 'Sip', $ADMIN, $PASS, true, 0);
$out['dom'] = call($sip, 'addDomain', ['domain' => (object) [
    'domain' => 'example.com', 'customer' => 0, 'reseller' => 0]]);
$out['dup'] = call($sip, 'addDomain', ['domain' => (object) [
    'domain' => 'example.com']]);
$out['add'] = call($sip, 'addAccount', ['account' => (object) [
    'id' => (object) ['username' => 'alice', 'domain' => 'example.com'],
    'password' => 'pw', 'firstName' => 'Alice', 'prepaid' => 0,
    'groups' => ['free-pstn'], 'quota' => 0, 'owner' => 0,
    'acl' => [], 'properties' => []]]);
$out['dupacc'] = call($sip, 'addAccount', ['account' => (object) [
    'id' => (object) ['username' => 'alice', 'domain' => 'example.com'],
    'password' => 'other']]);
$out['nodom'] = call($sip, 'addAccount', ['account' => (object) [
    'id' => (object) ['username' => 'bob', 'domain' => 'missing.example'],
    'password' => 'pw']]);
$out['auto'] = call($sip, 'addAccount', ['account' => (object) [
    'id' => (object) ['username' => '<autoincrement>', 'domain' => 'example.com'],
    'password' => 'pw']]);
$a = $out['add']['ok'];
$out['types'] = ['prepaid' => gettype($a->prepaid), 'groups' => gettype($a->groups),
    'one' => array_is_list($a->groups), 'acl' => gettype($a->acl),
    'properties' => gettype($a->properties), 'timeout' => gettype($a->timeout)];
$id = (object) ['username' => 'alice', 'domain' => 'example.com'];
$out['grp'] = call($sip, 'addToGroup', ['sipId' => $id, 'group' => 'blocked']);
$out['grp2'] = call($sip, 'addToGroup', ['sipId' => $id, 'group' => 'blocked']);
$out['ungrp'] = call($sip, 'removeFromGroup', ['sipId' => $id, 'group' => 'nope']);
$out['groups'] = call($sip, 'getGroups', ['sipId' => $id]);
$out['alias'] = call($sip, 'addAlias', ['alias' => (object) [
    'id' => (object) ['username' => 'al', 'domain' => 'example.com'],
    'target' => $id, 'owner' => 0]]);
$out['dupalias'] = call($sip, 'addAlias', ['alias' => (object) [
    'id' => (object) ['username' => 'al', 'domain' => 'example.com'],
    'target' => $id]]);
$out['noalias'] = call($sip, 'getAlias', ['id' => (object) [
    'username' => 'nobody', 'domain' => 'example.com']]);
$out['aliases'] = call($sip, 'getAliases', ['query' => (object) [
    'filter' => (object) ['targetUsername' => 'alice', 'targetDomain' => 'example.com'],
    'range' => (object) ['start' => 0, 'count' => 20]]]);
$out['peer'] = call($sip, 'addTrustedPeer', ['peer' => (object) [
    'ip' => '192.0.2.1', 'description' => 'gw', 'msteams' => false,
    'enumLookup' => 1]]);
$out['duppeer'] = call($sip, 'addTrustedPeer', ['peer' => (object) [
    'ip' => '192.0.2.1', 'description' => 'again']]);
$out['nopeer'] = call($sip, 'deleteTrustedPeer', ['ip' => '192.0.2.99']);
$out['peers'] = call($sip, 'getTrustedPeers', ['query' => (object) [
    'filter' => (object) ['tags' => '%%', 'msteams' => false]]]);
$out['list'] = call($sip, 'getAccounts', ['query' => (object) [
    'filter' => (object) ['username' => 'al%', 'groups' => ['']],
    'orderBy' => (object) ['attribute' => 'changeDate', 'direction' => 'DESC'],
    'range' => (object) ['start' => 0, 'count' => 20]]]);
$acc = call($sip, 'getAccount', ['sipId' => $id])['ok'];
unset($acc->password);
$acc->firstName = 'Alicia';
$out['upd'] = call($sip, 'updateAccount', ['account' => $acc]);
$out['get'] = call($sip, 'getAccount', ['sipId' => $id]);
$out['del'] = call($sip, 'deleteAccount', ['sipId' => $id]);
$out['gone'] = call($sip, 'getAccount', ['sipId' => $id]);
''')
    assert out['dom'] == {'ok': None}
    assert out['dup']['fault']['code'] == 1001
    add = out['add']['ok']
    assert add['id'] == {'username': 'alice', 'domain': 'example.com'}
    assert add['groups'] == ['free-pstn'] and add['prepaid'] is False
    assert out['types'] == {'prepaid': 'boolean', 'groups': 'array',
                            'one': True, 'acl': 'array', 'properties': 'array',
                            'timeout': 'integer'}
    assert out['dupacc']['fault']['code'] == 1011
    assert out['nodom']['fault']['code'] == 1000
    assert out['auto']['ok']['id']['username'] == '1000'
    assert out['grp'] == {'ok': None}
    assert out['grp2']['fault']['code'] == 1030
    assert out['ungrp']['fault']['code'] == 1031
    assert out['groups']['ok'] == ['blocked', 'free-pstn']
    aliases = out['aliases']['ok']
    assert aliases['total'] == 1
    assert aliases['aliases'][0]['id'] == {'username': 'al',
                                           'domain': 'example.com'}
    assert out['dupalias']['fault']['code'] == 1021
    assert out['noalias']['fault']['code'] == 1020
    assert out['duppeer']['fault']['code'] == 1051
    assert out['nopeer']['fault']['code'] == 1050
    peers = out['peers']['ok']
    assert peers['total'] == 1 and peers['peers'][0]['enumLookup'] is True
    assert out['list']['ok']['total'] == 1
    assert out['upd'] == {'ok': None}
    got = out['get']['ok']
    assert got['firstName'] == 'Alicia' and got['password'] == 'pw'
    assert out['del'] == {'ok': None}
    assert out['gone']['fault']['code'] == 1010


def test_sip_paging_250_accounts_and_passwords_from_php(php):
    out = php(r'''
$sip = client($URL, 'Sip', $ADMIN, $PASS, true);
call($sip, 'addDomain', ['domain' => (object) ['domain' => 'example.com']]);
for ($i = 0; $i < 250; $i++) {
    $user = sprintf('user%03d', $i);
    $pw = ($i % 2) ? 'clear' . $i
        : md5("$user:example.com:pw$i") . ':' . md5("$user@example.com:example.com:pw$i");
    $r = call($sip, 'addAccount', ['account' => (object) [
        'id' => (object) ['username' => $user, 'domain' => 'example.com'],
        'password' => $pw, 'firstName' => 'F' . ($i % 5),
        'groups' => ($i % 3 == 0) ? ['tri'] : []]]);
    if (!isset($r['ok'])) { $out['failed'][] = $r; }
}
foreach (['ASC', 'DESC'] as $dir) {
    $seen = []; $start = 0; $totals = [];
    do {
        $page = call($sip, 'getAccounts', ['query' => (object) [
            'filter' => (object) ['username' => 'user%', 'domain' => 'example.com',
                                  'groups' => ['']],
            'orderBy' => (object) ['attribute' => 'username', 'direction' => $dir],
            'range' => (object) ['start' => $start, 'count' => 20]]])['ok'];
        foreach ($page->accounts as $a) { $seen[] = $a->id->username; }
        $totals[] = $page->total;
        $start += 20;
    } while ($start < $page->total);
    $out[$dir] = $seen; $out[$dir . '_totals'] = array_unique($totals);
}
$out['filtered'] = call($sip, 'getAccounts', ['query' => (object) [
    'filter' => (object) ['username' => 'user1_5', 'firstName' => 'F%',
                          'groups' => ['tri']],
    'orderBy' => (object) ['attribute' => 'username', 'direction' => 'DESC'],
    'range' => (object) ['start' => 0, 'count' => 100]]])['ok'];
$out['md5'] = call($sip, 'getAccount', ['sipId' => (object) [
    'username' => 'user000', 'domain' => 'example.com']])['ok'];
$out['clear'] = call($sip, 'getAccount', ['sipId' => (object) [
    'username' => 'user001', 'domain' => 'example.com']])['ok'];
''')
    assert 'failed' not in out, out.get('failed')
    names = ['user%03d' % i for i in range(250)]
    assert out['ASC'] == names and out['DESC'] == names[::-1]
    assert out['ASC_totals'] == [250] and out['DESC_totals'] == [250]
    filtered = [a['id']['username'] for a in out['filtered']['accounts']]
    expected = ['user1%d5' % d for d in range(9, -1, -1)
                if int('1%d5' % d) % 3 == 0]
    assert filtered == expected and out['filtered']['total'] == len(expected)
    # md5:md5 keeps no clear text; clear text is kept (server default).
    md5 = out['md5']
    assert md5['password'] == '' and md5['ha1'] == __import__(
        'hashlib').md5(b'user000:example.com:pw0').hexdigest()
    assert out['clear']['password'] == 'clear1'
