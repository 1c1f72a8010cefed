"""RatingPort (spec §2.6, §3.8): which billing profiles CDRTool's rating
engine applies to an entity, in CDRTool's own billing_customers table.

Entities: ``subscriber://user@domain`` (a SIP account), ``domain://name``
(a SIP domain), ``gateway://ip`` (a trusted peer). The caller must see the
record the entity names; another tenant's answers as a missing one. The
administrator may also rate entities that are not provisioned here (CDRTool
rates gateways and domains it only knows from its CDRs). Profiles are a
billing decision: only the administrator and resellers change them.
"""
import ipaddress
import zoneinfo
from functools import lru_cache

from ngnpro import names, rights
from ngnpro.faults import (ACCOUNT_NOT_FOUND, DOMAIN_NOT_FOUND,
                           PEER_NOT_FOUND, RATING_NOT_FOUND, NGNProError,
                           denied, invalid)
from ngnpro.store import rating as store
from ngnpro.store.sip import accounts, domains, peers
from ngnpro.types.common import String
from ngnpro.types.rating import RatingEntityProfiles
from ports.common import service

# Wire member -> billing_customers column (CDRTool: 1 = weekdays,
# 2 = weekends, _alt = the alternate profile of each).
MEMBERS = {'profileWeekday': 'profile_name1',
           'profileWeekdayAlt': 'profile_name1_alt',
           'profileWeekend': 'profile_name2',
           'profileWeekendAlt': 'profile_name2_alt',
           'timezone': 'timezone'}


def _bad_entity(text):
    return invalid('Invalid rating entity %r: use subscriber://user@domain, '
                   'domain://name or gateway://ip' % (text,))


def parse_entity(text):
    """'subscriber://Alice@Example.com' -> ('subscriber', 'alice@example.com')
    in the one spelling billing_customers holds."""
    scheme, sep, rest = (text or '').strip().partition('://')
    kind = scheme.lower()
    if not sep or kind not in store.KINDS:
        raise _bad_entity(text)
    if kind == 'subscriber':
        user, at, domain = rest.rpartition('@')
        if not at:
            raise _bad_entity(text)
        value = '%s@%s' % (names.username(user, 'entity username'),
                           names.domain_name(domain, 'entity domain'))
        if len(value) > 128:          # billing_customers.subscriber
            raise invalid('Rating entity %s is longer than 128 characters'
                          % value)
        return kind, value
    if kind == 'domain':
        return kind, names.domain_name(rest, 'entity domain')
    try:
        # billing_customers.gateway holds a dotted IPv4 address.
        return kind, str(ipaddress.IPv4Address(rest.strip()))
    except ValueError:
        raise _bad_entity(text)


def _record(call, kind, value):
    """(row of the record the entity names or None, its not-found fault)."""
    conn, s = call.conn, call.schema
    if kind == 'subscriber':
        user, _, domain = value.partition('@')
        return (accounts.account_row(conn, s, user, domain),
                NGNProError(ACCOUNT_NOT_FOUND, 'SIP account %s does not '
                            'exist' % value))
    if kind == 'domain':
        return (domains.domain_row(conn, s, value),
                NGNProError(DOMAIN_NOT_FOUND, 'SIP domain %s does not exist'
                            % value))
    return (peers.peer_row(conn, s, value),
            NGNProError(PEER_NOT_FOUND, 'Trusted peer %s does not exist'
                        % value))


def _entity(call, text, change=False):
    """-> (kind, value, reseller of the record) for an entity the caller
    may see (and, with ``change``, may rate)."""
    kind, value = parse_entity(text)
    row, missing = _record(call, kind, value)
    p = call.principal
    if row is None:
        if not p.is_admin:
            raise missing
        return kind, value, 0
    rights.require_visible(p, row['customer'], row['reseller'], missing)
    if change and not (p.is_admin or p.is_reseller):
        raise denied('Permission denied: only the administrator and '
                     'resellers change rating profiles')
    return kind, value, row['reseller']


def _no_profiles(kind, value):
    return NGNProError(RATING_NOT_FOUND, 'No rating profiles for %s://%s'
                       % (kind, value))


@lru_cache(maxsize=None)
def _known_zones():
    return frozenset(zoneinfo.available_timezones())


def _timezone(value):
    tz = (value or '').strip()
    zones = _known_zones()
    # Without a time zone database on the host there is nothing to check.
    if tz and zones and tz not in zones:
        raise invalid('Unknown time zone %r (use a name such as '
                      'Europe/Amsterdam)' % tz)
    return tz


def set_entity_profiles(call, profiles):
    if profiles is None:
        raise invalid('profiles is required')
    kind, value, reseller = _entity(call, profiles.entity, change=True)
    columns = {column: (getattr(profiles, member, None) or '').strip()
               for member, column in MEMBERS.items()}
    columns['timezone'] = _timezone(profiles.timezone)
    if not columns['profile_name1']:
        raise invalid('profileWeekday is required (delete the entity\'s '
                      'profiles to remove them)')
    store.set_profiles(call.conn, call.schema, kind, value, reseller,
                       columns)


def get_entity_profiles(call, entity):
    kind, value, _ = _entity(call, entity)
    row = store.profiles_row(call.conn, call.schema, kind, value)
    if row is None:
        raise _no_profiles(kind, value)
    out = {member: row[column] or '' for member, column in MEMBERS.items()}
    out['entity'] = '%s://%s' % (kind, value)
    return out


def delete_entity_profiles(call, entity):
    kind, value, _ = _entity(call, entity, change=True)
    if not store.delete_profiles(call.conn, call.schema, kind, value):
        raise _no_profiles(kind, value)


OPERATIONS = [
    ('setEntityProfiles', set_entity_profiles,
     [('profiles', RatingEntityProfiles)], None),
    ('deleteEntityProfiles', delete_entity_profiles, [('entity', String)],
     None),
    ('getEntityProfiles', get_entity_profiles, [('entity', String)],
     RatingEntityProfiles),
]

RatingPort = service('RatingPort', OPERATIONS)
