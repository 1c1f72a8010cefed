"""Group membership of SIP accounts (spec §2.1; codes 1030/1031)."""
from ngnpro import names
from ngnpro.faults import ALREADY_IN_GROUP, NOT_IN_GROUP, NGNProError
from ngnpro.store.sip import accounts as store
from ngnpro.types.common import SipId, String, StringArray

from . import features, lookup

def _change_group(call, sip_id, group, add):
    row = lookup.account(call, sip_id, for_update=True)
    group = names.group_name(group)
    user, dom = row['username'], row['domain']
    member = store.in_group(call.conn, call.schema, user, dom, group)
    if add and member:
        raise NGNProError(ALREADY_IN_GROUP, 'SIP account %s@%s is already in '
                          'group %s' % (user, dom, group))
    if not add and not member:
        raise NGNProError(NOT_IN_GROUP, 'SIP account %s@%s is not in group %s'
                          % (user, dom, group))
    if not call.principal.is_admin:
        before = lookup.groups(call, row)
        after = [g for g in before if g != group] + ([group] if add else [])
        features.check(call, lookup.domain(call, dom),
                       features.state(row, before), features.state(row, after))
    (store.add_group if add else store.remove_group)(
        call.conn, call.schema, user, dom, group)


def add_to_group(call, sip_id, group):
    _change_group(call, sip_id, group, add=True)


def remove_from_group(call, sip_id, group):
    _change_group(call, sip_id, group, add=False)


def get_groups(call, sip_id):
    return lookup.groups(call, lookup.account(call, sip_id))



OPERATIONS = [
    ('addToGroup', add_to_group, [('sipId', SipId), ('group', String)], None),
    ('removeFromGroup', remove_from_group,
     [('sipId', SipId), ('group', String)], None),
    ('getGroups', get_groups, [('sipId', SipId)], StringArray),
]
