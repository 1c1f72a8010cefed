"""Kamailio 5.6's lcr module as far as the rows ngnpro writes use it, for
tests: load_gws() and next_gw() (src/modules/lcr/lcr_mod.c) over rows read
from lcr_gw, lcr_rule and lcr_rule_target, and the three load_gws() passes
of etc/kamailio/features/pstn.cfg.

It is written from the module's documented behaviour, not from
ngnpro.routing: prefix lengths from the longest down; within one length the
rules in hash-chain order (which depends on the order the database returned
them: ``rng`` shuffles it), each matching its prefix, its from_uri regex
against caller_uri and its request_uri regex against the Request-URI; a
matching stopper rule ends the search; gateways sorted by prefix length,
then priority (then a random weight), each gateway once; next_gw() strips
and prefixes the user part and builds the gateway's URI.
"""
import re

TRANSPORT = {None: '', 0: '', 1: ';transport=udp', 2: ';transport=tcp',
             3: ';transport=tls', 4: ';transport=sctp'}


class Lcr:
    def __init__(self, gws, rules, targets, rng=None):
        self.gws = {g['id']: g for g in gws if g['defunct'] is None}
        self.rules = [r for r in rules if r['enabled'] == 1]
        if rng is not None:
            rng.shuffle(self.rules)
        self.targets = {}
        for t in targets:
            self.targets.setdefault(t['rule_id'], []).append(t)

    def load_gws(self, lcr_id, user, caller_uri, request_uri):
        """[((prefix length, priority), gateway row)], best first, each
        gateway once; equal keys are in random (weighted) order."""
        mine = [r for r in self.rules if r['lcr_id'] == lcr_id]
        lengths = sorted({len(r['prefix'] or '') for r in mine},
                         reverse=True)
        matched = []
        for length in lengths:
            if len(user) < length:
                continue
            stop = False
            for rule in (r for r in mine if len(r['prefix'] or '') == length):
                if (rule['prefix'] or '') != user[:length]:
                    continue
                if rule['from_uri'] and not re.search(rule['from_uri'],
                                                      caller_uri):
                    continue
                if rule['request_uri'] and not re.search(rule['request_uri'],
                                                         request_uri):
                    continue
                for t in self.targets.get(rule['id'], ()):
                    gw = self.gws.get(t['gw_id'])
                    if gw is not None and gw['lcr_id'] in (lcr_id, 0):
                        matched.append(((-length, t['priority']), gw))
                if rule['stopper'] == 1:
                    stop = True
                    break
            if stop:
                break
        matched.sort(key=lambda m: m[0])
        out, seen = [], set()
        for key, gw in matched:
            if gw['id'] in seen or (gw['strip'] or 0) > len(user):
                continue
            seen.add(gw['id'])
            out.append((key, gw))
        return out

    @staticmethod
    def uri(gw, user):
        """next_gw(): the Request-URI for a gateway."""
        host = gw['ip_addr'] or gw['hostname']
        if ':' in host:
            host = '[%s]' % host
        return 'sip:%s%s@%s%s%s' % (
            gw['prefix'] or '', user[gw['strip'] or 0:], host,
            ':%d' % gw['port'] if gw['port'] else '',
            TRANSPORT[gw['transport']])

    def call(self, lcr_id, number, callers, domain='example.com'):
        """What pstn.cfg does for a call to ``number`` (already in 00
        form): the caller tiers in turn, the first with gateways wins.
        Returns [[(gateway tag, Request-URI)] per rank]."""
        request_uri = 'sip:%s@%s' % (number, domain)
        for caller_uri in callers:
            found = self.load_gws(lcr_id, number, caller_uri, request_uri)
            if found:
                ranks = []
                for key in sorted({k for k, _ in found}):
                    ranks.append(sorted((g['tag'], self.uri(g, number))
                                        for k, g in found if k == key))
                return ranks
        return []


def caller_uris(caller_keys):
    """The caller_uri arguments pstn.cfg passes, from routing.caller_keys()."""
    out = []
    if 'user' in caller_keys:
        out.append('user:' + caller_keys['user'])
    if caller_keys.get('domain'):
        out.append('domain:' + caller_keys['domain'])
    return out + ['any']
