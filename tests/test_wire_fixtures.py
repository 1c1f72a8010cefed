"""Every golden request captured from the legacy client decodes to the values
in tests/wire/index.json, and every fixture reaches its port."""
import json
import os

import pytest
from spyne.model.complex import ComplexModelBase

from ngnpro.faults import NOT_IMPLEMENTED, NGNProError
from ngnpro.soap import envelope

HERE = os.path.dirname(__file__)
INDEX = json.load(open(os.path.join(HERE, 'wire', 'index.json')))
FIXTURES = INDEX['fixtures']


def _raw(name):
    with open(os.path.join(HERE, 'wire', 'requests', name), 'rb') as f:
        return f.read()


def plain(value):
    """Decoded spyne values -> JSON-like values (absent members dropped)."""
    if isinstance(value, ComplexModelBase):
        out = {}
        for name in type(value)._type_info:
            v = getattr(value, name, None)
            if v is not None:
                out[name] = plain(v)
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def expected_value(expected, notes, path):
    """Apply wire_notes: ignored members and nulls vanish, empty numbers are
    unset."""
    if isinstance(expected, dict):
        out = {}
        for k, v in expected.items():
            sub = '%s.%s' % (path, k)
            kind = notes.get(sub)
            if kind in ('ignored_member', 'empty_string_for_number') or v is None:
                continue
            out[k] = expected_value(v, notes, sub)
        return out
    if isinstance(expected, list):
        return [expected_value(v, notes, '%s[%d]' % (path, i))
                for i, v in enumerate(expected)]
    return expected


def implemented(dispatcher, fixture):
    port = dispatcher.ports.get(fixture['port_namespace'])
    return port is not None and port.service is not None and \
        fixture['operation'] in port.operations


@pytest.fixture(scope='module')
def dispatcher(tmp_path_factory):
    from tests.helpers import make_dispatcher
    path = tmp_path_factory.mktemp('wire') / 'ngnpro.sqlite'
    return make_dispatcher('sqlite:///%s' % path)


@pytest.mark.parametrize('fixture', FIXTURES, ids=[f['file'] for f in FIXTURES])
def test_fixture_decodes(dispatcher, fixture):
    request = envelope.parse(_raw(fixture['file']))
    qname = ('{%s}%s' % (request.namespace, request.operation)
             if request.namespace else request.operation)
    assert qname == fixture['operation_qname']
    assert request.encoded

    header = fixture['header']
    if header is None:
        assert request.auth is None
    else:
        assert request.auth.username == header['username']
        assert request.auth.password == header['password']
        assert request.auth.admin is header['admin']
        assert request.auth.impersonate == header.get('impersonate', 0)
        assert request.auth.attributes == fixture['header_attributes']

    if not fixture['in_contract']:
        with pytest.raises(NGNProError) as err:
            dispatcher.resolve(request)
        assert err.value.errorcode == NOT_IMPLEMENTED
        return
    if not implemented(dispatcher, fixture):
        with pytest.raises(NGNProError) as err:
            dispatcher.resolve(request)
        assert err.value.errorcode == NOT_IMPLEMENTED
        assert fixture['port'] in err.value.errorstring or \
            fixture['operation'] in err.value.errorstring
        return

    port, op = dispatcher.resolve(request)
    assert port.namespace == fixture['port_namespace']
    _, args = dispatcher.decode(port, op, request)
    names = list(op[0].in_message._type_info)
    notes = {n['path']: n['kind'] for n in fixture['wire_notes']}
    for name in fixture['arg_order']:
        assert name in names, 'argument %s not declared' % name
    for name, value in zip(names, args):
        expected = fixture['args'].get(name)
        kind = notes.get(name)
        if expected is None or kind == 'empty_string_for_number':
            assert value is None
            continue
        assert plain(value) == expected_value(expected, notes, name), name


def test_every_fixture_is_dispatched(dispatcher):
    """Unimplemented ports answer a not-implemented fault through the real
    entry point; the stray un-namespaced call is refused."""
    for fixture in FIXTURES:
        if implemented(dispatcher, fixture):
            continue
        outcome = dispatcher.handle(_raw(fixture['file']))
        assert outcome.status == 500, fixture['file']
        assert outcome.errorcode == NOT_IMPLEMENTED, fixture['file']
        assert b'<errorcode xsi:type="xsd:int">104</errorcode>' in outcome.body
