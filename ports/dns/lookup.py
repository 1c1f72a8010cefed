"""Records the DnsPort operations start from, found for the caller: a
missing one is its not-found fault, and so is another tenant's."""
from ngnpro import names, rights
from ngnpro.faults import (FANCY_RECORD_NOT_FOUND, RECORD_NOT_FOUND,
                           ZONE_NOT_FOUND, NGNProError, invalid)
from ngnpro.store import dns as store


def zone_name(value, what='zone'):
    return names.dns_name(value, what)


def _zone_missing(name):
    return NGNProError(ZONE_NOT_FOUND, 'DNS zone %s does not exist' % name)


def zone(call, name, for_update=False, what='zone'):
    """The zone called ``name`` if the caller may see it (row-locked with
    for_update: record changes of one zone serialise on it)."""
    name = zone_name(name, what)
    row = store.zone_row(call.conn, call.schema, name, for_update)
    if row is None:
        raise _zone_missing(name)
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           _zone_missing(name))
    return row


def _by_id(call, fetch, record_id, code, label):
    if not record_id:
        raise invalid('%s id is required' % label)
    row = fetch(call.conn, call.schema, record_id)
    missing = NGNProError(code, '%s %d does not exist' % (label, record_id))
    if row is None:
        raise missing
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           missing)
    return row


def record(call, record_id):
    return _by_id(call, store.record_row, record_id, RECORD_NOT_FOUND,
                  'DNS record')


def fancy_record(call, record_id):
    return _by_id(call, store.fancy_row, record_id, FANCY_RECORD_NOT_FOUND,
                  'DNS fancy record')


def zone_of(call, row):
    """The zone of a record, row-locked (before the record is re-read)."""
    return store.zone_by_id(call.conn, call.schema, row['zone_id'],
                            for_update=True)


def nameservers(call, values, what='nameservers'):
    """A StringArray of name servers -> checked names, duplicates dropped
    (None when none were given)."""
    from ports.common import check_array
    out = []
    for ns in check_array(call, values, what):
        if not (ns or '').strip():
            continue
        ns = names.dns_name(ns, 'name server')
        if ns not in out:
            out.append(ns)
    return out or None
