"""SipPort (spec §2.1): domains, trusted peers, accounts, aliases, groups.

Records carry the customer/reseller of their SIP domain (guide "Record
Assignment"); every write also lands in Kamailio's own tables (ngnpro.store.sip).
"""
import ipaddress
import re
from functools import lru_cache

from ngnpro import credits, rights
from ngnpro.faults import (ACCOUNT_EXISTS, ACCOUNT_NOT_FOUND, ALIAS_EXISTS,
                           ALIAS_NOT_FOUND, ALREADY_IN_GROUP, DOMAIN_EXISTS,
                           DOMAIN_NOT_FOUND, NOT_IN_GROUP, PEER_EXISTS,
                           PEER_NOT_FOUND, NGNProError, denied, invalid)
from ngnpro.live import schedule_reload
from ngnpro.store import customers
from ngnpro.store import sip as store
from ngnpro.store.query import BOOL, EQ, LIKE, Listing
from ngnpro.store.rows import column_name, to_wire
from ngnpro.types.common import SipId, String, StringArray
from ngnpro.types.sip import (AliasQuery, AliasQueryResult, SipAccount,
                              SipAlias, SipDomain, SipDomainQuery,
                              SipDomainQueryResult, SipQuery, SipQueryResult,
                              TrustedPeer, TrustedPeerQuery,
                              TrustedPeerQueryResult)
from ports.common import check_array, search, service, unique

AUTOINCREMENT = '<autoincrement>'
AUTOINCREMENT_START = 1000
_MD5_PAIR = re.compile(r'^[0-9a-fA-F]{32}:[0-9a-fA-F]{32}$')
_NAME = re.compile(r'^[a-z0-9._~+=$,;?/!*\'()&%-]+$')   # SIP user part
_DOMAIN = re.compile(r'^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*'
                     r'[a-z0-9])?)*$')
PSTN_GROUP = 'free-pstn'
# Groups with a meaning beyond routing (guide, SIP account groups): lawful
# intercept is internal; blocked is an administrative block; quota is the
# rating engine's PSTN block; prepaid mirrors the prepaid flag.
INTERCEPT_GROUP, BLOCKED_GROUP = 'intercept', 'blocked'
QUOTA_GROUP, PREPAID_GROUP = 'quota', 'prepaid'


# -- shared checks ---------------------------------------------------------

def _lower_name(value, what, pattern, kind):
    """SIP names are stored lower-case (the client lower-cases them too)."""
    name = (value or '').strip().lower()
    if not name:
        raise invalid('%s is required' % what)
    if len(name) > 64 or not pattern.match(name):
        raise invalid('Invalid SIP %s %r' % (kind, value))
    return name


def _domain_name(value, what='domain'):
    return _lower_name(value, what, _DOMAIN, 'domain')


def _username(value, what='username'):
    return _lower_name(value, what, _NAME, 'username')


def _sip_id(sip_id, what='sipId'):
    if sip_id is None:
        raise invalid('%s is required' % what)
    return (_username(sip_id.username, what + '.username'),
            _domain_name(sip_id.domain, what + '.domain'))


def _domain(call, name, for_update=False):
    row = store.domain_row(call.conn, call.schema, name, for_update)
    if row is None:
        raise NGNProError(DOMAIN_NOT_FOUND, 'SIP domain %s does not exist'
                          % name)
    return row


def _visible_domain(call, name, for_update=False):
    row = _domain(call, name, for_update)
    rights.require_access(call.principal, row['customer'], row['reseller'],
                          'SIP domain %s' % name)
    return row


def _account(call, sip_id, for_update=False):
    user, dom = _sip_id(sip_id)
    row = store.account_row(call.conn, call.schema, user, dom, for_update)
    if row is None:
        raise NGNProError(ACCOUNT_NOT_FOUND, 'SIP account %s@%s does not '
                          'exist' % (user, dom))
    rights.require_access(call.principal, row['customer'], row['reseller'],
                          'SIP account %s@%s' % (user, dom))
    return row


def _owner(call, owner):
    """``owner`` must be 0 or a customer the caller may assign records to:
    anyone for admin, one the caller can see otherwise."""
    owner = int(owner or 0)
    if not owner:
        return 0
    row = rights.customer_row(call.conn, call.schema, owner)
    p = call.principal
    if p.is_admin:
        return owner
    if not rights.can_see(p, row['id'], row['reseller']):
        raise denied('Permission denied: customer %d is not yours to assign '
                     'as owner' % owner)
    return owner


def _property_flag(call, customer_id, name):
    """A yes/no customer property: True, False, or None when not set."""
    value = customers.property_value(call.conn, call.schema, customer_id,
                                     name)
    if value is None or not value.strip():
        return None
    return value.strip().lower() in ('1', 'yes', 'true', 'on')


def _reseller_flag(call, reseller, name):
    """A reseller property that gates PSTN features (unset = not allowed)."""
    return _property_flag(call, reseller, name) is True


def _check_reserved_groups(call, before, after):
    changed = set(after['groups']) ^ set(before['groups'] if before else ())
    if INTERCEPT_GROUP in changed:
        raise denied('Permission denied: group %s is reserved to the '
                     'administrator' % INTERCEPT_GROUP)
    if before and not call.principal.is_reseller and \
            BLOCKED_GROUP in set(before['groups']) - set(after['groups']):
        raise denied('Permission denied: only the reseller or the '
                     'administrator can lift a block (group %s)'
                     % BLOCKED_GROUP)


def _check_pstn(call, domain_row, before, after):
    """PSTN features on accounts of a customer's domain obey the reseller's
    pstn_access / pstn_changes / prepaid_changes (guide: "Conventions for
    resellers"); reserved groups are not for customers to change. ``before``
    is None on create."""
    if call.principal.is_admin:
        return
    _check_reserved_groups(call, before, after)
    if not domain_row['customer']:
        return
    reseller = domain_row['reseller']
    pstn_after = PSTN_GROUP in after['groups'] or after['quota'] > 0
    if before is None:
        if (pstn_after or after['prepaid']) and not _reseller_flag(
                call, reseller, 'pstn_access'):
            raise denied('Permission denied: reseller %d has no pstn_access; '
                         'cannot create accounts with PSTN access' % reseller)
        return
    def moved(group):
        return (group in before['groups']) != (group in after['groups'])
    if (before['prepaid'] != after['prepaid'] or moved(PREPAID_GROUP)) and \
            not _reseller_flag(call, reseller, 'prepaid_changes'):
        raise denied('Permission denied: reseller %d may not change prepaid '
                     '(prepaid_changes)' % reseller)
    pstn_before = PSTN_GROUP in before['groups']
    if moved(PSTN_GROUP) or moved(QUOTA_GROUP) or \
            before['quota'] != after['quota']:
        if not _reseller_flag(call, reseller, 'pstn_changes'):
            raise denied('Permission denied: reseller %d may not change PSTN '
                         'access or quota (pstn_changes)' % reseller)
        if PSTN_GROUP in after['groups'] and not pstn_before and \
                not _reseller_flag(call, reseller, 'pstn_access'):
            raise denied('Permission denied: reseller %d has no pstn_access'
                         % reseller)


def _pstn_state(row, groups, quota=None, prepaid=None):
    """What _check_pstn compares: an account's groups, quota and prepaid."""
    return {'groups': groups,
            'quota': row['quota'] if quota is None else quota,
            'prepaid': bool(row['prepaid'] if prepaid is None else prepaid)}


def _groups(call, row):
    key = (row['username'], row['domain'])
    return store.groups_of(call.conn, call.schema, [key])[key]


def _store_clear_text(call, reseller):
    """Config default, overridden per reseller by its
    store_clear_text_passwords property."""
    flag = _property_flag(call, reseller, 'store_clear_text_passwords')
    return call.config.store_clear_text_passwords if flag is None else flag


def _secret(call, username, domain, reseller, password):
    """Clear text -> HA1/HA1B (+ clear text if stored); 'md5:md5' -> the two
    digests as given (spec §3.4)."""
    if _MD5_PAIR.match(password):
        ha1, ha1b = password.lower().split(':')
        return {'password': '', 'ha1': ha1, 'ha1b': ha1b}, ''
    ha1, ha1b = store.ha1_pair(username, domain, password)
    clear = password if _store_clear_text(call, reseller) else ''
    return {'password': clear, 'ha1': ha1, 'ha1b': ha1b}, clear


# -- domains ---------------------------------------------------------------

DOMAIN_FIELDS = ('certificate', 'private_key', 'match_ip_address',
                 'match_sip_domain')


def _domain_values(domain):
    v = {k: getattr(domain, k, None) or '' for k in DOMAIN_FIELDS}
    v['verify_cert'] = bool(domain.verify_cert)
    v['require_cert'] = bool(domain.require_cert)
    return v


def add_domain(call, domain):
    if domain is None:
        raise invalid('domain is required')
    name = _domain_name(domain.domain)
    rights.require_can_create(call.principal, 'SIP domains')
    if not call.principal.is_admin and not call.principal.is_reseller:
        raise denied('Permission denied: customers cannot create SIP domains')
    if store.domain_row(call.conn, call.schema, name) is not None:
        raise NGNProError(DOMAIN_EXISTS, 'SIP domain %s already exists' % name)
    customer, reseller = rights.assign_owner(
        call.conn, call.schema, call.principal, domain.customer,
        domain.reseller)
    with unique(DOMAIN_EXISTS, 'SIP domain %s already exists' % name):
        store.insert_domain(call.conn, call.schema, dict(
            _domain_values(domain), domain=name, customer=customer,
            reseller=reseller))
    schedule_reload(call, 'domain.reload')


def update_domain(call, domain):
    if domain is None:
        raise invalid('domain is required')
    # Locked before any credit row: the lock order autoincrement uses too.
    row = _visible_domain(call, _domain_name(domain.domain), for_update=True)
    p = call.principal
    reseller = domain.reseller if p.is_admin else row['reseller']
    customer, reseller = rights.assign_owner(
        call.conn, call.schema, p, domain.customer, reseller)
    if not p.is_admin and not p.is_reseller:
        customer, reseller = row['customer'], row['reseller']
    _charge_move(call, row, customer, reseller)
    store.update_domain(call.conn, call.schema, row['domain'], dict(
        _domain_values(domain), customer=customer, reseller=reseller))


def _charge_move(call, row, customer, reseller):
    """Accounts and aliases follow their domain to a new owner, who must
    have the credit for them (the old owner gets it back)."""
    new_customer = customer if customer != row['customer'] else None
    new_reseller = reseller if reseller != row['reseller'] else None
    if not (new_customer or new_reseller):
        return
    for credit, count in (
            ('sip_credit', store.count_in_domain(
                call.conn, call.schema.sip_accounts, row['domain'])),
            ('sip_alias_credit', store.count_in_domain(
                call.conn, call.schema.sip_aliases, row['domain']))):
        if count:
            credits.consume(call.conn, call.schema, call.principal, credit,
                            new_customer, new_reseller, count)


def delete_domain(call, domain):
    row = _visible_domain(call, _domain_name(domain))
    if not call.principal.is_admin and not call.principal.is_reseller:
        raise denied('Permission denied: customers cannot delete SIP domains')
    store.delete_domain(call.conn, call.schema, row['domain'])
    schedule_reload(call, 'domain.reload')


def _domain_wire(r):
    out = to_wire(r, ('domain', 'customer', 'reseller', 'changeDate')
                  + DOMAIN_FIELDS + ('verify_cert', 'require_cert'))
    for k in DOMAIN_FIELDS:
        out[k] = out[k] or ''
    return out


@lru_cache(maxsize=None)
def _domain_listing(schema):
    d = schema.sip_domains.c
    return Listing(
        source=schema.sip_domains,
        filters={'domain': (LIKE, d.domain), 'customer': (EQ, d.customer),
                 'reseller': (EQ, d.reseller)},
        order={'changeDate': d.change_date, 'domain': d.domain},
        default_order=('changeDate', 'DESC'), tiebreak=d.id)


def get_domains(call, query):
    total, rows = search(call, _domain_listing(call.schema), query)
    return {'total': total, 'domains': [_domain_wire(r) for r in rows]}


# -- accounts --------------------------------------------------------------

ACCOUNT_TEXT = ('firstName', 'lastName', 'email', 'timezone', 'rpid',
                'quickdialPrefix', 'region')


def _account_values(call, account):
    v = {column_name(k): (getattr(account, k, None) or '').strip()
         for k in ACCOUNT_TEXT}
    for k in ('quota', 'callLimit'):
        value = getattr(account, k, None) or 0
        if value < 0:
            raise invalid('%s must not be negative' % k)
        v[column_name(k)] = value
    v['timeout'] = account.timeout if account.timeout is not None else 35
    if not 0 <= v['timeout'] <= 86400:
        raise invalid('timeout must be between 0 and 86400 seconds')
    v['prepaid'] = bool(account.prepaid)
    return v


def _groups_in(call, groups):
    out = []
    for g in check_array(call, groups, 'groups'):
        g = (g or '').strip()
        if not g:
            continue
        if len(g) > 64:
            raise invalid('Group name %r is longer than 64 characters' % g)
        if g not in out:
            out.append(g)
    return out


def _properties_in(call, props):
    out = []
    for p in check_array(call, props, 'properties'):
        name = (getattr(p, 'name', None) or '').strip()
        if not name:
            raise invalid('Every property needs a name')
        out.append({'name': name, 'value': getattr(p, 'value', None) or ''})
    return out


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
                    'tag': (getattr(a, 'tag', None) or '')[:64]})
    return out


def _address_free(call, user, domain, code):
    """An address is either an account or an alias, never both."""
    if store.account_row(call.conn, call.schema, user, domain) is not None:
        raise NGNProError(code, 'SIP account %s@%s already exists'
                          % (user, domain))
    if store.alias_row(call.conn, call.schema, user, domain) is not None:
        raise NGNProError(code, 'SIP alias %s@%s already exists'
                          % (user, domain))


def _next_username(call, domain):
    best = store.numeric_usernames_max(call.conn, call.schema, domain)
    return str(max(best + 1, AUTOINCREMENT_START))


def add_account(call, account):
    if account is None or account.id is None:
        raise invalid('account.id is required')
    domain = _domain_name(account.id.domain, 'account.id.domain')
    raw_user = (account.id.username or '').strip()
    dom = _visible_domain(call, domain)
    rights.require_can_create(call.principal, 'SIP accounts')
    if raw_user.lower() == AUTOINCREMENT:
        user = _next_username(call, domain)
    else:
        user = _username(raw_user, 'account.id.username')
    # Existence first: an import replays exported accounts, whose password
    # is empty when clear text is not kept, and acts on 1011.
    _address_free(call, user, domain, ACCOUNT_EXISTS)
    password = account.password or ''
    if not password:
        raise invalid('A password is required for a new SIP account')
    values = _account_values(call, account)
    groups = _groups_in(call, account.groups)
    properties = _properties_in(call, account.properties)
    acl = _acl_in(call, account.acl)
    _check_pstn(call, dom, None, {'groups': groups, 'quota': values['quota'],
                                  'prepaid': values['prepaid']})
    values.update(username=user, domain=domain, customer=dom['customer'],
                  reseller=dom['reseller'], owner=_owner(call, account.owner))
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
    row = _account(call, account.id, for_update=True)
    dom = _domain(call, row['domain'])
    values = _account_values(call, account)
    values['owner'] = _owner(call, account.owner)
    groups = None if account.groups is None else _groups_in(call,
                                                            account.groups)
    properties = None if account.properties is None else \
        _properties_in(call, account.properties)
    acl = None if account.acl is None else _acl_in(call, account.acl)
    before_groups = _groups(call, row)
    _check_pstn(call, dom, _pstn_state(row, before_groups),
                _pstn_state(row, before_groups if groups is None else groups,
                            values['quota'], values['prepaid']))
    secret = None
    if account.password:  # absent or empty: keep the current password
        secret, values['password'] = _secret(
            call, row['username'], row['domain'], dom['reseller'],
            account.password)
    store.update_account(call.conn, call.schema, row, values, secret, groups,
                         properties, acl)


def delete_account(call, sip_id):
    row = _account(call, sip_id, for_update=True)
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
    return _account_wire(call, _account(call, sip_id))


def _wanted_groups(groups):
    return [g.strip() for g in (groups or ()) if g and g.strip()]


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


# -- groups ----------------------------------------------------------------

def _group_name(group):
    group = (group or '').strip()
    if not group or len(group) > 64:
        raise invalid('A group name of 1 to 64 characters is required')
    return group


def _change_group(call, sip_id, group, add):
    row = _account(call, sip_id, for_update=True)
    group = _group_name(group)
    user, dom = row['username'], row['domain']
    member = store.in_group(call.conn, call.schema, user, dom, group)
    if add and member:
        raise NGNProError(ALREADY_IN_GROUP, 'SIP account %s@%s is already in '
                          'group %s' % (user, dom, group))
    if not add and not member:
        raise NGNProError(NOT_IN_GROUP, 'SIP account %s@%s is not in group %s'
                          % (user, dom, group))
    if not call.principal.is_admin:
        before = _groups(call, row)
        after = [g for g in before if g != group] + ([group] if add else [])
        _check_pstn(call, _domain(call, dom), _pstn_state(row, before),
                    _pstn_state(row, after))
    (store.add_group if add else store.remove_group)(
        call.conn, call.schema, user, dom, group)


def add_to_group(call, sip_id, group):
    _change_group(call, sip_id, group, add=True)


def remove_from_group(call, sip_id, group):
    _change_group(call, sip_id, group, add=False)


def get_groups(call, sip_id):
    return _groups(call, _account(call, sip_id))


# -- aliases ---------------------------------------------------------------

def _alias_values(call, alias):
    if alias.target is None:
        raise invalid('alias.target is required')
    tuser, tdom = _sip_id(alias.target, 'alias.target')
    # A target elsewhere is a plain SIP address; a target in a domain served
    # here must be one the caller can see.
    target_dom = store.domain_row(call.conn, call.schema, tdom)
    if target_dom is not None:
        rights.require_access(call.principal, target_dom['customer'],
                              target_dom['reseller'], 'SIP domain %s' % tdom)
    return {'target_username': tuser, 'target_domain': tdom,
            'owner': _owner(call, alias.owner)}


def _alias(call, sip_id):
    user, dom = _sip_id(sip_id, 'id')
    row = store.alias_row(call.conn, call.schema, user, dom)
    if row is None:
        raise NGNProError(ALIAS_NOT_FOUND, 'SIP alias %s@%s does not exist'
                          % (user, dom))
    rights.require_access(call.principal, row['customer'], row['reseller'],
                          'SIP alias %s@%s' % (user, dom))
    return row


def add_alias(call, alias):
    if alias is None:
        raise invalid('alias is required')
    user, domain = _sip_id(alias.id, 'alias.id')
    dom = _visible_domain(call, domain)
    rights.require_can_create(call.principal, 'SIP aliases')
    _address_free(call, user, domain, ALIAS_EXISTS)
    values = _alias_values(call, alias)
    if (values['target_username'], values['target_domain']) == (user, domain):
        raise invalid('An alias cannot point to itself')
    credits.consume(call.conn, call.schema, call.principal,
                    'sip_alias_credit', dom['customer'], dom['reseller'])
    values.update(username=user, domain=domain, customer=dom['customer'],
                  reseller=dom['reseller'])
    with unique(ALIAS_EXISTS, 'SIP alias %s@%s already exists'
                % (user, domain)):
        store.insert_alias(call.conn, call.schema, values)


def update_alias(call, alias):
    if alias is None:
        raise invalid('alias is required')
    row = _alias(call, alias.id)
    values = _alias_values(call, alias)
    store.update_alias(call.conn, call.schema, row, values)


def delete_alias(call, sip_id):
    store.delete_alias(call.conn, call.schema, _alias(call, sip_id))


def get_alias(call, sip_id):
    return store.alias_wire(_alias(call, sip_id))


@lru_cache(maxsize=None)
def _alias_listing(schema):
    al = schema.sip_aliases.c
    return Listing(
        source=schema.sip_aliases,
        filters={'aliasUsername': (LIKE, al.username),
                 'aliasDomain': (LIKE, al.domain),
                 'targetUsername': (LIKE, al.target_username),
                 'targetDomain': (LIKE, al.target_domain),
                 'owner': (EQ, al.owner), 'customer': (EQ, al.customer),
                 'reseller': (EQ, al.reseller)},
        order={'changeDate': al.change_date, 'aliasUsername': al.username,
               'aliasDomain': al.domain,
               'targetUsername': al.target_username,
               'targetDomain': al.target_domain},
        default_order=('changeDate', 'DESC'), tiebreak=al.id)


def get_aliases(call, query):
    total, rows = search(call, _alias_listing(call.schema), query)
    return {'total': total, 'aliases': [store.alias_wire(r) for r in rows]}


# -- trusted peers ---------------------------------------------------------

PEER_TEXT = ('protocol', 'tag', 'description', 'tenant', 'authToken',
             'carrierName', 'originator', 'prefix', 'tags', 'billingId')
PEER_INT = ('callLimit', 'strip', 'blocked')
PEER_BOOL = ('msteams', 'prepaid', 'enumLookup', 'transit')


def _peer_ip(value):
    text = (value or '').strip()
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise invalid('Invalid trusted peer IP address %r' % value)
    # One spelling per peer: 192.0.2.1, 192.0.2.1/32 and
    # 192.0.2.1/255.255.255.255 are the same Kamailio address row.
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


def _peer_values(call, peer):
    v = {column_name(k): (getattr(peer, k, None) or '') for k in PEER_TEXT}
    v['protocol'] = (v['protocol'] or 'any').lower()
    if v['protocol'] not in ('any', 'udp', 'tcp', 'tls', 'sctp', 'ws', 'wss'):
        raise invalid('Invalid trusted peer protocol %r' % peer.protocol)
    for k in PEER_INT:
        v[column_name(k)] = getattr(peer, k, None) or 0
    for k in PEER_BOOL:
        v[column_name(k)] = bool(getattr(peer, k, None))
    return v


def _peer(call, ip):
    row = store.peer_row(call.conn, call.schema, _peer_ip(ip))
    if row is None:
        raise NGNProError(PEER_NOT_FOUND, 'Trusted peer %s does not exist'
                          % ip)
    rights.require_access(call.principal, row['customer'], row['reseller'],
                          'trusted peer %s' % ip)
    return row


def add_trusted_peer(call, peer):
    if peer is None:
        raise invalid('peer is required')
    ip = _peer_ip(peer.ip)
    p = call.principal
    rights.require_can_create(p, 'trusted peers')
    if not p.is_admin and not p.is_reseller:
        raise denied('Permission denied: customers cannot create trusted '
                     'peers')
    if store.peer_row(call.conn, call.schema, ip) is not None:
        raise NGNProError(PEER_EXISTS, 'Trusted peer %s already exists' % ip)
    customer, reseller = rights.assign_owner(call.conn, call.schema, p,
                                             peer.customer, peer.reseller)
    values = _peer_values(call, peer)
    values.update(ip=ip, customer=customer, reseller=reseller,
                  owner=_owner(call, peer.owner))
    with unique(PEER_EXISTS, 'Trusted peer %s already exists' % ip):
        store.insert_peer(call.conn, call.schema, values)
    schedule_reload(call, 'permissions.addressReload')


def update_trusted_peer(call, peer):
    if peer is None:
        raise invalid('peer is required')
    row = _peer(call, peer.ip)
    p = call.principal
    if not p.is_admin and not p.is_reseller:
        raise denied('Permission denied: customers cannot change trusted '
                     'peers')
    # The client's edit form sends customer/owner on add only: absent means
    # unchanged, not 0.
    def given(member):
        value = getattr(peer, member, None)
        return row[member] if value is None else value
    customer, reseller = rights.assign_owner(
        call.conn, call.schema, p, given('customer'),
        given('reseller') if p.is_admin else row['reseller'])
    values = _peer_values(call, peer)
    values.update(ip=row['ip'], customer=customer, reseller=reseller,
                  owner=_owner(call, given('owner')))
    store.update_peer(call.conn, call.schema, row, values)
    schedule_reload(call, 'permissions.addressReload')


def delete_trusted_peer(call, ip):
    row = _peer(call, ip)
    if not call.principal.is_admin and not call.principal.is_reseller:
        raise denied('Permission denied: customers cannot delete trusted '
                     'peers')
    store.delete_peer(call.conn, call.schema, row)
    schedule_reload(call, 'permissions.addressReload')


PEER_MEMBERS = ('ip', 'customer', 'reseller', 'owner', 'changeDate') + \
    PEER_TEXT + PEER_INT + PEER_BOOL


@lru_cache(maxsize=None)
def _peer_listing(schema):
    t = schema.trusted_peers.c
    return Listing(
        source=schema.trusted_peers,
        filters={'ip': (LIKE, t.ip), 'description': (LIKE, t.description),
                 'tenant': (LIKE, t.tenant), 'tags': (LIKE, t.tags),
                 'billingId': (LIKE, t.billing_id), 'msteams': (BOOL, t.msteams),
                 'blocked': (EQ, t.blocked), 'customer': (EQ, t.customer),
                 'reseller': (EQ, t.reseller)},
        order={'description': t.description, 'changeDate': t.change_date,
               'ip': t.ip},
        default_order=('description', 'ASC'), tiebreak=t.id)


def get_trusted_peers(call, query):
    total, rows = search(call, _peer_listing(call.schema), query)
    return {'total': total, 'peers': [to_wire(r, PEER_MEMBERS) for r in rows]}


SipPort = service('SipPort', [
    ('addDomain', add_domain, [('domain', SipDomain)], None),
    ('updateDomain', update_domain, [('domain', SipDomain)], None),
    ('deleteDomain', delete_domain, [('domain', String)], None),
    ('getDomains', get_domains, [('query', SipDomainQuery)],
     SipDomainQueryResult),
    ('addTrustedPeer', add_trusted_peer, [('peer', TrustedPeer)], None),
    ('updateTrustedPeer', update_trusted_peer, [('peer', TrustedPeer)], None),
    ('deleteTrustedPeer', delete_trusted_peer, [('ip', String)], None),
    ('getTrustedPeers', get_trusted_peers, [('query', TrustedPeerQuery)],
     TrustedPeerQueryResult),
    ('addAccount', add_account, [('account', SipAccount)], SipAccount),
    ('updateAccount', update_account, [('account', SipAccount)], None),
    ('deleteAccount', delete_account, [('sipId', SipId)], None),
    ('getAccount', get_account, [('sipId', SipId)], SipAccount),
    ('getAccounts', get_accounts, [('query', SipQuery)], SipQueryResult),
    ('addAlias', add_alias, [('alias', SipAlias)], None),
    ('updateAlias', update_alias, [('alias', SipAlias)], None),
    ('deleteAlias', delete_alias, [('id', SipId)], None),
    ('getAlias', get_alias, [('id', SipId)], SipAlias),
    ('getAliases', get_aliases, [('query', AliasQuery)], AliasQueryResult),
    ('addToGroup', add_to_group, [('sipId', SipId), ('group', String)], None),
    ('removeFromGroup', remove_from_group,
     [('sipId', SipId), ('group', String)], None),
    ('getGroups', get_groups, [('sipId', SipId)], StringArray),
])
