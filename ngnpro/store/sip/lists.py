"""Per-account lists the proxy checks on every call: the reject list
(usr_preferences ``reject``, one caller URI per row) and the barred
destination prefixes (Kamailio's userblocklist, allowlist 0)."""
from sqlalchemy import delete, insert, select

from . import preferences
from .accounts import on_account_delete

REJECT = 'reject'


def reject_members(conn, s, username, domain):
    return [v for _, v in preferences.values(conn, s, username, domain,
                                             (REJECT,))]


def set_reject_members(conn, s, username, domain, members):
    preferences.replace(conn, s, username, domain, (REJECT,),
                        [(REJECT, m) for m in members])


def _of(t, username, domain):
    if username is None:
        return t.c.domain == domain
    return (t.c.username == username) & (t.c.domain == domain)


def barring_prefixes(conn, s, username, domain):
    b = s.userblocklist
    return list(conn.execute(select(b.c.prefix).where(
        _of(b, username, domain), b.c.allowlist == 0).order_by(b.c.id))
        .scalars())


def set_barring_prefixes(conn, s, username, domain, prefixes):
    b = s.userblocklist
    conn.execute(delete(b).where(_of(b, username, domain),
                                 b.c.allowlist == 0))
    if prefixes:
        conn.execute(insert(b), [
            {'username': username, 'domain': domain, 'prefix': p,
             'allowlist': 0} for p in prefixes])


@on_account_delete
def _forget(conn, s, username, domain):
    preferences.remove(conn, s, username, domain, (REJECT,))
    b = s.userblocklist
    conn.execute(delete(b).where(_of(b, username, domain)))
