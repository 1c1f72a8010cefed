"""Writes to PowerDNS's domains and records tables, shared by DNS zones and
ENUM ranges. Every function runs in the caller's unit of work, beside the
server's own rows.

A zone is a NATIVE domain with its SOA and NS rows at the apex. Rows carry
``auth=1`` and the NSEC ``ordername``, except at and below a delegation
(an NS record below the apex): there ``auth=0`` and, for glue, no
ordername, as ``pdnsutil rectify-zone`` leaves them.
"""
import datetime

from sqlalchemy import and_, delete, insert, or_, select, update

from ..rdata import fqdn, ordername


def next_serial(old, today=None):
    """YYYYMMDDnn, always above the previous one."""
    today = today or datetime.date.today()
    return max(int(old or 0) + 1, int(today.strftime('%Y%m%d')) * 100)


def domain_exists(conn, s, name):
    d = s.pdns_domains
    return conn.execute(select(d.c.id).where(d.c.name == name)
                        ).first() is not None


def create_zone(conn, s, name, soa, nameservers, ttl):
    """A NATIVE domain with its SOA and NS rows -> domains.id."""
    domain_id = conn.execute(insert(s.pdns_domains).values(
        name=name, type='NATIVE')).inserted_primary_key[0]
    rows = [_row(domain_id, name, '', 'SOA', soa, ttl)]
    rows += [_row(domain_id, name, '', 'NS', ns, ttl) for ns in nameservers]
    conn.execute(insert(s.pdns_records), rows)
    return domain_id


def _row(domain_id, zone, name, rtype, content, ttl, prio=0, auth=True,
         order=True):
    return {'domain_id': domain_id, 'name': fqdn(name, zone), 'type': rtype,
            'content': content, 'ttl': ttl, 'prio': prio, 'disabled': False,
            'auth': auth, 'ordername': ordername(name) if order else None}


def set_apex(conn, s, domain_id, zone, soa, nameservers, ttl):
    """Replace the SOA content and the apex NS rows (and their TTL)."""
    r = s.pdns_records
    conn.execute(update(r).where(r.c.domain_id == domain_id,
                                 r.c.name == zone, r.c.type == 'SOA')
                 .values(content=soa, ttl=ttl))
    if nameservers is not None:
        conn.execute(delete(r).where(r.c.domain_id == domain_id,
                                     r.c.name == zone, r.c.type == 'NS'))
        if nameservers:
            conn.execute(insert(r), [_row(domain_id, zone, '', 'NS', ns, ttl)
                                     for ns in nameservers])
    else:
        conn.execute(update(r).where(r.c.domain_id == domain_id,
                                     r.c.name == zone, r.c.type == 'NS')
                     .values(ttl=ttl))


def set_soa(conn, s, domain_id, zone, soa):
    r = s.pdns_records
    conn.execute(update(r).where(r.c.domain_id == domain_id,
                                 r.c.name == zone, r.c.type == 'SOA')
                 .values(content=soa))


def insert_record(conn, s, domain_id, zone, rr, ttl):
    """One RR -> records.id, with auth/ordername for where it sits."""
    below = _delegated(conn, s, domain_id, zone, rr.name, rr.type)
    row = _row(domain_id, zone, rr.name, rr.type, rr.content, ttl, rr.prio,
               auth=not below, order=not below or rr.type == 'NS')
    pdns_id = conn.execute(insert(s.pdns_records).values(**row)
                           ).inserted_primary_key[0]
    if rr.type == 'NS':
        rectify_below(conn, s, domain_id, zone, rr.name)
    return pdns_id


def update_record(conn, s, pdns_id, domain_id, zone, old_name, old_type, rr,
                  ttl):
    below = _delegated(conn, s, domain_id, zone, rr.name, rr.type,
                       exclude=pdns_id)
    row = _row(domain_id, zone, rr.name, rr.type, rr.content, ttl, rr.prio,
               auth=not below, order=not below or rr.type == 'NS')
    r = s.pdns_records
    conn.execute(update(r).where(r.c.id == pdns_id).values(**row))
    for name, rtype in {(old_name, old_type), (rr.name, rr.type)}:
        if rtype == 'NS':
            rectify_below(conn, s, domain_id, zone, name)


def delete_record(conn, s, pdns_id, domain_id, zone, name, rtype):
    r = s.pdns_records
    conn.execute(delete(r).where(r.c.id == pdns_id))
    if rtype == 'NS':
        rectify_below(conn, s, domain_id, zone, name)


def delete_rows(conn, s, ids):
    if ids:
        r = s.pdns_records
        conn.execute(delete(r).where(r.c.id.in_(list(ids))))


def insert_rows(conn, s, domain_id, zone, items):
    """Many (rr, ttl) at once (ENUM NAPTRs: never delegated) -> ids."""
    return [conn.execute(insert(s.pdns_records).values(
        **_row(domain_id, zone, rr.name, rr.type, rr.content, ttl, rr.prio))
    ).inserted_primary_key[0] for rr, ttl in items]


def delete_zone(conn, s, domain_id):
    conn.execute(delete(s.pdns_records)
                 .where(s.pdns_records.c.domain_id == domain_id))
    conn.execute(delete(s.pdns_domains)
                 .where(s.pdns_domains.c.id == domain_id))


# -- delegations -----------------------------------------------------------

def _cuts(conn, s, domain_id, zone, exclude=None):
    """Relative names below the apex that hold NS rows (delegations)."""
    r = s.pdns_records
    stmt = select(r.c.name).where(r.c.domain_id == domain_id,
                                  r.c.type == 'NS', r.c.name != zone)
    if exclude is not None:
        stmt = stmt.where(r.c.id != exclude)
    suffix = len(zone) + 1
    return {n[:-suffix] for n in conn.execute(stmt).scalars()}


def _under(name, cut):
    return name == cut or name.endswith('.' + cut)


def _delegated(conn, s, domain_id, zone, name, rtype, exclude=None):
    """True when a row at ``name`` is delegation or glue: at or below an NS
    of a name below the apex (a new NS row delegates its own name)."""
    if not name:
        return False
    if rtype == 'NS':
        return True
    return any(_under(name, c) for c in _cuts(conn, s, domain_id, zone,
                                              exclude))


def rectify_below(conn, s, domain_id, zone, cut):
    """auth/ordername of the rows at and below ``cut`` after an NS there
    came or went."""
    r = s.pdns_records
    absolute = fqdn(cut, zone)
    cuts = _cuts(conn, s, domain_id, zone)
    rows = conn.execute(select(r.c.id, r.c.name, r.c.type).where(
        r.c.domain_id == domain_id,
        or_(r.c.name == absolute, r.c.name.like('%.' + absolute)))).all()
    suffix = len(zone) + 1
    for row_id, name, rtype in rows:
        rel = name[:-suffix]
        below = rtype == 'NS' or any(_under(rel, c) for c in cuts)
        conn.execute(update(r).where(r.c.id == row_id).values(
            auth=not below,
            ordername=ordername(rel) if not below or rtype == 'NS'
            else None))


def records_at(conn, s, domain_id, name, exclude=None):
    """[(id, type)] of the rows at one absolute name of a domain."""
    r = s.pdns_records
    stmt = select(r.c.id, r.c.type).where(
        and_(r.c.domain_id == domain_id, r.c.name == name))
    if exclude is not None:
        stmt = stmt.where(r.c.id != exclude)
    return conn.execute(stmt).all()
