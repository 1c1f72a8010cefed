"""Kamailio's usr_preferences rows of one account (avpops reads them per
request with avp_db_load): one row per value, string name and value
(type 0)."""
from sqlalchemy import delete, insert, select

from ..rows import now


def _of(up, username, domain):
    if username is None:
        return up.c.domain == domain
    return (up.c.username == username) & (up.c.domain == domain)


def values(conn, s, username, domain, attributes):
    """[(attribute, value)] of an account for these attributes, in the
    order they were written."""
    up = s.usr_preferences
    return [tuple(r) for r in conn.execute(
        select(up.c.attribute, up.c.value)
        .where(_of(up, username, domain), up.c.attribute.in_(attributes))
        .order_by(up.c.id))]


def replace(conn, s, username, domain, attributes, rows):
    """Replace every value of ``attributes`` with ``rows`` [(attribute,
    value)]."""
    up = s.usr_preferences
    conn.execute(delete(up).where(_of(up, username, domain),
                                  up.c.attribute.in_(attributes)))
    if rows:
        stamp = now()
        conn.execute(insert(up), [
            {'uuid': '', 'username': username, 'domain': domain,
             'attribute': a, 'type': 0, 'value': v, 'last_modified': stamp}
            for a, v in rows])


def remove(conn, s, username, domain, attributes):
    """Every value of ``attributes`` of an account (username None: of every
    account of the domain)."""
    up = s.usr_preferences
    conn.execute(delete(up).where(_of(up, username, domain),
                                  up.c.attribute.in_(attributes)))
