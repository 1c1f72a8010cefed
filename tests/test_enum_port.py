"""EnumPort (spec §2.4, §3.7, §4.2, §5.16): ranges as PowerDNS zones,
numbers and their NAPTR mappings, the add-mapping workflow, on SQLite and
MariaDB."""
import datetime

import pytest

from tests.helpers import rows
from tests.soapcall import Client, admin, customer
from tests.test_dns_port import fault, tenants

TLD = 'e164.arpa'
PREFIX = '3120800'
ZONE = '0.0.8.0.2.1.3.e164.arpa'
NUMBER = {'number': '31208005123', 'tld': TLD}
OWNER = '3.2.1.5.' + ZONE


def today_serial(n=0):
    return int(datetime.date.today().strftime('%Y%m%d')) * 100 + n


@pytest.fixture
def enum(dispatcher):
    return Client(dispatcher, 'Enum', admin())


def add_range(enum, prefix=PREFIX, **extra):
    rng = {'id': {'prefix': prefix, 'tld': TLD}, 'ttl': 3600,
           'info': 'Amsterdam DID block', 'minDigits': 11, 'maxDigits': 11,
           'size': 1000}
    rng.update(extra)
    enum('addRange', ('range', rng), range='EnumRange')


def get_range(enum, prefix=PREFIX):
    found = enum('getRanges', ('query', {
        'filter': {'prefix': prefix, 'tld': TLD},
        'range': {'start': 0, 'count': 1}}))
    assert found['total'] == 1
    return found['ranges'][0]


def mapping(kind, mapto, priority=5, ttl=3600, **extra):
    return dict({'type': kind, 'mapto': mapto, 'priority': priority,
                 'ttl': ttl}, **extra)


def add_number(enum, number=NUMBER, mappings=(), **extra):
    n = {'id': number, 'owner': 0, 'info': '',
         'mappings': list(mappings) or [mapping('sip',
                                                'sip:alice@example.com')]}
    n.update(extra)
    enum('addNumber', ('number', n), number='EnumNumber')


def naptrs(dispatcher, name=OWNER):
    return sorted((r['content'], r['ttl'], r['prio'], r['auth'])
                  for r in rows(dispatcher, 'pdns_records', name=name,
                                type='NAPTR'))


def test_range_is_a_powerdns_zone(enum, dispatcher):
    dispatcher.config.dns_nameservers = ['ns1.example.net']
    add_range(enum)
    got = get_range(enum)
    assert got == {
        'id': {'prefix': PREFIX, 'tld': TLD}, 'ttl': 3600, 'minDigits': 11,
        'maxDigits': 11, 'size': 1000, 'nameservers': ['ns1.example.net'],
        'used': 0, 'serial': today_serial(), 'customer': 0, 'reseller': 0,
        'changeDate': got['changeDate'], 'info': 'Amsterdam DID block'}
    (domain,) = rows(dispatcher, 'pdns_domains')
    assert (domain['name'], domain['type']) == (ZONE, 'NATIVE')
    assert sorted((r['name'], r['type'], r['content'], r['ttl']) for r in
                  rows(dispatcher, 'pdns_records')) == [
        (ZONE, 'NS', 'ns1.example.net', 3600),
        (ZONE, 'SOA', 'ns1.example.net hostmaster.%s %d 10800 3600 604800 '
         '3600' % (ZONE, today_serial()), 3600)]
    assert fault(enum, 'addRange', ('range', {
        'id': {'prefix': PREFIX, 'tld': TLD}})) == \
        (3001, 'ENUM range 3120800@e164.arpa already exists')
    # A number belongs to one range: no range inside or around another.
    for other in ('31208005', '312'):
        code, text = fault(enum, 'addRange', ('range', {
            'id': {'prefix': other, 'tld': TLD}}))
        assert code == 103 and 'overlaps range 3120800' in text
    add_range(enum, id={'prefix': PREFIX, 'tld': 'e164.org'})
    assert len(rows(dispatcher, 'pdns_domains')) == 2
    # The zone is a DNS zone name too: taken for the DnsPort.
    dns = Client(dispatcher, 'Dns', admin())
    assert fault(dns, 'addZone', ('zone', {'name': ZONE}))[0] == 7001


@pytest.mark.parametrize('rng', [
    {'prefix': '31a', 'tld': TLD}, {'prefix': '', 'tld': TLD},
    {'prefix': '31', 'tld': 'bad tld'}, {'prefix': '1' * 33, 'tld': TLD}])
def test_invalid_range_ids(enum, dispatcher, rng):
    assert fault(enum, 'addRange', ('range', {'id': rng}))[0] == 103
    assert rows(dispatcher, 'enum_ranges') == []


def test_invalid_digit_limits(enum, dispatcher):
    for extra in ({'minDigits': 12, 'maxDigits': 11}, {'maxDigits': 5}):
        assert fault(enum, 'addRange', ('range', dict(
            {'id': {'prefix': PREFIX, 'tld': TLD}}, **extra)))[0] == 103
    assert rows(dispatcher, 'pdns_domains') == []


def test_update_and_delete_range(enum, dispatcher):
    add_range(enum)
    add_number(enum)
    got = get_range(enum)
    assert got['used'] == 1 and got['serial'] == today_serial(1)
    enum('updateRange', ('range', dict(
        got, maxDigits=12, size=2000, serial=0, used=12, ttl=600,
        info='Amsterdam DID block (main)',
        nameservers=['ns1.example.net', 'ns2.example.net'],
        changeDate='2024-05-14 10:22:31')), range='EnumRange')
    after = get_range(enum)
    assert (after['maxDigits'], after['size'], after['used'], after['ttl'],
            after['info'], after['nameservers'], after['serial']) == (
        12, 2000, 1, 600, 'Amsterdam DID block (main)',
        ['ns1.example.net', 'ns2.example.net'], today_serial(2))
    assert sorted(r['content'] for r in rows(dispatcher, 'pdns_records',
                                             name=ZONE, type='NS')) == \
        ['ns1.example.net', 'ns2.example.net']
    enum('deleteRange', ('range', {'prefix': PREFIX, 'tld': TLD}),
         range='EnumRangeId')
    assert enum('getRanges', ('query', {'filter': {}}))['total'] == 0
    for table in ('enum_numbers', 'enum_mappings', 'pdns_domains',
                  'pdns_records'):
        assert rows(dispatcher, table) == [], table
    missing = (3000, 'ENUM range 3120800@e164.arpa does not exist')
    assert fault(enum, 'deleteRange', ('range', {'prefix': PREFIX,
                                                 'tld': TLD})) == missing
    assert fault(enum, 'updateRange', ('range', got)) == missing


def test_add_mapping_workflow(enum, dispatcher):
    """getNumber -> 3002 -> addNumber; then updateNumber with the previous
    mappings (their ids) plus the new one; removing one; deleteNumber."""
    add_range(enum)
    assert fault(enum, 'getNumber', ('enumId', NUMBER)) == \
        (3002, 'ENUM number 31208005123@e164.arpa does not exist')
    add_number(enum, owner=0, info='')
    got = enum('getNumber', ('enumId', NUMBER))
    (sip,) = got['mappings']
    assert got == {'id': NUMBER, 'mappings': [
        {'id': sip['id'], 'type': 'sip', 'mapto': 'sip:alice@example.com',
         'priority': 5, 'ttl': 3600}], 'info': '', 'owner': 0,
        'customer': 0, 'reseller': 0, 'changeDate': got['changeDate']}
    assert naptrs(dispatcher) == [
        ('5 10 "u" "E2U+sip" "!^.*$!sip:alice@example.com!" .', 3600, 0,
         True)]
    (sip_row,) = rows(dispatcher, 'pdns_records', name=OWNER)
    got['mappings'].append(mapping('mailto', 'mailto:alice@example.com', 10))
    got['mappings'].append(mapping('web:https', 'https://www.example.com', 0,
                                   ttl=0))
    got['info'] = 'Alice desk phone'
    enum('updateNumber', ('number', got), number='EnumNumber')
    after = enum('getNumber', ('enumId', NUMBER))
    assert after['info'] == 'Alice desk phone'
    assert [(m['type'], m['mapto'], m['priority'], m['ttl'])
            for m in after['mappings']] == [
        ('sip', 'sip:alice@example.com', 5, 3600),
        ('mailto', 'mailto:alice@example.com', 10, 3600),
        ('web:https', 'https://www.example.com', 0, 3600)]
    # The mapping that came back with its id is the same row, and the same
    # PowerDNS row.
    assert after['mappings'][0]['id'] == sip['id']
    assert [r['id'] for r in rows(dispatcher, 'pdns_records', name=OWNER,
                                  content=sip_row['content'])] == \
        [sip_row['id']]
    assert naptrs(dispatcher) == sorted([
        ('5 10 "u" "E2U+sip" "!^.*$!sip:alice@example.com!" .', 3600, 0,
         True),
        ('10 10 "u" "E2U+mailto" "!^.*$!mailto:alice@example.com!" .', 3600,
         0, True),
        ('0 10 "u" "E2U+web:https" "!^.*$!https://www.example.com!" .', 3600,
         0, True)])
    # Delete a mapping: the remaining ones, ids kept, a changed priority.
    keep = [dict(after['mappings'][0], priority=1, ttl=600),
            after['mappings'][2]]
    enum('updateNumber', ('number', dict(after, mappings=keep)))
    final = enum('getNumber', ('enumId', NUMBER))
    assert [(m['id'], m['type'], m['priority'], m['ttl'])
            for m in final['mappings']] == [
        (sip['id'], 'sip', 1, 600), (after['mappings'][2]['id'], 'web:https',
                                     0, 3600)]
    assert naptrs(dispatcher) == sorted([
        ('1 10 "u" "E2U+sip" "!^.*$!sip:alice@example.com!" .', 600, 0, True),
        ('0 10 "u" "E2U+web:https" "!^.*$!https://www.example.com!" .', 3600,
         0, True)])
    assert rows(dispatcher, 'pdns_records', name=OWNER)[0]['id'] == \
        sip_row['id']
    assert get_range(enum)['serial'] == today_serial(3)
    enum('deleteNumber', ('enumId', NUMBER), enumId='EnumId')
    assert fault(enum, 'getNumber', ('enumId', NUMBER))[0] == 3002
    assert fault(enum, 'deleteNumber', ('enumId', NUMBER))[0] == 3002
    assert fault(enum, 'updateNumber', ('number', final))[0] == 3002
    assert naptrs(dispatcher) == [] and rows(dispatcher, 'enum_mappings') == []
    assert get_range(enum)['used'] == 0


def test_number_rules(enum, dispatcher):
    add_range(enum, size=2)
    outside = {'number': '31208105123', 'tld': TLD}
    assert fault(enum, 'addNumber', ('number', {'id': outside})) == \
        (3000, 'No ENUM range of e164.arpa holds number 31208105123')
    assert fault(enum, 'getNumber', ('enumId', outside))[0] == 3002
    assert fault(enum, 'addNumber', ('number', {'id': {
        'number': '3120800512', 'tld': TLD}}))[0] == 103       # 10 digits
    assert fault(enum, 'addNumber', ('number', {'id': {
        'number': '312080051234', 'tld': TLD}}))[0] == 103     # 12 digits
    add_number(enum)
    assert fault(enum, 'addNumber', ('number', {'id': NUMBER})) == \
        (3003, 'ENUM number 31208005123@e164.arpa already exists')
    add_number(enum, {'number': '+31208005124', 'tld': TLD})
    assert fault(enum, 'addNumber', ('number', {'id': {
        'number': '31208005125', 'tld': TLD}})) == \
        (103, 'ENUM range 3120800@e164.arpa is full: it holds 2 numbers')
    assert get_range(enum)['used'] == 2


@pytest.mark.parametrize('mappings', [
    [mapping('sip', 'sip:a%d@example.com' % i) for i in range(6)],
    [mapping('skype', 'callto:x')], [mapping('sip', 'mailto:a@example.com')],
    [mapping('sip', 'sip:')], [mapping('sip', 'alice@example.com')],
    [mapping('sip', 'sip:a!b@example.com')],
    [mapping('sip', 'sip:a b@example.com')],
    [mapping('sip', 'sip:a@example.com'), mapping('sip', 'SIP:A@example.com')],
    [mapping('web:http', 'http://' + 'x' * 250)]])
def test_invalid_mappings_change_nothing(enum, dispatcher, mappings):
    add_range(enum)
    add_number(enum)
    before = rows(dispatcher, 'pdns_records')
    assert fault(enum, 'addNumber', ('number', {
        'id': {'number': '31208005124', 'tld': TLD},
        'mappings': mappings}))[0] == 103
    number = enum('getNumber', ('enumId', NUMBER))
    assert fault(enum, 'updateNumber', ('number', dict(
        number, mappings=mappings)))[0] == 103
    assert enum('getNumber', ('enumId', NUMBER)) == number
    assert rows(dispatcher, 'pdns_records') == before


def test_five_mappings_and_every_service(enum, dispatcher):
    add_range(enum)
    five = [mapping('sip', 'sips:alice@example.com', 1),
            mapping('npd:tel', 'tel:+31208005123', 2),
            mapping('x-skype:callto', 'callto:alice', 3),
            mapping('ft:ftp', 'ftp://files.example.com/', 4),
            mapping('voice', 'tel:+31208005123', 5)]
    add_number(enum, mappings=five)
    assert sorted(c for c, _, _, _ in naptrs(dispatcher)) == sorted([
        '1 10 "u" "E2U+sip" "!^.*$!sips:alice@example.com!" .',
        '2 10 "u" "E2U+npd+tel" "!^.*$!tel:+31208005123!" .',
        '3 10 "u" "E2U+x-skype:callto" "!^.*$!callto:alice!" .',
        '4 10 "u" "E2U+ft:ftp" "!^.*$!ftp://files.example.com/!" .',
        '5 10 "u" "E2U+voice" "!^.*$!tel:+31208005123!" .'])


def test_get_numbers_filters(enum, dispatcher):
    add_range(enum)
    add_range(enum, '3120801')
    add_number(enum, mappings=[mapping('sip', 'sip:alice@example.com'),
                               mapping('mailto', 'mailto:bob@example.com')])
    add_number(enum, {'number': '31208015000', 'tld': TLD},
               mappings=[mapping('mailto', 'mailto:alice@example.com')])
    add_number(enum, {'number': '31208005999', 'tld': TLD},
               mappings=[mapping('sip', 'sips:carol@example.com')])

    def numbers(**flt):
        got = enum('getNumbers', ('query', {'filter': flt}))
        assert got['total'] == len(got['numbers'])
        return sorted(n['id']['number'] for n in got['numbers'])
    assert numbers() == ['31208005123', '31208005999', '31208015000']
    assert numbers(number='3120800%', tld=TLD, type='', mapto='',
                   owner=0, customer=0, reseller=0) == \
        ['31208005123', '31208005999']
    assert numbers(type='sip') == ['31208005123', '31208005999']
    assert numbers(mapto='mailto:%') == ['31208005123', '31208015000']
    # self-care: mapto without scheme, with type=sip: one mapping must
    # match both (alice's mailto in the other number does not count).
    assert numbers(type='sip', mapto='alice@example.com') == ['31208005123']
    assert numbers(mapto='alice@example.com') == ['31208005123',
                                                  '31208015000']
    assert numbers(type='sip', mapto='carol@%') == ['31208005999']
    assert numbers(type='mailto', mapto='sip:alice@example.com') == []
    assert numbers(tld='e164.org') == []
    page = enum('getNumbers', ('query', {
        'filter': {'number': '312080%'},
        'orderBy': {'attribute': 'number', 'direction': 'DESC'},
        'range': {'start': 1, 'count': 1}}))
    assert page['total'] == 3
    assert [n['id']['number'] for n in page['numbers']] == ['31208005999']
    assert [m['type'] for m in enum('getNumbers', ('query', {
        'filter': {'number': '31208005123'}}))['numbers'][0]['mappings']] == \
        ['sip', 'mailto']


def test_numbers_inherit_the_range_owner_and_follow_it(dispatcher):
    r1, c1, r2 = tenants(dispatcher)
    enum = Client(dispatcher, 'Enum', customer('r1', 'r1-pw'))
    add_range(enum, customer=c1)
    add_number(enum, owner=c1)
    got = enum('getNumber', ('enumId', NUMBER))
    assert (got['owner'], got['customer'], got['reseller']) == (c1, c1, r1)
    root = Client(dispatcher, 'Enum', admin())
    root('updateRange', ('range', dict(get_range(root), customer=0,
                                       reseller=r2)))
    (number,) = rows(dispatcher, 'enum_numbers')
    assert (number['customer'], number['reseller']) == (0, r2)
    assert fault(enum, 'getNumber', ('enumId', NUMBER))[0] == 3002


def test_another_resellers_range_and_numbers_are_invisible(dispatcher):
    r1, c1, r2 = tenants(dispatcher)
    mine = Client(dispatcher, 'Enum', customer('r1', 'r1-pw'))
    add_range(mine, customer=c1)
    add_number(mine)
    number = mine('getNumber', ('enumId', NUMBER))
    other = Client(dispatcher, 'Enum', customer('r2', 'r2-pw'))
    missing_number = (3002, 'ENUM number 31208005123@e164.arpa does not '
                      'exist')
    assert fault(other, 'getNumber', ('enumId', NUMBER)) == missing_number
    assert fault(other, 'deleteNumber', ('enumId', NUMBER)) == missing_number
    assert fault(other, 'updateNumber', ('number', number)) == missing_number
    assert fault(other, 'addNumber', ('number', {'id': {
        'number': '31208005124', 'tld': TLD}})) == \
        (3000, 'No ENUM range of e164.arpa holds number 31208005124')
    rng = get_range(mine)
    missing_range = (3000, 'ENUM range 3120800@e164.arpa does not exist')
    assert fault(other, 'updateRange', ('range', rng)) == missing_range
    assert fault(other, 'deleteRange', ('range', rng['id'])) == missing_range
    for op in ('getRanges', 'getNumbers'):
        assert other(op, ('query', {'filter': {}}))['total'] == 0
    assert mine('getNumber', ('enumId', NUMBER)) == number


def test_range_and_number_credits(dispatcher):
    r1, c1, _ = tenants(dispatcher, enum_range_credit=1, enum_number_credit=1)
    enum = Client(dispatcher, 'Enum', customer('c1', 'c1-pw'))
    add_range(enum)
    assert fault(enum, 'addRange', ('range', {'id': {
        'prefix': '3120801', 'tld': TLD}})) == (
        102, 'Credit exceeded: reseller %d has used 1 of its '
        'enum_range_credit of 1' % r1)
    add_number(enum)
    assert fault(enum, 'addNumber', ('number', {'id': {
        'number': '31208005124', 'tld': TLD}}))[0] == 102
    assert len(rows(dispatcher, 'enum_numbers')) == 1
    assert len(rows(dispatcher, 'enum_ranges')) == 1
