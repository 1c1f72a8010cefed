"""Wrong types and out-of-range values for every field of every built
operation, generated from the models: each is refused with fault 103 and
leaves every table as it was."""
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings

from ngnpro.config import Config
from tests.hostile.models import bad_values, fields
from tests.helpers import ADMIN

FIELDS = fields()
EXAMPLES = 2       # per field and backend: bounded, deterministic

_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n'
    '<SOAP-ENV:Envelope '
    'xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" '
    'xmlns:ns4="urn:AGProjects:NGNPro" xmlns:ns5="%(ns)s" '
    'SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">'
    '<SOAP-ENV:Header><auth>'
    '<username xsi:type="xsd:string">%(user)s</username>'
    '<password xsi:type="xsd:string">%(password)s</password>'
    '<admin xsi:type="xsd:boolean">true</admin></auth></SOAP-ENV:Header>'
    '<SOAP-ENV:Body><ns5:%(op)s>%(arg)s</ns5:%(op)s></SOAP-ENV:Body>'
    '</SOAP-ENV:Envelope>')


def _leaf(tag, value, declared):
    if declared is not None:
        return ('<%s xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType='
                '"xsd:string[%d]"><item xsi:type="xsd:string">x</item></%s>'
                % (tag, declared, tag))
    kind = 'xsd:int' if isinstance(value, int) else 'xsd:string'
    return '<%s xsi:type="%s">%s</%s>' % (tag, kind, escape(str(value)), tag)


def request(field, value, declared):
    """The operation with one argument holding only the bad value, at its
    place; nested arrays get their SOAP-ENC markers as PEAR sends them."""
    path = list(field.path)
    tag = 'item' if path[-1] == 0 else path[-1]
    xml = _leaf(tag, value, declared)
    for i in range(len(path) - 2, -1, -1):
        name = path[i]
        if name == 0:
            continue                       # the item wrapper is the leaf's
        if path[i + 1] == 0:
            if i + 1 != len(path) - 1:
                xml = '<item>%s</item>' % xml
            xml = ('<%s xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType='
                   '"Struct[1]">%s</%s>' % (name, xml, name))
        else:
            xml = '<%s>%s</%s>' % (name, xml, name)
    ns = 'urn:AGProjects:%s' % ('SoapSIMPLEProxy:Presence'
                                 if field.port == 'Presence'
                                 else 'NGNPro:' + field.port)
    return (_ENVELOPE % dict(ns=ns, user=ADMIN[0], password=ADMIN[1],
                             op=field.operation, arg=xml)).encode('utf-8')


@pytest.mark.parametrize('field', FIELDS, ids=[f.id for f in FIELDS])
def test_bad_value_is_refused(live, field):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(bad_values(field, Config.max_array_length))
    def case(bad):
        value, declared = bad
        before = live.snapshot()
        data = request(field, value, declared)
        # A field allowed to be longer than a request may be is refused by
        # the HTTP layer (106) before the codec sees it.
        code = 103 if len(data) <= Config.max_request_size else 106
        status, body = live.post(data)
        assert status == 500, body
        assert b'<errorcode xsi:type="xsd:int">%d</errorcode>' % code \
            in body, body
        assert live.snapshot() == before
    case()
