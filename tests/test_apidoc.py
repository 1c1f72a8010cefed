"""The API reference in docs/api/ is current, covers every built operation,
and its faults agree with what the operations really answer."""
import os
import tempfile

import pytest

from ngnpro import apidoc, faults
from ngnpro.soap import wsdl

DOCS = os.path.join(apidoc.ROOT, 'docs', 'api')
REGENERATE = 'docs/api is stale: run `make docs`'


@pytest.fixture(scope='module')
def generated():
    return apidoc.generate()


@pytest.fixture(scope='module')
def bound():
    from tests.helpers import make_dispatcher
    with tempfile.TemporaryDirectory() as tmp:
        d = make_dispatcher('sqlite:///%s/db.sqlite' % tmp)
        d.store.dispose()
    return wsdl.bound_ports(list(d.ports.values()))


def test_reference_is_current(generated):
    on_disk = sorted(n for n in os.listdir(DOCS) if n.endswith('.md'))
    assert on_disk == sorted(generated), REGENERATE
    for name, text in generated.items():
        with open(os.path.join(DOCS, name)) as f:
            assert f.read() == text, '%s: %s' % (name, REGENERATE)


def test_every_built_operation_has_its_section(generated, bound):
    total = 0
    for port, ops in bound:
        page = generated['%s.md' % port.name]
        for op in ops:
            section = page.split('\n## %s\n' % op.name)
            assert len(section) == 2, '%s.%s' % (port.name, op.name)
            body = section[1].split('\n## ')[0]
            # Every operation has its golden request and this server's
            # answer to it.
            assert 'Example request (`tests/wire/requests/' in body
            assert body.count('```xml') == 2
            total += 1
        assert '](%s.md)' % port.name in generated['README.md']
    assert total == 108


def _declared(bound):
    return {(port.namespace, op.name): set(apidoc.operation_faults(
        port, port.operations[op.name][0])) for port, ops in bound
        for op in ops}


def test_the_codes_the_client_acts_on_are_declared(bound):
    """Spec §4.2: the codes the legacy client reacts to, by operation."""
    declared = _declared(bound)
    expected = {
        ('Sip', 'addDomain'): 1001, ('Sip', 'addAccount'): 1011,
        ('Sip', 'getAccount'): 1010, ('Sip', 'addToGroup'): 1030,
        ('Sip', 'removeFromGroup'): 1031, ('Sip', 'getMediaTrace'): 1060,
        ('Sip', 'deletePhonebookEntry'): 1040,
        ('Voicemail', 'getAccount'): 2000, ('Enum', 'getNumber'): 3002,
        ('Rating', 'getEntityProfiles'): 4001,
        ('Rating', 'deleteEntityProfiles'): 4001,
        ('Customer', 'updateAccount'): 5000,
        ('Customer', 'deleteAccount'): 5000,
        ('Customer', 'addAccount'): 5001, ('Dns', 'addZone'): 7001,
        ('Dns', 'addRecord'): 7003}
    for (port, op), code in expected.items():
        key = ('urn:AGProjects:NGNPro:%s' % port, op)
        assert code in declared[key], '%s.%s: %d not declared (%s)' % (
            port, op, code, sorted(declared[key]))


def test_every_fault_answered_to_the_golden_requests_is_declared(bound):
    """Replayed on a database without the customers they refer to, on the
    seeded one, and a second time on it (the records now exist): every
    fault code an operation answers is among its declared ones or those
    of every call."""
    declared = _declared(bound)
    fixtures = apidoc.load_fixtures()
    seen = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed, rounds in ((False, 1), (True, 2)):
            directory = os.path.join(tmp, str(seed))
            os.mkdir(directory)
            d = apidoc.seeded_dispatcher(directory, seed=seed)
            try:
                for _ in range(rounds):
                    for fixture, outcome in apidoc.replay(d, fixtures):
                        if outcome.errorcode:
                            key = (fixture['port_namespace'],
                                   fixture['operation'])
                            seen.setdefault(key, set()).add(
                                outcome.errorcode)
            finally:
                d.store.dispose()
    assert len(seen) > 60        # the replays do reach the fault paths
    for key, codes in seen.items():
        missing = codes - declared[key] - set(apidoc.GENERIC)
        assert not missing, '%s.%s answered %s, not declared' % (
            key[0], key[1], sorted(missing))


def test_every_fault_code_is_declared_somewhere(bound):
    """No code of ngnpro.faults is left out of the reference: each
    specific one belongs to at least one operation."""
    declared = set().union(*_declared(bound).values())
    for name, code in apidoc.CODES.items():
        if code in apidoc.GENERIC:
            continue
        assert code in declared, '%s (%d) is raised by no operation' % (
            name, code)


def test_fault_finder_follows_calls_and_helpers():
    def helper(x):
        raise faults.invalid('x')

    def uses_constant():
        return faults.NGNProError(faults.ZONE_EXISTS, 'exists')

    def handler(call):
        helper(call)
        uses_constant()
        raise faults.denied()
    handler.__module__ = helper.__module__ = uses_constant.__module__ = \
        'ports.example'
    assert apidoc.fault_codes(handler) == {103, 101, 7001}
