"""What the PSTN routing operations share: who may change routing, finding
a record for the caller, input spellings, and the lcr instances a call
changes (locked first, recompiled into Kamailio's lcr tables last)."""
import ipaddress
import re

from ngnpro import names, rights, routing
from ngnpro.faults import (CARRIER_NOT_FOUND, GATEWAY_NOT_FOUND,
                           GATEWAY_RULE_NOT_FOUND, ROUTE_NOT_FOUND,
                           NGNProError, denied, invalid)
from ngnpro.live import schedule_reload
from ngnpro.store.sip import pstn as store

_DIGITS = re.compile(r'^[0-9]*$')
_PREPEND = re.compile(r'^\+?[0-9]*$')
_HOST = re.compile(r'^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*'
                   r'[a-z0-9])?)*$')
_LABEL = re.compile(r'^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$')


def require_operator(call, action):
    """Carriers, gateways, rules and routes are the admin's and the
    resellers' (guide "PSTN Carriers")."""
    p = call.principal
    if not p.is_admin and not p.is_reseller:
        raise denied('Permission denied: customers cannot %s' % action)


def _visible(call, fetch, record_id, missing, for_update=False):
    row = fetch(call.conn, call.schema, record_id, for_update) \
        if record_id else None
    if row is None:
        raise missing
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           missing)
    return row


def carrier_missing(carrier_id):
    return NGNProError(CARRIER_NOT_FOUND, 'Carrier %s does not exist'
                       % (carrier_id or 0))


def gateway_missing(gateway_id):
    return NGNProError(GATEWAY_NOT_FOUND, 'Gateway %s does not exist'
                       % (gateway_id or 0))


def rule_missing(rule_id):
    return NGNProError(GATEWAY_RULE_NOT_FOUND, 'Gateway rule %s does not '
                       'exist' % (rule_id or 0))


def route_missing(route_id):
    return NGNProError(ROUTE_NOT_FOUND, 'Route %s does not exist'
                       % (route_id or 0))


def carrier(call, carrier_id, for_update=False):
    return _visible(call, store.carrier_row, carrier_id,
                    carrier_missing(carrier_id), for_update)


def gateway(call, gateway_id, for_update=False):
    return _visible(call, store.gateway_row, gateway_id,
                    gateway_missing(gateway_id), for_update)


def rule(call, rule_id, for_update=False):
    return _visible(call, store.rule_row, rule_id, rule_missing(rule_id),
                    for_update)


def route(call, route_id, for_update=False):
    return _visible(call, store.route_row, route_id,
                    route_missing(route_id), for_update)


# -- spellings ----------------------------------------------------------------

def required_name(value, what):
    name = (value or '').strip()
    if not name:
        raise invalid('%s is required' % what)
    return name


def prefix(value, what='prefix'):
    """A number prefix as routes and Kamailio compare it: digits, '+'
    written as the international '00'."""
    text = (value or '').strip()
    if text.startswith('+'):
        text = '00' + text[1:]
    if not _DIGITS.match(text):
        raise invalid('Invalid %s %r: digits only (a leading + stands for '
                      '00)' % (what, value))
    if len(text) > routing.MAX_PREFIX:
        raise invalid('%s %r is longer than %d digits' % (
            what, value, routing.MAX_PREFIX))
    return text


def prepend(value):
    text = (value or '').strip()
    if not _PREPEND.match(text):
        raise invalid('Invalid prepend %r: digits, optionally after a +'
                      % value)
    return text


def host(value):
    """A gateway address: an IP address or a host name."""
    text = (value or '').strip().lower()
    if not text:
        raise invalid('gateway.ip is required')
    try:
        return str(ipaddress.ip_address(text.strip('[]')))
    except ValueError:
        pass
    if len(text) > 64 or not _HOST.match(text):
        raise invalid('Invalid gateway address %r: an IP address or a host '
                      'name' % value)
    return text


def transport(value):
    text = (value or '').strip().lower() or 'udp'
    if text not in routing.TRANSPORTS:
        raise invalid('Invalid gateway transport %r: one of %s' % (
            value, ', '.join(routing.TRANSPORTS)))
    return text


def originator(value):
    """'' (any caller), 'user@domain' or a domain / trusted peer label;
    a sip: URI is taken for its user@domain."""
    text = re.sub(r'^sips?:', '', (value or '').strip().lower())
    if not text:
        return ''
    if '@' in text:
        user, _, domain = text.rpartition('@')
        text = '%s@%s' % (names.username(user, 'originator user'),
                          names.domain_name(domain, 'originator domain'))
    elif not _LABEL.match(text):
        raise invalid('Invalid originator %r: user@domain, a domain or a '
                      'label of letters, digits, . _ -' % value)
    try:
        routing.check_originator(text)
    except routing.RoutingError as exc:
        raise invalid(str(exc))
    return text


# -- the lcr instances a call changes -----------------------------------------

class Change:
    """Lock the lcr instance of every reseller whose routing the call
    changes before (re)reading what it changes; say which regions of the
    routing the change touches (touch); finish() recompiles those into the
    lcr tables and has Kamailio reload them if a row changed. Lock all
    instances of a call in one lock() (a fixed order)."""

    def __init__(self, call):
        self.call = call
        self.instances = {}
        self.areas = {}            # reseller -> routing.Areas

    def lock(self, *resellers):
        new = [r for r in resellers if r not in self.instances]
        if new:
            c = self.call
            self.instances.update(store.lock_instances(
                c.conn, c.schema, new, c.config.pstn_lcr_count))

    def touch(self, reseller, key=None, prefix=''):
        """The regions below ``prefix`` (of the routes of ``key``, a
        routing.route_key(), or of every originator) change."""
        self.areas.setdefault(reseller, routing.Areas()).add(key, prefix)

    def touch_route(self, reseller, values):
        self.touch(reseller, routing.route_key(values['originator']),
                   values['prefix'])

    def touch_carriers(self, reseller, *carrier_ids):
        """The regions of every route to these carriers (their gateways
        changed)."""
        for originator, prefix in store.routes_of_carriers(
                self.call.conn, self.call.schema, carrier_ids):
            self.touch(reseller, routing.route_key(originator), prefix)
        self.touch_gateways(reseller)

    def touch_gateways(self, reseller):
        """Gateways changed where they are: only their lcr_gw rows."""
        self.areas.setdefault(reseller, routing.Areas())

    def reread(self, fetch, row, missing):
        """``row`` as it is now that we hold the lock; a record moved to
        another reseller meanwhile (an admin's change) is a conflict."""
        now = fetch(self.call.conn, self.call.schema, row['id'], True)
        if now is None:
            raise missing
        if now['reseller'] not in self.instances:
            raise invalid('%s was moved to another reseller by a request '
                          'running at the same time; try again'
                          % missing.errorstring.split(' does not')[0])
        return now

    def finish(self):
        c = self.call
        changed = False
        for reseller, lcr_id in sorted(self.instances.items()):
            if reseller in self.areas:
                changed |= store.sync(c.conn, c.schema, reseller, lcr_id,
                                      c.config.pstn_lcr_gw_count,
                                      self.areas[reseller])
            changed |= store.release_instance(c.conn, c.schema, reseller,
                                              lcr_id)
        if changed:
            schedule_reload(c, 'lcr.reload')
