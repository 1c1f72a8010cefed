"""Outgoing envelopes: responses and faults, in the style of the request.

rpc/encoded answers carry full typing, because non-WSDL PHP clients take all
type information from the message (spec §1.6): xsi:type on every scalar,
SOAP-ENC array markers on every list (empty ones included), explicit
booleans, exactly one child in the response wrapper. document/literal answers
have the same element tree without the encoding attributes, which is what a
client generated from our literal WSDL expects.
"""
import re
from functools import lru_cache

from lxml import etree
from spyne.model.complex import Array, ComplexModelBase
from spyne.model.primitive import Boolean, Double, Float, Integer, Unicode

from ..types.common import TNS, xsd_name
from .envelope import SOAP_ENC, SOAP_ENV, XSD, XSI

# Prefixes of the type namespaces: the Presence port's types live in their
# own (spec §1.3).
TYPE_PREFIXES = {TNS: 'ngnpro', 'urn:AGProjects:SoapSIMPLEProxy': 'simple'}
NSMAP = {'SOAP-ENV': SOAP_ENV, 'SOAP-ENC': SOAP_ENC, 'xsd': XSD, 'xsi': XSI}
NSMAP.update({p: ns for ns, p in TYPE_PREFIXES.items()})
_XSI_TYPE = '{%s}type' % XSI
_ENC_STYLE = '{%s}encodingStyle' % SOAP_ENV
_ENVELOPE = '{%s}Envelope' % SOAP_ENV
_BODY = '{%s}Body' % SOAP_ENV

SCALAR, STRUCT, LIST = 0, 1, 2


@lru_cache(maxsize=None)
def _plan(cls):
    """(kind, xsi:type, members-or-item) for a model class, computed once."""
    if issubclass(cls, Array):
        (item,) = cls._type_info.values()
        return LIST, _type_label(item), item
    if issubclass(cls, ComplexModelBase):
        return STRUCT, _model_label(cls), tuple(cls._type_info.items())
    return SCALAR, 'xsd:' + xsd_name(cls), _scalar_writer(cls)


def _model_label(cls):
    return '%s:%s' % (TYPE_PREFIXES[cls.get_namespace()], cls.get_type_name())


def _type_label(cls):
    if issubclass(cls, ComplexModelBase) and not issubclass(cls, Array):
        return _model_label(cls)
    if issubclass(cls, Array):
        return 'SOAP-ENC:Array'
    return 'xsd:' + xsd_name(cls)


def _bool_text(v):
    return 'true' if v and v not in ('0', 'false', 'False') else 'false'


def _float_text(v):
    return repr(float(v or 0))


def _int_text(v):
    return str(int(v or 0))


def _str_text(v):
    return '' if v is None else str(v)


def _scalar_writer(cls):
    if issubclass(cls, Boolean):
        return _bool_text
    if issubclass(cls, (Double, Float)):
        return _float_text
    if issubclass(cls, Integer):
        return _int_text
    if issubclass(cls, Unicode):
        return _str_text
    return _str_text


def _get(value, name):
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


# Text as lxml would serialise it; characters XML 1.0 cannot carry (data that
# reached the database by other means) are dropped rather than failing.
_ESCAPES = str.maketrans({'&': '&amp;', '<': '&lt;', '>': '&gt;',
                          '\r': '&#13;'})
_INVALID = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _escape(text):
    if _INVALID.search(text):
        text = _INVALID.sub('', text)
    return text.translate(_ESCAPES)


def _write(out, tag, cls, value, typed):
    """Append the serialisation of one element to the list ``out``; strings
    are joined once at the end (several times faster than building an lxml
    tree for list pages of full accounts)."""
    kind, label, extra = _plan(cls)
    if kind == SCALAR:
        text = _escape(extra(value))
        if typed:
            out.append('<%s xsi:type="%s">%s</%s>' % (tag, label, text, tag))
        else:
            out.append('<%s>%s</%s>' % (tag, text, tag))
    elif kind == STRUCT:
        out.append('<%s xsi:type="%s">' % (tag, label) if typed
                   else '<%s>' % tag)
        for name, member in extra:
            sub = _get(value, name) if value is not None else None
            if sub is None and _plan(member)[0] == STRUCT:
                continue
            _write(out, name, member, sub, typed)
        out.append('</%s>' % tag)
    else:
        items = list(value or ())
        if typed:
            head = '<%s xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType=' \
                '"%s[%d]"' % (tag, label, len(items))
        else:
            # The literal schema's own type name: WSDL clients (zeep, suds)
            # read an empty array as an empty list instead of None.
            head = '<%s xsi:type="%s"' % (tag, _model_label(cls))
        if not items:
            out.append(head + '/>')
            return
        out.append(head + '>')
        for item in items:
            _write(out, 'item', extra, item, typed)
        out.append('</%s>' % tag)


_OPEN = ('<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<SOAP-ENV:Envelope'
         + ''.join(' xmlns:%s="%s"' % kv for kv in NSMAP.items()))


def response(port_ns, operation, return_type, value, typed=True):
    """The envelope for a successful call; void operations (return_type None)
    get an empty wrapper, which every client reads as success."""
    out = [_OPEN, ' SOAP-ENV:encodingStyle="%s">' % SOAP_ENC if typed else '>',
           '<SOAP-ENV:Body>']
    wrapper = 'ns1:%sResponse' % operation
    if return_type is None:
        out.append('<%s xmlns:ns1="%s"/>' % (wrapper, port_ns))
    else:
        out.append('<%s xmlns:ns1="%s">' % (wrapper, port_ns))
        _write(out, 'return', return_type, value, typed)
        out.append('</%s>' % wrapper)
    out.append('</SOAP-ENV:Body></SOAP-ENV:Envelope>')
    return ''.join(out).encode('utf-8')


def _envelope(typed):
    env = etree.Element(_ENVELOPE, nsmap=NSMAP)
    if typed:
        env.set(_ENC_STYLE, SOAP_ENC)
    return env, etree.SubElement(env, _BODY)


def _tostring(env):
    return etree.tostring(env, xml_declaration=True, encoding='UTF-8')


def fault(error, typed=True):
    """detail/exception/{errorcode, errorstring}: the client decides on
    errorcode and shows faultstring and errorstring (spec §4.1)."""
    env, body = _envelope(typed)
    f = etree.SubElement(body, '{%s}Fault' % SOAP_ENV)
    etree.SubElement(f, 'faultcode').text = 'SOAP-ENV:' + error.faultcode
    etree.SubElement(f, 'faultstring').text = error.faultstring
    exc = etree.SubElement(etree.SubElement(f, 'detail'), 'exception')
    code = etree.SubElement(exc, 'errorcode')
    code.text = str(error.errorcode)
    text = etree.SubElement(exc, 'errorstring')
    text.text = error.errorstring
    if typed:
        exc.set(_XSI_TYPE, 'ngnpro:NGNProException')
        code.set(_XSI_TYPE, 'xsd:int')
        text.set(_XSI_TYPE, 'xsd:string')
    return _tostring(env)
