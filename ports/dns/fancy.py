"""Fancy records (spec §2.3, §3.6): mail forwards (MBOXFW, ``name`` =
local@zone, value = destination addresses) and web redirects (URL, name
relative to the zone, value = target URL). They are not DNS data: they live
in the server's own table, are listed apart from the records, and leave
PowerDNS alone. Mail forwards count against ``email_credit``."""
from functools import lru_cache
from urllib.parse import urlsplit

from ngnpro import credits, rdata, rights
from ngnpro.faults import (FANCY_RECORD_EXISTS, FANCY_RECORD_NOT_FOUND,
                           NGNProError, invalid)
from ngnpro.store import dns as store
from ngnpro.types.dns import (DnsFancyRecord, DnsFancyRecordQuery,
                              DnsFancyRecordQueryResult)
from ports.common import owner, search, unique

from . import lookup
from .records import RecordId, listing

MBOXFW, URL = 'MBOXFW', 'URL'


def _values(zone, rtype, name, value):
    rtype = (rtype or '').strip().upper()
    zname = zone['name']
    if rtype == MBOXFW:
        local, at, domain = (name or '').strip().lower().rpartition('@')
        if not at:
            local, domain = domain, zname
        if domain != zname:
            raise invalid('A mail forward of zone %s is named local@%s, not '
                          '%r' % (zname, zname, name))
        name = '%s@%s' % (rdata.mailbox(local, 'mail forward name'), zname)
        targets = [rdata.email(a, 'forward destination') for a in
                   (value or '').replace(',', ' ').split()]
        if not targets:
            raise invalid('A mail forward needs a destination address')
        value = ', '.join(targets)
    elif rtype == URL:
        name = rdata.owner_name(zname, name)
        value = (value or '').strip()
        parts = urlsplit(value)
        if parts.scheme.lower() not in ('http', 'https') or \
                not parts.hostname or any(c.isspace() or ord(c) < 0x20
                                          for c in value):
            raise invalid('A URL redirect needs an http or https URL, not %r'
                          % value)
    else:
        raise invalid('Fancy record type is MBOXFW or URL, not %r' % rtype)
    return {'type': rtype, 'name': name, 'value': value}


def _exists(values):
    return NGNProError(FANCY_RECORD_EXISTS, 'DNS fancy record %s %s already '
                       'exists' % (values['name'], values['type']))


def add_fancy_record(call, record):
    if record is None:
        raise invalid('record is required')
    zone = lookup.zone(call, record.zone, for_update=True, what='record.zone')
    rights.require_can_create(call.principal, 'DNS fancy records')
    values = _values(zone, record.type, record.name, record.value)
    if store.fancy_exists(call.conn, call.schema, zone['id'], values['name'],
                          values['type']):
        raise _exists(values)
    if values['type'] == MBOXFW:
        credits.consume(call.conn, call.schema, call.principal,
                        'email_credit', zone['customer'], zone['reseller'])
    values.update(ttl=record.ttl or 0, priority=record.priority or 0,
                  owner=owner(call, record.owner))
    with unique(FANCY_RECORD_EXISTS, _exists(values).errorstring):
        store.insert_fancy(call.conn, call.schema, zone, values)


def update_fancy_record(call, record):
    if record is None:
        raise invalid('record is required')
    row = lookup.fancy_record(call, record.id)
    zone = lookup.zone_of(call, row)
    row = store.fancy_row(call.conn, call.schema, row['id'])
    if row is None or zone is None:      # deleted meanwhile
        raise NGNProError(FANCY_RECORD_NOT_FOUND, 'DNS fancy record %d does '
                          'not exist' % record.id)

    def given(member):
        value = getattr(record, member, None)
        return row[member] if value is None else value
    values = _values(zone, given('type'), given('name'), given('value'))
    if store.fancy_exists(call.conn, call.schema, zone['id'], values['name'],
                          values['type'], exclude=row['id']):
        raise _exists(values)
    if values['type'] == MBOXFW and row['type'] != MBOXFW:
        credits.consume(call.conn, call.schema, call.principal,
                        'email_credit', zone['customer'], zone['reseller'])
    values.update(ttl=given('ttl'), priority=given('priority'),
                  owner=row['owner'] if record.owner is None
                  else owner(call, record.owner))
    with unique(FANCY_RECORD_EXISTS, _exists(values).errorstring):
        store.update_fancy(call.conn, call.schema, row, values)


def delete_fancy_record(call, record_id):
    store.delete_fancy(call.conn, call.schema,
                       lookup.fancy_record(call, record_id))


def get_fancy_record(call, record_id):
    return store.record_wire(lookup.fancy_record(call, record_id))


@lru_cache(maxsize=None)
def _fancy_listing(schema):
    return listing(schema.dns_fancy_records)


def get_fancy_records(call, query):
    total, rows = search(call, _fancy_listing(call.schema), query)
    return {'total': total, 'records': [store.record_wire(r) for r in rows]}


OPERATIONS = [
    ('addFancyRecord', add_fancy_record, [('record', DnsFancyRecord)], None),
    ('updateFancyRecord', update_fancy_record, [('record', DnsFancyRecord)],
     None),
    ('deleteFancyRecord', delete_fancy_record, [('recordId', RecordId)],
     None),
    ('getFancyRecord', get_fancy_record, [('recordId', RecordId)],
     DnsFancyRecord),
    ('getFancyRecords', get_fancy_records, [('query', DnsFancyRecordQuery)],
     DnsFancyRecordQueryResult),
]
