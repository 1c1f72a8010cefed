"""A minimal rpc/encoded client for in-process tests, written the way the
legacy PEAR client serialises (typed scalars, untyped nested structs,
SOAP-ENC arrays of <item>, unqualified auth header), and a decoder for the
answers that relies on xsi:type only, as a non-WSDL PHP client does.

Compatibility with real clients is proven elsewhere (PHP ext/soap, zeep,
suds, the golden fixtures); this is for exercising behaviour quickly.
"""
from xml.sax.saxutils import escape

from lxml import etree

XSI = 'http://www.w3.org/2001/XMLSchema-instance'
SOAP_ENC = 'http://schemas.xmlsoap.org/soap/encoding/'


class SoapFault(Exception):
    def __init__(self, code, string, faultcode):
        super().__init__('%s (%s): %s' % (faultcode, code, string))
        self.code, self.string, self.faultcode = code, string, faultcode


def _value(name, value, top=False, type_name=None):
    if value is None:
        return '<%s/>' % name
    if isinstance(value, bool):
        return '<%s xsi:type="xsd:boolean">%s</%s>' % (
            name, 'true' if value else 'false', name)
    if isinstance(value, int):
        return '<%s xsi:type="xsd:int">%d</%s>' % (name, value, name)
    if isinstance(value, float):
        return '<%s xsi:type="xsd:float">%r</%s>' % (name, value, name)
    if isinstance(value, str):
        return '<%s xsi:type="xsd:string">%s</%s>' % (name, escape(value),
                                                       name)
    if isinstance(value, (list, tuple)):
        if not value:
            return ('<%s xsi:type="SOAP-ENC:Array" '
                    'SOAP-ENC:arrayType="xsd:anyType[0]"/>' % name)
        kind = 'xsd:string' if all(isinstance(v, str) for v in value) \
            else 'Struct'
        inner = ''.join(_value('item', v) for v in value)
        return ('<%s xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="%s[%d]" '
                'SOAP-ENC:offset="[0]">%s</%s>' % (name, kind, len(value),
                                                    inner, name))
    if isinstance(value, dict):
        typed = ' xsi:type="ns4:%s"' % type_name if top and type_name else ''
        inner = ''.join(_value(k, v) for k, v in value.items())
        return '<%s%s>%s</%s>' % (name, typed, inner, name)
    raise TypeError(value)


PRESENCE = ('urn:AGProjects:SoapSIMPLEProxy:Presence',
            'urn:AGProjects:SoapSIMPLEProxy')


def envelope(port, operation, args, auth=None, types=None, namespaces=None):
    """args: list of (name, value); types: {argname: NGNPro type name};
    namespaces: (port namespace, type namespace) when not NGNPro's (the
    Presence port: PRESENCE)."""
    port_ns, type_ns = namespaces or ('urn:AGProjects:NGNPro:' + port,
                                      'urn:AGProjects:NGNPro')
    header = ''
    if auth is not None:
        fields = ''.join(_value(k, v) for k, v in auth.items())
        header = '<SOAP-ENV:Header>\r\n<auth>%s</auth>\r\n</SOAP-ENV:Header>' \
            % fields
    body = ''.join(_value(n, v, True, (types or {}).get(n)) for n, v in args)
    return ('<?xml version="1.0" encoding="UTF-8"?>\r\n'
            '<SOAP-ENV:Envelope '
            'xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" '
            'xmlns:ns4="%s" '
            'xmlns:ns5="%s" '
            'SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/'
            'encoding/">%s\r\n<SOAP-ENV:Body>\r\n<ns5:%s>%s</ns5:%s>\r\n'
            '</SOAP-ENV:Body>\r\n</SOAP-ENV:Envelope>\r\n'
            % (type_ns, port_ns, header, operation, body, operation)
            ).encode('utf-8')


def decode(el):
    """A response element -> Python, by xsi:type (as non-WSDL PHP does)."""
    xsi_type = el.get('{%s}type' % XSI) or ''
    local = xsi_type.rpartition(':')[2]
    if local == 'Array' or el.get('{%s}arrayType' % SOAP_ENC):
        return [decode(c) for c in el]
    if len(el):
        return {etree.QName(c).localname: decode(c) for c in el}
    text = el.text or ''
    if local == 'boolean':
        return text in ('true', '1')
    if local in ('int', 'integer', 'short', 'long', 'nonNegativeInteger',
                 'unsignedInt', 'unsignedShort'):
        return int(text or 0)
    if local in ('double', 'float', 'decimal'):
        return float(text or 0)
    return text


class Client:
    """Calls one port of an in-process Dispatcher with one set of
    credentials."""

    def __init__(self, dispatcher, port, auth, namespaces=None,
                 client='-'):
        self.dispatcher, self.port, self.auth = dispatcher, port, auth
        self.namespaces, self.client = namespaces, client
        self.last = None

    def __call__(self, operation, *args, **types):
        names = [a[0] for a in args]
        data = envelope(self.port, operation, list(args), self.auth,
                        dict(zip(names, [types.get(n) for n in names])),
                        self.namespaces)
        self.last = outcome = self.dispatcher.handle(data, self.client)
        root = etree.fromstring(outcome.body)
        body = root[0]
        first = body[0]
        if etree.QName(first).localname == 'Fault':
            detail = first.find('detail/exception')
            assert outcome.status == 500
            raise SoapFault(int(detail.findtext('errorcode')),
                            detail.findtext('errorstring'),
                            first.findtext('faultcode'))
        assert outcome.status == 200
        assert len(first) <= 1, 'response wrapper must hold one child'
        return decode(first[0]) if len(first) else None


def admin(impersonate=None):
    from tests.helpers import ADMIN
    auth = {'username': ADMIN[0], 'password': ADMIN[1], 'admin': True}
    if impersonate is not None:
        auth['impersonate'] = impersonate
    return auth


def customer(username, password):
    return {'username': username, 'password': password, 'admin': False}
