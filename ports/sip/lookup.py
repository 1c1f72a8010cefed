"""Records the SipPort operations start from, found for the caller: a
missing one is its not-found fault, another tenant's is refused."""
from ngnpro import names, rights
from ngnpro.faults import ACCOUNT_NOT_FOUND, DOMAIN_NOT_FOUND, NGNProError
from ngnpro.store.sip import accounts, aliases, domains


def _domain_missing(name):
    return NGNProError(DOMAIN_NOT_FOUND, 'SIP domain %s does not exist' % name)


def domain(call, name, for_update=False):
    row = domains.domain_row(call.conn, call.schema, name, for_update)
    if row is None:
        raise _domain_missing(name)
    return row


def visible_domain(call, name, for_update=False):
    row = domain(call, name, for_update)
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           _domain_missing(name))
    return row


def account(call, sip_id, for_update=False):
    user, dom = names.sip_id(sip_id)
    row = accounts.account_row(call.conn, call.schema, user, dom, for_update)
    missing = NGNProError(ACCOUNT_NOT_FOUND, 'SIP account %s@%s does not '
                          'exist' % (user, dom))
    if row is None:
        raise missing
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           missing)
    return row


def groups(call, row):
    """The groups of one account row."""
    key = (row['username'], row['domain'])
    return accounts.groups_of(call.conn, call.schema, [key])[key]


def address_free(call, user, domain, code):
    """An address is either an account or an alias, never both."""
    if accounts.account_row(call.conn, call.schema, user, domain) is not None:
        raise NGNProError(code, 'SIP account %s@%s already exists'
                          % (user, domain))
    if aliases.alias_row(call.conn, call.schema, user, domain) is not None:
        raise NGNProError(code, 'SIP alias %s@%s already exists'
                          % (user, domain))
