"""SIP accounts (spec §2.1, §3.4): credentials in Kamailio's subscriber
table (HA1/HA1B), groups in grp, properties and ACL in our own tables; the
customer/reseller of their domain (guide "Record Assignment")."""
import ipaddress
import re
from functools import lru_cache

from ngnpro import credits, names, rights
from ngnpro.faults import ACCOUNT_EXISTS, invalid
from ngnpro.store import customers
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.rows import column_name, to_wire
from ngnpro.store.sip import accounts as store
from ngnpro.store.sip import domains
from ngnpro.types.common import SipId
from ngnpro.types.sip import SipAccount, SipQuery, SipQueryResult
from ports.common import check_array, owner, search, unique

from . import features, lookup

AUTOINCREMENT = '<autoincrement>'
AUTOINCREMENT_START = 1000
_MD5_PAIR = re.compile(r'^[0-9a-fA-F]{32}:[0-9a-fA-F]{32}$')


def _store_clear_text(call, reseller):
    """Config default, overridden per reseller by its
    store_clear_text_passwords property."""
    flag = customers.property_flag(call.conn, call.schema, reseller,
        'store_clear_text_passwords')
    return call.config.store_clear_text_passwords if flag is None else flag


def _secret(call, username, domain, reseller, password):
    """Clear text -> HA1/HA1B (+ clear text if stored); 'md5:md5' -> the two
    digests as given (spec §3.4)."""
    if _MD5_PAIR.match(password):
        ha1, ha1b = password.lower().split(':')
        return {'password': '', 'ha1': ha1, 'ha1b': ha1b}, ''
    if len(password) > 64:   # Kamailio's subscriber.password is 64 wide
        raise invalid('A clear text SIP password has at most 64 characters')
    ha1, ha1b = store.ha1_pair(username, domain, password)
    clear = password if _store_clear_text(call, reseller) else ''
    return {'password': clear, 'ha1': ha1, 'ha1b': ha1b}, clear


ACCOUNT_TEXT = ('firstName', 'lastName', 'email', 'timezone', 'rpid',
                'quickdialPrefix', 'region')


def _account_values(call, account):
    v = {column_name(k): (getattr(account, k, None) or '').strip()
         for k in ACCOUNT_TEXT}
    for k in ('quota', 'callLimit'):     # bounds: ngnpro.types.sip
        v[column_name(k)] = getattr(account, k, None) or 0
    v['timeout'] = account.timeout if account.timeout is not None else 35
    v['prepaid'] = bool(account.prepaid)
    return v


def _groups_in(call, groups):
    out = []
    for g in check_array(call, groups, 'groups'):
        if not (g or '').strip():
            continue
        g = names.group_name(g)
        if g not in out:
            out.append(g)
    return out


def _properties_in(call, props):
    out = {}
    for p in check_array(call, props, 'properties'):
        name = names.property_name(getattr(p, 'name', None))
        out[names.property_key(name)] = {
            'name': name, 'value': getattr(p, 'value', None) or ''}
    return list(out.values())


def _acl_in(call, acl):
    out = []
    for a in check_array(call, acl, 'acl'):
        ip = (getattr(a, 'ip', None) or '').strip()
        mask = getattr(a, 'mask', None)
        mask = 32 if mask is None else mask
        try:
            ipaddress.IPv4Network('%s/%d' % (ip, mask), strict=False)
        except ValueError:
            raise invalid('Invalid ACL entry %s/%s' % (ip, mask))
        out.append({'ip': ip, 'mask': mask,
                    'tag': getattr(a, 'tag', None) or ''})
    return out


def _next_username(call, domain):
    best = domains.numeric_usernames_max(call.conn, call.schema, domain)
    return str(max(best + 1, AUTOINCREMENT_START))


def add_account(call, account):
    if account is None or account.id is None:
        raise invalid('account.id is required')
    domain = names.domain_name(account.id.domain, 'account.id.domain')
    raw_user = (account.id.username or '').strip()
    dom = lookup.visible_domain(call, domain)
    rights.require_can_create(call.principal, 'SIP accounts')
    if raw_user.lower() == AUTOINCREMENT:
        user = _next_username(call, domain)
    else:
        user = names.username(raw_user, 'account.id.username')
    # Existence first: an import replays exported accounts, whose password
    # is empty when clear text is not kept, and acts on 1011.
    lookup.address_free(call, user, domain, ACCOUNT_EXISTS)
    password = account.password or ''
    if not password:
        raise invalid('A password is required for a new SIP account')
    values = _account_values(call, account)
    groups = _groups_in(call, account.groups)
    properties = _properties_in(call, account.properties)
    acl = _acl_in(call, account.acl)
    features.check(call, dom, None, {'groups': groups,
                                     'quota': values['quota'],
                                     'prepaid': values['prepaid']})
    values.update(username=user, domain=domain, customer=dom['customer'],
                  reseller=dom['reseller'], owner=owner(call, account.owner))
    if not values['email']:
        values['email'] = '%s@%s' % (user, domain)
    secret, clear = _secret(call, user, domain, dom['reseller'], password)
    values['password'] = clear
    credits.consume(call.conn, call.schema, call.principal, 'sip_credit',
                    dom['customer'], dom['reseller'])
    with unique(ACCOUNT_EXISTS, 'SIP account %s@%s already exists'
                % (user, domain)):
        store.insert_account(call.conn, call.schema, values, secret, groups,
                             properties, acl)
    return _account_wire(call, store.account_row(call.conn, call.schema,
                                                 user, domain))


def update_account(call, account):
    if account is None or account.id is None:
        raise invalid('account.id is required')
    row = lookup.account(call, account.id, for_update=True)
    dom = lookup.domain(call, row['domain'])
    values = _account_values(call, account)
    values['owner'] = owner(call, account.owner)
    groups = None if account.groups is None else _groups_in(call,
                                                            account.groups)
    properties = None if account.properties is None else \
        _properties_in(call, account.properties)
    acl = None if account.acl is None else _acl_in(call, account.acl)
    before_groups = lookup.groups(call, row)
    after_groups = before_groups if groups is None else groups
    features.check(call, dom, features.state(row, before_groups),
                   features.state(row, after_groups, values['quota'],
                                  values['prepaid']))
    secret = None
    if account.password:  # absent or empty: keep the current password
        secret, values['password'] = _secret(
            call, row['username'], row['domain'], dom['reseller'],
            account.password)
    store.update_account(call.conn, call.schema, row, values, secret, groups,
                         properties, acl)


def delete_account(call, sip_id):
    row = lookup.account(call, sip_id, for_update=True)
    features.check_delete(call, lookup.groups(call, row))
    store.delete_account(call.conn, call.schema, row)


def _account_wires(call, rows):
    """Full SipAccount structs for many rows: groups, properties, ACL and
    HA1 in four queries whatever the page size."""
    pairs = [(r['username'], r['domain']) for r in rows]
    groups = store.groups_of(call.conn, call.schema, pairs)
    ids = [r['id'] for r in rows]
    props, acls = store.details_of(call.conn, call.schema, ids)
    ha1 = store.ha1_of(call.conn, call.schema, pairs)
    out = []
    for r in rows:
        key = (r['username'], r['domain'])
        w = to_wire(r, ('password',) + ACCOUNT_TEXT + (
            'quota', 'callLimit', 'prepaid', 'timeout', 'owner', 'customer',
            'reseller', 'changeDate', 'createDate'))
        w['id'] = {'username': r['username'], 'domain': r['domain']}
        w['ha1'] = ha1.get(key, '')
        w['groups'] = groups[key]
        w['properties'] = props[r['id']]
        w['acl'] = acls[r['id']]
        out.append(w)
    return out


def _account_wire(call, row):
    return _account_wires(call, [row])[0]


def get_account(call, sip_id):
    return _account_wire(call, lookup.account(call, sip_id))


def _wanted_groups(groups):
    return [names.group_name(g) for g in (groups or ()) if g and g.strip()]


@lru_cache(maxsize=None)
def _account_listing(schema):
    a = schema.sip_accounts.c
    filters = {m: (LIKE, getattr(a, column_name(m)))
               for m in ('username', 'domain', 'firstName', 'lastName',
                         'email')}
    filters.update(owner=(EQ, a.owner), customer=(EQ, a.customer),
                   reseller=(EQ, a.reseller))

    def groups_clause(groups):
        # filter.groups is [''] when the client does not filter (§5.7).
        wanted = _wanted_groups(groups)
        return store.in_all_groups(schema, wanted) if wanted else None

    return Listing(
        source=schema.sip_accounts, filters=filters,
        order={'changeDate': a.change_date, 'username': a.username,
               'domain': a.domain},
        default_order=('changeDate', 'DESC'), tiebreak=a.id,
        custom={'groups': groups_clause})


def get_accounts(call, query):
    check_array(call, _wanted_groups(getattr(
        getattr(query, 'filter', None), 'groups', None)), 'filter.groups')
    total, rows = search(call, _account_listing(call.schema), query)
    return {'total': total, 'accounts': _account_wires(call, rows)}



OPERATIONS = [
    ('addAccount', add_account, [('account', SipAccount)], SipAccount),
    ('updateAccount', update_account, [('account', SipAccount)], None),
    ('deleteAccount', delete_account, [('sipId', SipId)], None),
    ('getAccount', get_account, [('sipId', SipId)], SipAccount),
    ('getAccounts', get_accounts, [('query', SipQuery)], SipQueryResult),
]
