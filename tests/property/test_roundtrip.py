"""Encode then decode is the identity, for every type of every built
operation, in both styles (typed rpc/encoded and literal).

Values are generated from the models within their limits. The wire has no
null: an absent string, number or boolean travels as '', 0 or false and an
absent list as an empty array, so the comparison is modulo that."""
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from spyne.context import MethodContext
from spyne.model.primitive import Boolean

from ngnpro.soap import encode, envelope
from ngnpro.soap.validate import LIST, NUMBER, REAL, STRUCT, TEXT, _plan
from ngnpro.soap.wsdl import collect_types
from tests.helpers import make_dispatcher

# Text XML can carry, without the surrounding whitespace the decoder strips.
_CHARS = st.characters(blacklist_categories=('Cs', 'Cc'),
                       blacklist_characters='\ufffe\uffff')


def _text(limit):
    return st.text(_CHARS, max_size=min(limit or 40, 40)).map(str.strip)


def strategy(cls, depth=0):
    kind, extra = _plan(cls)
    if kind == STRUCT:
        if depth > 4:
            return st.none()
        return st.fixed_dictionaries({}, optional={
            name: strategy(member, depth + 1) for name, member in extra})
    if kind == LIST:
        return st.lists(strategy(extra, depth + 1), max_size=3)
    if kind == TEXT:
        return _text(extra)
    if kind == NUMBER:
        low, high = extra
        return st.integers(min_value=max(low, -2 ** 31),
                           max_value=min(high, 2 ** 31 - 1))
    if kind == REAL:
        return st.floats(allow_nan=False, allow_infinity=False, width=64)
    if issubclass(cls, Boolean):
        return st.booleans()
    return _text(None)


def expected(cls, value, literal=False, nested=False):
    """What a value is once it has crossed the wire. Literal answers carry
    no types: an empty untyped element is a PHP null to the decoder, so a
    nested struct of nothing but empty strings arrives as absent."""
    kind, extra = _plan(cls)
    if kind == STRUCT:
        if value is None:
            return None
        out = {name: expected(member, value.get(name), literal, True)
               for name, member in extra}
        vanishes = all(out[name] is None and _plan(member)[0] in (TEXT,
                                                                  STRUCT)
                       for name, member in extra)
        return None if literal and nested and vanishes else out
    if kind == LIST:
        return [expected(extra, v, literal, False) for v in (value or ())]
    if kind == TEXT:
        return value or None
    if kind == NUMBER:
        return value or 0
    if kind == REAL:
        return float(value or 0.0)
    if issubclass(cls, Boolean):
        return bool(value)
    return value or None


def plain(cls, value):
    """A decoded spyne value in the same shape."""
    kind, extra = _plan(cls)
    if kind == STRUCT:
        if value is None:
            return None
        return {name: plain(member, getattr(value, name, None))
                for name, member in extra}
    if kind == LIST:
        return [plain(extra, v) for v in (value or ())]
    if kind == TEXT:
        return value or None
    if kind == NUMBER:
        return value or 0
    if kind == REAL:
        return float(value or 0.0)
    if issubclass(cls, Boolean):
        return bool(value)
    return value or None


@pytest.fixture(scope='module')
def dispatcher(tmp_path_factory):
    d = make_dispatcher('sqlite:///%s' % (
        tmp_path_factory.mktemp('roundtrip') / 'r.sqlite'))
    yield d
    d.store.dispose()


def _types():
    from ports import all_ports
    classes = []
    for port in all_ports():
        if port.service is None:
            continue
        for method in port.service.public_methods.values():
            classes += list(method.in_message._type_info.values())
            classes += list(method.out_message._type_info.values())
    return sorted(collect_types(classes).items())


TYPES = _types()


def _server(dispatcher):
    port = next(p for p in dispatcher.ports.values() if p.server is not None)
    return port.server


@pytest.mark.parametrize('typed', [True, False], ids=['encoded', 'literal'])
@pytest.mark.parametrize('qname,cls', TYPES, ids=[n for (_, n), _ in TYPES])
def test_encode_decode_identity(dispatcher, qname, cls, typed):
    server = _server(dispatcher)

    @settings(max_examples=25, deadline=None, derandomize=True,
              database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(strategy(cls))
    def case(value):
        body = encode.response('urn:AGProjects:NGNPro:Sip', 'op', cls,
                               value, typed)
        element = etree.fromstring(body)[0][0][0]
        # The decoder sees it as any request argument: normalised first.
        for child in list(element):
            envelope._normalise(child)
        ctx = MethodContext(server, MethodContext.SERVER)
        decoded = dispatcher.protocol.from_element(ctx, cls, element)
        got, want = plain(cls, decoded), expected(cls, value, not typed)
        assert _same(got, want), (got, want)
    case()


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b
