"""Accept (do-not-disturb) rules, stored where Kamailio evaluates them: in
usr_preferences, so that the proxy needs nothing else (see
etc/kamailio/features/subscriber.cfg and docs/subscriber-settings.md).

* ``accept_rule`` (one row per persistent rule, in order):
  ``<days>|<HHMM start>|<HHMM stop>|<group>,<group>...``
* ``accept_temp`` (at most one): ``<expiry, Unix time; 0 = none>|<groups>``

Groups are ``everybody``, ``nobody`` or phonebook groups.
"""
from . import preferences
from .accounts import on_account_delete

RULE, TEMPORARY = 'accept_rule', 'accept_temp'
ATTRIBUTES = (RULE, TEMPORARY)
VALUE_WIDTH = 128                  # usr_preferences.value


def encode_rule(rule):
    return '%d|%s|%s|%s' % (rule['days'], rule['start'].replace(':', ''),
                            rule['stop'].replace(':', ''),
                            ','.join(rule['groups']))


def encode_temporary(temporary):
    return '%d|%s' % (temporary['expires'], ','.join(temporary['groups']))


def _groups(text):
    return [g for g in text.split(',') if g]


def _hhmm(text):
    return '%s:%s' % (text[:2], text[2:])


def rules(conn, s, username, domain):
    """(persistent rules [{days, start, stop, groups}], temporary rule
    {expires, groups} or None)."""
    persistent, temporary = [], None
    for attribute, value in preferences.values(conn, s, username, domain,
                                               ATTRIBUTES):
        parts = value.split('|')
        if attribute == RULE and len(parts) == 4:
            persistent.append({'days': int(parts[0]),
                               'start': _hhmm(parts[1]),
                               'stop': _hhmm(parts[2]),
                               'groups': _groups(parts[3])})
        elif attribute == TEMPORARY and len(parts) == 2:
            temporary = {'expires': int(parts[0]),
                         'groups': _groups(parts[1])}
    return persistent, temporary


def set_rules(conn, s, username, domain, persistent, temporary):
    rows = [(RULE, encode_rule(r)) for r in persistent]
    if temporary is not None:
        rows.append((TEMPORARY, encode_temporary(temporary)))
    preferences.replace(conn, s, username, domain, ATTRIBUTES, rows)


@on_account_delete
def _forget(conn, s, username, domain):
    preferences.remove(conn, s, username, domain, ATTRIBUTES)
