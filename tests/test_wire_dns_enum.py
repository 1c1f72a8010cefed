"""Every Dns and Enum golden request, byte for byte as the legacy client
sent it, replayed against the running server in the order a session of the
client would send them: each gets the answer its situation calls for (and
none the 104 of an unbuilt port). The world is the fixtures' own: reseller
17 with customer 23; record ids 1234/1240 and mapping ids 501/502 are made
to be the ones the server assigns."""
import json
import os

from lxml import etree
from sqlalchemy import insert

from ngnpro.store.db import Store
from ngnpro.store.rows import now
from tests.helpers import seed_fixture_world
from tests.test_live_http import fixture, raw_post

HERE = os.path.dirname(__file__)
INDEX = json.load(open(os.path.join(HERE, 'wire', 'index.json')))

# (fixture, expected errorcode or None for success), in session order.
SESSION = [
    ('Dns.addZone.xml', None),
    ('Dns.addZone.import.xml', 7001),          # import: then updateZone
    ('Dns.addZone.no_nameservers.xml', None),
    ('Dns.getZone.xml', None),
    ('Dns.getZones.xml', None),
    ('Dns.getZones.allowed.xml', None),
    ('Dns.getZones.lookup.xml', None),
    ('Dns.updateZone.xml', None),
    ('Dns.updateZone.bulk_addns.xml', None),
    ('Dns.getRecord.xml', 7002),               # nothing yet
    ('Dns.addRecord.xml', None),               # gets id 1234
    ('Dns.addRecord.import.xml', 7003),        # import: then updateRecord
    ('Dns.addRecord.mx_apex.xml', None),
    ('Dns.addRecord.template_naptr.xml', None),
    ('Dns.addRecord.template_stun.xml', None),
    ('Dns.getRecord.xml', None),
    ('Dns.getRecords.xml', None),
    ('Dns.getRecords.by_id.xml', None),
    ('Dns.getRecords.export.xml', None),
    ('Dns.updateRecord.xml', None),
    ('Dns.updateRecord.bulk_ttl.xml', None),
    ('Dns.getFancyRecord.xml', 7004),
    ('Dns.addFancyRecord.xml', None),          # gets id 1240
    ('Dns.addFancyRecord.url.xml', None),
    ('Dns.getFancyRecord.xml', None),
    ('Dns.getFancyRecords.xml', None),
    ('Dns.getFancyRecords.by_id.xml', None),
    ('Dns.updateFancyRecord.xml', None),
    ('Dns.deleteFancyRecord.xml', None),
    ('Dns.deleteFancyRecord.xml', 7004),
    ('Dns.deleteRecord.xml', None),
    ('Dns.deleteRecord.string_id.xml', 7002),
    ('Enum.getRanges.lookup.xml', None),
    ('Enum.addRange.xml', None),
    ('Enum.addRange.xml', 3001),
    ('Enum.getRanges.xml', None),
    ('Enum.getRanges.allowed.xml', None),
    ('Enum.updateRange.xml', None),
    ('Enum.getNumber.xml', 3002),              # add mapping: then addNumber
    ('Enum.addNumber.xml', None),              # mapping id 501
    ('Enum.getNumber.xml', None),
    ('Enum.updateNumber.xml', None),           # 501 kept, 502 and 503 new
    ('Enum.updateNumber.bulk_ttl.xml', None),
    ('Enum.updateNumber.delete_mapping.xml', None),
    ('Enum.getNumbers.xml', None),
    ('Enum.getNumbers.selfcare.xml', None),
    ('Enum.deleteNumber.xml', None),
    ('Enum.deleteNumber.xml', 3002),
    ('Enum.deleteRange.xml', None),
    ('Dns.deleteZone.xml', None),
    ('Dns.getZone.xml', 7000),
]


def answer(payload):
    """(errorcode or None, the decoded return element or None)."""
    root = etree.fromstring(payload)
    first = root[0][0]
    if etree.QName(first).localname == 'Fault':
        return int(first.findtext('detail/exception/errorcode')), None
    return None, (first[0] if len(first) else None)


def reserve_ids(url):
    """Park invisible rows just below the fixtures' ids, so that the next
    record is 1234, fancy record 1240 and mapping 501 on both backends."""
    store = Store(url)
    s = store.schema
    stamp = now()
    with store.engine.begin() as conn:
        conn.execute(insert(s.dns_records).values(
            id=1233, zone_id=0, zone='reserved.invalid', name='', type='A',
            value='', value_hash='', ttl=0, pdns_id=0, change_date=stamp))
        conn.execute(insert(s.dns_fancy_records).values(
            id=1239, zone_id=0, zone='reserved.invalid', name='', type='URL',
            value='', change_date=stamp))
        conn.execute(insert(s.enum_mappings).values(
            id=500, number_id=0, type='', mapto='', ttl=0, pdns_id=0))
    store.dispose()


def test_session_of_golden_requests(server, db_url):
    seed_fixture_world(db_url)
    reserve_ids(db_url)
    wanted = {f['file'] for f in INDEX['fixtures']
              if f['file'].startswith(('Dns.', 'Enum.'))}
    assert {name for name, _ in SESSION} == wanted
    got = {}
    for name, expected in SESSION:
        status, _, payload = raw_post(server, fixture(name))
        code, value = answer(payload)
        assert code != 104, name
        assert (status, code) == ((500 if expected else 200), expected), \
            (name, payload[-400:])
        if value is not None:
            got[name] = value

    def text(name, path):
        return got[name].findtext(path)
    assert text('Dns.getZone.xml', 'name') == 'example.com'
    assert text('Dns.getZone.xml', 'customer') == '23'
    assert [i.text for i in got['Dns.getZones.lookup.xml'].find(
        'zones/item/nameservers')] == ['ns1.example.net', 'ns2.example.net']
    www = got['Dns.getRecord.xml']
    assert (www.findtext('id'), www.findtext('name'), www.findtext('value'),
            www.findtext('customer'), www.findtext('reseller')) == \
        ('1234', 'www', '192.0.2.80', '23', '17')
    assert got['Dns.getRecords.by_id.xml'].findtext('total') == '1'
    assert got['Dns.getRecords.export.xml'].findtext('total') == '4'
    fancy = got['Dns.getFancyRecord.xml']
    assert (fancy.findtext('id'), fancy.findtext('name')) == \
        ('1240', 'alice@example.com')
    (rng,) = got['Enum.getRanges.xml'].find('ranges')
    assert (rng.findtext('id/prefix'), rng.findtext('customer'),
            rng.findtext('size')) == ('3120800', '23', '1000')
    number = got['Enum.getNumber.xml']
    assert [(m.findtext('id'), m.findtext('mapto'))
            for m in number.find('mappings')] == \
        [('501', 'sip:alice@example.com')]
    listed = got['Enum.getNumbers.selfcare.xml']
    assert listed.findtext('total') == '1'
    assert [(m.findtext('id'), m.findtext('type'), m.findtext('ttl'))
            for m in listed.find('numbers/item/mappings')] == \
        [('501', 'sip', '3600')]
