"""Checks of the DnsPort and EnumPort that must hold under concurrency, on
two independent engines (two server processes sharing one database), on
MariaDB and SQLite: a range's size, the CNAME rules, the zone credit and
duplicate adds (the same fault as a sequential duplicate, never 103)."""
import pytest
from sqlalchemy import func, select

from tests.soapcall import Client, admin, customer, envelope
from tests import test_credits_concurrency as base

THREADS, race = base.THREADS, base.race
two_servers = base.two_servers        # the fixture

SIZE = 5


def test_range_size_race(two_servers):
    a, b, cid = two_servers
    Client(a, 'Enum', admin())('addRange', ('range', {
        'id': {'prefix': '3120', 'tld': 'e164.arpa'}, 'size': SIZE,
        'customer': cid}))

    def worker(i):
        data = envelope('Enum', 'addNumber', [('number', {
            'id': {'number': '3120%03d' % i, 'tld': 'e164.arpa'},
            'mappings': [{'type': 'sip',
                          'mapto': 'sip:u%d@example.com' % i}]})],
            customer('c', 'cpw'))
        return (a, b)[i % 2].handle(data).errorcode
    results = race(worker)
    assert results.count(0) == SIZE, results
    assert results.count(103) == THREADS - SIZE, results
    s = a.store.schema
    with a.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(
            s.enum_numbers)).scalar_one() == SIZE
        assert conn.execute(select(func.count()).select_from(
            s.pdns_records).where(s.pdns_records.c.type == 'NAPTR')
        ).scalar_one() == SIZE


def test_cname_race(two_servers):
    """Half the callers add a CNAME at one name, half an A: either one
    CNAME alone or only A records, never both."""
    a, b, _ = two_servers
    Client(a, 'Dns', admin())('addZone', ('zone', {'name': 'race.example'}))

    def worker(i):
        record = {'zone': 'race.example', 'name': 'x'}
        record.update({'type': 'CNAME', 'value': 't%d.example.org' % i}
                      if i % 2 else {'type': 'A', 'value': '192.0.2.%d' % i})
        data = envelope('Dns', 'addRecord', [('record', record)], admin())
        return (a, b)[i % 2].handle(data).errorcode
    results = race(worker)
    s = a.store.schema
    with a.store.engine.connect() as conn:
        types = sorted(conn.execute(select(s.pdns_records.c.type).where(
            s.pdns_records.c.name == 'x.race.example')).scalars())
    assert types == ['CNAME'] or set(types) == {'A'}, (types, results)
    assert results.count(0) == len(types)
    assert set(results) <= {0, 103}


def test_zone_credit_race(two_servers):
    a, b, cid = two_servers
    Client(a, 'Customer', admin())('setProperties', ('customer', cid), (
        'properties', [{'name': 'dns_zone_credit', 'value': '3',
                        'category': 'credit', 'permission': 'admin'}]))

    def worker(i):
        data = envelope('Dns', 'addZone', [('zone', {
            'name': 'z%d.example' % i})], customer('c', 'cpw'))
        return (a, b)[i % 2].handle(data).errorcode
    results = race(worker)
    assert results.count(0) == 3 and results.count(102) == THREADS - 3


@pytest.mark.parametrize('port,operation,arg,code', [
    ('Dns', 'addZone', ('zone', {'name': 'same.example'}), 7001),
    ('Enum', 'addRange', ('range', {'id': {'prefix': '44',
                                           'tld': 'e164.arpa'}}), 3001),
])
def test_duplicate_add_race(two_servers, port, operation, arg, code):
    a, b, _ = two_servers

    def worker(i):
        return (a, b)[i % 2].handle(envelope(port, operation, [arg],
                                             admin())).errorcode
    results = race(worker)
    assert sorted(set(results)) == [0, code], results
    assert results.count(0) == 1


def test_duplicate_number_and_record_race(two_servers):
    a, b, _ = two_servers
    Client(a, 'Enum', admin())('addRange', ('range', {
        'id': {'prefix': '3120', 'tld': 'e164.arpa'}}))
    Client(a, 'Dns', admin())('addZone', ('zone', {'name': 'race.example'}))
    for port, operation, arg, code in (
            ('Enum', 'addNumber', ('number', {'id': {
                'number': '31201', 'tld': 'e164.arpa'}}), 3003),
            ('Dns', 'addRecord', ('record', {
                'zone': 'race.example', 'name': 'www', 'type': 'A',
                'value': '192.0.2.1'}), 7003)):
        def worker(i):
            return (a, b)[i % 2].handle(envelope(port, operation, [arg],
                                                 admin())).errorcode
        results = race(worker)
        assert sorted(set(results)) == [0, code], results
        assert results.count(0) == 1
