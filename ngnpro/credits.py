"""Credits: how many records a customer, and a reseller over all of its
customers, may create (guide "Conventions for resellers").

A credit is a customer property (``sip_credit``, ``sip_alias_credit``, ...).
Usage is counted from the records themselves, so deletions give credit back
and nothing can drift. The check runs inside the caller's transaction, after
locking the customer and reseller rows, right before the insert: two
requests, even on two servers sharing one MariaDB, serialise on the lock and
the second one counts the first one's row.
"""
from sqlalchemy import func, select

from .faults import CREDIT_EXCEEDED, NGNProError

# credit property -> the table whose rows it limits (customer/reseller
# cols), optionally with a condition on its rows.
_COUNTED = {
    'sip_credit': 'sip_accounts',
    'sip_alias_credit': 'sip_aliases',
    'dns_zone_credit': 'dns_zones',
    'enum_range_credit': 'enum_ranges',
    'enum_number_credit': 'enum_numbers',
    # Mail forwards are the fancy records of type MBOXFW.
    'email_credit': ('dns_fancy_records', lambda t: t.c.type == 'MBOXFW'),
}


def consume(conn, schema, principal, credit, customer, reseller, count=1):
    """Refuse (fault, nothing written) when creating ``count`` more records
    for (customer, reseller) would exceed either one's credit."""
    if principal.is_admin:
        return
    counted = _COUNTED[credit]
    table, where = (counted, None) if isinstance(counted, str) else counted
    table = getattr(schema, table)
    customers, props = schema.customers, schema.customer_properties
    ids = sorted({i for i in (customer, reseller) if i})
    if not ids:
        return
    # Row locks in a fixed order (no deadlock between two checks). SQLite
    # ignores FOR UPDATE; there the write transaction began IMMEDIATE.
    conn.execute(select(customers.c.id).where(customers.c.id.in_(ids))
                 .order_by(customers.c.id).with_for_update()).all()
    limits = dict(conn.execute(
        select(props.c.customer_id, props.c.value)
        .where(props.c.customer_id.in_(ids), props.c.name == credit)).all())
    for owner, column, who in ((customer, table.c.customer, 'customer'),
                               (reseller, table.c.reseller, 'reseller')):
        if not owner or owner not in limits:
            continue
        limit = _limit(limits[owner])
        if limit is None:
            continue
        stmt = select(func.count()).select_from(table).where(column == owner)
        if where is not None:
            stmt = stmt.where(where(table))
        used = conn.execute(stmt).scalar_one()
        if used + count > limit:
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
