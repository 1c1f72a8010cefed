"""The codec on shapes the golden fixtures do not cover: multi-refs, nil,
Apache maps, header variants, style detection, and what answers look like."""
import pytest
from lxml import etree

from ngnpro.config import Config
from ngnpro.faults import NGNProError
from ngnpro.soap import encode, envelope
from ngnpro.types.customer import CustomerAccount, CustomerQueryResult
from ngnpro.types.sip import SipAccount

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<SOAP-ENV:Envelope '
        b'xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
        b'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" '
        b'xmlns:ns2="http://xml.apache.org/xml-soap" '
        b'xmlns:ns4="urn:AGProjects:NGNPro" '
        b'xmlns:ns5="urn:AGProjects:NGNPro:Sip">')
TAIL = b'</SOAP-ENV:Envelope>'


def decode_sip(dispatcher, body, header=b''):
    request = envelope.parse(HEAD + header + b'<SOAP-ENV:Body>' + body +
                             b'</SOAP-ENV:Body>' + TAIL)
    port, op = dispatcher.resolve(request)
    return request, dispatcher.decode(port, op, request)[1]


@pytest.fixture(scope='module')
def dispatcher(tmp_path_factory):
    from tests.helpers import make_dispatcher
    path = tmp_path_factory.mktemp('codec') / 'db.sqlite'
    return make_dispatcher('sqlite:///%s' % path)


def test_multiref_referenced_twice_is_copied(dispatcher):
    _, (alias,) = decode_sip(dispatcher, (
        b'<ns5:addAlias><alias xsi:type="ns4:SipAlias">'
        b'<id href="#r1"/><target href="#r1"/></alias></ns5:addAlias>'
        b'<multiRef id="r1" SOAP-ENC:root="0"><username xsi:type="xsd:string">'
        b'bob</username><domain xsi:type="xsd:string">example.com</domain>'
        b'</multiRef>'))
    assert (alias.id.username, alias.id.domain) == ('bob', 'example.com')
    assert (alias.target.username, alias.target.domain) == \
        ('bob', 'example.com')


def test_nil_false_is_a_value_nil_true_is_absent(dispatcher):
    _, (acc,) = decode_sip(dispatcher, (
        b'<ns5:addAccount><account xsi:type="ns4:SipAccount">'
        b'<firstName xsi:type="xsd:string" xsi:nil="false">Al</firstName>'
        b'<lastName xsi:nil="true"/><prepaid xsi:type="xsd:boolean">false'
        b'</prepaid><quota xsi:type="xsd:string"></quota><rpid/>'
        b'</account></ns5:addAccount>'))
    assert acc.firstName == 'Al'
    assert acc.lastName is None and acc.rpid is None and acc.quota is None
    assert acc.prepaid is False


def test_apache_map_from_php_associative_arrays(dispatcher):
    _, (acc,) = decode_sip(dispatcher, (
        b'<ns5:addAccount><account xsi:type="ns2:Map">'
        b'<item><key xsi:type="xsd:string">id</key><value xsi:type="ns2:Map">'
        b'<item><key>username</key><value>alice</value></item>'
        b'<item><key>domain</key><value>example.com</value></item></value>'
        b'</item><item><key>groups</key><value xsi:type="SOAP-ENC:Array" '
        b'SOAP-ENC:arrayType="xsd:string[1]"><item>vip</item></value></item>'
        b'</account></ns5:addAccount>'))
    assert (acc.id.username, acc.id.domain) == ('alice', 'example.com')
    assert list(acc.groups) == ['vip']


@pytest.mark.parametrize('header', [
    b'<auth><username>u</username><password>p</password>'
    b'<admin xsi:type="xsd:boolean">true</admin></auth>',
    b'<ns4:auth SOAP-ENV:actor="0" SOAP-ENV:mustUnderstand="1">'
    b'<username>u</username><password>p</password><admin>1</admin>'
    b'<impersonate xsi:type="xsd:string">7</impersonate></ns4:auth>',
])
def test_auth_header_variants(dispatcher, header):
    request, _ = decode_sip(dispatcher, b'<ns5:getGroups><sipId/>'
                            b'</ns5:getGroups>',
                            b'<SOAP-ENV:Header>' + header +
                            b'</SOAP-ENV:Header>')
    assert (request.auth.username, request.auth.password,
            request.auth.admin) == ('u', 'p', True)
    assert request.auth.impersonate in (0, 7)


def test_literal_request_detected():
    request = envelope.parse(
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
        b'envelope/"><soap:Body><ns0:getAccount xmlns:ns0="urn:AGProjects:'
        b'NGNPro:Customer"><id>5</id></ns0:getAccount></soap:Body>'
        b'</soap:Envelope>')
    assert request.encoded is False and request.operation == 'getAccount'


@pytest.mark.parametrize('data,fragment', [
    (b'<x/>', 'Not a SOAP 1.1 envelope'),
    (HEAD + b'<SOAP-ENV:Body/>' + TAIL, 'Body is empty'),
    (HEAD + b'<SOAP-ENV:Body><a href="#nowhere"/></SOAP-ENV:Body>' + TAIL,
     'Unresolved reference'),
    (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
     ''),
])
def test_bad_envelopes(data, fragment):
    with pytest.raises(NGNProError) as err:
        envelope.parse(data)
    assert err.value.errorcode == 105 and fragment in err.value.errorstring


def _ref_bomb(depth):
    """Each multi-ref points twice at the next: 2**depth copies."""
    refs = b''.join(b'<m%d id="m%d" SOAP-ENC:root="0"><a href="#m%d"/>'
                    b'<b href="#m%d"/></m%d>' % (i, i, i + 1, i + 1, i)
                    for i in range(depth))
    return (HEAD + b'<SOAP-ENV:Body><ns1:getCustomers xmlns:ns1="urn:'
            b'AGProjects:NGNPro:Customer"><query href="#m0"/>'
            b'</ns1:getCustomers>' + refs +
            b'<m%d id="m%d" SOAP-ENC:root="0">x</m%d></SOAP-ENV:Body>'
            % (depth, depth, depth) + TAIL)


def test_multiref_expansion_is_bounded():
    bomb = _ref_bomb(40)
    assert len(bomb) < 4000
    with pytest.raises(NGNProError) as err:
        envelope.parse(bomb)
    assert err.value.errorcode == 106
    assert 'more than %d elements' % Config.max_elements in err.value.errorstring
    # The same shape, small enough, expands in full.
    request = envelope.parse(_ref_bomb(4))
    assert len(request.body.findall('.//a')) == 1 + 2 + 4 + 8


def test_multiref_limit_comes_from_the_config():
    from tests.helpers import make_dispatcher
    small = make_dispatcher('sqlite://', max_elements=20)
    outcome = small.handle(_ref_bomb(4))
    assert outcome.status == 500 and outcome.errorcode == 106
    roomy = make_dispatcher('sqlite://', max_elements=1000)
    # Past the parser, it stops at the missing auth header.
    assert roomy.handle(_ref_bomb(4)).errorcode == 100


def test_encoded_answer_typing():
    account = {'id': {'username': 'a', 'domain': 'b'}, 'prepaid': False,
               'groups': ['one'], 'acl': [], 'properties': None,
               'quota': None}
    root = etree.fromstring(encode.response(
        'urn:AGProjects:NGNPro:Sip', 'getAccount', SipAccount, account))
    wrapper = root[0][0]
    assert wrapper.tag == '{urn:AGProjects:NGNPro:Sip}getAccountResponse'
    assert len(wrapper) == 1
    ret = wrapper[0]
    xsi = '{http://www.w3.org/2001/XMLSchema-instance}type'
    enc = '{http://schemas.xmlsoap.org/soap/encoding/}arrayType'
    assert ret.get(xsi) == 'ngnpro:SipAccount'
    assert ret.find('prepaid').text == 'false'
    assert ret.find('prepaid').get(xsi) == 'xsd:boolean'
    assert ret.find('groups').get(enc) == 'xsd:string[1]'
    assert ret.find('groups/item').get(xsi) == 'xsd:string'
    assert ret.find('acl').get(enc) == 'ngnpro:SubscriberACL[0]'
    assert ret.find('properties').get(xsi) == 'SOAP-ENC:Array'
    assert ret.find('quota').text == '0' and \
        ret.find('quota').get(xsi) == 'xsd:int'
    assert ret.find('owner').get(xsi) == 'xsd:integer'
    # Every member is present, so PHP never meets an undefined property.
    assert [c.tag for c in ret] == list(SipAccount._type_info)
    # Prefixes used only inside xsi:type values are declared on the Envelope.
    assert root.nsmap['ngnpro'] == 'urn:AGProjects:NGNPro'
    assert root.nsmap['SOAP-ENC'] == \
        'http://schemas.xmlsoap.org/soap/encoding/'


def test_literal_answer_has_no_encoding_attributes():
    data = encode.response('urn:AGProjects:NGNPro:Customer', 'getCustomers',
                           CustomerQueryResult,
                           {'total': 1, 'accounts': [{'id': 3}]}, typed=False)
    assert b'SOAP-ENC:' not in data and b'encodingStyle' not in data
    root = etree.fromstring(data)
    xsi = '{http://www.w3.org/2001/XMLSchema-instance}type'
    assert root.find('.//return/accounts/item/id').text == '3'
    assert root.find('.//return/accounts/item/id').get(xsi) is None
    assert root.find('.//return/total').get(xsi) is None
    # Arrays name their literal schema type (zeep: empty array -> []).
    assert root.find('.//return/accounts').get(xsi) == \
        'ngnpro:CustomerAccountArray'


def test_void_answer_is_a_full_envelope():
    root = etree.fromstring(encode.response(
        'urn:AGProjects:NGNPro:Customer', 'updateAccount', None, None))
    assert root[0][0].tag == \
        '{urn:AGProjects:NGNPro:Customer}updateAccountResponse'
    assert len(root[0][0]) == 0


def test_fault_shape():
    root = etree.fromstring(encode.fault(NGNProError(1011, 'exists')))
    fault = root[0][0]
    assert fault.findtext('faultcode') == 'SOAP-ENV:Client'
    assert fault.findtext('faultstring') == 'exists'
    assert fault.findtext('detail/exception/errorcode') == '1011'
    assert fault.find('detail/exception/errorcode').get(
        '{http://www.w3.org/2001/XMLSchema-instance}type') == 'xsd:int'
    assert CustomerAccount  # the models import cleanly with the codec


def test_answer_text_is_escaped_and_always_well_formed():
    account = {'id': {'username': 'a&b', 'domain': 'x<y>'},
               'firstName': 'bad\x01char', 'lastName': 'line\r\nbreak',
               'email': 'ünïcödé "q"'}
    for typed in (True, False):
        root = etree.fromstring(encode.response(
            'urn:AGProjects:NGNPro:Sip', 'getAccount', SipAccount, account,
            typed))
        ret = root[0][0][0]
        assert ret.findtext('id/username') == 'a&b'
        assert ret.findtext('id/domain') == 'x<y>'
        assert ret.findtext('firstName') == 'badchar'
        assert ret.findtext('lastName') == 'line\r\nbreak'
        assert ret.findtext('email') == 'ünïcödé "q"'
