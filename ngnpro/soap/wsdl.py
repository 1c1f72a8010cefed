"""WSDL documents generated from the spyne models of the bound ports.

Three kinds of document, all built with lxml from the port services and the
models in ngnpro.types (never by spyne's own WSDL writer, which puts the
header message under the wrong prefix):

* ``rpc_wsdl``: the legacy rpc/encoded WSDL 1.1. With every port it is the
  combined ``ngnpro.wsdl`` that PEAR SOAP's ``generateAllProxies()`` turns
  into ``WebService_NGNPro_<Port>`` classes (service ``NGNPro``, one
  wsdl:port per SOAP port named ``SipPort``, ``CustomerPort``, ...). WSDL-mode
  clients bind the first operation of a name, and ``addAccount`` exists in
  several ports, so the same function also writes one document per port.
* ``literal_wsdl``: document/literal (wrapped) for one port, for zeep, suds
  and wsdl2php. Argument and member elements are unqualified
  (``elementFormDefault="unqualified"``), so the wire looks like the legacy
  rpc wire.
* ``soap_encoding_xsd``: a small local stand-in for the SOAP-encoding schema
  that the rpc documents import, so that zeep loads it from our server
  instead of the network.

Every document carries the placeholder base URL ``PLACEHOLDER``; the server
puts its own base URL in with ``with_location`` when serving a file.

Regenerate the checked-in files with ``python3 -m ngnpro.soap.wsdl wsdl/``.
"""
import os
import sys
from collections import namedtuple
from xml.sax.saxutils import escape

from lxml import etree
from spyne.model.complex import Array, ComplexModelBase

from ..types.common import TNS, Bool, Int, String, struct, xsd_name

PLACEHOLDER = 'http://localhost:9200/ngnpro/'
SERVICE = 'NGNPro'
ENCODING_XSD = 'soap-encoding.xsd'
COMBINED = 'ngnpro.wsdl'

WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/'
SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/'
XSD_NS = 'http://www.w3.org/2001/XMLSchema'
SOAPENC_NS = 'http://schemas.xmlsoap.org/soap/encoding/'
HTTP_TRANSPORT = 'http://schemas.xmlsoap.org/soap/http'

# Fixed prefixes for the type namespaces we know; any other gets nsN.
KNOWN_PREFIXES = {TNS: 'ngnpro', 'urn:AGProjects:SoapSIMPLEProxy': 'simple'}

# The auth header (spec §1.5); the codec reads it from the envelope, so it
# is not part of any service signature and is declared here.
AuthHeader = struct('AuthHeader', [('username', String),
                                   ('password', String), ('admin', Bool),
                                   ('impersonate', Int)])
AUTH_ELEMENT = 'auth'
AUTH_MESSAGE = 'AuthHeader'

Operation = namedtuple('Operation', 'name args returns')
# args: tuple of (name, spyne type); returns: spyne type or None (void)


def _w(tag):
    return '{%s}%s' % (WSDL_NS, tag)


def _s(tag):
    return '{%s}%s' % (SOAP_NS, tag)


def _x(tag):
    return '{%s}%s' % (XSD_NS, tag)


# -- reading the models -----------------------------------------------------

def port_stem(port):
    """'CustomerPort' -> 'Customer' (binding CustomerBinding, portType
    CustomerPortType)."""
    name = port.name
    return name[:-4] if name.endswith('Port') and len(name) > 4 else name


def operations(port):
    """The operations of a port, in declaration order.

    Uses ``port.operations`` when a Dispatcher has bound the port already,
    otherwise binds the service in a throwaway spyne Application (no
    database needed)."""
    if port.service is None:
        return []
    if port.operations:
        descriptors = [d for d, _ in port.operations.values()]
    else:
        from spyne import Application

        from .protocol import LegacySoap
        app = Application([port.service], tns=port.namespace,
                          name=port.name, in_protocol=LegacySoap(),
                          out_protocol=LegacySoap())
        descriptors = [ds[0] for ds in
                       app.interface.service_method_map.values()]
    result = []
    for d in descriptors:
        args = tuple(d.in_message._type_info.items())
        out = list(d.out_message._type_info.values())
        if len(out) > 1:
            raise ValueError('%s.%s returns %d values; the response wrapper '
                             'holds exactly one' % (port.name, d.name,
                                                    len(out)))
        result.append(Operation(d.name, args, out[0] if out else None))
    return result


def bound_ports(ports):
    """[(port, operations)] for the ports that have a service with at
    least one operation, in the order given."""
    result = []
    for port in ports:
        ops = operations(port)
        if ops:
            result.append((port, ops))
    return result


def _is_array(cls):
    return issubclass(cls, Array)


def _is_complex(cls):
    return issubclass(cls, ComplexModelBase)


def _array_item(cls):
    (item,) = cls._type_info.values()
    return item


def _members(cls):
    for name, member in cls._type_info.items():
        if member.Attributes.max_occurs != 1:
            raise ValueError('%s.%s has max_occurs=%s: lists must be array() '
                             'types (SOAP-encoded arrays of <item>)'
                             % (cls.get_type_name(), name,
                                member.Attributes.max_occurs))
        yield name, member


def _qname(cls):
    """(namespace, local name) of the schema type of a model class."""
    if _is_complex(cls):
        return cls.get_namespace(), cls.get_type_name()
    name = xsd_name(cls)
    if name not in _ENC_SIMPLE:
        raise ValueError('%r is not an XML Schema primitive; the codec writes'
                         ' every scalar as xsd:<name>' % cls)
    return XSD_NS, name


def collect_types(classes):
    """Every complex type reachable from ``classes``, as
    {(namespace, name): class}; two different definitions under one name
    are an error (the WSDL could only describe one of them)."""
    found = {}
    shapes = {}

    def shape(cls):
        if _is_array(cls):
            return ('array', _qname(_array_item(cls)))
        return ('struct', tuple((n, _qname(m), m.Attributes.min_occurs,
                                 bool(m.Attributes.nillable))
                                for n, m in _members(cls)))

    def visit(cls):
        if not _is_complex(cls):
            _qname(cls)
            return
        key = _qname(cls)
        s = shape(cls)
        if key in found:
            if shapes[key] != s:
                raise ValueError('two different models are named {%s}%s'
                                 % key)
            return
        found[key] = cls
        shapes[key] = s
        if _is_array(cls):
            visit(_array_item(cls))
        else:
            for _, member in _members(cls):
                visit(member)

    for cls in classes:
        visit(cls)
    return found


def _signature_classes(ops):
    for op in ops:
        for _, cls in op.args:
            yield cls
        if op.returns is not None:
            yield op.returns


# -- document helpers -------------------------------------------------------

class _Names:
    """Prefixes for the type namespaces of one document."""

    def __init__(self, namespaces):
        self.prefix = {XSD_NS: 'xsd'}
        extra = sorted(ns for ns in namespaces if ns not in KNOWN_PREFIXES)
        for ns in namespaces:
            if ns in KNOWN_PREFIXES:
                self.prefix[ns] = KNOWN_PREFIXES[ns]
        for i, ns in enumerate(extra, 1):
            self.prefix[ns] = 'ns%d' % i

    def ref(self, cls):
        ns, name = _qname(cls)
        return '%s:%s' % (self.prefix[ns], name)

    def nsmap(self):
        return {p: ns for ns, p in self.prefix.items() if ns != XSD_NS}


def _type_namespaces(types):
    return sorted({ns for ns, _ in types})


def _member_element(parent, name, cls, names):
    etree.SubElement(parent, _x('element'), name=name, type=names.ref(cls),
                     minOccurs=str(cls.Attributes.min_occurs),
                     nillable='true' if cls.Attributes.nillable else 'false')


def _type_schemas(parent, types, names, encoded, form,
                  encoding_location=True):
    """One xsd:schema per type namespace, each importing the namespaces it
    references; complex types sorted by name. ``encoding_location``: the
    SOAP-encoding import names our local copy (else the namespace only)."""
    by_ns = {}
    for (ns, name), cls in types.items():
        by_ns.setdefault(ns, []).append((name, cls))
    schemas = {}
    for ns in sorted(by_ns):
        schema = etree.SubElement(parent, _x('schema'), targetNamespace=ns,
                                  elementFormDefault=form)
        schemas[ns] = schema
        refs = set()
        if encoded:
            refs.add(SOAPENC_NS)
        for _, cls in by_ns[ns]:
            children = ([_array_item(cls)] if _is_array(cls)
                        else [m for _, m in _members(cls)])
            refs.update(_qname(c)[0] for c in children)
        for other in sorted(refs - {ns, XSD_NS}):
            imp = etree.SubElement(schema, _x('import'), namespace=other)
            if other == SOAPENC_NS and encoding_location:
                imp.set('schemaLocation', PLACEHOLDER + ENCODING_XSD)
        for name, cls in sorted(by_ns[ns], key=lambda t: t[0]):
            ct = etree.SubElement(schema, _x('complexType'), name=name)
            if _is_array(cls) and encoded:
                cc = etree.SubElement(ct, _x('complexContent'))
                r = etree.SubElement(cc, _x('restriction'),
                                     base='soapenc:Array')
                a = etree.SubElement(r, _x('attribute'),
                                     ref='soapenc:arrayType')
                a.set(_w('arrayType'), names.ref(_array_item(cls)) + '[]')
            elif _is_array(cls):
                seq = etree.SubElement(ct, _x('sequence'))
                etree.SubElement(seq, _x('element'), name='item',
                                 type=names.ref(_array_item(cls)),
                                 minOccurs='0', maxOccurs='unbounded',
                                 nillable='true')
            else:
                seq = etree.SubElement(ct, _x('sequence'))
                for member, mcls in _members(cls):
                    _member_element(seq, member, mcls, names)
    return schemas


def _definitions(tns, nsmap):
    root = etree.Element(_w('definitions'), nsmap=nsmap, name=SERVICE,
                         targetNamespace=tns)
    root.addprevious(etree.Comment(
        ' Generated from the spyne models by ngnpro.soap.wsdl; do not edit. '
        'Regenerate with: python3 -m ngnpro.soap.wsdl wsdl/ '))
    return root


def service_name(port):
    """The wsdl:service of a port: ``NGNPro`` for the urn:AGProjects:NGNPro:*
    ports, ``SoapSIMPLEProxy`` for the Presence port, so that PEAR SOAP
    generates the proxy classes the client uses (spec §1.3:
    WebService_SoapSIMPLEProxy_PresencePort)."""
    parts = port.namespace.split(':')
    if len(parts) == 4 and parts[:2] == ['urn', 'AGProjects']:
        return parts[2]
    return SERVICE


def _service(root, ports, binding_name):
    """One wsdl:service per service name, in the order of their ports."""
    services = {}
    for port in ports:
        name = service_name(port)
        if name not in services:
            services[name] = etree.SubElement(root, _w('service'), name=name)
        p = etree.SubElement(services[name], _w('port'), name=port.name,
                             binding='tns:' + binding_name(port))
        etree.SubElement(p, _s('address'), location=PLACEHOLDER)


def _serialize(root):
    return etree.tostring(root.getroottree(), pretty_print=True,
                          xml_declaration=True, encoding='UTF-8')


# -- rpc/encoded ------------------------------------------------------------

def rpc_wsdl(ports, location=PLACEHOLDER, encoding_location=True):
    """The legacy rpc/encoded WSDL for the bound ports among ``ports``.

    ``encoding_location`` false: the SOAP-encoding schema is imported by
    namespace only. PEAR SOAP's WSDL reader fetches every import that has a
    location through its own HTTP client, which fails under PHP 8; PEAR and
    PHP ext/soap know that namespace without a schema."""
    bound = bound_ports(ports)
    auth = any(p.needs_auth for p, _ in bound)
    classes = [c for _, ops in bound for c in _signature_classes(ops)]
    if auth:
        classes.append(AuthHeader)
    types = collect_types(classes)
    names = _Names(_type_namespaces(types))
    nsmap = {'wsdl': WSDL_NS, 'soap': SOAP_NS, 'xsd': XSD_NS,
             'soapenc': SOAPENC_NS, 'tns': TNS}
    nsmap.update(names.nsmap())
    root = _definitions(TNS, nsmap)

    _type_schemas(etree.SubElement(root, _w('types')), types, names,
                  encoded=True, form='unqualified',
                  encoding_location=encoding_location)

    if auth:
        m = etree.SubElement(root, _w('message'), name=AUTH_MESSAGE)
        etree.SubElement(m, _w('part'), name=AUTH_ELEMENT,
                         type=names.ref(AuthHeader))
    for port, ops in bound:
        for op in ops:
            m = etree.SubElement(root, _w('message'),
                                 name=_rpc_message(port, op, 'Request'))
            for arg, cls in op.args:
                etree.SubElement(m, _w('part'), name=arg,
                                 type=names.ref(cls))
            m = etree.SubElement(root, _w('message'),
                                 name=_rpc_message(port, op, 'Response'))
            if op.returns is not None:
                etree.SubElement(m, _w('part'), name='return',
                                 type=names.ref(op.returns))

    for port, ops in bound:
        _port_type(root, port, ops, lambda op, suffix, port=port:
                   _rpc_message(port, op, suffix), ordered=True)
    for port, ops in bound:
        _soap_binding(root, port, ops, 'rpc', lambda el, port=port:
                      _encoded_body(el, port.namespace),
                      use='encoded', namespace=TNS, encodingStyle=SOAPENC_NS)

    _service(root, [p for p, _ in bound], _binding)
    return with_location(_serialize(root), location)


def _port_type(root, port, ops, message, ordered):
    """``message(op, 'Request'|'Response')`` names an operation's messages;
    rpc operations with several parts declare their order."""
    pt = etree.SubElement(root, _w('portType'),
                          name=port_stem(port) + 'PortType')
    for op in ops:
        o = etree.SubElement(pt, _w('operation'), name=op.name)
        if ordered and len(op.args) > 1:
            o.set('parameterOrder', ' '.join(a for a, _ in op.args))
        etree.SubElement(o, _w('input'),
                         message='tns:' + message(op, 'Request'))
        etree.SubElement(o, _w('output'),
                         message='tns:' + message(op, 'Response'))


def _soap_binding(root, port, ops, style, body, **header):
    """A port's SOAP binding: ``body(el)`` adds each soap:body, ``header``
    the use/encoding attributes of the auth soap:header."""
    b = etree.SubElement(root, _w('binding'), name=_binding(port),
                         type='tns:%sPortType' % port_stem(port))
    etree.SubElement(b, _s('binding'), style=style, transport=HTTP_TRANSPORT)
    for op in ops:
        o = etree.SubElement(b, _w('operation'), name=op.name)
        etree.SubElement(o, _s('operation'), soapAction='', style=style)
        i = etree.SubElement(o, _w('input'))
        body(i)
        if port.needs_auth:
            etree.SubElement(i, _s('header'), message='tns:' + AUTH_MESSAGE,
                             part=AUTH_ELEMENT, **header)
        body(etree.SubElement(o, _w('output')))


def _rpc_message(port, op, suffix):
    return '%s_%s%s' % (port.name, op.name, suffix)


def _binding(port):
    return port_stem(port) + 'Binding'


def _encoded_body(parent, namespace):
    etree.SubElement(parent, _s('body'), use='encoded', namespace=namespace,
                     encodingStyle=SOAPENC_NS)


# -- document/literal -------------------------------------------------------

def literal_wsdl(port, location=PLACEHOLDER):
    """A document/literal (wrapped) WSDL for one bound port."""
    bound = bound_ports([port])
    if not bound:
        raise ValueError('%s has no bound operations' % port.name)
    (port, ops), = bound
    classes = list(_signature_classes(ops))
    if port.needs_auth:
        classes.append(AuthHeader)
    types = collect_types(classes)
    names = _Names(_type_namespaces(types))
    names.prefix[port.namespace] = 'tns'
    nsmap = {'wsdl': WSDL_NS, 'soap': SOAP_NS, 'xsd': XSD_NS}
    nsmap.update(names.nsmap())
    root = _definitions(port.namespace, nsmap)

    wtypes = etree.SubElement(root, _w('types'))
    schemas = _type_schemas(wtypes, types, names, encoded=False,
                            form='unqualified')
    if port.needs_auth:
        ns, _ = _qname(AuthHeader)
        etree.SubElement(schemas[ns], _x('element'), name=AUTH_ELEMENT,
                         type=names.ref(AuthHeader))
    wrappers = etree.SubElement(wtypes, _x('schema'),
                                targetNamespace=port.namespace,
                                elementFormDefault='unqualified')
    refs = {_qname(c)[0] for c in classes if c is not AuthHeader}
    for other in sorted(refs - {XSD_NS, port.namespace}):
        etree.SubElement(wrappers, _x('import'), namespace=other)
    for op in ops:
        for name, members in ((op.name, op.args),
                              (op.name + 'Response',
                               () if op.returns is None
                               else (('return', op.returns),))):
            el = etree.SubElement(wrappers, _x('element'), name=name)
            seq = etree.SubElement(etree.SubElement(el, _x('complexType')),
                                   _x('sequence'))
            for member, cls in members:
                _member_element(seq, member, cls, names)

    if port.needs_auth:
        m = etree.SubElement(root, _w('message'), name=AUTH_MESSAGE)
        etree.SubElement(m, _w('part'), name=AUTH_ELEMENT,
                         element='%s:%s' % (names.prefix[TNS], AUTH_ELEMENT))
    for op in ops:
        for suffix, element in (('Request', op.name),
                                ('Response', op.name + 'Response')):
            m = etree.SubElement(root, _w('message'), name=op.name + suffix)
            etree.SubElement(m, _w('part'), name='parameters',
                             element='tns:' + element)

    _port_type(root, port, ops, lambda op, suffix: op.name + suffix,
               ordered=False)
    _soap_binding(root, port, ops, 'document', lambda el: etree.SubElement(
        el, _s('body'), use='literal'), use='literal')

    _service(root, [port], _binding)
    return with_location(_serialize(root), location)


# -- the SOAP-encoding stand-in ---------------------------------------------

# Simple types given an encoding-style complexType twin (value + id/href).
_ENC_SIMPLE = ('string', 'boolean', 'int', 'integer', 'long', 'short',
               'byte', 'nonNegativeInteger', 'positiveInteger',
               'unsignedInt', 'unsignedShort', 'unsignedLong', 'decimal',
               'float', 'double',
               'dateTime', 'date', 'time', 'base64Binary', 'hexBinary',
               'anyURI', 'QName')


def soap_encoding_xsd():
    """A minimal schema for the SOAP 1.1 encoding namespace, written for
    ngnpro: enough for WSDL readers that resolve ``soapenc:Array`` and
    ``soapenc:arrayType`` without going to the network.

    No QName in it points into its own namespace (no ``ref``/``type`` to a
    soapenc name): zeep fetches the real schema from the network whenever a
    document that has not imported the SOAP-encoding namespace refers to
    it, and that includes this document itself."""
    schema = etree.Element(_x('schema'), nsmap={'xsd': XSD_NS},
                           targetNamespace=SOAPENC_NS)
    schema.addprevious(etree.Comment(
        ' Local stand-in for the SOAP 1.1 encoding schema, written for '
        'ngnpro (ngnpro.soap.wsdl): only what WSDL readers need. '))

    def attribute(parent, name, type_, **kw):
        return etree.SubElement(parent, _x('attribute'), name=name,
                                type='xsd:' + type_, **kw)

    def common_attributes(parent):
        attribute(parent, 'id', 'ID')
        attribute(parent, 'href', 'anyURI')
        etree.SubElement(parent, _x('anyAttribute'), namespace='##other',
                         processContents='lax')

    # The global encoding attributes (soapenc:arrayType, ...).
    attribute(schema, 'arrayType', 'string')
    attribute(schema, 'offset', 'string')
    attribute(schema, 'position', 'string')
    attribute(schema, 'root', 'boolean')

    for name in ('Array', 'Struct'):
        ct = etree.SubElement(schema, _x('complexType'), name=name)
        seq = etree.SubElement(ct, _x('sequence'))
        etree.SubElement(seq, _x('any'), namespace='##any', minOccurs='0',
                         maxOccurs='unbounded', processContents='lax')
        if name == 'Array':
            attribute(ct, 'arrayType', 'string', form='qualified')
            attribute(ct, 'offset', 'string', form='qualified')
        common_attributes(ct)

    st = etree.SubElement(schema, _x('simpleType'), name='base64')
    etree.SubElement(st, _x('restriction'), base='xsd:base64Binary')
    for name in _ENC_SIMPLE:
        ct = etree.SubElement(schema, _x('complexType'), name=name)
        ext = etree.SubElement(etree.SubElement(ct, _x('simpleContent')),
                               _x('extension'), base='xsd:' + name)
        common_attributes(ext)
    return _serialize(schema)


# -- files ------------------------------------------------------------------

def with_location(data, location):
    """Put the server's base URL (ending with '/') in place of the
    placeholder of a generated document."""
    if location == PLACEHOLDER:
        return data
    value = escape(location, {'"': '&quot;'}).encode('utf-8')
    return data.replace(PLACEHOLDER.encode('ascii'), value)


def generate_all(ports):
    """{file name: bytes} of every generated document, with the placeholder
    location."""
    bound = bound_ports(ports)
    # The combined document is PEAR's (generateAllProxies): no import with a
    # location. The per-port ones keep our local SOAP-encoding schema, which
    # zeep needs to stay off the network.
    files = {COMBINED: rpc_wsdl([p for p, _ in bound],
                                encoding_location=False),
             ENCODING_XSD: soap_encoding_xsd()}
    for port, _ in bound:
        files['%s.wsdl' % port.name] = rpc_wsdl([port])
        files['%s.literal.wsdl' % port.name] = literal_wsdl(port)
    return files


def write_all(ports, directory):
    """Write every document into ``directory`` and remove the WSDL files of
    ports that are no longer built. Returns the sorted file names."""
    os.makedirs(directory, exist_ok=True)
    files = generate_all(ports)
    for name in sorted(os.listdir(directory)):
        if name.endswith('.wsdl') and name not in files:
            os.remove(os.path.join(directory, name))
    for name, data in sorted(files.items()):
        path = os.path.join(directory, name)
        try:
            with open(path, 'rb') as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            pass
        with open(path, 'wb') as f:
            f.write(data)
    return sorted(files)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print('usage: python3 -m ngnpro.soap.wsdl DIRECTORY', file=sys.stderr)
        return 2
    from ports import all_ports
    for name in write_all(all_ports(), argv[0]):
        print(os.path.join(argv[0], name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
