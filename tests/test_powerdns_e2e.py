"""A real PowerDNS 4.7 (gmysql, default caches) answers what is provisioned
over SOAP through the real server, on the very next query: zones, A, AAAA,
MX, SRV, TXT, NAPTR (and CNAME, PTR, LOC) records, ENUM numbers under
e164.arpa; updates and deletes; deleted zones. Queried with dnspython.
MariaDB only (PowerDNS's gmysql backend)."""
import itertools

import pytest
from sqlalchemy import create_engine, update

from ngnpro.store.schema import Schema
from tests.soapcall import Client, SoapFault, admin
from tests.support.server import Remote

_prefixes = itertools.count(1)


def clients(server):
    remote = Remote(server)
    return Client(remote, 'Dns', admin()), Client(remote, 'Enum', admin())


def add_zone(dns, zone, ttl=3600):
    dns('addZone', ('zone', {'name': zone, 'ttl': ttl,
                             'nameservers': ['ns1.example.net',
                                             'ns2.example.net']}))


def add(dns, zone, name, rtype, value, priority=0, ttl=300):
    dns('addRecord', ('record', {'zone': zone, 'name': name, 'type': rtype,
                                 'value': value, 'priority': priority,
                                 'ttl': ttl, 'owner': 0}))


def the_record(dns, zone, name, rtype):
    (r,) = dns('getRecords', ('query', {'filter': {
        'zone': zone, 'name': name, 'type': rtype}}))['records']
    return r


def test_records_created_over_soap_are_answered(dns_stack, unique_zone):
    srv, pdns = dns_stack
    dns, _ = clients(srv)
    zone = unique_zone
    # Not served yet; PowerDNS caches that answer too.
    assert pdns.answer(zone, 'SOA')[0] == 'REFUSED'
    add_zone(dns, zone)
    serial = dns('getZone', ('zone', zone))['serial']
    assert pdns.answer(zone, 'SOA') == ('NOERROR', [
        'ns1.example.net. hostmaster.%s. %d 10800 3600 604800 3600'
        % (zone, serial)], 3600)
    assert pdns.answer(zone, 'NS') == ('NOERROR', ['ns1.example.net.',
                                                   'ns2.example.net.'], 3600)
    # A negative answer, cached for a minute by default...
    assert pdns.answer('www.' + zone, 'A')[0] == 'NXDOMAIN'
    add(dns, zone, 'www', 'A', '192.0.2.80')
    # ...is forgotten at once.
    assert pdns.answer('www.' + zone, 'A') == ('NOERROR', ['192.0.2.80'], 300)
    add(dns, zone, 'www', 'AAAA', '2001:db8::80', ttl=0)
    add(dns, zone, '', 'MX', 'mail.' + zone, 10)
    add(dns, zone, '', 'MX', 'backup.example.net', 20)
    add(dns, zone, '_sip._udp', 'SRV', '0 5060 sip.' + zone, 10)
    add(dns, zone, '_sip._tcp', 'SRV', '5 5060 sip.' + zone, 20)
    add(dns, zone, '', 'TXT', 'v=spf1 mx -all')
    add(dns, zone, 'long', 'TXT', 'x' * 300 + ' caf\u00e9 "q"')
    add(dns, zone, '', 'NAPTR', '20 100 "s" "SIP+D2T" "" _sip._tcp', 100)
    add(dns, zone, '', 'NAPTR', '10 0 "S" "SIP+D2U" "" _sip._udp.' + zone)
    add(dns, zone, 'sip', 'CNAME', 'www')
    add(dns, zone, '80', 'PTR', 'www.' + zone)
    add(dns, zone, 'here', 'LOC', '52 22 23 N 4 53 32 E -2m')
    assert pdns.answer('www.' + zone, 'AAAA') == ('NOERROR',
                                                  ['2001:db8::80'], 3600)
    assert pdns.answer(zone, 'MX') == ('NOERROR', [
        '10 mail.%s.' % zone, '20 backup.example.net.'], 300)
    assert pdns.answer('_sip._udp.' + zone, 'SRV') == (
        'NOERROR', ['10 0 5060 sip.%s.' % zone], 300)
    assert pdns.answer('_sip._tcp.' + zone, 'SRV')[1] == \
        ['20 5 5060 sip.%s.' % zone]
    assert pdns.answer(zone, 'TXT') == ('NOERROR', ['"v=spf1 mx -all"'], 300)
    (long_txt,) = pdns.answer('long.' + zone, 'TXT')[1]
    assert long_txt == '"%s" "%s caf\\195\\169 \\"q\\""' % (
        'x' * 255, 'x' * 45)
    assert pdns.answer(zone, 'NAPTR') == ('NOERROR', [
        '10 0 "S" "SIP+D2U" "" _sip._udp.%s.' % zone,
        '20 100 "s" "SIP+D2T" "" _sip._tcp.%s.' % zone], 300)
    rcode, answer, _ = pdns.answer('sip.' + zone, 'A')
    assert (rcode, answer) == ('NOERROR', ['192.0.2.80'])    # via the CNAME
    assert pdns.answer('80.' + zone, 'PTR')[1] == ['www.%s.' % zone]
    # (dnspython leaves out LOC's default size and precisions)
    assert pdns.answer('here.' + zone, 'LOC')[1] == [
        '52 22 23.000 N 4 53 32.000 E -2.00m']
    # The SOA PowerDNS serves carries the serial of the last change.
    serial = dns('getZone', ('zone', zone))['serial']
    assert pdns.answer(zone, 'SOA')[1][0].split()[2] == str(serial)


def test_update_and_delete_are_visible_on_the_next_query(dns_stack,
                                                         unique_zone):
    srv, pdns = dns_stack
    dns, _ = clients(srv)
    zone = unique_zone
    add_zone(dns, zone)
    add(dns, zone, 'www', 'A', '192.0.2.80')
    assert pdns.answer('www.' + zone, 'A')[1] == ['192.0.2.80']
    # PowerDNS does cache: a change behind its back is not seen...
    schema = Schema()
    engine = create_engine(srv.db_url)
    with engine.begin() as conn:
        conn.execute(update(schema.pdns_records).where(
            schema.pdns_records.c.name == 'www.' + zone).values(
            content='192.0.2.66'))
    assert pdns.answer('www.' + zone, 'A')[1] == ['192.0.2.80']
    # ...one over SOAP is, on the very next query.
    www = the_record(dns, zone, 'www', 'A')
    dns('updateRecord', ('record', dict(www, value='192.0.2.81', ttl=60)))
    assert pdns.answer('www.' + zone, 'A') == ('NOERROR', ['192.0.2.81'], 60)
    add(dns, zone, '', 'MX', 'mail.' + zone, 10)
    assert pdns.answer(zone, 'MX')[1] == ['10 mail.%s.' % zone]
    mx = the_record(dns, zone, '', 'MX')
    dns('updateRecord', ('record', dict(mx, priority=5,
                                        value='mx.example.net')))
    assert pdns.answer(zone, 'MX')[1] == ['5 mx.example.net.']
    # Renamed: gone at the old name, there at the new one.
    dns('updateRecord', ('record', dict(www, name='web', value='192.0.2.82')))
    assert pdns.answer('www.' + zone, 'A')[0] == 'NXDOMAIN'
    assert pdns.answer('web.' + zone, 'A')[1] == ['192.0.2.82']
    dns('deleteRecord', ('recordId', www['id']))
    assert pdns.answer('web.' + zone, 'A')[0] == 'NXDOMAIN'
    dns('deleteRecord', ('recordId', mx['id']))
    rcode, answer, _ = pdns.answer(zone, 'MX')
    assert (rcode, answer) == ('NOERROR', [])
    engine.dispose()


def test_deleted_zone_is_no_longer_served(dns_stack, unique_zone):
    srv, pdns = dns_stack
    dns, _ = clients(srv)
    zone = unique_zone
    add_zone(dns, zone)
    add(dns, zone, 'www', 'A', '192.0.2.80')
    assert pdns.answer('www.' + zone, 'A')[1] == ['192.0.2.80']
    assert pdns.answer(zone, 'SOA')[0] == 'NOERROR'
    dns('deleteZone', ('zone', zone))
    assert pdns.answer(zone, 'SOA')[0] == 'REFUSED'
    assert pdns.answer('www.' + zone, 'A')[0] == 'REFUSED'
    # And it can come back.
    add_zone(dns, zone)
    assert pdns.answer(zone, 'SOA')[0] == 'NOERROR'
    assert pdns.answer('www.' + zone, 'A')[0] == 'NXDOMAIN'


def test_enum_number_answers_its_naptr_under_e164_arpa(dns_stack):
    srv, pdns = dns_stack
    dns, enum = clients(srv)
    prefix = '3120800'
    zone = '0.0.8.0.2.1.3.e164.arpa'
    name = '3.2.1.5.' + zone
    number = {'number': '31208005123', 'tld': 'e164.arpa'}
    enum('addRange', ('range', {
        'id': {'prefix': prefix, 'tld': 'e164.arpa'}, 'ttl': 3600,
        'minDigits': 11, 'maxDigits': 11, 'size': 1000,
        'nameservers': ['ns1.example.net']}))
    assert pdns.answer(zone, 'SOA')[0] == 'NOERROR'
    assert pdns.answer(name, 'NAPTR')[0] == 'NXDOMAIN'
    # The client's add-mapping workflow.
    with pytest.raises(SoapFault) as err:
        enum('getNumber', ('enumId', number))
    assert err.value.code == 3002
    enum('addNumber', ('number', {'id': number, 'owner': 0, 'info': '',
                                  'mappings': [{
                                      'type': 'sip',
                                      'mapto': 'sip:alice@example.com',
                                      'ttl': 3600, 'priority': 5}]}))
    assert pdns.answer(name, 'NAPTR') == ('NOERROR', [
        '5 10 "u" "E2U+sip" "!^.*$!sip:alice@example.com!" .'], 3600)
    got = enum('getNumber', ('enumId', number))
    got['mappings'].append({'type': 'mailto',
                            'mapto': 'mailto:alice@example.com',
                            'ttl': 600, 'priority': 10})
    got['mappings'][0]['mapto'] = 'sip:alice@example.org'
    enum('updateNumber', ('number', got))
    assert pdns.answer(name, 'NAPTR')[1] == [
        '10 10 "u" "E2U+mailto" "!^.*$!mailto:alice@example.com!" .',
        '5 10 "u" "E2U+sip" "!^.*$!sip:alice@example.org!" .']
    assert pdns.answer(zone, 'SOA')[1][0].split()[2] == str(
        enum('getRanges', ('query', {'filter': {'prefix': prefix}}))[
            'ranges'][0]['serial'])
    enum('deleteNumber', ('enumId', number))
    assert pdns.answer(name, 'NAPTR')[0] == 'NXDOMAIN'
    enum('deleteRange', ('range', {'prefix': prefix, 'tld': 'e164.arpa'}))
    assert pdns.answer(zone, 'SOA')[0] == 'REFUSED'


def test_through_the_powerdns_http_api(dns_stack, dns_api_server,
                                       unique_zone):
    """The API flushes exact names: the server flushes every changed name
    and the zone, which also puts a new zone in PowerDNS's zone cache."""
    _, pdns = dns_stack
    dns, _ = clients(dns_api_server)
    zone = unique_zone
    add_zone(dns, zone)
    assert pdns.answer(zone, 'SOA')[0] == 'NOERROR'
    assert pdns.answer('a.b.' + zone, 'A')[0] == 'NXDOMAIN'
    add(dns, zone, 'a.b', 'A', '192.0.2.1')
    assert pdns.answer('a.b.' + zone, 'A')[1] == ['192.0.2.1']
    record = the_record(dns, zone, 'a.b', 'A')
    dns('updateRecord', ('record', dict(record, value='192.0.2.2')))
    assert pdns.answer('a.b.' + zone, 'A')[1] == ['192.0.2.2']
    dns('deleteRecord', ('recordId', record['id']))
    assert pdns.answer('a.b.' + zone, 'A')[0] == 'NXDOMAIN'
    dns('deleteZone', ('zone', zone))
    assert pdns.answer(zone, 'SOA')[0] == 'REFUSED'
