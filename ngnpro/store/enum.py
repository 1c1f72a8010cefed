"""ENUM ranges (ngnpro_enum_ranges), numbers (ngnpro_enum_numbers) and
their mappings (ngnpro_enum_mappings). A range is a PowerDNS zone, each
mapping one NAPTR row of it, written in the same transaction
(store.powerdns); every change bumps the range's SOA serial."""
from sqlalchemy import delete, func, insert, select, update

from ..rdata import soa_content
from . import powerdns
from .rows import now, to_wire

RANGE_MEMBERS = ('ttl', 'minDigits', 'maxDigits', 'size', 'serial',
                 'customer', 'reseller', 'changeDate', 'info')
NUMBER_MEMBERS = ('info', 'owner', 'customer', 'reseller', 'changeDate')
MAPPING_MEMBERS = ('id', 'type', 'mapto', 'priority', 'ttl')


def zone_name(prefix, tld):
    """3120800 under e164.arpa -> 0.0.8.0.2.1.3.e164.arpa"""
    return '.'.join(list(reversed(prefix)) + [tld])


def nameserver_list(text):
    return (text or '').split()


def soa(values, serial, contact, timers):
    ns = nameserver_list(values['nameservers'])
    return soa_content(ns[0] if ns else values['zone'], contact, serial,
                       *timers)


# -- ranges ----------------------------------------------------------------

def range_row(conn, s, prefix, tld, for_update=False):
    t = s.enum_ranges
    stmt = select(t).where(t.c.prefix == prefix, t.c.tld == tld)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def range_by_id(conn, s, range_id, for_update=False):
    t = s.enum_ranges
    stmt = select(t).where(t.c.id == range_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def overlapping(conn, s, prefix, tld):
    """Another range of ``tld`` whose prefix starts with ``prefix`` or is
    the start of it (numbers would belong to both), or None. The same
    prefix is not "another": a concurrent add of it loses on the unique
    key and answers "exists"."""
    t = s.enum_ranges
    starts = [prefix[:i] for i in range(1, len(prefix))]
    return conn.execute(select(t.c.prefix).where(
        t.c.tld == tld, t.c.prefix != prefix,
        t.c.prefix.in_(starts) | t.c.prefix.like(prefix + '%')
    ).limit(1)).scalar()


def range_for_number(conn, s, number, tld):
    """The range a number belongs to: the one whose prefix starts it."""
    t = s.enum_ranges
    starts = [number[:i] for i in range(1, len(number) + 1)]
    return conn.execute(select(t).where(t.c.tld == tld,
                                        t.c.prefix.in_(starts))
                        .order_by(func.length(t.c.prefix).desc()).limit(1)
                        ).mappings().first()


def insert_range(conn, s, values, soa_text):
    domain_id = powerdns.create_zone(
        conn, s, values['zone'], soa_text,
        nameserver_list(values['nameservers']), values['ttl'])
    conn.execute(insert(s.enum_ranges).values(domain_id=domain_id,
                                              change_date=now(), **values))


def update_range(conn, s, row, values, soa_text, nameservers_changed):
    """New settings and serial; numbers follow a new owner."""
    ns = nameserver_list(values['nameservers']) if nameservers_changed \
        else None
    powerdns.set_apex(conn, s, row['domain_id'], row['zone'], soa_text, ns,
                      values['ttl'])
    t = s.enum_ranges
    conn.execute(update(t).where(t.c.id == row['id'])
                 .values(change_date=now(), **values))
    n = s.enum_numbers
    conn.execute(update(n).where(n.c.range_id == row['id']).values(
        customer=values['customer'], reseller=values['reseller']))


def set_serial(conn, s, row, serial, soa_text):
    powerdns.set_soa(conn, s, row['domain_id'], row['zone'], soa_text)
    t = s.enum_ranges
    conn.execute(update(t).where(t.c.id == row['id']).values(serial=serial))


def delete_range(conn, s, row):
    n, m = s.enum_numbers, s.enum_mappings
    ids = select(n.c.id).where(n.c.range_id == row['id']).scalar_subquery()
    conn.execute(delete(m).where(m.c.number_id.in_(ids)))
    conn.execute(delete(n).where(n.c.range_id == row['id']))
    powerdns.delete_zone(conn, s, row['domain_id'])
    conn.execute(delete(s.enum_ranges).where(s.enum_ranges.c.id == row['id']))


def used(conn, s, range_ids):
    """{range id: numbers in it} for many ranges, one query."""
    out = {i: 0 for i in range_ids}
    if range_ids:
        n = s.enum_numbers
        out.update(conn.execute(
            select(n.c.range_id, func.count()).where(
                n.c.range_id.in_(list(range_ids))).group_by(n.c.range_id)
        ).all())
    return out


def count_numbers(conn, s, range_id):
    return used(conn, s, [range_id])[range_id]


def range_wire(r, used_count):
    out = to_wire(r, RANGE_MEMBERS)
    out['id'] = {'prefix': r['prefix'], 'tld': r['tld']}
    out['nameservers'] = nameserver_list(r['nameservers'])
    out['used'] = used_count
    return out


# -- numbers and mappings --------------------------------------------------

def number_row(conn, s, number, tld, for_update=False):
    t = s.enum_numbers
    stmt = select(t).where(t.c.number == number, t.c.tld == tld)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def mapping_rows(conn, s, number_ids):
    """{number id: [mapping rows]} in id order, one query."""
    out = {i: [] for i in number_ids}
    if number_ids:
        m = s.enum_mappings
        for r in conn.execute(select(m).where(
                m.c.number_id.in_(list(number_ids))).order_by(m.c.id)
        ).mappings():
            out[r['number_id']].append(r)
    return out


def insert_number(conn, s, rng, values, mappings):
    """mappings: [(columns, rr)] -> the number's id."""
    number_id = conn.execute(insert(s.enum_numbers).values(
        range_id=rng['id'], customer=rng['customer'],
        reseller=rng['reseller'], change_date=now(), **values)
    ).inserted_primary_key[0]
    _insert_mappings(conn, s, rng, number_id, mappings)
    return number_id


def _insert_mappings(conn, s, rng, number_id, mappings):
    ids = powerdns.insert_rows(conn, s, rng['domain_id'], rng['zone'],
                               [(rr, cols['ttl']) for cols, rr in mappings])
    for (cols, _), pdns_id in zip(mappings, ids):
        conn.execute(insert(s.enum_mappings).values(
            number_id=number_id, pdns_id=pdns_id, **cols))


def update_number(conn, s, rng, row, values, keep, new, gone):
    """keep: [(mapping row, columns, rr)] updated in place (same id);
    new: [(columns, rr)]; gone: mapping rows to delete."""
    m, r = s.enum_mappings, s.pdns_records
    powerdns.delete_rows(conn, s, [g['pdns_id'] for g in gone])
    if gone:
        conn.execute(delete(m).where(m.c.id.in_([g['id'] for g in gone])))
    for old, cols, rr in keep:
        conn.execute(update(r).where(r.c.id == old['pdns_id']).values(
            content=rr.content, ttl=cols['ttl'], prio=rr.prio))
        conn.execute(update(m).where(m.c.id == old['id']).values(**cols))
    _insert_mappings(conn, s, rng, row['id'], new)
    n = s.enum_numbers
    conn.execute(update(n).where(n.c.id == row['id'])
                 .values(change_date=now(), **values))


def delete_number(conn, s, row):
    m = s.enum_mappings
    rows = mapping_rows(conn, s, [row['id']])[row['id']]
    powerdns.delete_rows(conn, s, [g['pdns_id'] for g in rows])
    conn.execute(delete(m).where(m.c.number_id == row['id']))
    n = s.enum_numbers
    conn.execute(delete(n).where(n.c.id == row['id']))


def number_wire(r, mappings):
    out = to_wire(r, NUMBER_MEMBERS)
    out['id'] = {'number': r['number'], 'tld': r['tld']}
    out['mappings'] = [to_wire(m, MAPPING_MEMBERS) for m in mappings]
    return out
