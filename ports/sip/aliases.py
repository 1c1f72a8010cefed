"""SIP aliases (spec §2.1): addresses that resolve to another SIP address,
mirrored in Kamailio's dbaliases table."""
from functools import lru_cache

from ngnpro import credits, names, rights
from ngnpro.faults import ALIAS_EXISTS, ALIAS_NOT_FOUND, NGNProError, invalid
from ngnpro.store.query import EQ, LIKE, Listing
from ngnpro.store.sip import aliases as store
from ngnpro.store.sip import domains
from ngnpro.types.common import SipId
from ngnpro.types.sip import AliasQuery, AliasQueryResult, SipAlias
from ports.common import owner, search, unique

from . import lookup

def _alias_values(call, alias):
    if alias.target is None:
        raise invalid('alias.target is required')
    tuser, tdom = names.sip_id(alias.target, 'alias.target')
    # A target elsewhere is a plain SIP address; a target in a domain served
    # here must be one the caller can see.
    target_dom = domains.domain_row(call.conn, call.schema, tdom)
    if target_dom is not None:
        rights.require_access(call.principal, target_dom['customer'],
                              target_dom['reseller'], 'SIP domain %s' % tdom)
    return {'target_username': tuser, 'target_domain': tdom,
            'owner': owner(call, alias.owner)}


def _alias(call, sip_id):
    user, dom = names.sip_id(sip_id, 'id')
    row = store.alias_row(call.conn, call.schema, user, dom)
    missing = NGNProError(ALIAS_NOT_FOUND, 'SIP alias %s@%s does not exist'
                          % (user, dom))
    if row is None:
        raise missing
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           missing)
    return row


def add_alias(call, alias):
    if alias is None:
        raise invalid('alias is required')
    user, domain = names.sip_id(alias.id, 'alias.id')
    dom = lookup.visible_domain(call, domain)
    rights.require_can_create(call.principal, 'SIP aliases')
    lookup.address_free(call, user, domain, ALIAS_EXISTS)
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



OPERATIONS = [
    ('addAlias', add_alias, [('alias', SipAlias)], None),
    ('updateAlias', update_alias, [('alias', SipAlias)], None),
    ('deleteAlias', delete_alias, [('id', SipId)], None),
    ('getAlias', get_alias, [('id', SipId)], SipAlias),
    ('getAliases', get_aliases, [('query', AliasQuery)], AliasQueryResult),
]
