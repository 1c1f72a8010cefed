"""Whole-list setters checked by the proxy on every call (spec §2.1): the
reject list (callers whose calls are declined) and barred destination
prefixes (numbers the account may not call)."""
import re

from ngnpro.faults import invalid
from ngnpro.store.sip import lists as store
from ngnpro.types.common import SipId, StringArray
from ports.common import check_array

from . import lookup
from .settings import sip_uri

_PREFIX = re.compile(r'^\+[0-9]{1,63}$')


def _distinct(items):
    out = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


def set_reject_members(call, sip_id, members):
    row = lookup.account(call, sip_id, for_update=True)
    uris = [sip_uri(m, 'members[%d]' % i, lower=True)
            for i, m in enumerate(check_array(call, members, 'members'))]
    store.set_reject_members(call.conn, call.schema, row['username'],
                             row['domain'], _distinct(uris))


def get_reject_members(call, sip_id):
    row = lookup.account(call, sip_id)
    return store.reject_members(call.conn, call.schema, row['username'],
                                row['domain'])


def set_barring_prefixes(call, sip_id, prefixes):
    row = lookup.account(call, sip_id, for_update=True)
    out = []
    for i, p in enumerate(check_array(call, prefixes, 'prefixes')):
        text = (p or '').strip()
        if not _PREFIX.match(text):
            raise invalid('prefixes[%d] %r: a barred prefix is + followed by '
                          '1 to 63 digits (E.164)' % (i, p))
        out.append(text)
    store.set_barring_prefixes(call.conn, call.schema, row['username'],
                               row['domain'], _distinct(out))


def get_barring_prefixes(call, sip_id):
    row = lookup.account(call, sip_id)
    return store.barring_prefixes(call.conn, call.schema, row['username'],
                                  row['domain'])


OPERATIONS = [
    ('setRejectMembers', set_reject_members,
     [('sipId', SipId), ('members', StringArray)], None),
    ('getRejectMembers', get_reject_members, [('sipId', SipId)],
     StringArray),
    ('setBarringPrefixes', set_barring_prefixes,
     [('sipId', SipId), ('prefixes', StringArray)], None),
    ('getBarringPrefixes', get_barring_prefixes, [('sipId', SipId)],
     StringArray),
]
