"""The one place that decides what a Principal may see and change.

Records carry (customer, reseller) ids. Admin sees everything; a reseller sees
the records of its reseller id; a customer sees the records of its customer
id. Records created by non-admins are forced into the creator's scope.
"""
from sqlalchemy import select

from .faults import CUSTOMER_NOT_FOUND, INVALID_ARGUMENT, NGNProError, denied
from .names import spelling

# Property permissions (guide "Conventions for the properties").
ADMIN, RESELLER = 'admin', 'reseller'
_RANK = {ADMIN: 2, RESELLER: 1}

# Properties the server itself acts on, with the category and permission the
# legacy platform gives them (interface spec, customer property names). Their
# permission is at least this, whatever a client sends or an old row says, so
# that nobody but the admin can raise a credit or grant PSTN rights.
KNOWN_PROPERTIES = {
    **{name: ('credit', ADMIN) for name in (
        'sip_credit', 'sip_alias_credit', 'enum_range_credit',
        'enum_number_credit', 'dns_zone_credit', 'email_credit')},
    **{name: ('sip', ADMIN) for name in (
        'pstn_access', 'prepaid_changes', 'pstn_changes',
        'payment_processor_class')},
    'support_order': ('billing', ADMIN),
    'digest_settings_page': ('', RESELLER),
}


def known_property(prop):
    """``prop`` (name/value/category/permission) with the category of a known
    name filled in and its permission raised to the known one."""
    name = spelling(prop['name'])
    known = KNOWN_PROPERTIES.get(name)
    if known is None:
        return prop
    category, permission = known
    out = dict(prop, name=name, category=prop['category'] or category)
    if _RANK.get(prop['permission'], 0) < _RANK[permission]:
        out['permission'] = permission
    return out


def can_see(principal, customer, reseller):
    if principal.is_admin:
        return True
    if principal.is_reseller:
        return (reseller or 0) == principal.reseller_id
    return (customer or 0) == principal.customer_id


def require_visible(principal, customer, reseller, missing):
    """A record of another tenant answers exactly as a missing one: raise
    ``missing`` (its not-found fault), so that no caller can learn what
    exists outside its scope."""
    if not can_see(principal, customer, reseller):
        raise missing


def require_access(principal, customer, reseller, what):
    """For the few places where existence is already public (an alias
    target in another tenant's domain): refuse with 101."""
    if not can_see(principal, customer, reseller):
        raise denied('Permission denied: %s does not belong to %s'
                     % (what, principal))


def scope(principal, customer_col, reseller_col):
    """WHERE clauses limiting a listing to what the principal may see."""
    if principal.is_admin:
        return []
    if principal.is_reseller:
        return [reseller_col == principal.reseller_id]
    return [customer_col == principal.customer_id]


def can_access_customer(principal, row):
    """A customer record: the admin, its reseller, and the customer itself
    may read and change it in full."""
    return (principal.is_admin
            or (principal.is_reseller and row['reseller'] == principal.reseller_id)
            or row['id'] == principal.customer_id)


def require_customer_access(principal, row):
    if not can_access_customer(principal, row):
        raise customer_missing(row['id'])


def customer_missing(customer_id):
    return NGNProError(CUSTOMER_NOT_FOUND,
                       'Customer %d does not exist' % customer_id)


def require_can_create(principal, what):
    """An inactive reseller, the logins acting as it and its customers
    create nothing."""
    if not principal.is_admin and not principal.reseller_active:
        raise denied('Permission denied: reseller %d is not active, cannot '
                     'create %s' % (principal.reseller_id, what))


def assign_owner(conn, schema, principal, customer, reseller):
    """(customer, reseller) for a new or re-assigned top-level record
    (domain, zone, range, trusted peer), from what the client asked for.

    Admin may put it anywhere (reseller defaults to the customer's reseller);
    a reseller only under itself, to one of its customers; a customer only
    to itself."""
    customer = int(customer or 0)
    reseller = int(reseller or 0)
    if principal.is_admin:
        if customer:
            row = customer_row(conn, schema, customer)
            if reseller and reseller != row['reseller']:
                raise NGNProError(
                    INVALID_ARGUMENT, 'Customer %d belongs to reseller %d, not %d'
                    % (customer, row['reseller'], reseller))
            reseller = row['reseller']
        elif reseller and customer_row(conn, schema, reseller)['reseller'] \
                != reseller:
            raise NGNProError(INVALID_ARGUMENT,
                              'Customer %d is not a reseller' % reseller)
        return customer, reseller
    if principal.is_reseller:
        if reseller and reseller != principal.reseller_id:
            raise denied('Permission denied: cannot assign records to '
                         'reseller %d' % reseller)
        if customer:
            row = customer_row(conn, schema, customer)
            if row['reseller'] != principal.reseller_id:
                raise customer_missing(customer)
        return customer, principal.reseller_id
    if customer not in (0, principal.customer_id) or \
            reseller not in (0, principal.reseller_id):
        raise denied('Permission denied: cannot assign records to another '
                     'customer')
    return principal.customer_id, principal.reseller_id


def customer_row(conn, schema, customer_id):
    c = schema.customers.c
    row = conn.execute(select(c.id, c.reseller, c.impersonate)
                       .where(c.id == customer_id)).mappings().first()
    if row is None:
        raise customer_missing(customer_id)
    return row


def may_set_property(principal, target_id, target_reseller, permission):
    """admin: admin only; reseller: admin or the owning reseller; others:
    also the customer itself."""
    if principal.is_admin:
        return True
    if permission == ADMIN:
        return False
    if principal.is_reseller and target_reseller == principal.reseller_id:
        return True
    if permission == RESELLER:
        return False
    return target_id == principal.customer_id


def owner_id(conn, schema, principal, owner):
    """``owner`` of an account, alias, number or record: 0, or a customer
    the caller may assign records to (anyone for the admin, one the caller
    can see otherwise)."""
    owner = int(owner or 0)
    if not owner:
        return 0
    row = customer_row(conn, schema, owner)
    if not principal.is_admin and not can_see(principal, row['id'],
                                              row['reseller']):
        raise customer_missing(owner)
    return owner
