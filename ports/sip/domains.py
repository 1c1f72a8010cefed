"""SIP domains (spec §2.1): the domains the platform serves, each owned by a
customer/reseller that its accounts and aliases inherit."""
from functools import lru_cache

from ngnpro import credits, names, rights
from ngnpro.faults import DOMAIN_EXISTS, NGNProError, denied, invalid
from ngnpro.live import schedule_reload
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.rows import to_wire
from ngnpro.store.sip import domains as store
from ngnpro.types.common import String
from ngnpro.types.sip import SipDomain, SipDomainQuery, SipDomainQueryResult
from ports.common import search, unique

from . import features, lookup

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
    name = names.domain_name(domain.domain)
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
    row = lookup.visible_domain(call, names.domain_name(domain.domain),
                                for_update=True)
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
    row = lookup.visible_domain(call, names.domain_name(domain))
    if not call.principal.is_admin and not call.principal.is_reseller:
        raise denied('Permission denied: customers cannot delete SIP domains')
    if not call.principal.is_admin and store.members_in_domain(
            call.conn, call.schema, row['domain'], features.INTERCEPT_GROUP):
        raise denied('Permission denied: accounts of %s are in group %s; '
                     'only the administrator can delete the domain'
                     % (row['domain'], features.INTERCEPT_GROUP))
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



OPERATIONS = [
    ('addDomain', add_domain, [('domain', SipDomain)], None),
    ('updateDomain', update_domain, [('domain', SipDomain)], None),
    ('deleteDomain', delete_domain, [('domain', String)], None),
    ('getDomains', get_domains, [('query', SipDomainQuery)],
     SipDomainQueryResult),
]
