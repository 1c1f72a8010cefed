"""Accept rules, i.e. do-not-disturb (spec §3.4 AcceptRules): persistent
rules accept the listed groups during an HH:MM window on the days of a
mask; a temporary rule overrides them for a number of minutes (0 = until
changed). Both shapes the client sends are accepted: the form's, and the
do-not-disturb shortcut's re-keyed copy of getAcceptRules (items without
``days``, an extra ``groups`` member, which is ignored)."""
import math
import re
import time

from ngnpro.faults import invalid
from ngnpro.store.sip import accept as store
from ngnpro.store.sip import phonebook
from ngnpro.types.common import SipId
from ngnpro.types.sip_settings import AcceptRules, AcceptRulesResult
from ports.common import check_array

from . import lookup
from .settings import EVERYBODY, NOBODY, group_name

_HHMM = re.compile(r'^([01][0-9]|2[0-3]):[0-5][0-9]$')
EVERY_DAY = 127


def _hhmm(value, what):
    text = (value or '').strip()
    if not _HHMM.match(text):
        raise invalid('%s must be a time HH:MM (00:00 to 23:59), not %r'
                      % (what, value))
    return text


def _groups(call, groups, what):
    out = []
    for i, g in enumerate(check_array(call, groups, what)):
        g = (g or '').strip().lower()
        if g not in (EVERYBODY, NOBODY):
            g = group_name(g, '%s[%d]' % (what, i))
        if g not in out:
            out.append(g)
    return out


def _fits(encoded, what):
    if len(encoded) > store.VALUE_WIDTH:
        raise invalid('%s names too many groups (%d characters, at most %d)'
                      % (what, len(encoded), store.VALUE_WIDTH))


def _persistent(call, rules, existing):
    out = []
    for i, r in enumerate(check_array(call, rules, 'rules.persistent')):
        what = 'rules.persistent[%d]' % i
        rule = {'start': _hhmm(r.start, what + '.start'),
                'stop': _hhmm(r.stop, what + '.stop'),
                'groups': _groups(call, r.groups, what + '.groups'),
                'days': r.days}
        if rule['days'] is None:
            # The shortcut drops days: keep those of the same rule.
            rule['days'] = next(
                (e['days'] for e in existing
                 if (e['start'], e['stop'], e['groups']) ==
                 (rule['start'], rule['stop'], rule['groups'])), EVERY_DAY)
        _fits(store.encode_rule(rule), what)
        out.append(rule)
    return out


def _temporary(call, rule):
    if rule is None:
        return None
    groups = _groups(call, rule.groups, 'rules.temporary.groups')
    minutes = rule.duration or 0
    if not groups or (EVERYBODY in groups and not minutes):
        return None          # accepting everybody for ever: no rule
    temporary = {'groups': groups,
                 'expires': int(time.time()) + 60 * minutes if minutes else 0}
    _fits(store.encode_temporary(temporary), 'rules.temporary')
    return temporary


def set_accept_rules(call, sip_id, rules):
    row = lookup.account(call, sip_id, for_update=True)
    user, dom = row['username'], row['domain']
    existing, _ = store.rules(call.conn, call.schema, user, dom)
    persistent = _persistent(call, getattr(rules, 'persistent', None),
                             existing)
    temporary = _temporary(call, getattr(rules, 'temporary', None))
    store.set_rules(call.conn, call.schema, user, dom, persistent, temporary)


def get_accept_rules(call, sip_id):
    row = lookup.account(call, sip_id)
    user, dom = row['username'], row['domain']
    persistent, temporary = store.rules(call.conn, call.schema, user, dom)
    out = {'groups': [], 'duration': 0}
    if temporary is not None:
        left = temporary['expires'] - time.time()
        if not temporary['expires']:
            out = {'groups': temporary['groups'], 'duration': 0}
        elif left > 0:       # on read: the minutes that remain
            out = {'groups': temporary['groups'],
                   'duration': int(math.ceil(left / 60))}
    groups = phonebook.groups_in_use(call.conn, call.schema, user, dom)
    return {'rules': {'persistent': persistent, 'temporary': out},
            'nonEmptyGroups': [EVERYBODY, NOBODY] + groups}


OPERATIONS = [
    ('setAcceptRules', set_accept_rules,
     [('sipId', SipId), ('rules', AcceptRules)], None),
    ('getAcceptRules', get_accept_rules, [('sipId', SipId)],
     AcceptRulesResult),
]
