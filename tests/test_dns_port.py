"""DnsPort (spec §2.3, §3.6, §4.2, §5.25): zones, records and fancy records,
what the server answers and what lands in PowerDNS's domains/records
tables, on SQLite and MariaDB."""
import datetime

import pytest
from sqlalchemy import insert

from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin, customer

ZONE = 'example.com'


def today_serial(n=0):
    return int(datetime.date.today().strftime('%Y%m%d')) * 100 + n


@pytest.fixture
def dns(dispatcher):
    return Client(dispatcher, 'Dns', admin())


def add_zone(dns, name=ZONE, **extra):
    zone = {'name': name, 'ttl': 3600, 'info': 'Main company zone',
            'nameservers': ['ns1.example.net', 'ns2.example.net']}
    zone.update(extra)
    dns('addZone', ('zone', zone), zone='DnsZone')


def record(name, rtype, value, priority=0, ttl=0, zone=ZONE, **extra):
    r = {'name': name, 'zone': zone, 'type': rtype, 'value': value,
         'owner': 0, 'ttl': ttl, 'priority': priority}
    r.update(extra)
    return ('record', r)


def fault(call, *args):
    with pytest.raises(SoapFault) as err:
        call(*args)
    return err.value.code, err.value.string


def pdns_rows(dispatcher, zone=ZONE):
    (domain,) = rows(dispatcher, 'pdns_domains', name=zone)
    out = rows(dispatcher, 'pdns_records', domain_id=domain['id'])
    return domain, sorted(out, key=lambda r: r['id'])


def soa_of(dispatcher, zone=ZONE):
    _, recs = pdns_rows(dispatcher, zone)
    (soa,) = [r for r in recs if r['type'] == 'SOA']
    return soa


def test_add_zone_writes_a_native_powerdns_zone(dns, dispatcher):
    add_zone(dns)
    got = dns('getZone', ('zone', ZONE))
    assert got == {
        'name': ZONE, 'ttl': 3600,
        'nameservers': ['ns1.example.net', 'ns2.example.net'],
        'email': 'hostmaster@example.com', 'serial': today_serial(),
        'refresh': 10800, 'retry': 3600, 'expire': 604800, 'minimum': 3600,
        'customer': 0, 'reseller': 0, 'changeDate': got['changeDate'],
        'info': 'Main company zone'}
    domain, recs = pdns_rows(dispatcher)
    assert (domain['type'], domain['master'], domain['account']) == \
        ('NATIVE', None, None)
    assert [(r['name'], r['type'], r['content'], r['ttl'], r['prio'],
             r['auth'], r['disabled'], r['ordername']) for r in recs] == [
        (ZONE, 'SOA', 'ns1.example.net hostmaster.example.com %d 10800 3600 '
         '604800 3600' % today_serial(), 3600, 0, True, False, ''),
        (ZONE, 'NS', 'ns1.example.net', 3600, 0, True, False, ''),
        (ZONE, 'NS', 'ns2.example.net', 3600, 0, True, False, '')]
    assert fault(dns, 'addZone', ('zone', {'name': 'Example.COM.'})) == \
        (7001, 'DNS zone example.com already exists')


def test_zone_import_values_and_default_nameservers(dns, dispatcher):
    dispatcher.config.dns_nameservers = ['ns.default.example']
    add_zone(dns, 'example.org', nameservers=[], ttl=7200, info='')
    dns('addZone', ('zone', {
        'name': 'example.net', 'ttl': 600, 'email': 'DNS.Admin@Example.net',
        'serial': 2024051401, 'refresh': 7200, 'retry': 900,
        'expire': 1209600, 'minimum': 300,
        'changeDate': '2024-05-14 10:22:31'}))
    org = dns('getZone', ('zone', 'example.org'))
    assert (org['nameservers'], org['ttl']) == (['ns.default.example'], 7200)
    net = dns('getZone', ('zone', 'example.net'))
    # The client's serial and changeDate are the server's business.
    assert (net['serial'], net['email'], net['refresh'], net['retry'],
            net['expire'], net['minimum']) == (
        today_serial(), 'dns.admin@example.net', 7200, 900, 1209600, 300)
    assert soa_of(dispatcher, 'example.net')['content'] == (
        'ns.default.example dns\\.admin.example.net %d 7200 900 1209600 300'
        % today_serial())
    assert soa_of(dispatcher, 'example.net')['ttl'] == 600


def test_update_zone_bumps_the_serial_and_keeps_omitted_nameservers(
        dns, dispatcher):
    add_zone(dns)
    zone = dns('getZone', ('zone', ZONE))
    edited = dict(zone, serial=0, ttl=600, retry=1800, expire=1209600,
                  minimum=300, info='edited', email='ops@example.org')
    del edited['nameservers']          # the emptied name-server box
    dns('updateZone', ('zone', edited), zone='DnsZone')
    got = dns('getZone', ('zone', ZONE))
    assert (got['serial'], got['ttl'], got['retry'], got['info'],
            got['email'], got['nameservers']) == (
        today_serial(1), 600, 1800, 'edited', 'ops@example.org',
        ['ns1.example.net', 'ns2.example.net'])
    _, recs = pdns_rows(dispatcher)
    assert [(r['type'], r['content'], r['ttl']) for r in recs] == [
        ('SOA', 'ns1.example.net ops.example.org %d 10800 1800 1209600 300'
         % today_serial(1), 600),
        ('NS', 'ns1.example.net', 600), ('NS', 'ns2.example.net', 600)]
    dns('updateZone', ('zone', dict(got, serial=99, nameservers=[
        'ns3.example.net', 'NS1.example.net.', 'ns3.example.net'])))
    got = dns('getZone', ('zone', ZONE))
    assert got['nameservers'] == ['ns3.example.net', 'ns1.example.net']
    assert got['serial'] == today_serial(2)
    _, recs = pdns_rows(dispatcher)
    assert [(r['type'], r['content'].split()[0]) for r in recs] == [
        ('SOA', 'ns3.example.net'), ('NS', 'ns3.example.net'),
        ('NS', 'ns1.example.net')]
    dns('updateZone', ('zone', dict(got, nameservers=[])))
    assert dns('getZone', ('zone', ZONE))['nameservers'] == \
        ['ns3.example.net', 'ns1.example.net']


def test_missing_zones_and_zones_owned_by_powerdns_alone(dns, dispatcher):
    missing = (7000, 'DNS zone nowhere.example does not exist')
    assert fault(dns, 'getZone', ('zone', 'nowhere.example')) == missing
    assert fault(dns, 'deleteZone', ('zone', 'nowhere.example')) == missing
    assert fault(dns, 'updateZone', ('zone', {'name': 'nowhere.example'})) \
        == missing
    assert fault(dns, 'addRecord', record('www', 'A', '192.0.2.1',
                                          zone='nowhere.example')) == missing
    # A zone someone created in PowerDNS directly is taken.
    with dispatcher.store.engine.begin() as conn:
        conn.execute(insert(dispatcher.store.schema.pdns_domains).values(
            name='legacy.example', type='NATIVE'))
    assert fault(dns, 'addZone', ('zone', {'name': 'legacy.example'}))[0] \
        == 7001
    for bad in ('', 'exa mple.com', '-x.example', 'a' * 64 + '.example'):
        assert fault(dns, 'addZone', ('zone', {'name': bad}))[0] == 103, bad
    assert rows(dispatcher, 'dns_zones') == []


def test_delete_zone_removes_everything(dns, dispatcher):
    add_zone(dns)
    add_zone(dns, 'other.example')
    dns('addRecord', record('www', 'A', '192.0.2.80'))
    dns('addFancyRecord', record('alice', 'MBOXFW', 'a@example.net'))
    dns('deleteZone', ('zone', ZONE))
    assert fault(dns, 'getZone', ('zone', ZONE))[0] == 7000
    assert [d['name'] for d in rows(dispatcher, 'pdns_domains')] == \
        ['other.example']
    assert {r['name'] for r in rows(dispatcher, 'pdns_records')} == \
        {'other.example'}
    assert rows(dispatcher, 'dns_records') == []
    assert rows(dispatcher, 'dns_fancy_records') == []
    assert dns('getZones', ('query', {'filter': {}}))['total'] == 1


# -- records -----------------------------------------------------------------

# name, type, value, priority -> (owner name, content, prio, value, priority)
RECORDS = [
    (('www', 'A', '192.0.2.80', 0),
     ('www.example.com', '192.0.2.80', 0, '192.0.2.80', 0)),
    (('v6', 'AAAA', '2001:DB8:0::1', 0),
     ('v6.example.com', '2001:db8::1', 0, '2001:db8::1', 0)),
    (('', 'MX', 'Mail.Example.com.', 10),
     ('example.com', 'mail.example.com', 10, 'mail.example.com', 10)),
    (('_sip._udp', 'SRV', '0 5060 sip.example.com', 10),
     ('_sip._udp.example.com', '0 5060 sip.example.com', 10,
      '0 5060 sip.example.com', 10)),
    (('_stun._udp', 'SRV', '20 10 3478 stun1.example.com', 0),
     ('_stun._udp.example.com', '10 3478 stun1.example.com', 20,
      '10 3478 stun1.example.com', 20)),
    (('', 'TXT', 'v=spf1 mx -all', 0),
     ('example.com', '"v=spf1 mx -all"', 0, 'v=spf1 mx -all', 0)),
    (('q', 'TXT', 'say "hi" \\ caf\u00e9', 0),
     ('q.example.com', '"say \\"hi\\" \\\\ caf\\195\\169"', 0,
      'say "hi" \\ caf\u00e9', 0)),
    (('two', 'TXT', '"first part" "second"', 0),
     ('two.example.com', '"first part" "second"', 0,
      '"first part" "second"', 0)),
    (('', 'NAPTR', '20 100 "s" "SIP+D2T" "" _sip._tcp', 100),
     ('example.com', '20 100 "s" "SIP+D2T" "" _sip._tcp.example.com', 0,
      '20 100 "s" "SIP+D2T" "" _sip._tcp.example.com', 100)),
    (('u', 'NAPTR', '100 10 u E2U+sip "!^.*$!sip:info@example.com!"', 0),
     ('u.example.com', '100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .',
      0, '100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .', 10)),
    (('alias', 'CNAME', 'www', 0),
     ('alias.example.com', 'www.example.com', 0, 'www.example.com', 0)),
    (('mail.example.com', 'CNAME', 'mx.provider.net', 0),
     ('mail.example.com', 'mx.provider.net', 0, 'mx.provider.net', 0)),
    (('80', 'PTR', 'host.example.net', 0),
     ('80.example.com', 'host.example.net', 0, 'host.example.net', 0)),
    (('*.wild', 'A', '192.0.2.99', 0),
     ('*.wild.example.com', '192.0.2.99', 0, '192.0.2.99', 0)),
    (('here', 'LOC', '52 22 23 N 4 53 32 E -2m 0m 10000m 10m', 0),
     ('here.example.com', '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m '
      '10000.00m 10.00m', 0, '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m '
      '10000.00m 10.00m', 0)),
]


def test_records_of_every_type_land_as_powerdns_expects(dns, dispatcher):
    add_zone(dns, ttl=900)
    for i, ((name, rtype, value, prio), expected) in enumerate(RECORDS):
        dns('addRecord', record(name, rtype, value, prio,
                                ttl=300 if i % 2 else 0), record='DnsRecord')
    listed = dns('getRecords', ('query', {'filter': {'zone': ZONE},
                                          'range': {'start': 0,
                                                    'count': 5000}}))
    assert listed['total'] == len(RECORDS)
    by_id = {r['id']: r for r in listed['records']}
    own = sorted(rows(dispatcher, 'dns_records'), key=lambda r: r['id'])
    _, recs = pdns_rows(dispatcher)
    pdns = {r['id']: r for r in recs}
    for i, (row, ((_, rtype, _, _), expected)) in enumerate(zip(own, RECORDS)):
        fqdn, content, prio, value, priority = expected
        got = by_id[row['id']]
        assert (got['type'], got['value'], got['priority'], got['ttl'],
                got['customer'], got['reseller']) == \
            (rtype, value, priority, 300 if i % 2 else 900, 0, 0), expected
        native = pdns[row['pdns_id']]
        assert (native['name'], native['type'], native['content'],
                native['prio'], native['ttl'], native['auth'],
                native['disabled']) == (fqdn, rtype, content, prio, got['ttl'],
                                        True, False), expected
        relative = fqdn[:-len(ZONE) - 1] if fqdn != ZONE else ''
        assert native['ordername'] == ' '.join(reversed(relative.split('.'))) \
            if relative else native['ordername'] == ''
    # Each change of the zone's data is one serial more.
    assert dns('getZone', ('zone', ZONE))['serial'] == \
        today_serial(len(RECORDS))
    assert soa_of(dispatcher)['content'].split()[2] == \
        str(today_serial(len(RECORDS)))


REFUSED = [
    ('www', 'A', '192.0.2.300'), ('www', 'A', '010.0.0.1'),
    ('www', 'A', 'www.example.com'), ('www', 'A', ''),
    ('www', 'A', '192.0.2.1; evil'), ('v6', 'AAAA', '2001:db8::g'),
    ('v6', 'AAAA', '192.0.2.1'), ('', 'CNAME', 'www.example.org'),
    ('c', 'CNAME', 'bad..name'), ('c', 'CNAME', '.'), ('', 'NS', 'ns.x.net'),
    ('', 'MX', 'mail server'), ('', 'MX', '-mail.example.com'),
    ('_sip._udp', 'SRV', '5060 sip.example.com'),
    ('_sip._udp', 'SRV', '0 70000 sip.example.com'),
    ('_sip._udp', 'SRV', '0 x sip.example.com'), ('t', 'TXT', '   '),
    ('n', 'NAPTR', '10 "u" "E2U+sip" "!^.*$!sip:a@b!" .'),
    ('n', 'NAPTR', '10 10 "u" "E2U+sip" "!^.*$!sip:a@b!" sip.example.com'),
    ('n', 'NAPTR', '10 10 "u;" "E2U+sip" "" .'),
    ('n', 'NAPTR', '10 10 "u" "E2U sip" "" .'),
    ('n', 'NAPTR', '10 10 "u" "E2U+sip" "!^.*$" .'),
    ('n', 'NAPTR', '99999 10 "u" "E2U+sip" "" .'),
    ('l', 'LOC', 'somewhere nice'), ('s', 'SOA', 'ns1 host 1 2 3 4 5'),
    ('s', 'SPF', 'v=spf1 -all'), ('s', 'HINFO', 'a b'),
    ('bad name', 'A', '192.0.2.1'), ('a.*', 'A', '192.0.2.1'),
    ('*', 'NS', 'ns.example.net'), ('x' * 64, 'A', '192.0.2.1'),
    ('.'.join(['abcdefghi'] * 25), 'A', '192.0.2.1'),
]


@pytest.mark.parametrize('name,rtype,value', REFUSED)
def test_invalid_records_are_refused_and_change_nothing(dns, dispatcher,
                                                        name, rtype, value):
    add_zone(dns)
    before = rows(dispatcher, 'pdns_records')
    code, text = fault(dns, 'addRecord', record(name, rtype, value))
    assert code == 103 and text
    assert rows(dispatcher, 'pdns_records') == before
    assert rows(dispatcher, 'dns_records') == []


def test_cname_rules(dns, dispatcher):
    add_zone(dns)
    dns('addRecord', record('www', 'A', '192.0.2.80'))
    dns('addRecord', record('alias', 'CNAME', 'www.example.com'))
    assert fault(dns, 'addRecord', record('www', 'CNAME', 'x.example.org')) \
        == (103, 'www.example.com already has A records: a CNAME cannot be '
            'beside other data')
    assert fault(dns, 'addRecord', record('alias', 'TXT', 'hello')) == \
        (103, 'alias.example.com is a CNAME: no other record can be beside '
         'it')
    assert fault(dns, 'addRecord', record('alias', 'CNAME', 'other.org'))[0] \
        == 103
    # The same CNAME again is the import case: 7003, not a conflict.
    assert fault(dns, 'addRecord', record('alias', 'CNAME', 'www'))[0] == 7003
    www = dns('getRecords', ('query', {'filter': {'name': 'www%'}}))
    (a,) = www['records']
    # Alone at its name, the A may become a CNAME; beside a TXT it may not.
    dns('addRecord', record('www', 'TXT', 'hello'))
    assert fault(dns, 'updateRecord', ('record', dict(
        a, type='CNAME', value='alias.example.com')))[0] == 103
    dns('updateRecord', ('record', dict(a, name='solo', type='CNAME',
                                        value='alias.example.com')))
    assert dns('getRecord', ('recordId', a['id']))['name'] == 'solo'
    (alias,) = dns('getRecords', ('query', {'filter': {
        'name': 'alias', 'type': 'CNAME'}}))['records']
    dns('updateRecord', ('record', dict(alias, value='elsewhere.example.org')))
    assert dns('getRecord', ('recordId', alias['id']))['value'] == \
        'elsewhere.example.org'


def test_record_exists_update_and_delete(dns, dispatcher):
    add_zone(dns)
    dns('addRecord', record('www', 'A', '192.0.2.80', ttl=3600))
    dns('addRecord', record('www', 'A', '192.0.2.81'))
    # The import replays exported records with their id: 7003 when present.
    assert fault(dns, 'addRecord', record(
        'WWW', 'a', '192.0.2.80', id=1234, customer=23, reseller=17,
        changeDate='2024-05-14 10:22:31')) == \
        (7003, 'DNS record www.example.com A 192.0.2.80 already exists')
    first, second = sorted(dns('getRecords', ('query', {'filter': {
        'zone': ZONE, 'name': 'www%'}}))['records'], key=lambda r: r['id'])
    assert dns('getRecord', ('recordId', first['id'])) == first
    assert dns('getRecords', ('query', {'filter': {'id': second['id']},
                                        'range': {'start': 0, 'count': 1}})
               )['records'] == [second]
    assert fault(dns, 'updateRecord', ('record', dict(
        second, value='192.0.2.80')))[0] == 7003
    (pdns_before,) = rows(dispatcher, 'pdns_records', content='192.0.2.81')
    dns('updateRecord', ('record', dict(second, value='192.0.2.82', ttl=60,
                                        serial=0)), record='DnsRecord')
    got = dns('getRecord', ('recordId', second['id']))
    assert (got['id'], got['value'], got['ttl']) == (second['id'],
                                                     '192.0.2.82', 60)
    (pdns_after,) = rows(dispatcher, 'pdns_records', content='192.0.2.82')
    assert (pdns_after['id'], pdns_after['ttl']) == (pdns_before['id'], 60)
    dns('deleteRecord', ('recordId', second['id']))
    missing = (7002, 'DNS record %d does not exist' % second['id'])
    assert fault(dns, 'getRecord', ('recordId', second['id'])) == missing
    assert fault(dns, 'deleteRecord', ('recordId', second['id'])) == missing
    assert fault(dns, 'updateRecord', ('record', second)) == missing
    assert rows(dispatcher, 'pdns_records', content='192.0.2.82') == []
    assert dns('getZone', ('zone', ZONE))['serial'] == today_serial(4)


def test_delegations_are_not_authoritative(dns, dispatcher):
    """NS below the apex is a delegation: it and its glue get auth=0 (and
    the glue no ordername), as pdnsutil rectify-zone leaves them."""
    add_zone(dns)
    dns('addRecord', record('ns.sub', 'A', '192.0.2.53'))
    dns('addRecord', record('www', 'A', '192.0.2.80'))

    def native(name):
        (r,) = rows(dispatcher, 'pdns_records', name=name + '.' + ZONE)
        return r['auth'], r['ordername']
    assert native('ns.sub') == (True, 'sub ns')
    dns('addRecord', record('sub', 'NS', 'ns.sub.example.com'))
    assert native('sub') == (False, 'sub')
    assert native('ns.sub') == (False, None)
    assert native('www') == (True, 'www')
    dns('addRecord', record('deeper.sub', 'A', '192.0.2.54'))
    assert native('deeper.sub') == (False, None)
    (ns,) = dns('getRecords', ('query', {'filter': {'type': 'NS'}}))['records']
    dns('deleteRecord', ('recordId', ns['id']))
    assert native('ns.sub') == (True, 'sub ns')
    assert native('deeper.sub') == (True, 'sub deeper')


# -- fancy records -----------------------------------------------------------

def test_fancy_records_are_kept_apart_from_dns_data(dns, dispatcher):
    add_zone(dns)
    pdns_before = rows(dispatcher, 'pdns_records')
    dns('addFancyRecord', record('alice@example.com', 'MBOXFW',
                                 'Alice.Smith@example.net', ttl=3600),
        record='DnsFancyRecord')
    dns('addFancyRecord', record('www', 'URL', 'https://www.example.org/'
                                 'landing?src=dns&lang=en'))
    dns('addFancyRecord', record('bob', 'MBOXFW', 'b@example.net, '
                                 'bob@example.org'))
    assert rows(dispatcher, 'pdns_records') == pdns_before
    assert dns('getRecords', ('query', {'filter': {}}))['total'] == 0
    mail = dns('getFancyRecords', ('query', {'filter': {'type': 'MBOXFW'}}))
    assert mail['total'] == 2
    alice = [r for r in mail['records'] if r['name'].startswith('alice')][0]
    assert {k: alice[k] for k in ('zone', 'name', 'type', 'value', 'ttl')} == {
        'zone': ZONE, 'name': 'alice@example.com', 'type': 'MBOXFW',
        'value': 'alice.smith@example.net', 'ttl': 3600}
    assert dns('getFancyRecord', ('recordId', alice['id'])) == alice
    assert dns('getFancyRecords', ('query', {'filter': {'id': alice['id']}})
               )['records'] == [alice]
    bob = dns('getFancyRecords', ('query', {'filter': {'name': 'bob%'}}))
    assert bob['records'][0]['value'] == 'b@example.net, bob@example.org'
    (url,) = dns('getFancyRecords', ('query', {'filter': {'type': 'URL'}})
                 )['records']
    assert (url['name'], url['value']) == (
        'www', 'https://www.example.org/landing?src=dns&lang=en')
    assert fault(dns, 'addFancyRecord', record(
        'alice', 'MBOXFW', 'other@example.net')) == \
        (7005, 'DNS fancy record alice@example.com MBOXFW already exists')
    dns('updateFancyRecord', ('record', dict(alice,
                                             value='alice@example.org')))
    assert dns('getFancyRecord', ('recordId', alice['id']))['value'] == \
        'alice@example.org'
    dns('deleteFancyRecord', ('recordId', alice['id']))
    missing = (7004, 'DNS fancy record %d does not exist' % alice['id'])
    assert fault(dns, 'getFancyRecord', ('recordId', alice['id'])) == missing
    assert fault(dns, 'deleteFancyRecord', ('recordId', alice['id'])) == \
        missing
    assert fault(dns, 'updateFancyRecord', ('record', alice)) == missing


@pytest.mark.parametrize('name,rtype,value', [
    ('alice@example.org', 'MBOXFW', 'a@example.net'),
    ('al ice', 'MBOXFW', 'a@example.net'), ('alice', 'MBOXFW', 'nobody'),
    ('alice', 'MBOXFW', ''), ('www', 'URL', 'ftp://example.org/'),
    ('www', 'URL', 'https://'), ('www', 'URL', 'http://a b.example/'),
    ('www', 'A', '192.0.2.1'), ('bad name', 'URL', 'http://example.org/')])
def test_invalid_fancy_records_are_refused(dns, dispatcher, name, rtype,
                                           value):
    add_zone(dns)
    assert fault(dns, 'addFancyRecord', record(name, rtype, value))[0] == 103
    assert rows(dispatcher, 'dns_fancy_records') == []


# -- credits and tenants -----------------------------------------------------

def tenants(dispatcher, **credits):
    """Reseller r1 (with the credits given) and its customer c1; reseller
    r2. Returns the three ids."""
    cust = Client(dispatcher, 'Customer', admin())
    props = [{'name': k, 'value': str(v), 'category': 'credit',
              'permission': 'admin'} for k, v in credits.items()]
    r1 = cust('addAccount', ('account', {
        'username': 'r1', 'password': 'r1-pw', 'resellerActive': True,
        'properties': props}))['id']
    c1 = cust('addAccount', ('account', {
        'username': 'c1', 'password': 'c1-pw', 'reseller': r1}))['id']
    r2 = cust('addAccount', ('account', {
        'username': 'r2', 'password': 'r2-pw', 'resellerActive': True}))['id']
    return r1, c1, r2


def test_zone_and_mail_forward_credits(dispatcher):
    r1, c1, _ = tenants(dispatcher, dns_zone_credit=1, email_credit=1)
    dns = Client(dispatcher, 'Dns', customer('r1', 'r1-pw'))
    add_zone(dns, customer=c1)
    assert fault(dns, 'addZone', ('zone', {'name': 'two.example'})) == (
        102, 'Credit exceeded: reseller %d has used 1 of its dns_zone_credit '
        'of 1' % r1)
    assert [z['name'] for z in rows(dispatcher, 'dns_zones')] == [ZONE]
    assert len(rows(dispatcher, 'pdns_domains')) == 1
    dns('addFancyRecord', record('a', 'MBOXFW', 'a@example.net'))
    dns('addFancyRecord', record('www', 'URL', 'http://example.org/'))
    assert fault(dns, 'addFancyRecord', record('b', 'MBOXFW',
                                               'b@example.net'))[0] == 102
    (url,) = [r for r in rows(dispatcher, 'dns_fancy_records')
              if r['type'] == 'URL']
    assert fault(dns, 'updateFancyRecord', ('record', {
        'id': url['id'], 'type': 'MBOXFW', 'name': 'w',
        'value': 'w@example.net'}))[0] == 102
    # The admin is not bound by credits.
    Client(dispatcher, 'Dns', admin())('addZone', ('zone', {
        'name': 'two.example', 'customer': c1}))
    assert len(rows(dispatcher, 'dns_zones')) == 2


def test_records_inherit_the_zone_owner_and_follow_it(dispatcher):
    r1, c1, r2 = tenants(dispatcher)
    dns = Client(dispatcher, 'Dns', customer('c1', 'c1-pw'))
    add_zone(dns, customer=0, reseller=0)       # forced to c1 itself
    zone = dns('getZone', ('zone', ZONE))
    assert (zone['customer'], zone['reseller']) == (c1, r1)
    dns('addRecord', record('www', 'A', '192.0.2.80', owner=c1))
    dns('addFancyRecord', record('m', 'MBOXFW', 'm@example.net'))
    (rec,) = dns('getRecords', ('query', {'filter': {}}))['records']
    assert (rec['owner'], rec['customer'], rec['reseller']) == (c1, c1, r1)
    root = Client(dispatcher, 'Dns', admin())
    root('updateZone', ('zone', dict(zone, customer=0, reseller=r2)))
    for table in ('dns_records', 'dns_fancy_records'):
        assert [(r['customer'], r['reseller']) for r in
                rows(dispatcher, table)] == [(0, r2)]
    # Now another tenant's: c1 sees nothing, exactly as if it were missing.
    assert fault(dns, 'getZone', ('zone', ZONE)) == \
        (7000, 'DNS zone example.com does not exist')
    assert fault(dns, 'getRecord', ('recordId', rec['id'])) == \
        (7002, 'DNS record %d does not exist' % rec['id'])
    assert dns('getRecords', ('query', {'filter': {}}))['total'] == 0


def test_another_resellers_zone_answers_like_a_missing_one(dispatcher):
    r1, c1, r2 = tenants(dispatcher)
    mine = Client(dispatcher, 'Dns', customer('r1', 'r1-pw'))
    add_zone(mine, customer=c1)
    mine('addRecord', record('www', 'A', '192.0.2.80'))
    mine('addFancyRecord', record('m', 'MBOXFW', 'm@example.net'))
    (rec,) = mine('getRecords', ('query', {'filter': {}}))['records']
    (fancy,) = mine('getFancyRecords', ('query', {'filter': {}}))['records']
    other = Client(dispatcher, 'Dns', customer('r2', 'r2-pw'))
    absent = (7000, 'DNS zone example.com does not exist')
    zone = mine('getZone', ('zone', ZONE))
    for op, arg in (('getZone', ('zone', ZONE)),
                    ('deleteZone', ('zone', ZONE)),
                    ('updateZone', ('zone', dict(zone, info='mine now'))),
                    ('addRecord', record('x', 'A', '192.0.2.1')),
                    ('addFancyRecord', record('x', 'MBOXFW', 'x@y.example'))):
        assert fault(other, op, arg) == absent, op
    assert fault(other, 'addZone', ('zone', {'name': ZONE}))[0] == 7001
    for op, arg in (('getRecord', ('recordId', rec['id'])),
                    ('deleteRecord', ('recordId', rec['id'])),
                    ('updateRecord', ('record', dict(rec,
                                                     value='192.0.2.9')))):
        assert fault(other, op, arg) == \
            (7002, 'DNS record %d does not exist' % rec['id']), op
    for op, arg in (('getFancyRecord', ('recordId', fancy['id'])),
                    ('deleteFancyRecord', ('recordId', fancy['id']))):
        assert fault(other, op, arg)[0] == 7004, op
    for op in ('getZones', 'getRecords', 'getFancyRecords'):
        assert other(op, ('query', {'filter': {}}))['total'] == 0, op
    assert mine('getZone', ('zone', ZONE)) == zone
    assert mine('getRecord', ('recordId', rec['id'])) == rec
    # A reseller cannot hand its zone to another reseller: the member is
    # the admin's (as for SIP domains), the zone stays.
    mine('updateZone', ('zone', dict(zone, customer=0, reseller=r2)))
    moved = mine('getZone', ('zone', ZONE))
    assert (moved['customer'], moved['reseller']) == (0, r1)
    assert fault(mine, 'updateZone', ('zone', dict(zone, customer=r2)))[0] \
        == 5000
