"""Who may change an account's PSTN features and reserved groups (guide:
"Conventions for resellers", SIP account groups).

Groups with a meaning beyond routing: lawful intercept is internal; blocked
is an administrative block; quota is the rating engine's PSTN block; prepaid
mirrors the prepaid flag; free-pstn opens the PSTN.
"""
from ngnpro.faults import denied
from ngnpro.store import customers

PSTN_GROUP = 'free-pstn'
INTERCEPT_GROUP, BLOCKED_GROUP = 'intercept', 'blocked'
QUOTA_GROUP, PREPAID_GROUP = 'quota', 'prepaid'


def reseller_flag(call, reseller, name):
    """A reseller property that gates PSTN features (unset = not allowed)."""
    return customers.property_flag(call.conn, call.schema, reseller,
                                   name) is True


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


def check_delete(call, groups):
    """A block outlives its account: a customer cannot delete (and add
    again) an account its reseller or the admin blocked, nor one the
    rating engine blocked for its quota; an account under lawful intercept
    is deleted by the admin only."""
    p = call.principal
    if p.is_admin:
        return
    if INTERCEPT_GROUP in groups:
        raise denied('Permission denied: the account is in group %s; only '
                     'the administrator can delete it' % INTERCEPT_GROUP)
    held = [g for g in (BLOCKED_GROUP, QUOTA_GROUP) if g in groups]
    if held and not p.is_reseller:
        raise denied('Permission denied: the account is in group %s; only '
                     'the reseller or the administrator can delete it'
                     % held[0])


def check(call, domain_row, before, after):
    """PSTN features on accounts of a customer's domain obey the reseller's
    pstn_access / pstn_changes / prepaid_changes; reserved groups are not for
    customers to change. ``before`` is None on create; both are state()s."""
    if call.principal.is_admin:
        return
    _check_reserved_groups(call, before, after)
    if not domain_row['customer']:
        return
    reseller = domain_row['reseller']
    pstn_after = PSTN_GROUP in after['groups'] or after['quota'] > 0
    if before is None:
        if (pstn_after or after['prepaid']) and not reseller_flag(
                call, reseller, 'pstn_access'):
            raise denied('Permission denied: reseller %d has no pstn_access; '
                         'cannot create accounts with PSTN access' % reseller)
        return

    def moved(group):
        return (group in before['groups']) != (group in after['groups'])
    if (before['prepaid'] != after['prepaid'] or moved(PREPAID_GROUP)) and \
            not reseller_flag(call, reseller, 'prepaid_changes'):
        raise denied('Permission denied: reseller %d may not change prepaid '
                     '(prepaid_changes)' % reseller)
    pstn_before = PSTN_GROUP in before['groups']
    if moved(PSTN_GROUP) or moved(QUOTA_GROUP) or \
            before['quota'] != after['quota']:
        if not reseller_flag(call, reseller, 'pstn_changes'):
            raise denied('Permission denied: reseller %d may not change PSTN '
                         'access or quota (pstn_changes)' % reseller)
        if PSTN_GROUP in after['groups'] and not pstn_before and \
                not reseller_flag(call, reseller, 'pstn_access'):
            raise denied('Permission denied: reseller %d has no pstn_access'
                         % reseller)


def state(row, groups, quota=None, prepaid=None):
    """What check() compares: an account's groups, quota and prepaid."""
    return {'groups': groups,
            'quota': row['quota'] if quota is None else quota,
            'prepaid': bool(row['prepaid'] if prepaid is None else prepaid)}
