"""Voicemail boxes: which mailbox a SIP account has, the SIP URI that
reaches it, and its row in Asterisk's realtime ``voicemail`` table, written
in the same transaction (app_voicemail reads it on every call, so a change
takes effect at once)."""
from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from .rows import now
from .sip.accounts import on_account_delete

_COUNTER = 1      # the id of the one numbering row


def mailbox_of(conn, s, username, domain):
    """The mailbox number of a SIP account, or None when it has none."""
    v = s.voicemail_accounts
    return conn.execute(select(v.c.mailbox).where(
        v.c.username == username, v.c.domain == domain,
        v.c.active.is_(True))).scalar()


def mailbox_uri(conn, s, config, username, domain):
    """``sip:<mailbox>@<voicemail server>`` for the account's mailbox, or
    None when it has none or no voicemail server is configured: what a
    ``<voice-mailbox>`` diversion means to the SIP proxy."""
    if not config.voicemail_server:
        return None
    mailbox = mailbox_of(conn, s, username, domain)
    return None if mailbox is None else 'sip:%s@%s' % (
        mailbox, config.voicemail_server)


def box_row(conn, s, username, domain, for_update=False):
    """The account's mailbox record, switched off (active false) or not."""
    v = s.voicemail_accounts
    stmt = select(v).where(v.c.username == username, v.c.domain == domain)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def asterisk_row(conn, s, box):
    """What the port reads of the box's row in Asterisk's table."""
    vm = s.voicemail
    return conn.execute(select(vm.c.password, vm.c.fullname, vm.c.email,
                               vm.c.deletevoicemail).where(
        vm.c.mailbox == box['mailbox'], vm.c.context == box['context'])
    ).mappings().first()


def mailbox_in_use(conn, s, mailbox):
    """Whether a number belongs to a SIP account (even one whose mailbox is
    switched off) or to a mailbox Asterisk has from elsewhere."""
    v, vm = s.voicemail_accounts, s.voicemail
    return conn.execute(select(
        exists().where(v.c.mailbox == mailbox)
        | exists().where(vm.c.mailbox == mailbox))).scalar()


def next_mailbox(conn, s, first):
    """The lowest free number from the counter (at least ``first``).

    The counter row is locked until commit, so concurrent calls queue up
    behind it; the unique mailbox key catches whatever a lock cannot (two
    primaries of a cluster)."""
    n = s.voicemail_numbering
    while True:
        current = conn.execute(select(n.c.next_mailbox)
                               .where(n.c.id == _COUNTER)
                               .with_for_update()).scalar()
        if current is not None:
            break
        # Only if the row made with the table was deleted since.
        try:
            with conn.begin_nested():
                conn.execute(insert(n).values(id=_COUNTER,
                                              next_mailbox=first))
        except IntegrityError:
            pass      # created by a concurrent call meanwhile: read it
    number = max(int(current), first)
    while mailbox_in_use(conn, s, str(number)):
        number += 1
    conn.execute(update(n).where(n.c.id == _COUNTER)
                 .values(next_mailbox=number + 1))
    return str(number)


def open_box(conn, s, username, domain, mailbox, context, previous=None):
    """Give the account its mailbox: a new record, or the one it had."""
    v = s.voicemail_accounts
    values = {'mailbox': mailbox, 'context': context, 'active': True,
              'change_date': now()}
    if previous is None:
        conn.execute(insert(v).values(username=username, domain=domain,
                                      **values))
    else:
        conn.execute(update(v).where(v.c.id == previous['id'])
                     .values(**values))
    return box_row(conn, s, username, domain)


def write_asterisk(conn, s, box, values):
    """Create or replace the box's row in Asterisk's table (only the
    columns we manage; the others keep Asterisk's defaults)."""
    vm = s.voicemail
    values = dict(values, stamp=now())
    key = (vm.c.mailbox == box['mailbox'], vm.c.context == box['context'])
    if conn.execute(select(vm.c.uniqueid).where(*key)).first() is None:
        conn.execute(insert(vm).values(mailbox=box['mailbox'],
                                       context=box['context'], **values))
    else:
        conn.execute(update(vm).where(*key).values(**values))


def touch(conn, s, box):
    v = s.voicemail_accounts
    conn.execute(update(v).where(v.c.id == box['id'])
                 .values(change_date=now()))


def close_box(conn, s, box):
    """Switch the mailbox off: Asterisk's row and the greeting go, the
    number stays reserved for the account."""
    vm, g, v = s.voicemail, s.voicemail_greetings, s.voicemail_accounts
    conn.execute(delete(vm).where(vm.c.mailbox == box['mailbox'],
                                  vm.c.context == box['context']))
    conn.execute(delete(g).where(g.c.account_id == box['id']))
    conn.execute(update(v).where(v.c.id == box['id'])
                 .values(active=False, change_date=now()))


def set_greeting(conn, s, box, audio):
    """Store (``audio`` bytes) or remove (None) the box's greeting."""
    g = s.voicemail_greetings
    conn.execute(delete(g).where(g.c.account_id == box['id']))
    if audio is not None:
        conn.execute(insert(g).values(account_id=box['id'], audio=audio,
                                      change_date=now()))
    touch(conn, s, box)


@on_account_delete
def _delete_boxes(conn, s, username, domain):
    """A SIP account (username None: every account of the domain) takes its
    mailbox, Asterisk row and greeting with it."""
    v, vm, g = s.voicemail_accounts, s.voicemail, s.voicemail_greetings
    mine = [v.c.domain == domain]
    if username is not None:
        mine.append(v.c.username == username)
    conn.execute(delete(vm).where(exists().where(
        v.c.mailbox == vm.c.mailbox, v.c.context == vm.c.context, *mine)))
    conn.execute(delete(g).where(g.c.account_id.in_(
        select(v.c.id).where(*mine))))
    conn.execute(delete(v).where(*mine))

