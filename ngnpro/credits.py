"""Credits: how many records a customer, and a reseller over all of its
customers, may create (guide "Conventions for resellers").

A credit is a customer property (``sip_credit``, ``sip_alias_credit``, ...).
Usage is a counter per customer and credit that the database layer keeps
equal to the records themselves (ngnpro.store.usage), so deletions give
credit back. The check runs inside the caller's transaction, right before
the insert: it locks the customer and reseller rows (two requests on one
database serialise there) and reads the counters the insert then updates
(two requests on two nodes of a Galera cluster conflict there, and the
loser is replayed).
"""
from functools import lru_cache

from sqlalchemy import select

from .faults import CREDIT_EXCEEDED, NGNProError
from .store.usage import Tracker

# credit property -> (the table whose rows it limits, which of its rows:
# {column: value}); the ENUM and DNS ports add theirs here.
_COUNTED = {
    'sip_credit': ('sip_accounts', {}),
    'sip_alias_credit': ('sip_aliases', {}),
    'dns_zone_credit': ('dns_zones', {}),
    'enum_range_credit': ('enum_ranges', {}),
    'enum_number_credit': ('enum_numbers', {}),
    # Mail forwards are the fancy records of type MBOXFW.
    'email_credit': ('dns_fancy_records', {'type': 'MBOXFW'}),
}


@lru_cache(maxsize=None)
def tracker(schema):
    """The usage counters of one schema's counted tables."""
    return Tracker(schema, {credit: (getattr(schema, table), where)
                            for credit, (table, where) in _COUNTED.items()})


def consume(conn, schema, principal, credit, customer, reseller, count=1):
    """Refuse (fault, nothing written) when creating ``count`` more records
    for (customer, reseller) would exceed either one's credit."""
    if principal.is_admin:
        return
    customers, props = schema.customers, schema.customer_properties
    ids = sorted({i for i in (customer, reseller) if i})
    if not ids:
        return
    # Row locks in a fixed order (no deadlock between two checks on one
    # database). SQLite ignores FOR UPDATE; there the write transaction
    # began IMMEDIATE.
    conn.execute(select(customers.c.id).where(customers.c.id.in_(ids))
                 .order_by(customers.c.id).with_for_update()).all()
    limits = dict(conn.execute(
        select(props.c.customer_id, props.c.value)
        .where(props.c.customer_id.in_(ids), props.c.name == credit)).all())
    owners = [(customer, 'customer')]
    if reseller != customer:    # a reseller's own record counts once
        owners.append((reseller, 'reseller'))
    for owner, who in owners:
        if not owner or owner not in limits:
            continue
        limit = _limit(limits[owner])
        if limit is None:
            continue
        used = tracker(schema).reserve(conn, credit, owner, count, limit)
        if used is not None:
            raise NGNProError(
                CREDIT_EXCEEDED, 'Credit exceeded: %s %d has used %d of its '
                '%s of %d' % (who, owner, used, credit, limit))


def _limit(value):
    """'' = no limit set; anything else not a number allows nothing."""
    if value is None or str(value).strip() == '':
        return None
    try:
        return max(int(float(value)), 0)
    except ValueError:
        return 0
