"""PSTN routing of one lcr instance, as pure functions of the stored routing.

``route()`` says which gateways a number goes to, in which order, with which
rewritten number; ``lcr_tables()`` gives the rows of Kamailio's lcr tables that
make the lcr module (driven by etc/kamailio/features/pstn.cfg) decide the
same. The store keeps the lcr tables equal to lcr_tables() of what it holds;
``ngnpro route`` prints route() so that operators can check their tables
before traffic does. docs/pstn-routing.md states the rules:

* Routes are looked up in three tiers, by originator: routes of the caller
  itself (``user@domain``), then of its domain (``domain``, or the label of
  a trusted peer), then routes without originator. The first tier that
  yields a gateway decides.
* Within a tier the longest matching prefix wins (the empty prefix matches
  every number); its routes are tried by priority (lower first), each
  route's carrier's gateways sharing the load at the same rank.
* A gateway rewrites the number by its best rule: the longest rule prefix
  the number starts with, among the rules whose length window holds the
  number (minLength and maxLength, 0 = no limit; a rule never applies to a
  number shorter than its strip); on a tie the oldest rule. It strips
  ``strip`` digits, then prepends ``prepend``. No rule: the number as it is.
"""
import ipaddress
import re
from dataclasses import dataclass
from itertools import groupby
from typing import Optional

USER, DOMAIN, ANY = 'user', 'domain', 'any'
TIERS = (USER, DOMAIN, ANY)
TRANSPORTS = {'udp': 1, 'tcp': 2, 'tls': 3, 'sctp': 4}

# Limits of Kamailio's lcr module (lcr_mod.h) and of its columns.
MAX_PREFIX = 16          # lcr_rule.prefix, lcr_gw.prefix
MAX_DIGITS = 64          # MAX_USER_LEN: longest number it rewrites
MAX_TARGETS = 128        # MAX_NO_OF_GWS: gateways one load_gws() collects
MAX_FROM_URI = 64        # lcr_rule.from_uri
# The longest window comment lcr_tables() adds to a from_uri pattern.
WINDOW_COMMENT = len('(?#64-64)')


class RoutingError(ValueError):
    """The routing cannot be expressed in Kamailio's lcr tables."""


@dataclass(frozen=True)
class Gateway:
    id: int
    name: str
    carrier_id: int
    carrier: str
    ip: str
    port: int = 5060
    transport: str = 'udp'


@dataclass(frozen=True)
class Rule:
    id: int
    gateway_id: int
    prefix: str = ''
    strip: int = 0
    prepend: str = ''
    min_length: int = 0
    max_length: int = 0

    @property
    def window(self):
        """(shortest, longest) number length the rule applies to; longest
        None = no limit."""
        return (max(self.min_length, self.strip, len(self.prefix), 1),
                self.max_length or None)

    def applies(self, number):
        low, high = self.window
        return number.startswith(self.prefix) and low <= len(number) and \
            (high is None or len(number) <= high)

    def rewrite(self, number):
        return self.prepend + number[self.strip:]


@dataclass(frozen=True)
class Route:
    id: int
    carrier_id: int
    prefix: str = ''
    originator: str = ''
    priority: int = 0


@dataclass
class Routing:
    """Everything one lcr instance holds: a reseller's (or the platform's)
    gateways, gateway rules and routes."""
    lcr_id: int
    reseller: int
    gateways: list
    rules: list
    routes: list


# -- numbers and callers ------------------------------------------------------

_NUMBER = re.compile(r'^\+?[0-9]+$')


def pstn_number(text):
    """A dialled number in the form routes use ('+31...' -> '0031...'), or
    None if it is not a telephone number."""
    text = (text or '').strip()
    if not _NUMBER.match(text):
        return None
    return '00' + text[1:] if text.startswith('+') else text


def originator_tier(originator):
    """The tier of a route's originator: 'user@domain', 'domain' (or a
    label), '' = any caller."""
    if not originator:
        return ANY
    return USER if '@' in originator else DOMAIN


def caller_keys(caller):
    """A caller (SIP URI, user@domain, domain or label) -> {tier: key}."""
    text = (caller or '').strip().lower()
    if text.startswith('<') and '>' in text:
        text = text[1:text.index('>')]
    text = re.sub(r'^sips?:', '', text).split(';', 1)[0]
    if not text:
        return {ANY: ''}
    user, at, host = text.rpartition('@')
    host = re.sub(r':[0-9]+$', '', host)
    keys = {DOMAIN: host, ANY: ''}
    if at:
        keys[USER] = '%s@%s' % (user, host)
    return keys


# -- the decision -------------------------------------------------------------

@dataclass(frozen=True)
class Hop:
    rank: int            # 0 is tried first; equal ranks share the load
    gateway: Gateway
    number: str          # the number sent to this gateway
    rule: Optional[Rule]
    route: Route

    @property
    def uri(self):
        """The Request-URI the lcr module builds for this gateway."""
        host = self.gateway.ip
        try:
            if ipaddress.ip_address(host).version == 6:
                host = '[%s]' % host
        except ValueError:
            pass
        return 'sip:%s@%s:%d;transport=%s' % (
            self.number, host, self.gateway.port, self.gateway.transport)


@dataclass(frozen=True)
class Decision:
    number: str
    tier: Optional[str] = None        # which tier decided
    originator: str = ''              # the originator of the routes used
    prefix: Optional[str] = None      # the prefix that won
    hops: tuple = ()


def best_rule(rules, number):
    """The rule of one gateway that rewrites ``number``, or None."""
    best = None
    for rule in rules:
        if rule.applies(number) and (
                best is None or len(rule.prefix) > len(best.prefix) or
                (len(rule.prefix) == len(best.prefix) and rule.id < best.id)):
            best = rule
    return best


def _index(routing):
    gateways = {}
    for g in sorted(routing.gateways, key=lambda g: g.id):
        gateways.setdefault(g.carrier_id, []).append(g)
    rules = {}
    for r in sorted(routing.rules, key=lambda r: r.id):
        rules.setdefault(r.gateway_id, []).append(r)
    return gateways, rules


def _ranked(routes, gateways_of):
    """(rank, gateway, route) for the routes of one prefix: by priority,
    each gateway once at its best rank."""
    out, seen = [], set()
    ordered = sorted(routes, key=lambda r: (r.priority, r.id))
    rank = -1
    for _, same in groupby(ordered, key=lambda r: r.priority):
        same = list(same)
        rank_used = False
        for route in same:
            for g in gateways_of.get(route.carrier_id, ()):
                if g.id in seen:
                    continue
                if not rank_used:
                    rank, rank_used = rank + 1, True
                seen.add(g.id)
                out.append((rank, g, route))
    return out


def route(routing, number, caller=''):
    """Which gateways ``number`` goes to for ``caller``: a Decision whose
    hops are in the order the lcr module tries them (within one rank in
    random, weighted order)."""
    n = pstn_number(number)
    if n is None:
        raise ValueError('%r is not a telephone number' % number)
    gateways_of, rules_of = _index(routing)
    keys = caller_keys(caller)
    for tier in TIERS:
        if tier not in keys:
            continue
        mine = [r for r in routing.routes
                if originator_tier(r.originator) == tier and
                (tier == ANY or r.originator == keys[tier]) and
                n.startswith(r.prefix)]
        if not mine:
            continue
        longest = max(len(r.prefix) for r in mine)
        winners = [r for r in mine if len(r.prefix) == longest]
        hops = []
        for rank, g, r in _ranked(winners, gateways_of):
            rule = best_rule(rules_of.get(g.id, ()), n)
            hops.append(Hop(rank, g, rule.rewrite(n) if rule else n, rule, r))
        if hops:
            return Decision(n, tier, winners[0].originator, winners[0].prefix,
                            tuple(hops))
    return Decision(n)


# -- Kamailio's lcr rows ------------------------------------------------------

@dataclass(frozen=True)
class LcrGw:
    """One lcr_gw row: a gateway, plain or with one rule's rewriting."""
    tag: str             # '<gateway id>' or '<gateway id>:<rule id>'
    gw_name: str
    ip_addr: Optional[str]
    hostname: Optional[str]
    port: int
    transport: int
    strip: int
    prefix: Optional[str]
    uri_scheme: int = 1  # sip


@dataclass(frozen=True)
class LcrRule:
    """One lcr_rule row and its lcr_rule_target rows ((tag, priority))."""
    prefix: str
    from_uri: str
    request_uri: Optional[str]
    targets: tuple
    stopper: int = 1


@dataclass
class LcrTables:
    gws: dict            # tag -> LcrGw
    rules: list          # LcrRule, unique by (prefix, from_uri)


def _escape(text):
    # A backslash before anything but a letter or digit is a literal in PCRE.
    return ''.join(c if c.isalnum() or c in '_@-' else '\\' + c
                   for c in text)


def caller_pattern(tier, key):
    """lcr_rule.from_uri for routes of one originator: pstn.cfg passes
    'user:<user>@<domain>', 'domain:<domain>' and 'any' as caller_uri to
    load_gws(), one tier after the other."""
    if tier == ANY:
        return '^any$'
    return '^%s:%s$' % (tier, _escape(key))


def base_pattern(from_uri):
    """caller_pattern() of an lcr_rule.from_uri, without its window
    comment."""
    at = from_uri.rfind('$(?#')
    return from_uri[:at + 1] if at >= 0 and from_uri.endswith(')') \
        else from_uri


def check_originator(originator):
    """Raise RoutingError if the originator's pattern would not fit
    lcr_rule.from_uri."""
    pattern = caller_pattern(originator_tier(originator), originator)
    if len(pattern) + WINDOW_COMMENT > MAX_FROM_URI:
        raise RoutingError(
            'Originator %r is too long for Kamailio (lcr_rule.from_uri holds '
            '%d characters, its pattern %r needs %d)' % (
                originator, MAX_FROM_URI, pattern,
                len(pattern) + WINDOW_COMMENT))


def _gw_row(g, rule):
    try:
        ipaddress.ip_address(g.ip)
        ip, host = g.ip, None
    except ValueError:
        ip, host = None, g.ip
    tag = str(g.id) if rule is None else '%d:%d' % (g.id, rule.id)
    return LcrGw(tag=tag, gw_name=g.name if rule is None else
                 '%s rule %d' % (g.name, rule.id), ip_addr=ip, hostname=host,
                 port=g.port, transport=TRANSPORTS.get(g.transport, 1),
                 strip=rule.strip if rule else 0,
                 prefix=(rule.prepend or None) if rule else None)


def _windows(start, rules):
    """Number lengths from ``start`` up, cut where any rule's window starts
    or ends: [(low, high or None)]."""
    cuts = {start}
    for rule in rules:
        low, high = rule.window
        if high is not None and high < low:
            continue
        cuts.add(max(low, start))
        if high is not None and high + 1 > start:
            cuts.add(high + 1)
    points = sorted(c for c in cuts if c >= start)
    return [(low, nxt - 1) for low, nxt in zip(points, points[1:])] + \
        [(points[-1], None)]


def _length_regex(low, high):
    return '^sips?:[0-9]{%d,%s}@' % (low, '' if high is None else high)


def route_key(originator):
    """(tier, originator) naming whose routes a route is; '' for ANY."""
    tier = originator_tier(originator)
    return tier, originator if tier != ANY else ''


class Areas:
    """The regions a change touches: those below some prefixes, of the
    routes of one originator key (route_key()) or of every key."""

    def __init__(self):
        self.every_key = set()
        self.by_key = {}

    def add(self, key, prefix):
        (self.every_key if key is None else
         self.by_key.setdefault(key, set())).add(prefix)

    def __bool__(self):
        return bool(self.every_key or self.by_key)

    @property
    def everything(self):
        return '' in self.every_key

    def prefixes(self):
        return self.every_key.union(*self.by_key.values())

    def touches(self, key):
        return bool(self.every_key) or key in self.by_key

    def covers(self, key, region):
        """Whether a region of the routes of ``key`` is touched."""
        mine = self.by_key.get(key, ())
        return any(region[:k] in self.every_key or region[:k] in mine
                   for k in range(len(region) + 1))

    def above(self, key):
        """Every prefix of the area prefixes of ``key`` (the routes there
        govern regions below them)."""
        return {p[:k] for p in self.every_key | self.by_key.get(key, set())
                for k in range(len(p) + 1)}

    def covers_row(self, prefix, from_uri):
        """Whether an lcr_rule row is in a touched region."""
        prefix = prefix or ''
        if any(prefix[:k] in self.every_key for k in range(len(prefix) + 1)):
            return True
        base = base_pattern(from_uri or '')
        key = next((k for k in self.by_key if caller_pattern(*k) == base),
                   None)
        return key is not None and self.covers(key, prefix)


def lcr_tables(routing, areas=None):
    """The lcr_gw / lcr_rule / lcr_rule_target rows of ``routing``; with
    ``areas`` (an Areas) only the rules of those regions, and the lcr_gw
    rows they use.

    For each originator the prefixes of its routes, plus the prefixes of the
    gateway rules below them, cut the numbers into regions; each region
    (and, where rules have length windows, each window) is one stopper rule
    whose targets are the gateways of the winning routes, each in the
    variant (lcr_gw row) that rewrites like its best rule. For one number
    and one caller tier exactly one rule matches, whatever order Kamailio
    keeps its rules in. A region depends only on the routes of its own key
    at its own prefix or above, and on the rules of their gateways: a change
    at a prefix changes only regions below it."""
    gateways_of, rules_of = _index(routing)
    tables = LcrTables(gws={}, rules=[])
    variants = {}         # (gateway id, rule id or None) -> LcrGw
    by_key = {}
    for r in routing.routes:
        by_key.setdefault(route_key(r.originator), []).append(r)
    for key, routes in sorted(by_key.items()):
        if areas is not None:
            if not areas.touches(key):
                continue
            # Regions below an area prefix are governed by routes below or
            # above it, never beside it.
            above = areas.above(key)
            routes = [r for r in routes if r.prefix in above or
                      areas.covers(key, r.prefix)]
        pattern = caller_pattern(*key)
        by_prefix = {}
        for r in routes:
            by_prefix.setdefault(r.prefix, []).append(r)
        regions = set(by_prefix)
        for prefix, same in by_prefix.items():
            for r in same:
                for g in gateways_of.get(r.carrier_id, ()):
                    regions.update(q.prefix for q in rules_of.get(g.id, ())
                                   if q.prefix.startswith(prefix))
        for region in sorted(regions):
            if areas is not None and not areas.covers(key, region):
                continue
            governing = next(region[:k] for k in range(len(region), -1, -1)
                             if region[:k] in by_prefix)
            ranked = _ranked(by_prefix[governing], gateways_of)
            if len(ranked) > MAX_TARGETS:
                raise RoutingError(
                    'Prefix %r has %d gateways; Kamailio loads at most %d'
                    % (governing, len(ranked), MAX_TARGETS))
            applicable = {g.id: [q for q in rules_of.get(g.id, ())
                                 if region.startswith(q.prefix)]
                          for _, g, _ in ranked}
            cells = []            # [low, high, targets], adjacent merged
            for low, high in _windows(max(len(region), 1), [
                    q for qs in applicable.values() for q in qs]):
                probe = region + '0' * (low - len(region))
                targets = []
                for rank, g, _ in ranked:
                    rule = best_rule(applicable[g.id], probe)
                    variant = (g.id, rule and rule.id)
                    if variant not in variants:
                        variants[variant] = _gw_row(g, rule)
                        tables.gws[variants[variant].tag] = variants[variant]
                    targets.append((variants[variant].tag, rank))
                if cells and cells[-1][2] == targets:
                    cells[-1][1] = high
                else:
                    cells.append([low, high, targets])
            single = len(cells) == 1
            for low, high, targets in cells:
                tables.rules.append(LcrRule(
                    prefix=region,
                    from_uri=pattern if single else '%s(?#%d-%s)' % (
                        pattern, low, '' if high is None else high),
                    request_uri=None if single else _length_regex(low, high),
                    targets=tuple(targets)))
    return tables


def gw_row(gateways, rules, tag):
    """The lcr_gw row a tag stands for, given the routing's gateways and
    rules by id; None when its gateway or rule is gone."""
    gateway_id, _, rule_id = tag.partition(':')
    gateway = gateways.get(int(gateway_id))
    rule = rules.get(int(rule_id)) if rule_id else None
    if gateway is None or (rule_id and (rule is None or
                                        rule.gateway_id != gateway.id)):
        return None
    return _gw_row(gateway, rule)
