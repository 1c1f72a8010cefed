"""DNS records (spec §2.3, §3.6, §5.25, guide "DNS Records"): rows of a
zone, each one PowerDNS ``records`` row (ngnpro.rdata says what each type
may hold and how PowerDNS keeps it). Records inherit customer/reseller from
their zone; changes of one zone serialise on its row, which makes the
CNAME rules exact under concurrency."""
from functools import lru_cache

from ngnpro import rdata, rights
from ngnpro.faults import RECORD_EXISTS, RECORD_NOT_FOUND, NGNProError, \
    invalid
from ngnpro.live import powerdns_changed
from ngnpro.store import dns as store
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.types.common import Int, limited
from ngnpro.types.dns import DnsRecord, DnsRecordQuery, DnsRecordQueryResult
from ports.common import owner, search, unique

from . import lookup

RecordId = limited(Int, ge=0)


def _exists(rr, zone):
    return NGNProError(RECORD_EXISTS, 'DNS record %s %s %s already exists'
                       % (rdata.fqdn(rr.name, zone), rr.type, rr.value))


def _check(call, zone, rr, exclude=None):
    """The same RR twice is 7003; a CNAME shares its name with nothing."""
    if store.record_exists(call.conn, call.schema, zone['id'], rr, exclude):
        raise _exists(rr, zone['name'])
    types = store.types_at(call.conn, call.schema, zone['id'], rr.name,
                           exclude)
    where = rdata.fqdn(rr.name, zone['name'])
    if rr.type == 'CNAME' and types:
        raise invalid('%s already has %s records: a CNAME cannot be beside '
                      'other data' % (where, '/'.join(sorted(types))))
    if rr.type != 'CNAME' and 'CNAME' in types:
        raise invalid('%s is a CNAME: no other record can be beside it'
                      % where)


def add_record(call, record):
    if record is None:
        raise invalid('record is required')
    zone = lookup.zone(call, record.zone, for_update=True, what='record.zone')
    rights.require_can_create(call.principal, 'DNS records')
    rr = rdata.record(zone['name'], record.name, record.type, record.value,
                      record.priority)
    _check(call, zone, rr)
    ttl = record.ttl or zone['ttl']
    with unique(RECORD_EXISTS, _exists(rr, zone['name']).errorstring):
        store.insert_record(call.conn, call.schema, zone, rr, ttl,
                            owner(call, record.owner))
    powerdns_changed(call, zone['name'], [rdata.fqdn(rr.name, zone['name'])])


def _locked(call, record_id):
    """The record and its zone, the zone row-locked first."""
    row = lookup.record(call, record_id)
    zone = lookup.zone_of(call, row)
    row = store.record_row(call.conn, call.schema, row['id'])
    if row is None or zone is None:      # deleted meanwhile
        raise NGNProError(RECORD_NOT_FOUND, 'DNS record %d does not exist'
                          % record_id)
    return zone, row


def update_record(call, record):
    if record is None:
        raise invalid('record is required')
    zone, row = _locked(call, record.id)

    def given(member):
        value = getattr(record, member, None)
        return row[member] if value is None else value
    rr = rdata.record(zone['name'], given('name'), given('type'),
                      given('value'), given('priority'))
    _check(call, zone, rr, exclude=row['id'])
    owner_id = row['owner'] if record.owner is None else \
        owner(call, record.owner)
    with unique(RECORD_EXISTS, _exists(rr, zone['name']).errorstring):
        store.update_record(call.conn, call.schema, zone, row, rr,
                            record.ttl or row['ttl'], owner_id)
    powerdns_changed(call, zone['name'], [
        rdata.fqdn(row['name'], zone['name']),
        rdata.fqdn(rr.name, zone['name'])])


def delete_record(call, record_id):
    zone, row = _locked(call, record_id)
    store.delete_record(call.conn, call.schema, zone, row)
    powerdns_changed(call, zone['name'], [rdata.fqdn(row['name'],
                                                     zone['name'])])


def get_record(call, record_id):
    return store.record_wire(lookup.record(call, record_id))


def listing(table):
    c = table.c
    return Listing(
        source=table,
        filters={'id': (EQ, c.id), 'zone': (LIKE, c.zone),
                 'name': (LIKE, c.name), 'type': (LIKE, c.type),
                 'value': (LIKE, c.value), 'owner': (EQ, c.owner),
                 'customer': (EQ, c.customer), 'reseller': (EQ, c.reseller)},
        order={'changeDate': c.change_date, 'type': c.type, 'name': c.name},
        default_order=('changeDate', 'DESC'), tiebreak=c.id)


@lru_cache(maxsize=None)
def _record_listing(schema):
    return listing(schema.dns_records)


def get_records(call, query):
    total, rows = search(call, _record_listing(call.schema), query)
    return {'total': total, 'records': [store.record_wire(r) for r in rows]}


OPERATIONS = [
    ('addRecord', add_record, [('record', DnsRecord)], None),
    ('updateRecord', update_record, [('record', DnsRecord)], None),
    ('deleteRecord', delete_record, [('recordId', RecordId)], None),
    ('getRecord', get_record, [('recordId', RecordId)], DnsRecord),
    ('getRecords', get_records, [('query', DnsRecordQuery)],
     DnsRecordQueryResult),
]
