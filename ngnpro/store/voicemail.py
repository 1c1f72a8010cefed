"""Which mailbox a SIP account has, and the SIP URI that reaches it."""
from sqlalchemy import select


def mailbox_of(conn, s, username, domain):
    """The mailbox number of a SIP account, or None when it has none."""
    v = s.voicemail_accounts
    return conn.execute(select(v.c.mailbox).where(
        v.c.username == username, v.c.domain == domain)).scalar()


def mailbox_uri(conn, s, config, username, domain):
    """``sip:<mailbox>@<voicemail server>`` for the account's mailbox, or
    None when it has none or no voicemail server is configured: what a
    ``<voice-mailbox>`` diversion means to the SIP proxy."""
    if not config.voicemail_server:
        return None
    mailbox = mailbox_of(conn, s, username, domain)
    return None if mailbox is None else 'sip:%s@%s' % (
        mailbox, config.voicemail_server)
