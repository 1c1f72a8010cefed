"""What Kamailio recorded about an account's calls and devices: the call
history from acc (with the extra columns of schema/kamailio_services.py),
and the registrations usrloc mirrors into location.

An answered call is the INVITE row written at its 2xx; it ends at the
first BYE row of the same Call-ID. Times in both tables are the proxy's
local time, as Kamailio writes them.
"""
from sqlalchemy import func, select

from ..schema.base import money

PLACED, RECEIVED = 'placed', 'received'
CHUNK = 500


def _party(a, direction):
    if direction == PLACED:
        return a.c.src_user, a.c.src_domain
    return a.c.dst_user, a.c.dst_domain


def calls_statement(s, username, domain, direction, start=None, stop=None,
                    limit=None):
    """The INVITE rows of an account's placed or received calls between
    two local datetimes, newest first: served by acc_src_idx/acc_dst_idx
    (an index range and no sort)."""
    a = s.acc
    user, dom = _party(a, direction)
    stmt = select(a).where(user == username, dom == domain,
                           a.c.method == 'INVITE')
    if start is not None:
        stmt = stmt.where(a.c.time >= start)
    if stop is not None:
        stmt = stmt.where(a.c.time <= stop)
    stmt = stmt.order_by(a.c.time.desc(), a.c.id.desc())
    return stmt if limit is None else stmt.limit(limit)


def hangups(conn, s, callids):
    """{Call-ID: time of its first BYE}."""
    a = s.acc
    out = {}
    callids = list(callids)
    for i in range(0, len(callids), CHUNK):
        out.update(conn.execute(
            select(a.c.callid, func.min(a.c.time))
            .where(a.c.callid.in_(callids[i:i + CHUNK]),
                   a.c.method == 'BYE')
            .group_by(a.c.callid)).all())
    return out


def calls(conn, s, username, domain, direction, start, stop, limit):
    """[(INVITE row, BYE time or None)], newest first."""
    rows = conn.execute(calls_statement(s, username, domain, direction,
                                        start, stop, limit)).mappings().all()
    ends = hangups(conn, s, {r['callid'] for r in rows if answered(r)})
    return [(r, ends.get(r['callid'])) for r in rows]


def answered(row):
    return (row['sip_code'] or '').startswith('2')


def totals(conn, s, username, domain, direction, start):
    """(answered calls, their price, their duration in seconds) since
    ``start``."""
    a = s.acc
    stmt = calls_statement(s, username, domain, direction, start)
    rows = [r for r in conn.execute(stmt.with_only_columns(
        a.c.callid, a.c.time, a.c.price, a.c.sip_code)).mappings()
        if answered(r)]
    ends = hangups(conn, s, {r['callid'] for r in rows})
    duration = sum(max(0, int((ends[r['callid']] - r['time'])
                              .total_seconds()))
                   for r in rows if r['callid'] in ends)
    return len(rows), money(sum((r['price'] for r in rows), money(0))), \
        duration


def locations(conn, s, username, domain):
    """The account's rows of Kamailio's location table."""
    loc = s.location
    return conn.execute(select(loc).where(loc.c.username == username,
                                          loc.c.domain == domain)
                        .order_by(loc.c.id)).mappings().all()
