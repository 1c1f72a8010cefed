"""Counters for Network.getStatistics: accounts and aliases per domain from
the server's own records, registrations from Kamailio's ``location`` table
(filled by usrloc with db_mode 1-3), limited to what the caller may see."""
import datetime

from sqlalchemy import distinct, func, or_, select

from .. import rights

# usrloc stores a permanent registration (expires 0) as the epoch.
_PERMANENT_BEFORE = datetime.datetime(1970, 1, 2)


def _counts(conn, stmt):
    return {(domain or ''): n for domain, n in conn.execute(stmt)}


def totals(conn, s, principal):
    """{'total_accounts': {domain: n}, 'total_aliases': {domain: n}}."""
    out = {}
    for section, t in (('total_accounts', s.sip_accounts),
                       ('total_aliases', s.sip_aliases)):
        out[section] = _counts(conn, select(t.c.domain, func.count())
                               .where(*rights.scope(principal, t.c.customer,
                                                    t.c.reseller))
                               .group_by(t.c.domain))
    return out


def _online(s, principal, when):
    loc, d = s.location, s.sip_domains
    where = [or_(loc.c.expires > when, loc.c.expires < _PERMANENT_BEFORE)]
    if not principal.is_admin:
        where.append(loc.c.domain.in_(
            select(d.c.domain).where(*rights.scope(principal, d.c.customer,
                                                   d.c.reseller))))
    return loc, where


def online(conn, s, principal, when):
    """Registrations valid at ``when``: ({domain: accounts},
    {domain: devices}) over all proxies, and {socket: (same two)} per
    receiving socket of the proxy."""
    loc, where = _online(s, principal, when)
    accounts, devices = {}, {}
    for domain, users, contacts in conn.execute(
            select(loc.c.domain, func.count(distinct(loc.c.username)),
                   func.count()).where(*where).group_by(loc.c.domain)):
        accounts[domain or ''], devices[domain or ''] = users, contacts
    by_socket = {}
    for sock, domain, users, contacts in conn.execute(
            select(loc.c.socket, loc.c.domain,
                   func.count(distinct(loc.c.username)), func.count())
            .where(*where).group_by(loc.c.socket, loc.c.domain)):
        a, dv = by_socket.setdefault(sock or '', ({}, {}))
        a[domain or ''] = a.get(domain or '', 0) + users
        dv[domain or ''] = dv.get(domain or '', 0) + contacts
    return accounts, devices, by_socket
