"""Sip port prepaid types (spec §2.1 Prepaid, §3.3): balances on the wire
are xsd:double, exact Decimals everywhere else."""
from .common import (BigInt, Float, SipId, String, array, limited, struct)

PrepaidCard = struct('PrepaidCard', [
    ('id', BigInt), ('number', limited(String, max_len=64))])
BalanceChange = struct('BalanceChange', [
    ('old_balance', Float), ('new_balance', Float)])
PrepaidStatus = struct('PrepaidStatus', [('id', SipId), ('balance', Float)])
PrepaidStatusArray = array(PrepaidStatus, 'PrepaidStatusArray')
CreditHistoryEntry = struct('CreditHistoryEntry', [
    ('date', String), ('action', String), ('description', String),
    ('value', Float), ('balance', Float), ('session', String)])
CreditHistory = struct('CreditHistory', [
    ('entries', array(CreditHistoryEntry, 'CreditHistoryEntryArray'))])
