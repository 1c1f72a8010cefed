"""SIP aliases (ngnpro_sip_aliases) and Kamailio's dbaliases table."""
from sqlalchemy import delete, insert, select, update

from ..rows import now, to_wire


def alias_row(conn, s, username, domain):
    al = s.sip_aliases
    return conn.execute(select(al).where(al.c.username == username,
                                         al.c.domain == domain)
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
