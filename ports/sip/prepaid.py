"""Prepaid balances (spec §2.1 Prepaid, §5.19), kept in CDRTool's own
tables so that its rating engine, which does the prepaid call control,
debits the same balance. Values arrive as xsd:float and become exact
4-place Decimals at once; they go out as xsd:double."""
from decimal import Decimal, InvalidOperation

from ngnpro.faults import invalid
from ngnpro.store.schema.base import money
from ngnpro.store.sip import prepaid as store
from ngnpro.types.common import Float, Int, SipId, SipIdArray, String, limited
from ngnpro.types.prepaid import (BalanceChange, CreditHistory, PrepaidCard,
                                  PrepaidStatusArray)
from ports.common import check_array

from . import lookup

DEFAULT_HISTORY = 200


def _amount(value):
    """A float from the wire -> the Decimal the client meant: 10.1 is
    Decimal('10.1'), not the binary fraction nearest to it."""
    if value is None:
        raise invalid('value is required')
    try:
        amount = money(Decimal(repr(float(value))))
    except (InvalidOperation, ValueError):
        raise invalid('value %r is not a number' % value)
    if amount == 0:
        raise invalid('value must not be 0')
    if abs(amount) > store.LIMIT:
        raise invalid('value %s is beyond the %s a prepaid balance can hold'
                      % (amount, store.LIMIT))
    return amount


def _change(old, new):
    return {'old_balance': old, 'new_balance': new}


def add_balance(call, sip_id, value, description=None):
    row = lookup.account(call, sip_id, for_update=True)
    amount = _amount(value)
    action = store.ADD if amount > 0 else store.DEBIT
    old, new = store.change_balance(
        call.conn, call.schema, row['username'], row['domain'],
        row['reseller'], amount, action, (description or '').strip())
    return _change(old, new)


def add_balance_from_voucher(call, sip_id, card):
    row = lookup.account(call, sip_id, for_update=True)
    if card is None or card.id is None or not (card.number or '').strip():
        raise invalid('card.id and card.number are required')
    value = store.spend_card(call.conn, call.schema, card.id,
                             card.number.strip(), row['reseller'])
    old, new = store.change_balance(
        call.conn, call.schema, row['username'], row['domain'],
        row['reseller'], value, store.ADD, 'Prepaid card %d' % card.id)
    return _change(old, new)


def get_prepaid_status(call, sip_ids):
    rows = [lookup.account(call, i)
            for i in check_array(call, sip_ids, 'sipIds')]
    keys = [store.account_key(r['username'], r['domain']) for r in rows]
    balances = store.balances(call.conn, call.schema, keys)
    return [{'id': {'username': r['username'], 'domain': r['domain']},
             'balance': balances.get(k, money(0))}
            for r, k in zip(rows, keys)]


def get_credit_history(call, sip_id, count=None):
    row = lookup.account(call, sip_id)
    count = DEFAULT_HISTORY if count is None else count
    entries = store.history(call.conn, call.schema, row['username'],
                            row['domain'],
                            min(count, call.config.max_page_size))
    return {'entries': [
        {'date': e['date'].strftime('%Y-%m-%d %H:%M:%S') if e['date']
         else '', 'action': e['action'], 'description': e['description'],
         'value': e['value'], 'balance': e['balance'],
         'session': e['session']} for e in entries]}


OPERATIONS = [
    ('addBalance', add_balance,
     [('sipId', SipId), ('value', Float), ('description', String)],
     BalanceChange),
    ('addBalanceFromVoucher', add_balance_from_voucher,
     [('sipId', SipId), ('card', PrepaidCard)], BalanceChange),
    ('getPrepaidStatus', get_prepaid_status, [('sipIds', SipIdArray)],
     PrepaidStatusArray),
    ('getCreditHistory', get_credit_history,
     [('sipId', SipId), ('count', limited(Int, ge=0))], CreditHistory),
]
