"""Every record the API accepts is valid DNS: over generated records (valid
ones, near misses and garbage), whatever addRecord accepts lands as a
PowerDNS row that dnspython parses as an RR of its type under the zone,
whose canonical value names the same RR again (7003 on a replay); whatever
it refuses is a 103 (never an internal error) that leaves no row."""
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngnpro import rdata
from ngnpro.faults import NGNProError
from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin

ZONE = 'example.com'

# Text an XML request can carry (no C0 controls but TAB/LF/CR, no
# surrogates): what a SOAP client could send at all.
XML_TEXT = st.characters(blacklist_categories=('Cs',),
                         blacklist_characters=[chr(c) for c in range(32)
                                               if c not in (9, 10, 13)])
LABEL = st.from_regex(r'[a-z0-9_]([a-z0-9_-]{0,10}[a-z0-9_])?', fullmatch=True)
HOST = st.one_of(
    st.lists(LABEL, min_size=1, max_size=4).map('.'.join),
    st.lists(LABEL, min_size=1, max_size=3).map(lambda ls: '.'.join(ls) + '.'),
    st.sampled_from(['.', '@', 'mail.example.com', 'MAIL.Example.NET.',
                     '_sip._tcp', 'a..b', '-bad.example', 'x' * 64 + '.com',
                     ' spaced.example ']),
    st.text(XML_TEXT, max_size=20))
NUMBER = st.one_of(st.integers(0, 70000).map(str),
                   st.sampled_from(['-1', 'x', '', '007']))


def quoted(strategy):
    return strategy.map(lambda t: '"%s"' % t.replace('\\', '\\\\')
                        .replace('"', '\\"'))


TOKEN = st.one_of(quoted(st.text(XML_TEXT, max_size=30)),
                  st.sampled_from(['u', 's', 'E2U+sip', '""', '"u"',
                                   '"!^.*$!sip:a@example.com!"', '"\\065"',
                                   '"\\999"', '"unterminated']),
                  st.text(XML_TEXT, min_size=1, max_size=10))
VALUES = {
    'A': st.one_of(st.ip_addresses(v=4).map(str), NUMBER,
                   st.text(XML_TEXT, max_size=16)),
    'AAAA': st.one_of(st.ip_addresses(v=6).map(str),
                      st.ip_addresses(v=4).map(str),
                      st.text(XML_TEXT, max_size=40)),
    'CNAME': HOST, 'NS': HOST, 'PTR': HOST, 'MX': HOST,
    'SRV': st.one_of(
        st.tuples(NUMBER, NUMBER, HOST).map(' '.join),
        st.tuples(NUMBER, NUMBER, NUMBER, HOST).map(' '.join),
        st.text(XML_TEXT, max_size=30)),
    'TXT': st.one_of(st.text(XML_TEXT, max_size=600),
                     st.lists(quoted(st.text(XML_TEXT, max_size=300)),
                              min_size=1, max_size=3).map(' '.join)),
    'NAPTR': st.one_of(
        st.tuples(st.integers(0, 65535).map(str), st.integers(0, 65535)
                  .map(str),
                  quoted(st.from_regex(r'[A-Za-z0-9]{0,2}', fullmatch=True)),
                  quoted(st.from_regex(r'[A-Za-z0-9+:]{0,12}',
                                       fullmatch=True)),
                  st.sampled_from(['""', '"!^.*$!sip:a@example.com!"',
                                   '"/^(.*)$/mailto:\\1@example.com/i"']),
                  st.one_of(st.just('.'), HOST)).map(' '.join),
        st.tuples(NUMBER, NUMBER, TOKEN, TOKEN, TOKEN,
                  st.one_of(HOST, st.just(''))).map(' '.join),
        st.text(XML_TEXT, max_size=60)),
    'LOC': st.one_of(
        st.tuples(st.integers(0, 95), st.integers(0, 61),
                  st.floats(0, 61, allow_nan=False).map('%.3f'.__mod__),
                  st.sampled_from('NSX'), st.integers(0, 185),
                  st.integers(0, 61), st.sampled_from('EWX'),
                  st.floats(-100001, 50000, allow_nan=False)
                  .map('%.2fm'.__mod__)).map(
                      lambda t: ' '.join(str(x) for x in t)),
        st.text(XML_TEXT, max_size=40)),
}
TYPES = st.sampled_from(sorted(VALUES))
NAMES = st.one_of(st.just(''), st.just('*'), st.just('*.w'),
                  st.lists(LABEL, min_size=1, max_size=3).map('.'.join),
                  st.sampled_from(['www.example.com', 'a.*.b', 'bad name',
                                   '.', 'x' * 64]),
                  st.text(XML_TEXT, max_size=12))


@st.composite
def records(draw):
    rtype = draw(TYPES)
    return (draw(NAMES), draw(st.sampled_from([rtype, rtype.lower()])),
            draw(VALUES[rtype]), draw(st.integers(0, 65535)))


def parses(rtype, owner, content, prio):
    """The PowerDNS row as DNS: PowerDNS puts MX/SRV ``prio`` in front of
    the content and reads names as absolute."""
    name = dns.name.from_text(owner + '.')
    assert name.is_subdomain(dns.name.from_text(ZONE + '.'))
    text = '%d %s' % (prio, content) if rtype in rdata.WITH_PRIO else content
    rd = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype),
                             text, origin=dns.name.root, relativize=False)
    assert len(rd.to_wire()) <= 65535
    return rd


@settings(max_examples=1500, deadline=None)
@given(records())
def test_every_checked_record_is_valid_dns(rec):
    name, rtype, value, priority = rec
    try:
        rr = rdata.record(ZONE, name, rtype, value, priority)
    except NGNProError as exc:
        assert exc.errorcode == 103 and exc.errorstring
        return
    parses(rr.type, rdata.fqdn(rr.name, ZONE), rr.content, rr.prio)
    # The canonical value is the same RR again.
    again = rdata.record(ZONE, rr.name, rr.type, rr.value, rr.priority)
    assert (again.content, again.prio, again.key) == (rr.content, rr.prio,
                                                      rr.key)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(rec=records())
def test_every_record_the_api_accepts_is_valid_dns(dispatcher, rec):
    dns_port = Client(dispatcher, 'Dns', admin())
    if not rows(dispatcher, 'dns_zones'):
        dns_port('addZone', ('zone', {'name': ZONE,
                                      'nameservers': ['ns1.example.net']}))
    name, rtype, value, priority = rec
    before = len(rows(dispatcher, 'pdns_records'))
    r = {'zone': ZONE, 'name': name, 'type': rtype, 'value': value,
         'priority': priority, 'ttl': 300}
    try:
        dns_port('addRecord', ('record', r))
    except SoapFault as exc:
        # Refused (or the same RR as an earlier example): nothing written.
        assert exc.code in (103, 7003), exc
        assert len(rows(dispatcher, 'pdns_records')) == before
        return
    (own,) = [x for x in rows(dispatcher, 'dns_records')
              if x['id'] == max(y['id'] for y in
                                rows(dispatcher, 'dns_records'))]
    (native,) = rows(dispatcher, 'pdns_records', id=own['pdns_id'])
    parses(native['type'], native['name'], native['content'], native['prio'])
    # The value getRecord answers is the same RR: a replay is a duplicate.
    got = dns_port('getRecord', ('recordId', own['id']))
    with pytest.raises(SoapFault) as err:
        dns_port('addRecord', ('record', dict(got, id=None)))
    assert err.value.code == 7003
