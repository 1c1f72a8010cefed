"""SIP aliases (ngnpro_sip_aliases) and Kamailio's dbaliases table."""
from functools import lru_cache

from sqlalchemy import bindparam, delete, insert, select, update

from ..rows import now, to_wire


@lru_cache(maxsize=None)
def _by_address(s):
    """An alias by its address, built once per schema."""
    al = s.sip_aliases
    return select(al).where(al.c.username == bindparam('u'),
                            al.c.domain == bindparam('d'))


def alias_row(conn, s, username, domain):
    return conn.execute(_by_address(s), {'u': username, 'd': domain}
                        ).mappings().first()


def insert_alias(conn, s, values):
    conn.execute(insert(s.sip_aliases).values(change_date=now(), **values))
    conn.execute(insert(s.dbaliases).values(
        alias_username=values['username'], alias_domain=values['domain'],
        username=values['target_username'], domain=values['target_domain']))


def update_alias(conn, s, row, values):
    al, db = s.sip_aliases, s.dbaliases
    conn.execute(update(al).where(al.c.id == row['id'])
                 .values(change_date=now(), **values))
    conn.execute(update(db).where(db.c.alias_username == row['username'],
                                  db.c.alias_domain == row['domain'])
                 .values(username=values['target_username'],
                         domain=values['target_domain']))


def delete_alias(conn, s, row):
    al, db = s.sip_aliases, s.dbaliases
    conn.execute(delete(al).where(al.c.id == row['id']))
    conn.execute(delete(db).where(db.c.alias_username == row['username'],
                                  db.c.alias_domain == row['domain']))


def alias_wire(r):
    out = to_wire(r, ('owner', 'customer', 'reseller', 'changeDate'))
    out['id'] = {'username': r['username'], 'domain': r['domain']}
    out['target'] = {'username': r['target_username'],
                     'domain': r['target_domain']}
    return out
