"""Call diversions (spec §2.1 Self-care, §3.4 CallDiversions): a whole-
struct replace; absent and empty conditions are cleared, unknown members
(the ``{nocondition: empty}`` clear-all form) ignored."""
from ngnpro.faults import invalid
from ngnpro.store.sip import diversions as store
from ngnpro.types.common import SipId
from ngnpro.types.sip_settings import DIVERSION_CONDITIONS, CallDiversions

from . import lookup
from .settings import sip_uri


def _targets(row, diversions):
    own = ('%s@%s' % (row['username'], row['domain'])).lower()
    out = {}
    for cond in DIVERSION_CONDITIONS:
        value = (getattr(diversions, cond, None) or '').strip()
        if not value:
            continue
        if value.lower() not in store.VOICE_MAILBOX:
            uri = sip_uri(value, '%s diversion target' % cond)
            if uri.split(':', 1)[1].split(';')[0].lower() == own:
                raise invalid('%s cannot divert %s calls to itself'
                              % (own, cond))
        out[cond] = value
    return out


def set_call_diversions(call, sip_id, diversions):
    row = lookup.account(call, sip_id, for_update=True)
    targets = _targets(row, diversions)
    store.set_diversions(call.conn, call.schema, call.config,
                         row['username'], row['domain'], targets)


def get_call_diversions(call, sip_id):
    row = lookup.account(call, sip_id)
    return store.diversions(call.conn, call.schema, row['username'],
                            row['domain'])


OPERATIONS = [
    ('setCallDiversions', set_call_diversions,
     [('sipId', SipId), ('diversions', CallDiversions)], None),
    ('getCallDiversions', get_call_diversions, [('sipId', SipId)],
     CallDiversions),
]
