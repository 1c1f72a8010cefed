"""The WSDL files in wsdl/ are up to date, agree with the spyne models, and
load in zeep, suds and PHP ext/soap without any network access.

The agreement checks read the WSDL XML with lxml and compare it with the
services and models directly; they do not use the generator's internals.
"""
import os

import pytest
import requests
from lxml import etree
from spyne.model.complex import Array, ComplexModelBase

from ngnpro.soap import wsdl
from ngnpro.types.common import xsd_name
from ports import all_ports
from tests.helpers import ADMIN, make_dispatcher

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WSDL_DIR = os.path.join(ROOT, 'wsdl')
REGENERATE = 'run: python3 -m ngnpro.soap.wsdl wsdl/'
PLACEHOLDER = 'http://localhost:9200/ngnpro/'

WSDL = 'http://schemas.xmlsoap.org/wsdl/'
SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/'
XSD = 'http://www.w3.org/2001/XMLSchema'
SOAPENC = 'http://schemas.xmlsoap.org/soap/encoding/'
TYPES_NS = 'urn:AGProjects:NGNPro'
AUTH_FIELDS = [('username', '{%s}string' % XSD),
               ('password', '{%s}string' % XSD),
               ('admin', '{%s}boolean' % XSD),
               ('impersonate', '{%s}int' % XSD)]


# -- what the models say ------------------------------------------------------

def built_ports():
    """Ports whose spyne service has at least one method."""
    return [p for p in all_ports()
            if p.service is not None and p.service.public_methods]


def expected_service(port):
    """The wsdl:service a port is declared in (spec §1.3: PEAR names the
    proxies WebService_NGNPro_SipPort ... and
    WebService_SoapSIMPLEProxy_PresencePort)."""
    if port.namespace.startswith('urn:AGProjects:SoapSIMPLEProxy:'):
        return 'SoapSIMPLEProxy'
    return 'NGNPro'


def services_of(ports):
    """{service name: sorted port names}."""
    out = {}
    for port in ports:
        out.setdefault(expected_service(port), []).append(port.name)
    return {k: sorted(v) for k, v in out.items()}


def methods(port):
    """{operation: ([(arg, class)], return class or None)} from spyne."""
    out = {}
    for d in port.service.public_methods.values():
        returns = list(d.out_message._type_info.values())
        out[d.name] = (list(d.in_message._type_info.items()),
                       returns[0] if returns else None)
    return out


def expected_qname(cls):
    if issubclass(cls, ComplexModelBase):
        return '{%s}%s' % (cls.get_namespace(), cls.get_type_name())
    return '{%s}%s' % (XSD, xsd_name(cls))


def referenced_models(port):
    """Every complex model reachable from the port's signatures."""
    seen = {}

    def visit(cls):
        if not issubclass(cls, ComplexModelBase):
            return
        key = expected_qname(cls)
        if key in seen:
            return
        seen[key] = cls
        for member in cls._type_info.values():
            visit(member)

    for args, returns in methods(port).values():
        for _, cls in args:
            visit(cls)
        if returns is not None:
            visit(returns)
    return seen


# -- reading a WSDL with lxml -----------------------------------------------

def resolve(el, value):
    """'prefix:local' in the scope of ``el`` -> '{namespace}local'."""
    prefix, _, local = value.rpartition(':')
    ns = el.nsmap.get(prefix or None)
    assert ns is not None, 'undeclared prefix in %r' % value
    return '{%s}%s' % (ns, local)


def w(tag):
    return '{%s}%s' % (WSDL, tag)


def x(tag):
    return '{%s}%s' % (XSD, tag)


def s(tag):
    return '{%s}%s' % (SOAP, tag)


class Doc:
    """Index of one WSDL document."""

    def __init__(self, data):
        self.root = etree.fromstring(data)
        assert self.root.tag == w('definitions')
        self.tns = self.root.get('targetNamespace')
        self.schemas = self.root.findall('%s/%s' % (w('types'), x('schema')))
        self.types, self.elements = {}, {}
        for schema in self.schemas:
            ns = schema.get('targetNamespace')
            for ct in schema.findall(x('complexType')):
                key = '{%s}%s' % (ns, ct.get('name'))
                assert key not in self.types, 'duplicate type %s' % key
                self.types[key] = ct
            for el in schema.findall(x('element')):
                self.elements['{%s}%s' % (ns, el.get('name'))] = el

        def named(tag):
            result = {}
            for el in self.root.findall(w(tag)):
                key = '{%s}%s' % (self.tns, el.get('name'))
                assert key not in result, 'duplicate %s %s' % (tag, key)
                result[key] = el
            return result

        self.messages = named('message')
        self.port_types = named('portType')
        self.bindings = named('binding')
        self.services = {}
        for service in self.root.findall(w('service')):
            assert service.get('name') not in self.services
            self.services[service.get('name')] = service

    def service_ports(self):
        """{service name: sorted port names}."""
        return {name: sorted(p.get('name') for p in svc.findall(w('port')))
                for name, svc in self.services.items()}

    def port(self, name):
        (p,) = [p for svc in self.services.values()
                for p in svc.findall(w('port')) if p.get('name') == name]
        return p

    def binding_of(self, port_name):
        p = self.port(port_name)
        (address,) = p.findall(s('address'))
        assert address.get('location') == PLACEHOLDER
        binding = self.bindings[resolve(p, p.get('binding'))]
        port_type = self.port_types[resolve(binding, binding.get('type'))]
        return binding, port_type

    def parts(self, message_ref_el, attr='message'):
        message = self.messages[resolve(message_ref_el,
                                        message_ref_el.get(attr))]
        return message.findall(w('part'))


def load(name):
    path = os.path.join(WSDL_DIR, name)
    assert os.path.exists(path), '%s is missing; %s' % (path, REGENERATE)
    with open(path, 'rb') as f:
        return f.read()


def sequence_members(ct):
    children = list(ct)
    assert [c.tag for c in children] == [x('sequence')], etree.tostring(ct)
    return [(el.get('name'), resolve(el, el.get('type')))
            for el in children[0].findall(x('element'))]


def check_models(doc, models, encoded):
    """Every model referenced has a complexType with the same members, in
    order (structs), or the same item type (arrays)."""
    for key, cls in sorted(models.items()):
        assert key in doc.types, 'no complexType %s' % key
        ct = doc.types[key]
        if issubclass(cls, Array):
            (item,) = cls._type_info.values()
            if encoded:
                (restriction,) = ct.findall('%s/%s' % (x('complexContent'),
                                                       x('restriction')))
                assert resolve(restriction, restriction.get('base')) == \
                    '{%s}Array' % SOAPENC
                (attr,) = restriction.findall(x('attribute'))
                assert resolve(attr, attr.get('ref')) == \
                    '{%s}arrayType' % SOAPENC
                array_type = attr.get('{%s}arrayType' % WSDL)
                assert array_type.endswith('[]'), array_type
                assert resolve(attr, array_type[:-2]) == \
                    expected_qname(item), key
            else:
                assert sequence_members(ct) == [('item',
                                                 expected_qname(item))]
                (el,) = ct.iter(x('element'))
                assert el.get('maxOccurs') == 'unbounded'
                assert el.get('minOccurs') == '0'
        else:
            assert sequence_members(ct) == [
                (n, expected_qname(m)) for n, m in cls._type_info.items()], key
            for el in ct.iter(x('element')):
                assert el.get('minOccurs') == '0'
                assert el.get('nillable') == 'true'


def check_references_resolve(doc, local_encoding_names):
    """Every QName used in the schemas and messages is declared (in the
    document, in XML Schema, or in our soap-encoding.xsd)."""
    for el in doc.root.iter(etree.Element):
        for attr in ('type', 'base', 'element', 'ref',
                     '{%s}arrayType' % WSDL):
            value = el.get(attr)
            if value is None or el.tag == w('binding'):   # type=portType
                continue
            if attr == '{%s}arrayType' % WSDL:
                value = value[:-2]
            q = resolve(el, value)
            ns = etree.QName(q).namespace
            if ns == XSD:
                continue
            if ns == SOAPENC:
                assert q in local_encoding_names, q
            elif attr in ('element', 'ref'):
                assert q in doc.elements, q
            else:
                assert q in doc.types, q


def encoding_names():
    root = etree.fromstring(load('soap-encoding.xsd'))
    assert root.get('targetNamespace') == SOAPENC
    return {'{%s}%s' % (SOAPENC, el.get('name'))
            for el in root if isinstance(el.tag, str) and el.get('name')}


# -- 1. the files are what the generator makes now ----------------------------

def test_files_are_up_to_date():
    generated = wsdl.generate_all(all_ports())
    on_disk = sorted(n for n in os.listdir(WSDL_DIR)
                     if n.endswith(('.wsdl', '.xsd')))
    assert on_disk == sorted(generated), 'wsdl/ has other files than ' \
        'the generator makes; %s' % REGENERATE
    for name, data in sorted(generated.items()):
        assert load(name) == data, 'wsdl/%s is out of date; %s' % (
            name, REGENERATE)


def test_expected_files_exist():
    names = set(os.listdir(WSDL_DIR))
    assert {'ngnpro.wsdl', 'soap-encoding.xsd'} <= names
    for port in built_ports():
        assert '%s.wsdl' % port.name in names
        assert '%s.literal.wsdl' % port.name in names


def test_generation_is_deterministic_and_binding_independent(tmp_path):
    first = wsdl.generate_all(all_ports())
    assert wsdl.generate_all(all_ports()) == first
    # Ports already bound by a Dispatcher give the same documents.
    d = make_dispatcher('sqlite:///%s' % (tmp_path / 'w.sqlite'))
    try:
        assert wsdl.generate_all(list(d.ports.values())) == first
    finally:
        d.store.dispose()


@pytest.mark.parametrize('name', ['ngnpro.wsdl', 'SipPort.wsdl'])
def test_with_location(name):
    data = load(name)
    out = wsdl.with_location(data, 'https://h.example:9443/ngnpro/?a=1&b=2')
    assert PLACEHOLDER.encode() not in out
    root = etree.fromstring(out)
    locations = {el.get('location') for el in root.iter(s('address'))}
    assert locations == {'https://h.example:9443/ngnpro/?a=1&b=2'}
    imports = {el.get('schemaLocation') for el in root.iter(x('import'))
               if el.get('namespace') == SOAPENC}
    # The combined WSDL (PEAR's) imports by namespace only.
    assert imports == ({None} if name == 'ngnpro.wsdl' else
                       {'https://h.example:9443/ngnpro/?a=1&b=2'
                        'soap-encoding.xsd'})


# -- 2. agreement with the models -------------------------------------------

RPC_FILES = ['ngnpro.wsdl'] + ['%s.wsdl' % p.name for p in built_ports()]


def ports_in(name):
    if name == 'ngnpro.wsdl':
        return built_ports()
    return [p for p in built_ports() if '%s.wsdl' % p.name == name]


@pytest.mark.parametrize('name', RPC_FILES)
def test_rpc_wsdl_agrees_with_models(name):
    doc = Doc(load(name))
    ports = ports_in(name)
    assert doc.service_ports() == services_of(ports)
    models = {}
    for port in ports:
        binding, port_type = doc.binding_of(port.name)
        stem = port.name[:-len('Port')]
        assert binding.get('name') == stem + 'Binding'
        assert port_type.get('name') == stem + 'PortType'
        (sb,) = binding.findall(s('binding'))
        assert sb.get('style') == 'rpc'
        want = methods(port)
        ops = {o.get('name'): o for o in port_type.findall(w('operation'))}
        assert set(ops) == set(want), port.name
        bops = {o.get('name'): o for o in binding.findall(w('operation'))}
        assert set(bops) == set(want), port.name
        for op, (args, returns) in want.items():
            (inp,) = ops[op].findall(w('input'))
            (outp,) = ops[op].findall(w('output'))
            assert [(p.get('name'), resolve(p, p.get('type')))
                    for p in doc.parts(inp)] == \
                [(a, expected_qname(c)) for a, c in args], (port.name, op)
            assert [(p.get('name'), resolve(p, p.get('type')))
                    for p in doc.parts(outp)] == \
                ([] if returns is None
                 else [('return', expected_qname(returns))]), (port.name, op)
            bop = bops[op]
            (so,) = bop.findall(s('operation'))
            assert (so.get('style'), so.get('soapAction')) == ('rpc', '')
            for direction in ('input', 'output'):
                (body,) = bop.findall('%s/%s' % (w(direction), s('body')))
                assert body.get('use') == 'encoded'
                assert body.get('namespace') == port.namespace
                assert body.get('encodingStyle') == SOAPENC
            headers = bop.findall('%s/%s' % (w('input'), s('header')))
            if not port.needs_auth:
                assert headers == []
                continue
            (header,) = headers
            assert header.get('use') == 'encoded'
            assert header.get('namespace') == TYPES_NS
            (part,) = [p for p in doc.parts(header)
                       if p.get('name') == header.get('part')]
            assert part.get('name') == 'auth'
            assert resolve(part, part.get('type')) == \
                '{%s}AuthHeader' % TYPES_NS
        models.update(referenced_models(port))
    check_models(doc, models, encoded=True)
    if any(p.needs_auth for p in ports):
        assert sequence_members(doc.types['{%s}AuthHeader' % TYPES_NS]) == \
            AUTH_FIELDS
    # The SOAP-encoding schema comes from our server, not the network; the
    # combined WSDL, PEAR's, names no location at all (PEAR would fetch it
    # with an HTTP client that fails under PHP 8).
    imports = [i for schema in doc.schemas for i in schema.findall(x('import'))
               if i.get('namespace') == SOAPENC]
    want = None if name == 'ngnpro.wsdl' else \
        PLACEHOLDER + 'soap-encoding.xsd'
    assert imports and all(i.get('schemaLocation') == want for i in imports)
    check_references_resolve(doc, encoding_names())


@pytest.mark.parametrize('port', built_ports(), ids=lambda p: p.name)
def test_literal_wsdl_agrees_with_models(port):
    doc = Doc(load('%s.literal.wsdl' % port.name))
    assert doc.service_ports() == {expected_service(port): [port.name]}
    for schema in doc.schemas:
        assert schema.get('elementFormDefault') == 'unqualified'
    binding, port_type = doc.binding_of(port.name)
    (sb,) = binding.findall(s('binding'))
    assert sb.get('style') == 'document'
    want = methods(port)
    ops = {o.get('name'): o for o in port_type.findall(w('operation'))}
    assert set(ops) == set(want)
    bops = {o.get('name'): o for o in binding.findall(w('operation'))}
    assert set(bops) == set(want)

    def wrapper_members(ref_el, expected_name):
        (part,) = doc.parts(ref_el)
        q = resolve(part, part.get('element'))
        assert q == '{%s}%s' % (port.namespace, expected_name)
        (ct,) = doc.elements[q].findall(x('complexType'))
        return sequence_members(ct)

    for op, (args, returns) in want.items():
        (inp,) = ops[op].findall(w('input'))
        (outp,) = ops[op].findall(w('output'))
        assert wrapper_members(inp, op) == \
            [(a, expected_qname(c)) for a, c in args], op
        assert wrapper_members(outp, op + 'Response') == \
            ([] if returns is None
             else [('return', expected_qname(returns))]), op
        bop = bops[op]
        (so,) = bop.findall(s('operation'))
        assert (so.get('style'), so.get('soapAction')) == ('document', '')
        for direction in ('input', 'output'):
            (body,) = bop.findall('%s/%s' % (w(direction), s('body')))
            assert body.get('use') == 'literal'
        headers = bop.findall('%s/%s' % (w('input'), s('header')))
        if not port.needs_auth:
            assert headers == []
            continue
        (header,) = headers
        assert header.get('use') == 'literal'
        (part,) = [p for p in doc.parts(header)
                   if p.get('name') == header.get('part')]
        assert part.get('name') == 'auth'
        auth = resolve(part, part.get('element'))
        assert auth == '{%s}auth' % TYPES_NS
        assert resolve(doc.elements[auth], doc.elements[auth].get('type')) \
            == '{%s}AuthHeader' % TYPES_NS
    check_models(doc, referenced_models(port), encoded=False)
    if port.needs_auth:
        assert sequence_members(doc.types['{%s}AuthHeader' % TYPES_NS]) == \
            AUTH_FIELDS
    check_references_resolve(doc, set())


def test_soap_encoding_stand_in_is_a_valid_schema():
    schema = etree.XMLSchema(etree.fromstring(load('soap-encoding.xsd')))
    assert schema is not None
    names = encoding_names()
    for name in ('Array', 'Struct', 'arrayType', 'offset'):
        assert '{%s}%s' % (SOAPENC, name) in names


# -- 3. real WSDL readers, offline ------------------------------------------

def offline_zeep_transport(dispatcher=None):
    """A zeep Transport that reads our files for the placeholder URL, local
    paths and file: URLs, refuses any other URL, and optionally hands POSTs
    to a Dispatcher instead of the network."""
    from zeep.transports import Transport

    class Offline(Transport):
        def load(self, url):
            if url.startswith(PLACEHOLDER):
                url = os.path.join(WSDL_DIR, url[len(PLACEHOLDER):])
            elif url.startswith('file://'):
                url = url[len('file://'):]
            elif '://' in url:
                raise AssertionError('network access attempted: %s' % url)
            with open(url, 'rb') as f:
                return f.read()

        def post_xml(self, address, envelope, headers):
            assert dispatcher is not None, 'no network in this test'
            self.sent = envelope
            outcome = dispatcher.handle(etree.tostring(envelope))
            response = requests.Response()
            response.status_code = outcome.status
            response._content = outcome.body
            response.headers['Content-Type'] = 'text/xml; charset=utf-8'
            response.encoding = 'utf-8'
            return response

        def _load_remote_data(self, url):
            raise AssertionError('network access attempted: %s' % url)

    return Offline()


# Not the combined WSDL: it imports SOAP-encoding by namespace only (for
# PEAR), and zeep then fetches that schema from the network. zeep users take
# the per-port documents, which they need anyway (spec: one addAccount per
# port).
ZEEP_FILES = ['%s.%s' % (p.name, kind) for p in built_ports()
              for kind in ('wsdl', 'literal.wsdl')]


@pytest.mark.parametrize('name', ZEEP_FILES)
def test_zeep_loads_offline(name):
    zeep = pytest.importorskip('zeep')
    client = zeep.Client(os.path.join(WSDL_DIR, name),
                         transport=offline_zeep_transport())
    ports = ports_in(name) if not name.endswith('.literal.wsdl') else [
        p for p in built_ports() if name == '%s.literal.wsdl' % p.name]
    assert {n: sorted(s.ports) for n, s in client.wsdl.services.items()} \
        == services_of(ports)
    for port in ports:
        service = client.bind(expected_service(port), port.name)
        for op in methods(port):
            assert hasattr(service, op)
        for key in referenced_models(port):
            assert client.get_type(key).name == etree.QName(key).localname
        if name.endswith('.literal.wsdl'):
            for op in methods(port):
                client.get_element('{%s}%s' % (port.namespace, op))
    # prefix-style lookup, as in client.get_type('ns0:CustomerAccount')
    models = sorted(k for p in ports for k in referenced_models(p))
    if models:          # NetworkPort has none: strings in, strings out
        some = etree.QName(models[0])
        prefix = [p for p, ns in client.namespaces.items()
                  if ns == some.namespace][0]
        client.get_type('%s:%s' % (prefix, some.localname))


def customer_port():
    (port,) = [p for p in built_ports() if p.name == 'CustomerPort']
    return port


def test_zeep_literal_header_forms():
    zeep = pytest.importorskip('zeep')
    port = customer_port()
    client = zeep.Client(os.path.join(WSDL_DIR, 'CustomerPort.literal.wsdl'),
                         transport=offline_zeep_transport())
    auth = {'username': 'u', 'password': 'p', 'admin': True,
            'impersonate': 3}
    env = client.create_message(client.service, 'getAccount', id=5,
                                _soapheaders={'auth': auth})
    header = env.find('{http://schemas.xmlsoap.org/soap/envelope/}Header')
    (el,) = header
    assert el.tag == '{%s}auth' % TYPES_NS
    assert [(c.tag, c.text) for c in el] == [
        ('username', 'u'), ('password', 'p'), ('admin', 'true'),
        ('impersonate', '3')]
    body = env.find('{http://schemas.xmlsoap.org/soap/envelope/}Body')
    (call,) = body
    assert call.tag == '{%s}getAccount' % port.namespace
    assert [(c.tag, c.text) for c in call] == [('id', '5')]


def test_zeep_literal_against_the_dispatcher(db_url):
    """zeep, driven only by our literal WSDL, talks to the real dispatcher:
    default soap headers, structs, arrays of <item>, void operations."""
    zeep = pytest.importorskip('zeep')
    d = make_dispatcher(db_url)
    try:
        transport = offline_zeep_transport(d)
        client = zeep.Client(
            os.path.join(WSDL_DIR, 'CustomerPort.literal.wsdl'),
            transport=transport)
        client.set_default_soapheaders({'auth': {
            'username': ADMIN[0], 'password': ADMIN[1], 'admin': True}})
        prop = {'name': 'language', 'value': 'en', 'category': 'web',
                'permission': 'customer'}
        created = client.service.addAccount(account={
            'username': 'zeep-user', 'password': 'pw', 'firstName': 'Z',
            'properties': {'item': [prop]}})
        assert created.id > 0
        assert created.username == 'zeep-user'
        assert [dict(p.__values__) for p in created.properties.item] == \
            [prop]
        assert client.service.updateAccount(account={
            'id': created.id, 'username': 'zeep-user', 'password': 'pw',
            'firstName': 'Zed', 'properties': {'item': [prop]}}) is None
        got = client.service.getAccount(id=created.id)
        assert got.firstName == 'Zed'
        props = client.service.getProperties(customer=created.id)
        assert [p.name for p in props] == ['language']
        result = client.service.getCustomers(query={
            'filter': {'username': 'zeep-user'},
            'range': {'start': 0, 'count': 10}})
        assert result.total == 1
        assert [a.username for a in result.accounts.item] == ['zeep-user']
    finally:
        d.store.dispose()


def test_zeep_rpc_against_the_dispatcher(db_url):
    """The rpc/encoded per-port WSDL works in zeep for scalars and structs
    (zeep's SOAP-encoded arrays are not usable in requests)."""
    zeep = pytest.importorskip('zeep')
    d = make_dispatcher(db_url)
    try:
        client = zeep.Client(os.path.join(WSDL_DIR, 'CustomerPort.wsdl'),
                             transport=offline_zeep_transport(d))
        auth = {'username': ADMIN[0], 'password': ADMIN[1], 'admin': True}
        created = client.service.addAccount(
            account={'username': 'rpc-user', 'password': 'pw'},
            _soapheaders={'auth': auth})
        assert created.id > 0
        got = client.service.getAccount(id=created.id,
                                        _soapheaders={'auth': auth})
        assert got.username == 'rpc-user'
        assert list(got.properties or []) == []
    finally:
        d.store.dispose()


def suds_client(name, **options):
    pytest.importorskip('suds')
    from suds.cache import NoCache
    from suds.client import Client
    from suds.transport.http import HttpTransport

    class FileOnly(HttpTransport):
        def open(self, request):
            if not request.url.startswith('file:'):
                raise AssertionError('network access attempted: %s'
                                     % request.url)
            return HttpTransport.open(self, request)

        def send(self, request):
            raise AssertionError('network access attempted: %s'
                                 % request.url)

    url = 'file://' + os.path.join(WSDL_DIR, name)
    return Client(url, cache=NoCache(), transport=FileOnly(), **options)


@pytest.mark.parametrize('port', built_ports(), ids=lambda p: p.name)
def test_suds_loads_literal_offline(port):
    client = suds_client('%s.literal.wsdl' % port.name)
    (service,) = client.sd
    assert service.service.name == expected_service(port)
    (sport,) = service.ports
    assert sport[0].name == port.name
    assert sorted(m[0] for m in sport[1]) == sorted(methods(port))
    for key in referenced_models(port):
        client.factory.create(key)


def test_suds_literal_against_the_dispatcher(db_url):
    d = make_dispatcher(db_url)
    try:
        client = suds_client('CustomerPort.literal.wsdl', nosend=True)
        auth = client.factory.create('{%s}AuthHeader' % TYPES_NS)
        auth.username, auth.password, auth.admin = ADMIN[0], ADMIN[1], True
        client.set_options(soapheaders=auth)
        account = client.factory.create('{%s}CustomerAccount' % TYPES_NS)
        account.username, account.password = 'suds-user', 'pw'
        request = client.service.addAccount(account)
        outcome = d.handle(request.envelope)
        assert outcome.status == 200, outcome.body
        created = request.process_reply(outcome.body)
        assert created.id > 0 and created.username == 'suds-user'
    finally:
        d.store.dispose()


def test_php_ext_soap_loads_every_wsdl(tmp_path):
    from tests.support.php import php_missing, run_php
    missing = php_missing()
    if missing:
        pytest.skip(missing)
    base = 'file://%s/' % tmp_path
    for name in os.listdir(WSDL_DIR):
        (tmp_path / name).write_bytes(wsdl.with_location(load(name), base))
    expected = {n: sorted(methods(p)) for p in built_ports()
                for n in ('%s.wsdl' % p.name, '%s.literal.wsdl' % p.name)}
    expected['ngnpro.wsdl'] = sorted({op for p in built_ports()
                                      for op in methods(p)})
    script = '''
    foreach (%s as $f) {
        $c = new SoapClient('%s/' . $f, ['cache_wsdl' => WSDL_CACHE_NONE,
                                         'exceptions' => true]);
        $names = [];
        foreach ($c->__getFunctions() as $fn) {
            preg_match('/(\\w+)\\(/', $fn, $m);
            $names[$m[1]] = 1;
        }
        $names = array_keys($names);
        sort($names);
        echo $f, ' ', implode(',', $names), "\\n";
    }
    ''' % ('[%s]' % ', '.join("'%s'" % n for n in sorted(expected)),
           tmp_path)
    out = run_php(script, strict=True)
    got = dict(line.split(' ', 1) for line in out.strip().splitlines())
    assert {n: sorted(v.split(',')) for n, v in got.items()} == expected
