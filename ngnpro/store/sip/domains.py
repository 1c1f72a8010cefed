"""SIP domains (ngnpro_sip_domains) and Kamailio's domain table."""
from functools import lru_cache

from sqlalchemy import (BigInteger, bindparam, cast, delete, func, insert,
                        select, update)

from ..rows import now
from .accounts import delete_account_details, run_cleanups


@lru_cache(maxsize=None)
def _by_name(s):
    """A domain by its name (plain, locked), built once per schema."""
    stmt = select(s.sip_domains).where(
        s.sip_domains.c.domain == bindparam('name'))
    return stmt, stmt.with_for_update()


def domain_row(conn, s, name, for_update=False):
    stmt = _by_name(s)[1 if for_update else 0]
    return conn.execute(stmt, {'name': name}).mappings().first()


def insert_domain(conn, s, values):
    stamp = now()
    conn.execute(insert(s.sip_domains).values(change_date=stamp, **values))
    conn.execute(insert(s.domain).values(domain=values['domain'],
                                         did=values['domain'],
                                         last_modified=stamp))


def update_domain(conn, s, name, values):
    conn.execute(update(s.sip_domains).where(s.sip_domains.c.domain == name)
                 .values(change_date=now(), **values))
    owner = {'customer': values['customer'], 'reseller': values['reseller']}
    # Accounts and aliases inherit customer/reseller from their domain.
    conn.execute(update(s.sip_accounts).where(s.sip_accounts.c.domain == name)
                 .values(**owner))
    conn.execute(update(s.sip_aliases).where(s.sip_aliases.c.domain == name)
                 .values(**owner))


def count_in_domain(conn, table, name):
    return conn.execute(select(func.count()).select_from(table)
                        .where(table.c.domain == name)).scalar_one()


def members_in_domain(conn, s, name, group):
    """Whether any account of the domain is in ``group``."""
    g = s.grp
    return conn.execute(select(g.c.id).where(g.c.domain == name,
                                             g.c.grp == group).limit(1)
                        ).first() is not None


def delete_domain(conn, s, name):
    ids = [r[0] for r in conn.execute(select(s.sip_accounts.c.id).where(
        s.sip_accounts.c.domain == name))]
    run_cleanups(conn, s, None, name)
    delete_account_details(conn, s, ids)
    conn.execute(delete(s.sip_accounts).where(s.sip_accounts.c.domain == name))
    conn.execute(delete(s.subscriber).where(s.subscriber.c.domain == name))
    conn.execute(delete(s.grp).where(s.grp.c.domain == name))
    # Aliases in the domain, and those elsewhere that point into it (as
    # deleteAccount removes the aliases of an account).
    al, db = s.sip_aliases, s.dbaliases
    conn.execute(delete(al).where((al.c.domain == name)
                                  | (al.c.target_domain == name)))
    conn.execute(delete(db).where((db.c.alias_domain == name)
                                  | (db.c.domain == name)))
    conn.execute(delete(s.sip_domains).where(s.sip_domains.c.domain == name))
    conn.execute(delete(s.domain).where(s.domain.c.domain == name))


def numeric_usernames_max(conn, s, domain):
    """Highest all-digit username in a domain (for <autoincrement>).

    The domain row is locked first, so two concurrent autoincrements in one
    domain serialise instead of both picking the same number."""
    a = s.sip_accounts
    domain_row(conn, s, domain, for_update=True)
    best = conn.execute(
        select(func.max(cast(a.c.username, BigInteger)))
        .where(a.c.domain == domain,
               a.c.username.regexp_match('^[0-9]{1,18}$'))).scalar()
    return int(best or 0)
