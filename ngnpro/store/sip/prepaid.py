"""Prepaid balances in CDRTool's own tables (schema/cdrtool_prepaid.py):
``prepaid`` holds the balance of ``user@domain``, every change is a
``prepaid_history`` row, vouchers are ``prepaid_cards`` rows.

Both writes that must be exact under concurrency, on one server or on a
multi-primary cluster, are conditional updates whose row count decides:
the balance moves from the value read to the new one only if it still is
that value, and a voucher is spent by the one update that sets its value
from what was read to 0 (CDRTool counts a card of value 0 as used).
"""
import datetime
from decimal import Decimal

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ...faults import (INTERNAL_ERROR, PREPAID_CARD_BLOCKED,
                       PREPAID_CARD_NOT_FOUND, PREPAID_CARD_USED, NGNProError,
                       invalid)
from ..rows import now
from ..schema.base import money
from .accounts import on_account_delete

LIMIT = Decimal('999999.9999')          # DECIMAL(10,4)
ADD, DEBIT = 'Add balance', 'Debit balance'
CHUNK = 500


def account_key(username, domain):
    return '%s@%s' % (username, domain)


def balances(conn, s, keys):
    """{'user@domain': Decimal} for the accounts that have a balance."""
    p = s.prepaid
    out = {}
    for i in range(0, len(keys), CHUNK):
        out.update(conn.execute(select(p.c.account, p.c.balance).where(
            p.c.account.in_(keys[i:i + CHUNK]))).all())
    return out


def _row(conn, s, key):
    p = s.prepaid
    return conn.execute(select(p.c.id, p.c.balance).where(p.c.account == key)
                        .with_for_update()).first()


def _balance_row(conn, s, key, reseller):
    row = _row(conn, s, key)
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(s.prepaid).values(
                    reseller_id=reseller, account=key, balance=money(0),
                    change_date=now(), active_sessions='',
                    session_counter=0, max_sessions=1))
        except IntegrityError:
            pass            # another call created it meanwhile
        row = _row(conn, s, key)
    return row


def change_balance(conn, s, username, domain, reseller, delta, action,
                   description):
    """Add ``delta`` (a Decimal, may be negative) to the balance and log it;
    returns (old, new)."""
    key = account_key(username, domain)
    p = s.prepaid
    for _ in range(10):
        row = _balance_row(conn, s, key, reseller)
        old = row.balance
        new = money(old + delta)
        if abs(new) > LIMIT:
            raise invalid('The balance of %s would be %s, beyond the %s a '
                          'prepaid balance can hold' % (key, new, LIMIT))
        moved = conn.execute(update(p).where(p.c.id == row.id,
                                             p.c.balance == old)
                             .values(balance=new, change_date=now()))
        if moved.rowcount == 1:
            break
    else:
        raise NGNProError(INTERNAL_ERROR, 'The balance of %s keeps changing; '
                          'try again' % key)
    conn.execute(insert(s.prepaid_history).values(
        reseller_id=reseller, username=username, domain=domain,
        action=action, duration=0, destination='', session='',
        description=description, value=money(delta), balance=new,
        date=now()))
    return old, new


def history(conn, s, username, domain, count):
    """Newest first (by insertion, which the acct_id index serves)."""
    h = s.prepaid_history
    return conn.execute(select(h).where(h.c.username == username,
                                        h.c.domain == domain)
                        .order_by(h.c.id.desc()).limit(count)).mappings().all()


def spend_card(conn, s, card_id, number, reseller):
    """Spend a voucher for an account of ``reseller``: its value, once."""
    c = s.prepaid_cards
    missing = NGNProError(PREPAID_CARD_NOT_FOUND, 'Prepaid card %d with this '
                          'number does not exist' % card_id)
    card = conn.execute(select(c).where(c.c.id == card_id)).mappings().first()
    # A card of another reseller answers as a missing one; reseller 0's
    # cards are the platform's own, valid for every account.
    if card is None or card['number'] != number or \
            card['reseller_id'] not in (0, reseller):
        raise missing
    if card['blocked']:
        raise NGNProError(PREPAID_CARD_BLOCKED, 'Prepaid card %d is blocked'
                          % card_id)
    value = card['value'] or money(0)
    used = NGNProError(PREPAID_CARD_USED, 'Prepaid card %d has already been '
                       'used' % card_id)
    if value <= 0:
        raise used
    spent = conn.execute(update(c).where(
        c.c.id == card_id, c.c.number == number, c.c.blocked == 0,
        c.c.value == value).values(value=money(0),
                                   date_active=datetime.date.today()))
    if spent.rowcount != 1:
        raise used          # another redemption won
    return value


@on_account_delete
def _forget(conn, s, username, domain):
    if username is not None:
        users = [username]
    else:
        a = s.sip_accounts
        users = list(conn.execute(select(a.c.username)
                                  .where(a.c.domain == domain)).scalars())
    p, h = s.prepaid, s.prepaid_history
    for i in range(0, len(users), CHUNK):
        chunk = users[i:i + CHUNK]
        conn.execute(delete(p).where(p.c.account.in_(
            [account_key(u, domain) for u in chunk])))
        conn.execute(delete(h).where(h.c.domain == domain,
                                     h.c.username.in_(chunk)))
