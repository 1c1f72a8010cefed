"""CustomerPort (spec §2.2): customers, resellers and their properties."""
from functools import lru_cache

from sqlalchemy import or_

from ngnpro import names, rights
from ngnpro.faults import (CUSTOMER_EXISTS, CUSTOMER_IN_USE,
                           CUSTOMER_NOT_FOUND, NGNProError, denied, invalid)
from ngnpro.store import customers as store
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.rows import column_name
from ngnpro.types.common import BigInt, CustomerPropertyArray
from ngnpro.types.customer import (CUSTOMER_FILTER_STRINGS, CustomerAccount,
                                   CustomerQuery, CustomerQueryResult)
from ports.common import check_array, members_of, search, service, unique

MEMBERS = tuple(m for m in CustomerAccount._type_info if m != 'properties')
# Members only the administrator (or, for their customers, a reseller) sets.
GUARDED_FROM_CUSTOMER = ('reseller', 'impersonate', 'resellerActive',
                         'balance', 'credit')


def _not_found(customer_id):
    return NGNProError(CUSTOMER_NOT_FOUND,
                       'Customer %s does not exist' % customer_id)


def _load(call, customer_id):
    if not customer_id:
        raise invalid('Customer id is required')
    r = store.row(call.conn, call.schema, customer_id)
    if r is None:
        raise _not_found(customer_id)
    return r


def _properties_in(call, props):
    props = check_array(call, props, 'properties')
    out = {}
    for p in props:
        name = names.property_name(p.name if p is not None else None)
        # One property per name, whatever the case: the last one sent wins.
        out[names.property_key(name)] = rights.known_property(
            {'name': name, 'value': p.value or '',
             'category': p.category or '', 'permission': p.permission or ''})
    return list(out.values())


def _check_property_changes(call, target_id, target_reseller, old, new):
    """Refuse when the caller adds, removes or edits a property whose
    permission it lacks (guide: property permissions)."""
    # Stored rows normalised too: rows written before a name became known.
    old = {names.property_key(p['name']): rights.known_property(p)
           for p in old}
    new = {names.property_key(p['name']): p for p in new}
    for name in set(old) | set(new):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        for p in (before, after):
            if p is not None and not rights.may_set_property(
                    call.principal, target_id, target_reseller,
                    p['permission']):
                raise denied('Permission denied: property %s (permission %s) '
                             'cannot be changed by %s'
                             % (name, p['permission'], call.principal))


def _values(account):
    v = members_of(account, MEMBERS)
    v['username'] = names.customer_username(v.get('username'))
    v['resellerActive'] = bool(v.get('resellerActive'))
    for k in ('reseller', 'impersonate'):
        v[k] = int(v.get(k) or 0)
    for k in ('balance', 'credit'):
        v[k] = float(v.get(k) or 0)
    for k in MEMBERS:
        if v.get(k) is None:
            v[k] = ''
    return v


def _username_free(call, username, own_id=None):
    other = store.id_by_username(call.conn, call.schema, username)
    if other is not None and other != own_id:
        raise NGNProError(CUSTOMER_EXISTS,
                          'Customer username %s already exists' % username)


def _wire(call, r, props, reveal=True):
    out = store.as_wire(r, MEMBERS, props)
    if not reveal:
        out['password'] = ''
    return out


def add_account(call, account):
    if account is None:
        raise invalid('account is required')
    p = call.principal
    v = _values(account)
    props = _properties_in(call, account.properties)
    if p.is_admin:
        if v['reseller']:
            boss = store.row(call.conn, call.schema, v['reseller'])
            if boss is None or boss['id'] != boss['reseller']:
                raise _not_found('reseller %d' % v['reseller'])
    elif p.is_reseller:
        rights.require_can_create(p, 'customers')
        if v['reseller'] not in (0, p.reseller_id):
            raise denied('Permission denied: only the administrator may '
                         'create customers of another reseller')
        v['reseller'] = p.reseller_id
        if v['impersonate'] not in (0, p.reseller_id):
            raise denied('Permission denied: impersonate must be 0 or %d'
                         % p.reseller_id)
        v['resellerActive'] = False
    else:
        raise denied('Permission denied: customers cannot create customers')
    _username_free(call, v['username'])
    if not p.is_admin:
        _check_property_changes(call, None, v['reseller'], [], props)
    with unique(CUSTOMER_EXISTS, 'Customer username %s already exists'
                % v['username']):
        new_id = store.insert_customer(call.conn, call.schema, v, MEMBERS)
    if not v['reseller']:
        # No reseller given: the customer becomes a reseller of its own.
        store.make_reseller(call.conn, call.schema, new_id)
    store.write_properties(call.conn, call.schema, new_id, props, replace=True)
    return get_account(call, new_id)


def update_account(call, account):
    if account is None:
        raise invalid('account is required')
    p = call.principal
    r = _load(call, account.id)
    rights.require_customer_access(p, r)
    v = _values(account)
    if not v['password']:
        v['password'] = r['password']  # empty password keeps the current one
    current = store.as_wire(r, MEMBERS, [])
    for k in GUARDED_FROM_CUSTOMER:
        if getattr(account, k, None) is None:
            v[k] = current[k]
    if not p.is_admin:
        changed = [k for k in ('reseller', 'resellerActive')
                   if v[k] != current[k]]
        if not (p.is_reseller and r['id'] != p.reseller_id):
            changed += [k for k in ('impersonate', 'balance', 'credit')
                        if v[k] != current[k]]
        elif v['impersonate'] not in (0, r['id'], p.reseller_id):
            changed.append('impersonate')
        if changed:
            raise denied('Permission denied: %s cannot change %s'
                         % (p, ', '.join(changed)))
    elif v['reseller'] != r['reseller'] and v['reseller'] != r['id']:
        boss = store.row(call.conn, call.schema, v['reseller'])
        if boss is None or boss['id'] != boss['reseller']:
            raise _not_found('reseller %d' % v['reseller'])
    if not v['reseller']:
        v['reseller'] = r['id']
    if v['reseller'] != r['reseller']:
        if r['id'] == r['reseller'] and store.has_customers(
                call.conn, call.schema, r['id']):
            raise invalid('Reseller %d still has customers: move them to '
                          'another reseller first' % r['id'])
        store.move_records(call.conn, call.schema, r['id'], v['reseller'])
    _username_free(call, v['username'], own_id=r['id'])
    if account.properties is not None:
        props = _properties_in(call, account.properties)
        old = store.properties(call.conn, call.schema, [r['id']])[r['id']]
        _check_property_changes(call, r['id'], r['reseller'], old, props)
        store.write_properties(call.conn, call.schema, r['id'], props,
                               replace=True)
    store.update_customer(call.conn, call.schema, r['id'], v, MEMBERS)


def delete_account(call, customer_id):
    p = call.principal
    r = _load(call, customer_id)
    rights.require_customer_access(p, r)
    if not p.is_admin and not (p.is_reseller and r['reseller'] == p.reseller_id
                               and r['id'] != p.reseller_id):
        raise denied('Permission denied: %s cannot delete customer %d'
                     % (p, r['id']))
    refs = store.references(call.conn, call.schema, r['id'])
    if refs:
        raise NGNProError(CUSTOMER_IN_USE, 'Customer %d still owns records '
                          '(%s): delete or reassign them first'
                          % (r['id'], ', '.join(refs)))
    store.delete_customer(call.conn, call.schema, r['id'])


def get_account(call, customer_id):
    r = _load(call, customer_id)
    rights.require_customer_access(call.principal, r)
    props = store.properties(call.conn, call.schema, [r['id']])[r['id']]
    return _wire(call, r, props)


@lru_cache(maxsize=None)
def _listing(schema):
    c = schema.customers.c
    filters = {m: (LIKE, getattr(c, column_name(m)))
               for m in CUSTOMER_FILTER_STRINGS}
    filters.update(customer=(EQ, c.id), reseller=(EQ, c.reseller))
    order = {'changeDate': c.change_date, 'username': c.username,
             'firstName': c.first_name, 'lastName': c.last_name,
             'organization': c.organization, 'customer': c.id}
    return Listing(source=schema.customers,
                   filters=filters, order=order,
                   default_order=('changeDate', 'DESC'), tiebreak=c.id,
                   custom={'only_resellers': lambda v: (
                       c.id == c.reseller) if _truthy(v) else None})


def _truthy(value):
    return (value or '').strip().lower() not in ('', '0', 'false', 'no')


def _search(call, query, resellers_only):
    p = call.principal
    c = call.schema.customers.c
    flt = query.filter if query is not None else None
    wanted = getattr(flt, 'customer', None) or 0
    scope = []
    if resellers_only and not wanted:
        # getResellers with filter.customer returns that customer even when
        # it is not a reseller: the client's login-account lookup (§5.14).
        scope.append(c.id == c.reseller)
    if not p.is_admin:
        if p.is_reseller:
            allowed = c.reseller == p.reseller_id
        else:
            allowed = c.id == p.customer_id
        if resellers_only:
            # A login may read its own reseller's record (the client reads
            # the reseller's properties); its password stays hidden.
            allowed = or_(allowed, c.id == p.reseller_id)
        scope.append(allowed)
    total, rows = search(call, _listing(call.schema), query, scope)
    props = store.properties(call.conn, call.schema, [r['id'] for r in rows])
    accounts = [_wire(call, r, props[r['id']],
                      reveal=rights.can_access_customer(p, r)) for r in rows]
    return {'total': total, 'accounts': accounts}


def set_properties(call, customer_id, properties):
    r = _load(call, customer_id)
    rights.require_customer_access(call.principal, r)
    props = _properties_in(call, properties)
    old = {names.property_key(x['name']): x for x in store.properties(
        call.conn, call.schema, [r['id']])[r['id']]}
    keys = [names.property_key(x['name']) for x in props]
    _check_property_changes(call, r['id'], r['reseller'],
                            [old[k] for k in keys if k in old], props)
    store.write_properties(call.conn, call.schema, r['id'], props,
                           replace=False)


def get_properties(call, customer_id):
    r = _load(call, customer_id)
    rights.require_customer_access(call.principal, r)
    return store.properties(call.conn, call.schema, [r['id']])[r['id']]


def get_customers(call, query):
    return _search(call, query, resellers_only=False)


def get_resellers(call, query):
    return _search(call, query, resellers_only=True)


CustomerPort = service('CustomerPort', [
    ('addAccount', add_account, [('account', CustomerAccount)],
     CustomerAccount),
    ('updateAccount', update_account, [('account', CustomerAccount)], None),
    ('deleteAccount', delete_account, [('id', BigInt)], None),
    ('getAccount', get_account, [('id', BigInt)], CustomerAccount),
    ('getCustomers', get_customers, [('query', CustomerQuery)],
     CustomerQueryResult),
    ('getResellers', get_resellers, [('query', CustomerQuery)],
     CustomerQueryResult),
    ('setProperties', set_properties,
     [('customer', BigInt), ('properties', CustomerPropertyArray)], None),
    ('getProperties', get_properties, [('customer', BigInt)],
     CustomerPropertyArray),
])
