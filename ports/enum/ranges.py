"""ENUM ranges (spec §2.4, §3.7, guide "ENUM Ranges"): a number prefix
under an ENUM tld, served as one PowerDNS zone (the prefix's digits
reversed under the tld) with its SOA and NS rows. Numbers must fit its
size and min/maxDigits; ranges of one tld never overlap, so that every
number has exactly one range (and one zone)."""
from functools import lru_cache

from ngnpro import credits, rights
from ngnpro.faults import RANGE_EXISTS, NGNProError, invalid
from ngnpro.live import powerdns_changed
from ngnpro.store import enum as store
from ngnpro.store import powerdns
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.types.enum import (EnumRange, EnumRangeId, EnumRangeQuery,
                               EnumRangeQueryResult)
from ports.common import search, unique
from ports.dns.lookup import nameservers as nameserver_names

from . import lookup


def contact(call, zone):
    return call.config.dns_email or 'hostmaster@' + zone


def soa(call, values, serial):
    cfg = call.config
    return store.soa(values, serial, contact(call, values['zone']),
                     (cfg.dns_refresh, cfg.dns_retry, cfg.dns_expire,
                      cfg.dns_minimum))


def _settings(call, rng, prefix, row=None):
    """ttl (absent or 0: current, or the default), digits, size, info."""
    v = {'ttl': rng.ttl or (row['ttl'] if row else call.config.enum_ttl)}
    for member, column in (('minDigits', 'min_digits'),
                           ('maxDigits', 'max_digits'), ('size', 'size')):
        value = getattr(rng, member, None)
        v[column] = value if value is not None else (row[column] if row
                                                     else 0)
    v['info'] = (rng.info or '').strip() if rng.info is not None else \
        (row['info'] if row else '')
    if v['min_digits'] and v['max_digits'] and \
            v['min_digits'] > v['max_digits']:
        raise invalid('minDigits %d is more than maxDigits %d'
                      % (v['min_digits'], v['max_digits']))
    if v['max_digits'] and v['max_digits'] < len(prefix):
        raise invalid('maxDigits %d is less than the %d digits of prefix %s'
                      % (v['max_digits'], len(prefix), prefix))
    return v


def add_range(call, rng):
    if rng is None:
        raise invalid('range is required')
    prefix, tld = lookup.range_id(rng.id, 'range.id')
    rights.require_can_create(call.principal, 'ENUM ranges')
    zone = store.zone_name(prefix, tld)
    exists = NGNProError(RANGE_EXISTS, 'ENUM range %s@%s already exists'
                         % (prefix, tld))
    if store.range_row(call.conn, call.schema, prefix, tld) is not None:
        raise exists
    if powerdns.domain_exists(call.conn, call.schema, zone):
        raise NGNProError(RANGE_EXISTS, 'ENUM range %s@%s: zone %s already '
                          'exists' % (prefix, tld, zone))
    other = store.overlapping(call.conn, call.schema, prefix, tld)
    if other is not None:
        raise invalid('ENUM range %s@%s overlaps range %s@%s: a number '
                      'belongs to one range' % (prefix, tld, other, tld))
    customer, reseller = rights.assign_owner(
        call.conn, call.schema, call.principal, rng.customer, rng.reseller)
    values = _settings(call, rng, prefix)
    ns = nameserver_names(call, rng.nameservers) or \
        list(call.config.dns_nameservers)
    serial = powerdns.next_serial(0)
    values.update(prefix=prefix, tld=tld, zone=zone, serial=serial,
                  nameservers=' '.join(ns), customer=customer,
                  reseller=reseller)
    credits.consume(call.conn, call.schema, call.principal,
                    'enum_range_credit', customer, reseller)
    with unique(exists.errorcode, exists.errorstring):
        store.insert_range(call.conn, call.schema, values,
                           soa(call, values, serial))
    powerdns_changed(call, zone, new_zone=True)


def update_range(call, rng):
    if rng is None:
        raise invalid('range is required')
    prefix, tld = lookup.range_id(rng.id, 'range.id')
    row = lookup.enum_range(call, prefix, tld, for_update=True)
    p = call.principal
    customer, reseller = row['customer'], row['reseller']
    if p.is_admin or p.is_reseller:
        customer, reseller = rights.assign_owner(
            call.conn, call.schema, p, rng.customer,
            rng.reseller if p.is_admin else row['reseller'])
    _charge_move(call, row, customer, reseller)
    values = _settings(call, rng, prefix, row)
    ns = nameserver_names(call, rng.nameservers)
    serial = powerdns.next_serial(row['serial'])
    values.update(customer=customer, reseller=reseller, serial=serial,
                  nameservers=' '.join(ns) if ns else row['nameservers'])
    store.update_range(call.conn, call.schema, row, values,
                       soa(call, dict(row, **values), serial), bool(ns))
    powerdns_changed(call, row['zone'])


def _charge_move(call, row, customer, reseller):
    new_customer = customer if customer != row['customer'] else None
    new_reseller = reseller if reseller != row['reseller'] else None
    if not (new_customer or new_reseller):
        return
    credits.consume(call.conn, call.schema, call.principal,
                    'enum_range_credit', new_customer, new_reseller)
    count = store.count_numbers(call.conn, call.schema, row['id'])
    if count:
        credits.consume(call.conn, call.schema, call.principal,
                        'enum_number_credit', new_customer, new_reseller,
                        count)


def delete_range(call, rng):
    prefix, tld = lookup.range_id(rng)
    row = lookup.enum_range(call, prefix, tld, for_update=True)
    store.delete_range(call.conn, call.schema, row)
    powerdns_changed(call, row['zone'], new_zone=True)


@lru_cache(maxsize=None)
def _range_listing(schema):
    r = schema.enum_ranges.c
    return Listing(
        source=schema.enum_ranges,
        filters={'prefix': (LIKE, r.prefix), 'tld': (LIKE, r.tld),
                 'info': (LIKE, r.info), 'customer': (EQ, r.customer),
                 'reseller': (EQ, r.reseller)},
        order={'changeDate': r.change_date, 'prefix': r.prefix,
               'tld': r.tld},
        default_order=('changeDate', 'DESC'), tiebreak=r.id)


def get_ranges(call, query):
    total, rows = search(call, _range_listing(call.schema), query)
    used = store.used(call.conn, call.schema, [r['id'] for r in rows])
    return {'total': total,
            'ranges': [store.range_wire(r, used[r['id']]) for r in rows]}


OPERATIONS = [
    ('addRange', add_range, [('range', EnumRange)], None),
    ('updateRange', update_range, [('range', EnumRange)], None),
    ('deleteRange', delete_range, [('range', EnumRangeId)], None),
    ('getRanges', get_ranges, [('query', EnumRangeQuery)],
     EnumRangeQueryResult),
]
