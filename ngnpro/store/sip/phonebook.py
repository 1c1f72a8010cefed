"""The phonebook of a SIP account (ngnpro_sip_phonebook): entries keyed by
URI within the account; their groups are what the do-not-disturb rules
name, so the proxy reads this table too (by account, caller URI and
group)."""
from functools import lru_cache

from sqlalchemy import delete, insert, select, update

from ..query import Listing, page
from ..rows import now
from .accounts import on_account_delete


def _account(pb, username, domain):
    return [pb.c.username == username, pb.c.domain == domain]


def entry(conn, s, username, domain, uri):
    pb = s.sip_phonebook
    return conn.execute(select(pb).where(
        *_account(pb, username, domain), pb.c.uri == uri)).mappings().first()


def add_entry(conn, s, username, domain, values):
    conn.execute(insert(s.sip_phonebook).values(
        username=username, domain=domain, change_date=now(), **values))


def update_entry(conn, s, row, values):
    pb = s.sip_phonebook
    conn.execute(update(pb).where(pb.c.id == row['id'])
                 .values(change_date=now(), **values))


def delete_entry(conn, s, row):
    pb = s.sip_phonebook
    conn.execute(delete(pb).where(pb.c.id == row['id']))


@lru_cache(maxsize=None)
def _listing(s):
    pb = s.sip_phonebook.c
    return Listing(source=s.sip_phonebook, filters={},
                   order={'name': pb.name, 'uri': pb.uri},
                   default_order=('name', 'ASC'), tiebreak=pb.id)


def search(conn, s, username, domain, uri_like, name_like, group, rng,
           max_count):
    """(total, rows) of one account's entries: ``uri_like``/``name_like``
    are LIKE patterns combined with OR (None = no condition); ``group`` is
    None for any group, '' for entries without one, else that group."""
    pb = s.sip_phonebook
    where = _account(pb, username, domain)
    text = [c.like(p) for c, p in ((pb.c.uri, uri_like),
                                   (pb.c.name, name_like)) if p is not None]
    if len(text) == 2:
        where.append(text[0] | text[1])
    elif text:
        where.append(text[0])
    if group is not None:
        where.append(pb.c.group_name == group)
    return page(conn, _listing(s), {'range': rng}, where, max_count)


def groups_in_use(conn, s, username, domain):
    """The phonebook groups that have entries, sorted."""
    pb = s.sip_phonebook
    return list(conn.execute(
        select(pb.c.group_name).where(*_account(pb, username, domain),
                                      pb.c.group_name != '')
        .group_by(pb.c.group_name).order_by(pb.c.group_name)).scalars())


@on_account_delete
def _forget(conn, s, username, domain):
    pb = s.sip_phonebook
    where = pb.c.domain == domain
    if username is not None:
        where = where & (pb.c.username == username)
    conn.execute(delete(pb).where(where))
