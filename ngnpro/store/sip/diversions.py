"""Call diversions: the targets as the client set them
(ngnpro_sip_diversions) and what Kamailio reads, usr_preferences rows named
after the condition (FUNC, FNOL, ...) holding the target URI, with
``<voice-mailbox>`` resolved to the account's mailbox."""
from sqlalchemy import delete, insert, select

from ...types.sip_settings import DIVERSION_CONDITIONS
from .. import voicemail
from ..rows import now
from . import preferences
from .accounts import on_account_delete

VOICE_MAILBOX = ('<voice-mailbox>', 'voice-mailbox')


def diversions(conn, s, username, domain):
    """{condition: target as set}."""
    d = s.sip_diversions
    return dict(conn.execute(select(d.c.cond, d.c.target).where(
        d.c.username == username, d.c.domain == domain)).all())


def set_diversions(conn, s, config, username, domain, targets):
    """Replace all diversions of an account with {condition: target}."""
    d = s.sip_diversions
    conn.execute(delete(d).where(d.c.username == username,
                                 d.c.domain == domain))
    if targets:
        stamp = now()
        conn.execute(insert(d), [
            {'username': username, 'domain': domain, 'cond': c,
             'target': t, 'change_date': stamp}
            for c, t in targets.items()])
    rewrite_diversions(conn, s, config, username, domain)


def rewrite_diversions(conn, s, config, username, domain):
    """Derive the account's usr_preferences diversion rows again from its
    stored diversions: to be called whenever what ``<voice-mailbox>``
    resolves to changes (a mailbox created or deleted). A voice-mailbox
    target with no mailbox (or no voicemail server configured) writes no
    row, so the proxy does not divert on that condition."""
    mailbox = None
    rows = []
    for cond, target in sorted(diversions(conn, s, username, domain).items(),
                               key=lambda i: DIVERSION_CONDITIONS.index(i[0])):
        if target in VOICE_MAILBOX:
            if mailbox is None:
                mailbox = voicemail.mailbox_uri(conn, s, config, username,
                                                domain) or ''
            target = mailbox
        if target:
            rows.append((cond, target))
    preferences.replace(conn, s, username, domain, DIVERSION_CONDITIONS,
                        rows)


@on_account_delete
def _forget(conn, s, username, domain):
    d = s.sip_diversions
    where = d.c.domain == domain
    if username is not None:
        where = where & (d.c.username == username)
    conn.execute(delete(d).where(where))
    preferences.remove(conn, s, username, domain, DIVERSION_CONDITIONS)
