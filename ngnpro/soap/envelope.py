"""Incoming envelope: parse once, normalise what legacy clients send.

Real NGNPro clients speak rpc/encoded SOAP 1.1 with quirks that spyne cannot
digest on its own (spec §1.4, design notes): multi-refs, ``xsi:nil="false"``,
an unqualified ``<auth>`` header (sometimes with ``actor="0"``), PHP ext/soap
key/value maps and empty elements standing for PHP null. This module turns
such a tree into the plain shape spyne's decoder handles, and pulls out the
auth header, before any service code runs.
"""
import copy
import re
import threading
from dataclasses import dataclass

from lxml import etree

from ..config import Config
from ..faults import (INVALID_ARGUMENT, INVALID_REQUEST, REQUEST_TOO_LARGE,
                      NGNProError)

SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
SOAP_ENC = 'http://schemas.xmlsoap.org/soap/encoding/'
XSI = 'http://www.w3.org/2001/XMLSchema-instance'
XSD = 'http://www.w3.org/2001/XMLSchema'
APACHE_MAP_NS = 'http://xml.apache.org/xml-soap'

_XSI_TYPE = '{%s}type' % XSI
_XSI_NIL = '{%s}nil' % XSI
_ENC_STYLE = '{%s}encodingStyle' % SOAP_ENV
_ARRAY_TYPE = '{%s}arrayType' % SOAP_ENC

# Parser settings chosen for untrusted input: no network, no entity
# expansion, no huge trees.
_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True,
                       huge_tree=False, remove_comments=True, remove_pis=True)
PARSER = etree.XMLParser(**_PARSER_OPTIONS)
# A parser serves one thread at a time (lxml locks it): each pool thread
# parses with its own instead of queuing for the shared one.
_local = threading.local()


def _parser():
    try:
        return _local.parser
    except AttributeError:
        _local.parser = etree.XMLParser(**_PARSER_OPTIONS)
        return _local.parser
_CHUNK = 65536
_ARRAY_SIZE = re.compile(r'\[(\d+)\]\s*$')
_DECLARED_SIZE = re.compile(rb'\[(\d{1,12})\]')


@dataclass
class AuthHeader:
    username: str = None
    password: str = None
    admin: bool = False
    impersonate: int = 0
    attributes: dict = None


@dataclass
class Request:
    envelope: object          # normalised lxml Envelope element
    body: object              # first child of Body (the operation element)
    namespace: str            # namespace URI of the operation element
    operation: str            # local name of the operation element
    auth: AuthHeader          # None when the request carries no auth header
    encoded: bool             # True: rpc/encoded, answer with full typing


def parse(data, max_elements=Config.max_elements,
          max_array_length=Config.max_array_length):
    """Bytes of an HTTP body -> Request, or NGNProError for bad input.

    ``max_elements`` bounds the tree while it is parsed and again once
    multi-refs are copied out (a few KB of refs that each point twice at the
    next would otherwise grow without bound); ``max_array_length`` bounds
    every array, declared or actual, before anything is decoded."""
    root = _bounded_tree(data, max_elements, max_array_length)
    if root.tag != '{%s}Envelope' % SOAP_ENV:
        raise NGNProError(INVALID_REQUEST,
                          'Not a SOAP 1.1 envelope: %s' % root.tag)
    body = root.find('{%s}Body' % SOAP_ENV)
    if body is None:
        raise NGNProError(INVALID_REQUEST, 'SOAP envelope without Body')
    _resolve_multirefs(body, max_elements)
    op = next((c for c in body if isinstance(c.tag, str)), None)
    if op is None:
        raise NGNProError(INVALID_REQUEST, 'SOAP Body is empty')
    encoded = _is_encoded(root, op)
    header = root.find('{%s}Header' % SOAP_ENV)
    auth = _take_auth(header) if header is not None else None
    for arg in list(op):
        _normalise(arg)
    qname = etree.QName(op)
    return Request(envelope=root, body=op, namespace=qname.namespace or '',
                   operation=qname.localname, auth=auth, encoded=encoded)


def _bounded_tree(data, max_elements, max_array_length):
    """Parse, counting elements and array items as they arrive: a small
    compressed body of a million empty elements stops at the limit instead
    of being built and decoded in full. A body with fewer '<' than the
    element limit, and fewer '<item' than the array limit, cannot be over
    either: it takes lxml's one-call parse."""
    if data.count(b'<') <= max_elements and \
            data.count(b'<item') <= max_array_length and \
            not any(int(n) > max_array_length
                    for n in _DECLARED_SIZE.findall(data)):
        try:
            return etree.fromstring(data, _parser())
        except etree.XMLSyntaxError as exc:
            raise NGNProError(INVALID_REQUEST, 'Malformed XML: %s' % exc)
    parser = etree.XMLPullParser(events=('start',), **_PARSER_OPTIONS)
    elements = 0
    items = {}
    try:
        for at in range(0, len(data), _CHUNK):
            parser.feed(data[at:at + _CHUNK])
            for _, el in parser.read_events():
                elements += 1
                if elements > max_elements:
                    raise NGNProError(REQUEST_TOO_LARGE, 'Request too large: '
                                      'more than %d XML elements'
                                      % max_elements)
                declared = _ARRAY_SIZE.search(el.get(_ARRAY_TYPE) or '')
                if declared and int(declared.group(1)) > max_array_length:
                    raise _too_long(el, max_array_length)
                parent = el.getparent()
                if parent is not None:
                    n = items[parent] = items.get(parent, 0) + 1
                    if n > max_array_length and _is_array(parent):
                        raise _too_long(parent, max_array_length)
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise NGNProError(INVALID_REQUEST, 'Malformed XML: %s' % exc)
    if root is None:
        raise NGNProError(INVALID_REQUEST, 'Malformed XML: empty document')
    return root


def _too_long(el, limit):
    return NGNProError(INVALID_ARGUMENT, '%s has more items than the maximum '
                       'of %d' % (etree.QName(el).localname, limit))


def _is_encoded(root, op):
    """rpc/encoded clients mark the envelope or type their arguments;
    document/literal clients (zeep, suds with our literal WSDL) do neither."""
    if root.get(_ENC_STYLE) or op.get(_ENC_STYLE):
        return True
    for el in op.iter():
        if el.get(_XSI_TYPE) is not None or el.get(_ARRAY_TYPE) is not None:
            return True
    return False


def _resolve_multirefs(body, max_elements):
    """Replace every href="#id" with a deep copy of its target, so that an
    id referenced twice arrives twice (spyne's resolver moves the node)."""
    targets = {el.get('id'): el for el in body.iter() if el.get('id')}
    total = sum(1 for _ in body.iter())
    for _ in range(64):  # nested refs resolve in a few passes; cap cycles
        refs = [el for el in body.iter() if (el.get('href') or '')[:1] == '#']
        if not refs:
            break
        sizes = {}
        for el in refs:
            ref = el.get('href')[1:]
            target = targets.get(ref)
            if target is None:
                raise NGNProError(INVALID_REQUEST,
                                  'Unresolved reference #%s' % ref)
            if ref not in sizes:
                sizes[ref] = sum(1 for _ in target.iter()) - 1
            total += sizes[ref]
        if total > max_elements:
            raise NGNProError(REQUEST_TOO_LARGE, 'Request too large: its '
                              'multi-refs expand to more than %d elements'
                              % max_elements)
        for el in refs:
            target = targets[el.get('href')[1:]]
            del el.attrib['href']
            for k, v in target.attrib.items():
                if k not in ('id', '{%s}root' % SOAP_ENC) and k not in el.attrib:
                    el.set(k, v)
            el.text = target.text
            for child in target:
                el.append(copy.deepcopy(child))
    else:
        raise NGNProError(INVALID_REQUEST, 'Circular multi-ref in request')
    # Detached multi-ref roots are siblings of the operation element.
    for el in list(body):
        if el.get('id') and el.get('{%s}root' % SOAP_ENC) == '0':
            body.remove(el)


def _take_auth(header):
    """Find <auth> with or without a namespace, whatever actor/mustUnderstand
    say (legacy clients send actor="0"), and decode it leniently."""
    for el in header:
        if isinstance(el.tag, str) and etree.QName(el).localname == 'auth':
            _normalise(el)
            values = {etree.QName(c).localname: (c.text or '').strip()
                      for c in el if isinstance(c.tag, str)}
            try:
                impersonate = int(values.get('impersonate') or 0)
            except ValueError:
                raise NGNProError(INVALID_REQUEST,
                                  'auth.impersonate must be an integer')
            return AuthHeader(
                username=values.get('username'),
                password=values.get('password'),
                admin=values.get('admin', '').lower() in ('true', '1'),
                impersonate=impersonate,
                attributes={k: v for k, v in el.attrib.items()} or None)
    return None


def _normalise(el):
    """Rewrite one subtree in place (depth first)."""
    for child in list(el):
        if not isinstance(child.tag, str):
            el.remove(child)
            continue
        _normalise(child)
    nil = el.get(_XSI_NIL)
    if nil is not None:
        if nil.strip().lower() in ('true', '1'):
            # nil and PHP null mean "no value": drop the element entirely.
            el.getparent().remove(el)
            return
        del el.attrib[_XSI_NIL]
    xsi_type = el.get(_XSI_TYPE)
    if xsi_type and _is_apache_map(el, xsi_type):
        _unfold_map(el)
        return
    if (len(el) == 0 and not el.text and xsi_type is None
            and el.get(_ARRAY_TYPE) is None):
        # PHP null: an empty element with no type at all (spec §1.4 rule 6).
        parent = el.getparent()
        if parent is not None and not _is_array(parent):
            parent.remove(el)


def _is_array(el):
    # An untyped empty <item/> is a list member, not an absent struct member.
    return el.get(_ARRAY_TYPE) is not None or all(
        etree.QName(c).localname == 'item' for c in el)


def _is_apache_map(el, xsi_type):
    prefix, _, local = xsi_type.rpartition(':')
    return local == 'Map' and el.nsmap.get(prefix or None) == APACHE_MAP_NS


def _unfold_map(el):
    """PHP ext/soap sends associative arrays as Apache maps:
    <x xsi:type="ns2:Map"><item><key>k</key><value>v</value></item></x>.
    Turn them into the struct <x><k>v</k></x> they stand for."""
    items = list(el)
    for item in items:
        el.remove(item)
        key = item.find('key')
        value = item.find('value')
        if key is None or value is None or not (key.text or '').strip():
            continue
        name = key.text.strip()
        value.tag = name
        el.append(value)
    del el.attrib[_XSI_TYPE]
