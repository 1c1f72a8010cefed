"""DNS zones (ngnpro_dns_zones), records (ngnpro_dns_records) and fancy
records (ngnpro_dns_fancy_records), with PowerDNS's rows written in the same
transaction (store.powerdns). Every change of a zone's DNS data bumps its
SOA serial."""
from sqlalchemy import delete, func, insert, select, update

from ..rdata import soa_content
from . import powerdns
from .rows import now, to_wire

ZONE_MEMBERS = ('name', 'ttl', 'email', 'serial', 'refresh', 'retry',
                'expire', 'minimum', 'customer', 'reseller', 'changeDate',
                'info')
RECORD_MEMBERS = ('id', 'zone', 'name', 'type', 'ttl', 'value', 'priority',
                  'owner', 'customer', 'reseller', 'changeDate')


def nameserver_list(text):
    return (text or '').split()


def soa(zone_values, serial, nameservers=None):
    """The SOA content of a zone row (or of the values it will have)."""
    ns = nameservers if nameservers is not None else \
        nameserver_list(zone_values['nameservers'])
    return soa_content(ns[0] if ns else zone_values['name'],
                       zone_values['email'], serial, zone_values['refresh'],
                       zone_values['retry'], zone_values['expire'],
                       zone_values['minimum'])


# -- zones -----------------------------------------------------------------

def zone_row(conn, s, name, for_update=False):
    stmt = select(s.dns_zones).where(s.dns_zones.c.name == name)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def zone_by_id(conn, s, zone_id, for_update=False):
    stmt = select(s.dns_zones).where(s.dns_zones.c.id == zone_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def insert_zone(conn, s, values, nameservers, serial):
    """values: the zone row without domain_id/serial/change_date."""
    values = dict(values, nameservers=' '.join(nameservers), serial=serial)
    domain_id = powerdns.create_zone(conn, s, values['name'],
                                     soa(values, serial), nameservers,
                                     values['ttl'])
    conn.execute(insert(s.dns_zones).values(domain_id=domain_id,
                                            change_date=now(), **values))


def update_zone(conn, s, row, values, nameservers):
    """Replace the zone's settings (nameservers None = keep) and bump its
    serial; records follow a new owner."""
    merged = dict(row, **values)
    if nameservers is not None:
        merged['nameservers'] = ' '.join(nameservers)
    serial = powerdns.next_serial(row['serial'])
    powerdns.set_apex(conn, s, row['domain_id'], row['name'],
                      soa(merged, serial), nameservers, merged['ttl'])
    cols = dict(values, serial=serial, change_date=now(),
                nameservers=merged['nameservers'])
    conn.execute(update(s.dns_zones).where(s.dns_zones.c.id == row['id'])
                 .values(**cols))
    owner = {'customer': merged['customer'], 'reseller': merged['reseller']}
    for t in (s.dns_records, s.dns_fancy_records):
        conn.execute(update(t).where(t.c.zone_id == row['id']).values(**owner))


def touch_zone(conn, s, row):
    """Bump the serial of a zone whose records changed."""
    serial = powerdns.next_serial(row['serial'])
    powerdns.set_soa(conn, s, row['domain_id'], row['name'], soa(row, serial))
    conn.execute(update(s.dns_zones).where(s.dns_zones.c.id == row['id'])
                 .values(serial=serial, change_date=now()))


def delete_zone(conn, s, row):
    for t in (s.dns_records, s.dns_fancy_records):
        conn.execute(delete(t).where(t.c.zone_id == row['id']))
    powerdns.delete_zone(conn, s, row['domain_id'])
    conn.execute(delete(s.dns_zones).where(s.dns_zones.c.id == row['id']))


def count_in_zone(conn, table, zone_id, where=None):
    stmt = select(func.count()).select_from(table).where(
        table.c.zone_id == zone_id)
    if where is not None:
        stmt = stmt.where(where)
    return conn.execute(stmt).scalar_one()


def zone_wire(r):
    out = to_wire(r, ZONE_MEMBERS)
    out['nameservers'] = nameserver_list(r['nameservers'])
    return out


# -- records ---------------------------------------------------------------

def record_row(conn, s, record_id):
    return conn.execute(select(s.dns_records).where(
        s.dns_records.c.id == record_id)).mappings().first()


def record_exists(conn, s, zone_id, rr, exclude=None):
    t = s.dns_records
    stmt = select(t.c.id).where(t.c.zone_id == zone_id, t.c.name == rr.name,
                                t.c.type == rr.type,
                                t.c.value_hash == rr.key)
    if exclude is not None:
        stmt = stmt.where(t.c.id != exclude)
    return conn.execute(stmt).first() is not None


def types_at(conn, s, zone_id, name, exclude=None):
    """The record types a zone has at one relative name."""
    t = s.dns_records
    stmt = select(t.c.type).where(t.c.zone_id == zone_id, t.c.name == name)
    if exclude is not None:
        stmt = stmt.where(t.c.id != exclude)
    return set(conn.execute(stmt).scalars())


def _record_columns(rr, ttl):
    return {'name': rr.name, 'type': rr.type, 'value': rr.value,
            'value_hash': rr.key, 'ttl': ttl, 'priority': rr.priority}


def insert_record(conn, s, zone, rr, ttl, owner):
    pdns_id = powerdns.insert_record(conn, s, zone['domain_id'],
                                     zone['name'], rr, ttl)
    record_id = conn.execute(insert(s.dns_records).values(
        zone_id=zone['id'], zone=zone['name'], pdns_id=pdns_id, owner=owner,
        customer=zone['customer'], reseller=zone['reseller'],
        change_date=now(), **_record_columns(rr, ttl))).inserted_primary_key[0]
    touch_zone(conn, s, zone)
    return record_id


def update_record(conn, s, zone, row, rr, ttl, owner):
    powerdns.update_record(conn, s, row['pdns_id'], zone['domain_id'],
                           zone['name'], row['name'], row['type'], rr, ttl)
    conn.execute(update(s.dns_records).where(s.dns_records.c.id == row['id'])
                 .values(owner=owner, change_date=now(),
                         **_record_columns(rr, ttl)))
    touch_zone(conn, s, zone)


def delete_record(conn, s, zone, row):
    powerdns.delete_record(conn, s, row['pdns_id'], zone['domain_id'],
                           zone['name'], row['name'], row['type'])
    conn.execute(delete(s.dns_records).where(s.dns_records.c.id == row['id']))
    touch_zone(conn, s, zone)


def record_wire(r):
    return to_wire(r, RECORD_MEMBERS)


# -- fancy records ---------------------------------------------------------

def fancy_row(conn, s, record_id):
    return conn.execute(select(s.dns_fancy_records).where(
        s.dns_fancy_records.c.id == record_id)).mappings().first()


def fancy_exists(conn, s, zone_id, name, rtype, exclude=None):
    t = s.dns_fancy_records
    stmt = select(t.c.id).where(t.c.zone_id == zone_id, t.c.name == name,
                                t.c.type == rtype)
    if exclude is not None:
        stmt = stmt.where(t.c.id != exclude)
    return conn.execute(stmt).first() is not None


def insert_fancy(conn, s, zone, values):
    return conn.execute(insert(s.dns_fancy_records).values(
        zone_id=zone['id'], zone=zone['name'], customer=zone['customer'],
        reseller=zone['reseller'], change_date=now(), **values)
    ).inserted_primary_key[0]


def update_fancy(conn, s, row, values):
    t = s.dns_fancy_records
    conn.execute(update(t).where(t.c.id == row['id'])
                 .values(change_date=now(), **values))


def delete_fancy(conn, s, row):
    t = s.dns_fancy_records
    conn.execute(delete(t).where(t.c.id == row['id']))
