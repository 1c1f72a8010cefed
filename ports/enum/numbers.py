"""ENUM numbers (spec §2.4, §3.7, §5.16, guide "ENUM Numbers"): a number of
a range with up to five mappings, each one NAPTR row of the range's zone
at the number's reversed digits. Numbers inherit customer/reseller from
their range; changes of one range serialise on its row (size and serial).

Mapping ids are stable: updateNumber replaces the list, keeping the row
(and PowerDNS row) of every item that comes back with its id."""
import dataclasses
from functools import lru_cache

from sqlalchemy import or_, select

from ngnpro import credits, rdata, rights
from ngnpro.faults import NUMBER_EXISTS, NGNProError, invalid
from ngnpro.live import powerdns_changed
from ngnpro.store import enum as store
from ngnpro.store import powerdns
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.types.enum import (EnumId, EnumNumber, EnumNumberQuery,
                               EnumNumberQueryResult)
from ports.common import check_array, owner, search, unique

from . import lookup
from .ranges import soa
from .services import SERVICES, schemes


def owner_name(rng, number):
    """Relative to the range's zone: the digits after the prefix,
    reversed (3120800 + 5123 -> 3.2.1.5)."""
    return '.'.join(reversed(number[len(rng['prefix']):]))


def _mappings(call, rng, number, items, existing=()):
    """The wanted mappings -> (keep, new, gone): keep [(row, columns, rr)],
    new [(columns, rr)], gone [rows]."""
    items = check_array(call, items, 'mappings')
    limit = call.config.enum_max_mappings
    if len(items) > limit:
        raise invalid('An ENUM number has at most %d mappings, not %d'
                      % (limit, len(items)))
    by_id = {m['id']: m for m in existing}
    keep, new, seen, ids = [], [], set(), set()
    name = owner_name(rng, number)
    for i, item in enumerate(items):
        kind = (getattr(item, 'type', None) or '').strip().lower()
        if kind not in SERVICES:
            raise invalid('Unknown ENUM mapping type %r (one of %s)' % (
                getattr(item, 'type', None), ', '.join(sorted(SERVICES))))
        service, prefixes = SERVICES[kind]
        mapto = (getattr(item, 'mapto', None) or '').strip()
        if not any(mapto.lower().startswith(p) and len(mapto) > len(p)
                   for p in prefixes):
            raise invalid('A %s mapping goes to a %s URI, not %r'
                          % (kind, ' or '.join(prefixes), mapto))
        if (kind, mapto.lower()) in seen:
            raise invalid('Mapping %s %s is listed twice' % (kind, mapto))
        seen.add((kind, mapto.lower()))
        priority = getattr(item, 'priority', None) or 0
        cols = {'type': kind, 'mapto': mapto, 'priority': priority,
                'ttl': getattr(item, 'ttl', None) or rng['ttl']}
        rr = rdata.enum_naptr(name, service, mapto, priority)
        mid = getattr(item, 'id', None)
        if mid and mid in by_id and mid not in ids:
            ids.add(mid)
            keep.append((by_id[mid], cols, rr))
        else:
            new.append((cols, rr))
    gone = [m for m in existing if m['id'] not in ids]
    return keep, new, gone


def _bump(call, rng):
    serial = powerdns.next_serial(rng['serial'])
    store.set_serial(call.conn, call.schema, rng, serial,
                     soa(call, rng, serial))


def _changed(call, rng, number):
    name = owner_name(rng, number)
    powerdns_changed(call, rng['zone'], [rdata.fqdn(name, rng['zone'])])


def add_number(call, number):
    if number is None:
        raise invalid('number is required')
    num, tld = lookup.number_id(number.id, 'number.id')
    rng = lookup.range_of_number(call, num, tld)
    rights.require_can_create(call.principal, 'ENUM numbers')
    exists_fault = NGNProError(NUMBER_EXISTS, 'ENUM number %s@%s already '
                               'exists' % (num, tld))
    if store.number_row(call.conn, call.schema, num, tld) is not None:
        raise exists_fault
    low, high = rng['min_digits'], rng['max_digits']
    if (low and len(num) < low) or (high and len(num) > high):
        raise invalid('Numbers of range %s@%s have %s digits, %s has %d'
                      % (rng['prefix'], tld, low if low == high else
                         '%d to %d' % (low, high or 32), num, len(num)))
    if rng['size'] and store.count_numbers(
            call.conn, call.schema, rng['id']) >= rng['size']:
        raise invalid('ENUM range %s@%s is full: it holds %d numbers'
                      % (rng['prefix'], tld, rng['size']))
    _, new, _ = _mappings(call, rng, num, number.mappings)
    values = {'number': num, 'tld': tld, 'owner': owner(call, number.owner),
              'info': (number.info or '').strip()}
    credits.consume(call.conn, call.schema, call.principal,
                    'enum_number_credit', rng['customer'], rng['reseller'])
    with unique(NUMBER_EXISTS, exists_fault.errorstring):
        store.insert_number(call.conn, call.schema, rng, values, new)
    _bump(call, rng)
    _changed(call, rng, num)


def _locked(call, enum_id):
    """The number and its range, the range row-locked first."""
    row = lookup.number(call, enum_id)
    rng = store.range_by_id(call.conn, call.schema, row['range_id'],
                            for_update=True)
    again = store.number_row(call.conn, call.schema, row['number'],
                             row['tld'])
    if again is None or rng is None:
        raise lookup.number_missing(row['number'], row['tld'])
    return rng, again


def update_number(call, number):
    if number is None:
        raise invalid('number is required')
    rng, row = _locked(call, number.id)
    existing = store.mapping_rows(call.conn, call.schema, [row['id']])[
        row['id']]
    if number.mappings is None:     # not sent: the mappings stay
        keep, new, gone = [], [], []
    else:
        keep, new, gone = _mappings(call, rng, row['number'],
                                    number.mappings, existing)
    values = {'info': row['info'] if number.info is None
              else number.info.strip(),
              'owner': row['owner'] if number.owner is None
              else owner(call, number.owner)}
    store.update_number(call.conn, call.schema, rng, row, values, keep, new,
                        gone)
    _bump(call, rng)
    _changed(call, rng, row['number'])


def delete_number(call, enum_id):
    rng, row = _locked(call, enum_id)
    store.delete_number(call.conn, call.schema, row)
    _bump(call, rng)
    _changed(call, rng, row['number'])


def _wires(call, rows):
    mappings = store.mapping_rows(call.conn, call.schema,
                                  [r['id'] for r in rows])
    return [store.number_wire(r, mappings[r['id']]) for r in rows]


def get_number(call, enum_id):
    """A missing number faults 3002: the client's add-mapping workflow
    calls addNumber on that code only (spec §5.16)."""
    return _wires(call, [lookup.number(call, enum_id)])[0]


@lru_cache(maxsize=None)
def _number_listing(schema):
    n = schema.enum_numbers.c
    return Listing(
        source=schema.enum_numbers,
        filters={'number': (LIKE, n.number), 'tld': (LIKE, n.tld),
                 'owner': (EQ, n.owner), 'customer': (EQ, n.customer),
                 'reseller': (EQ, n.reseller)},
        order={'changeDate': n.change_date, 'number': n.number,
               'tld': n.tld},
        default_order=('changeDate', 'DESC'), tiebreak=n.id)


def _pattern(value):
    value = (value or '').strip()
    return value if value.strip('%') else ''


def mapping_clause(schema, kind, mapto):
    """Numbers with one mapping matching both ``type`` and ``mapto`` (LIKE
    patterns, '' = any). A mapto without a scheme also matches it with
    the schemes of the type (alice@example.com -> sip:alice@example.com)."""
    kind, mapto = _pattern(kind), _pattern(mapto)
    if not (kind or mapto):
        return None
    m = schema.enum_mappings.c
    where = [m.number_id == schema.enum_numbers.c.id]
    if kind:
        where.append(m.type.like(kind.lower()))
    if mapto:
        patterns = [mapto]
        if ':' not in mapto:
            patterns += [s + mapto for s in schemes(kind if kind and
                                                    '%' not in kind and
                                                    '_' not in kind
                                                    else None)]
        where.append(or_(*[m.mapto.like(p) for p in patterns]))
    return select(m.id).where(*where).exists()


def get_numbers(call, query):
    flt = getattr(query, 'filter', None)
    clause = mapping_clause(call.schema, getattr(flt, 'type', None),
                            getattr(flt, 'mapto', None))
    listing = _number_listing(call.schema)
    if clause is not None:
        listing = dataclasses.replace(listing, custom={
            'type': lambda _value: clause})
    total, rows = search(call, listing, query)
    return {'total': total, 'numbers': _wires(call, rows)}


OPERATIONS = [
    ('addNumber', add_number, [('number', EnumNumber)], None),
    ('updateNumber', update_number, [('number', EnumNumber)], None),
    ('deleteNumber', delete_number, [('enumId', EnumId)], None),
    ('getNumber', get_number, [('enumId', EnumId)], EnumNumber),
    ('getNumbers', get_numbers, [('query', EnumNumberQuery)],
     EnumNumberQueryResult),
]
