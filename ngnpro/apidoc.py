"""The API reference (docs/api/, Markdown), generated from the ports.

* Operations, arguments and types come from the port models (the same
  spyne services and types the codec and the WSDL use).
* Faults are found in the code: the fault codes an operation's handler,
  and every function of the project it calls, can raise (a name of
  ``ngnpro.faults``, ``invalid()``, ``denied()``). The codes any call can
  get (authentication, limits, the database) are listed once, in the index.
* The example of each operation is its golden request (tests/wire, sent by
  the legacy PHP client) and the answer an in-process server gives it after
  the fixtures before it were replayed on a fresh SQLite database holding
  reseller 17 and customer 23. Values that depend on the day or the machine
  (dates, host name and address) are replaced by fixed ones.

``python3 -m ngnpro.apidoc docs/api`` (``make docs``) rewrites the files;
tests/test_apidoc.py fails when they are stale.
"""
import ast
import builtins
import datetime
import inspect
import json
import os
import re
import sys
import tempfile
import textwrap
import types
from collections import namedtuple

from spyne.model.complex import Array, ComplexModelBase

from . import faults
from .soap import wsdl
from .types.common import xsd_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIRE = os.path.join(ROOT, 'tests', 'wire')
ADMIN = ('ngnpro-admin', 'S3cr3t-Adm1n')   # the fixtures' auth header

# name -> code of every fault constant.
CODES = {name: value for name, value in vars(faults).items()
         if name.isupper() and isinstance(value, int)}
NAMES = {}
for _name, _code in CODES.items():
    NAMES.setdefault(_code, _name)
HELPERS = {faults.invalid: faults.INVALID_ARGUMENT,
           faults.denied: faults.PERMISSION_DENIED}
# What any call can get, whatever its operation (listed in the index).
GENERIC = (faults.AUTH_FAILED, faults.INVALID_ARGUMENT,
           faults.NOT_IMPLEMENTED, faults.INVALID_REQUEST,
           faults.REQUEST_TOO_LARGE, faults.SERVICE_BUSY,
           faults.DATABASE_UNAVAILABLE, faults.INTERNAL_ERROR)
GENERIC_TEXT = {
    faults.AUTH_FAILED: 'the auth header is missing or wrong (Presence: '
                        'the SIP account or its password is wrong)',
    faults.INVALID_ARGUMENT: 'a value is invalid or outside its limits '
                             '(the member is named)',
    faults.NOT_IMPLEMENTED: 'unknown port or operation',
    faults.INVALID_REQUEST: 'the request is not a SOAP request this server '
                            'can read',
    faults.REQUEST_TOO_LARGE: 'the request is larger than the limits',
    faults.SERVICE_BUSY: 'it kept conflicting with concurrent changes',
    faults.DATABASE_UNAVAILABLE: 'no database node could complete it',
    faults.INTERNAL_ERROR: 'a server error (logged without secrets)'}


# -- faults, from the code ------------------------------------------------------

def handler(descriptor):
    """The port function behind a spyne method (ports.common.service)."""
    return (descriptor.function.__kwdefaults__ or {}).get(
        '_handler', descriptor.function)


def _ours(obj):
    module = getattr(obj, '__module__', None) or ''
    return module.split('.')[0] in ('ngnpro', 'ports') and \
        not module.startswith(('ngnpro.soap', 'ngnpro.dispatch'))


def _resolve(node, scope):
    """The object a Name or a dotted Attribute refers to, or None."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, scope)
        if isinstance(base, (types.ModuleType, type)):
            return getattr(base, node.attr, None)
    return None


def fault_codes(func, _seen=None):
    """Every fault code ``func`` and what it calls can raise."""
    seen = set() if _seen is None else _seen
    func = inspect.unwrap(func)
    if func in HELPERS:
        return {HELPERS[func]}
    if isinstance(func, type):
        found = set()
        for member in vars(func).values():
            if inspect.isfunction(member):
                found |= fault_codes(member, seen)
        return found
    if func in seen or not inspect.isfunction(func):
        return set()
    seen.add(func)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return set()
    scope = dict(vars(builtins))
    scope.update(func.__globals__)
    scope.update(inspect.getclosurevars(func).nonlocals)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)):
            target = _resolve(node, scope)
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in CODES and target == CODES[name] and \
                    isinstance(target, int):
                found.add(target)
            elif (inspect.isfunction(target) or isinstance(target, type)) \
                    and (_ours(target) or target in HELPERS):
                found |= fault_codes(target, seen)
    return found


def operation_faults(port, descriptor):
    """Sorted codes of one operation, those common to every call left
    out (Presence answers 100 for its own reasons: kept there)."""
    codes = fault_codes(handler(descriptor))
    generic = set(GENERIC)
    if not port.needs_auth:
        generic.discard(faults.AUTH_FAILED)
    return sorted(codes - generic)


# -- examples, by replaying the golden requests -----------------------------------

Example = namedtuple('Example', 'file request response errorcode')

# Replay order: what the requests refer to exists before them (customers,
# domains, accounts, carriers...), reads see the records, deletes last.
_PHASES = ('add', 'set', 'update', 'remove', 'get', 'delete')
_PORT_ORDER = ('Customer', 'Sip', 'Dns', 'Enum', 'Voicemail', 'Rating',
               'Presence', 'Network')
_FIRST = ('addDomain', 'addAccount', 'addAlias', 'addTrustedPeer',
          'addCarrier', 'addGateway', 'addGatewayRule', 'addRoutes',
          'addZone', 'addRange')


def _phase(operation):
    for i, prefix in enumerate(_PHASES):
        if operation.startswith(prefix):
            return i
    return len(_PHASES)


# Deletions in the reverse order: what refers to a record goes first.
_LAST = ('deleteAlias', 'deleteAccount', 'deleteTrustedPeer', 'deleteDomain')


def replay_order(fixtures):
    def key(f):
        op, phase = f['operation'], _phase(f['operation'])
        port = _PORT_ORDER.index(f['port']) if f['port'] in _PORT_ORDER \
            else 99
        if op.startswith('delete'):
            within = _LAST.index(op) + 1 if op in _LAST else 0
            return (phase, -port, within, f['variant'] is not None,
                    f['file'])
        return (phase, port,
                _FIRST.index(op) if op in _FIRST else len(_FIRST),
                f['variant'] is not None, f['file'])
    return sorted(fixtures, key=key)


def load_fixtures(wire=WIRE):
    with open(os.path.join(wire, 'index.json')) as f:
        fixtures = json.load(f)['fixtures']
    for fixture in fixtures:
        with open(os.path.join(wire, 'requests', fixture['file']),
                  'rb') as f:
            fixture['body'] = f.read()
    return [f for f in fixtures if f['in_contract']]


def seeded_dispatcher(directory, seed=True):
    """An in-process server on a fresh SQLite database of ``directory``
    holding the fixtures' reseller 17 and customer 23."""
    from sqlalchemy import insert

    from ports import all_ports
    from .config import Config
    from .dispatch import Dispatcher
    from .store.db import Store
    from .store.rows import now
    url = 'sqlite:///%s' % os.path.join(directory, 'ngnpro.sqlite')
    # The configuration shows the default database (Network.getStatus),
    # and fixed names for this node.
    config = Config(admin_username=ADMIN[0], admin_password=ADMIN[1],
                    node_id='prov1', node_address='192.0.2.10',
                    voicemail_server='vm.example.com')
    config.login_policy.enabled = False
    store = Store(url)
    store.init()
    if seed:
        with store.engine.begin() as conn:
            conn.execute(insert(store.schema.customers), [
                {'id': 17, 'reseller': 17, 'username': 'reseller17',
                 'password': 'r17', 'reseller_active': True,
                 'change_date': now()},
                {'id': 23, 'reseller': 17, 'username': 'customer23',
                 'password': 'c23', 'reseller_active': False,
                 'change_date': now()}])
            # The reseller may sell PSTN and prepaid (the client's forms
            # send both).
            conn.execute(insert(store.schema.customer_properties), [
                {'customer_id': 17, 'name': name, 'value': '1',
                 'category': 'sip', 'permission': 'admin'}
                for name in ('pstn_access', 'pstn_changes',
                             'prepaid_changes')])
    return Dispatcher(config, store, all_ports())


def replay(dispatcher, fixtures):
    """[(fixture, Outcome)] in replay order, one second apart on the
    records' clock (listings ordered by change date come out the same
    on every run)."""
    out = []
    with _clock() as tick:
        for f in replay_order(fixtures):
            tick()
            out.append((f, dispatcher.handle(f['body'], '192.0.2.1')))
    return out


class _clock:
    """The store's ``now()`` (every record's change and create date) as a
    clock that advances one second per tick from a fixed moment."""
    START = datetime.datetime(2025, 1, 15, 12, 0, 0)

    def __enter__(self):
        from .store import rows
        self.real = rows.now
        self.moment = self.START
        fake = lambda: self.moment      # noqa: E731
        self.patched = [m for m in list(sys.modules.values())
                        if getattr(m, 'now', None) is self.real]
        for module in self.patched:
            module.now = fake
        return self.tick

    def tick(self):
        self.moment += datetime.timedelta(seconds=1)

    def __exit__(self, *exc):
        for module in self.patched:
            module.now = self.real


def examples(wire=WIRE):
    """{(port namespace, operation): Example} from the base fixtures."""
    fixtures = load_fixtures(wire)
    with tempfile.TemporaryDirectory(prefix='ngnpro-apidoc-') as tmp:
        d = seeded_dispatcher(tmp)
        try:
            answered = replay(d, fixtures)
        finally:
            d.store.dispose()
    out = {}
    for fixture, outcome in answered:
        if fixture['variant'] is None:
            out[(fixture['port_namespace'], fixture['operation'])] = Example(
                fixture['file'], fixture['body'], outcome.body,
                outcome.errorcode)
    return out


_VOLATILE = [
    (re.compile(r'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d'), '2025-01-15 12:00:00'),
    (re.compile(r'(?<![\d.])\d{4}-\d\d-\d\d(?![\d:])'), '2025-01-15'),
]


def _stable(text):
    """Values of the day and the machine replaced by fixed ones."""
    import socket
    for pattern, fixed in _VOLATILE:
        text = pattern.sub(fixed, text)
    # DNS serials are YYYYMMDDnn of the day of the change.
    today = datetime.date.today().strftime('%Y%m%d')
    text = re.sub(r'\b%s(\d\d)\b' % today, r'20250115\1', text)
    # Network.getStatus names the machine.
    return text.replace('"hostname": %s' % json.dumps(socket.gethostname()),
                        '"hostname": "prov1.example.com"')


def _pretty(xml):
    from lxml import etree
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(xml, parser)
    return etree.tostring(root, pretty_print=True, encoding='unicode')


# -- Markdown -------------------------------------------------------------------

def _type_name(cls):
    if issubclass(cls, ComplexModelBase):
        return cls.get_type_name()
    return 'xsd:' + xsd_name(cls)


def _type_ref(cls):
    if issubclass(cls, ComplexModelBase):
        name = cls.get_type_name()
        return '[%s](types.md#%s)' % (name, name.lower())
    return '`xsd:%s`' % xsd_name(cls)


def _limits(cls):
    a = cls.Attributes
    out = []
    max_len = getattr(a, 'max_len', None)
    if max_len is not None and max_len < 10 ** 9:
        out.append('at most %d characters' % max_len)
    for attr, text in (('ge', '>= %s'), ('gt', '> %s'), ('le', '<= %s'),
                       ('lt', '< %s')):
        value = getattr(a, attr, None)
        if value is not None and abs(value) < 10 ** 30:
            out.append(text % value)
    return ', '.join(out)


def _anchor(text):
    return text.lower()


def port_page(port, ops, found):
    stem = wsdl.port_stem(port)
    lines = ['# %s' % port.name, '',
             'Namespace of the operation elements: `%s`%s.' % (
                 port.namespace, '' if port.needs_auth else
                 '; no auth header (the SIP account and its password are '
                 'arguments)'),
             'WSDL: `GET /ngnpro/wsdl/%s` (rpc/encoded), `GET /ngnpro/%s?wsdl`'
             ' (document/literal). Faults every call can get are listed in '
             'the [index](README.md#faults-of-every-operation).' % (
                 port.name, stem.lower()), '',
             '| Operation | Arguments | Returns |', '|---|---|---|']
    for op in ops:
        lines.append('| [%s](#%s) | %s | %s |' % (
            op.name, _anchor(op.name),
            ', '.join('%s: %s' % (a, _type_name(t)) for a, t in op.args)
            or '—', _type_name(op.returns) if op.returns else '—'))
    for op in ops:
        descriptor = port.operations[op.name][0]
        lines += ['', '## %s' % op.name, '']
        if op.args:
            lines += ['| Argument | Type | Limits |', '|---|---|---|']
            for name, cls in op.args:
                lines.append('| `%s` | %s | %s |' % (name, _type_ref(cls),
                                                   _limits(cls)))
        else:
            lines.append('No arguments.')
        lines += ['', 'Returns: %s' % (_type_ref(op.returns) if op.returns
                                       else 'nothing (an empty response '
                                       'element)'), '']
        codes = operation_faults(port, descriptor)
        if codes:
            lines += ['Faults (errorcode):', '']
            lines += ['* %d `%s`' % (c, NAMES[c]) for c in codes]
        else:
            lines.append('Faults: only those of every operation.')
        example = found.get((port.namespace, op.name))
        if example is not None:
            lines += ['', 'Example request (`tests/wire/requests/%s`, as the '
                      'legacy PHP client sends it):' % example.file, '',
                      '```xml',
                      example.request.decode('utf-8').replace(
                          '\r\n', '\n').strip(), '```', '',
                      'Response%s:' % (' (fault %d)' % example.errorcode
                                       if example.errorcode else ''), '',
                      '```xml', _stable(_pretty(example.response)).strip(),
                      '```']
    return '\n'.join(lines) + '\n'


def types_page(bound):
    classes = []
    for _, ops in bound:
        for op in ops:
            classes += [t for _, t in op.args]
            if op.returns is not None:
                classes.append(op.returns)
    found = wsdl.collect_types(classes)
    lines = ['# Types', '',
             'Every complex type of the ports, with the limits the server '
             'checks before any operation runs (fault 103 names the '
             'member). Structs list their members; arrays are SOAP-encoded '
             'arrays of `item` elements.', '']
    for (namespace, name), cls in sorted(found.items(),
                                         key=lambda kv: kv[0][1].lower()):
        lines += ['## %s' % name, '', 'Namespace `%s`.' % namespace, '']
        if issubclass(cls, Array):
            (item,) = cls._type_info.values()
            lines.append('Array of %s.' % _type_ref(item))
        else:
            lines += ['| Member | Type | Limits |', '|---|---|---|']
            for member, mcls in cls._type_info.items():
                lines.append('| `%s` | %s | %s |' % (member, _type_ref(mcls),
                                                   _limits(mcls)))
        lines.append('')
    return '\n'.join(lines)


def index_page(bound, version):
    lines = ['# NGNPro API reference', '',
             'Generated from the port models of this server (version %s) '
             'by `make docs`; a test fails when it is stale. Every port '
             'shares one URL (`http://host:9200/ngnpro/`): the namespace of '
             'the operation element chooses the port. Types: '
             '[types.md](types.md).' % version, '',
             '| Port | Namespace | Operations |', '|---|---|---|']
    total = 0
    for port, ops in bound:
        total += len(ops)
        lines.append('| [%s](%s.md) | `%s` | %d |' % (
            port.name, port.name, port.namespace, len(ops)))
    lines += ['', '%d operations.' % total, '',
              '## Faults of every operation', '',
              'A fault is a SOAP fault with HTTP status 500 and '
              '`detail/exception/{errorcode, errorstring}`. Besides the '
              'codes listed with each operation, any call can get:', '']
    lines += ['* %d `%s`: %s' % (c, NAMES[c], GENERIC_TEXT[c])
              for c in GENERIC]
    lines += ['', 'The codes of each operation are found in its code (what '
              'it and the functions it calls can raise). 101 '
              '`PERMISSION_DENIED` and 102 `CREDIT_EXCEEDED` are listed '
              'where they can happen.', '',
              '## Examples', '',
              'Each operation shows the golden request the legacy PHP '
              'client sends (tests/wire) and the answer of this server '
              'after the requests before it in the replay (customers, '
              'domains, accounts ... first, deletions last) ran on a fresh '
              'database holding reseller 17 and its customer 23. Dates, '
              'times and the host name in the answers are fixed '
              'values (DNS serials too); answers are indented for reading. '
              'Requests naming a record by an id the client got from '
              'another server (carrier 3, gateway 12, DNS record 1234) get '
              'the not-found fault here.', '']
    return '\n'.join(lines)


def generate(wire=WIRE):
    """{file name: text} of the whole reference."""
    from ports import all_ports
    from .pages import version
    with tempfile.TemporaryDirectory(prefix='ngnpro-apidoc-') as tmp:
        d = seeded_dispatcher(tmp, seed=False)
        ports = list(d.ports.values())
        d.store.dispose()
    del all_ports
    bound = wsdl.bound_ports(ports)
    found = examples(wire)
    files = {'README.md': index_page(bound, version()),
             'types.md': types_page(bound)}
    for port, ops in bound:
        files['%s.md' % port.name] = port_page(port, ops, found)
    return files


def write(directory, wire=WIRE):
    os.makedirs(directory, exist_ok=True)
    files = generate(wire)
    for name in os.listdir(directory):
        if name.endswith('.md') and name not in files:
            os.unlink(os.path.join(directory, name))
    for name, text in files.items():
        with open(os.path.join(directory, name), 'w') as f:
            f.write(text)
    return sorted(files)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    directory = argv[0] if argv else os.path.join(ROOT, 'docs', 'api')
    for name in write(directory):
        print(os.path.join(directory, name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
