"""The XML documents behind the PresencePort, built and parsed with lxml
against their namespaces (never by pasting strings: whatever a client sends
ends up as escaped text or attribute values).

* PIDF (RFC 3863) with the RPID activity (RFC 4480) in a data-model person
  (RFC 4479): what setPresenceInformation publishes in ``presentity``.
* pres-rules (RFC 5025 on common-policy, RFC 4745): the allow / deny /
  confirm lists, in ``xcap``, which presence_xml evaluates for every
  SUBSCRIBE. presence_xml applies the first rule whose identity matches the
  watcher, while RFC 4745 combines every matching rule (the most permissive
  wins); the document is written so that both read it alike: rules for
  single watchers come first, and a domain rule excepts the watchers of that
  domain listed elsewhere (see pres_rules for presence_xml's domain
  matching).
"""
import datetime

from lxml import etree

from .faults import NGNProError, invalid
from . import names

PIDF = 'urn:ietf:params:xml:ns:pidf'
DM = 'urn:ietf:params:xml:ns:pidf:data-model'
RPID = 'urn:ietf:params:xml:ns:pidf:rpid'
CP = 'urn:ietf:params:xml:ns:common-policy'
PR = 'urn:ietf:params:xml:ns:pres-rules'

# RFC 4480 section 3.2: the activities that are elements of their own; any
# other activity is carried as <rpid:other>text</rpid:other>.
ACTIVITIES = frozenset((
    'appointment', 'away', 'breakfast', 'busy', 'dinner', 'holiday',
    'in-transit', 'looking-for-work', 'meal', 'meeting', 'on-the-phone',
    'performance', 'permanent-absence', 'playing', 'presentation',
    'shopping', 'sleeping', 'spectator', 'steering', 'travel', 'tv',
    'unknown', 'vacation', 'working', 'worship'))
OPEN, CLOSED, IDLE = 'open', 'closed', 'idle'

LISTS = ('allow', 'deny', 'confirm')
# sub-handling values (RFC 5025 3.2.1) per list, and back.
HANDLING = {'allow': 'allow', 'deny': 'block', 'confirm': 'confirm'}
LIST_OF = {'allow': 'allow', 'block': 'deny', 'polite-block': 'deny',
           'confirm': 'confirm'}

# Documents read back are ours or an XCAP client's: no network, no entities.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True,
                          remove_comments=True, remove_pis=True)


def _q(ns, tag):
    return '{%s}%s' % (ns, tag)


def _text(parent, ns, tag, text):
    el = etree.SubElement(parent, _q(ns, tag))
    try:
        el.text = text
    except ValueError:
        # Control characters XML cannot carry.
        raise invalid('%s contains characters XML cannot carry' % tag)
    return el


def _serialize(root):
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


def _parse(data):
    if not data:
        return None
    try:
        return etree.fromstring(bytes(data), _PARSER)
    except etree.XMLSyntaxError:
        return None


# -- PIDF -------------------------------------------------------------------

def activity_in(value):
    """The activity a client sends -> its one spelling (empty = open)."""
    activity = (value or '').strip().lower()
    return activity or OPEN


def pidf(entity, activity, note, when=None):
    """The PIDF document of ``entity`` (sip:user@domain) for an activity
    (activity_in) and a free-text note."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    root = etree.Element(_q(PIDF, 'presence'), nsmap={
        None: PIDF, 'dm': DM, 'rpid': RPID}, entity=entity)
    tuple_ = etree.SubElement(root, _q(PIDF, 'tuple'), id='ngnpro')
    status = etree.SubElement(tuple_, _q(PIDF, 'status'))
    _text(status, PIDF, 'basic', CLOSED if activity == CLOSED else OPEN)
    if note:
        _text(tuple_, PIDF, 'note', note)
    _text(tuple_, PIDF, 'timestamp',
          when.strftime('%Y-%m-%dT%H:%M:%SZ'))
    person = etree.SubElement(root, _q(DM, 'person'), id='ngnpro-person')
    if activity == IDLE:
        _text(person, RPID, 'user-input', IDLE)
    elif activity not in (OPEN, CLOSED):
        activities = etree.SubElement(person, _q(RPID, 'activities'))
        if activity in ACTIVITIES:
            etree.SubElement(activities, _q(RPID, activity))
        else:
            _text(activities, RPID, 'other', activity)
    if note:
        _text(person, DM, 'note', note)
    return _serialize(root)


def read_pidf(data):
    """(activity, note) of a PIDF document written by pidf(); (None, None)
    when it cannot be read."""
    root = _parse(data)
    if root is None or root.tag != _q(PIDF, 'presence'):
        return None, None
    note = root.findtext('%s/%s' % (_q(PIDF, 'tuple'), _q(PIDF, 'note')))
    if note is None:
        note = root.findtext('%s/%s' % (_q(DM, 'person'), _q(DM, 'note')))
    activity = None
    person = root.find(_q(DM, 'person'))
    if person is not None:
        acts = person.find(_q(RPID, 'activities'))
        first = next((c for c in acts if isinstance(c.tag, str)), None) \
            if acts is not None else None
        if first is not None:
            local = etree.QName(first).localname
            activity = (first.text or '').strip() if local == 'other' \
                else local
        elif (person.findtext(_q(RPID, 'user-input')) or '').strip() == IDLE:
            activity = IDLE
    if activity is None:
        basic = root.findtext('%s/%s/%s' % (_q(PIDF, 'tuple'),
                                            _q(PIDF, 'status'),
                                            _q(PIDF, 'basic')))
        activity = CLOSED if (basic or '').strip() == CLOSED else OPEN
    return activity, note or ''


# -- pres-rules ---------------------------------------------------------------

def watcher(value, where):
    """A list entry -> ('uri', 'sip:user@domain') or ('domain', name), one
    spelling (lower case; a URI without scheme gets sip:)."""
    entry = (value or '').strip().lower()
    bad = invalid('%s: %r is neither a SIP URI (sip:user@domain) nor a '
                  'domain' % (where, value))
    if entry.startswith('sip:'):
        entry = entry[4:]
    elif ':' in entry:
        raise bad
    try:
        if '@' in entry:
            user, _, domain = entry.rpartition('@')
            return 'uri', 'sip:%s@%s' % (names.username(user),
                                         names.domain_name(domain))
        return 'domain', names.domain_name(entry)
    except NGNProError:
        raise bad


def policy_in(lists, max_domains):
    """{list: [entries]} as a client sends them -> {list: [(kind, value)]},
    without duplicates; an entry in two lists is refused, and more than
    ``max_domains`` domains (the document grows with their square)."""
    seen = {}
    out = {}
    for name in LISTS:
        out[name] = []
        for i, value in enumerate(lists.get(name) or ()):
            if not (value or '').strip():
                continue
            entry = watcher(value, 'policy.%s[%d]' % (name, i))
            other = seen.get(entry)
            if other == name:
                continue
            if other is not None:
                raise invalid('%s is in both policy.%s and policy.%s'
                              % (entry[1], other, name))
            seen[entry] = name
            out[name].append(entry)
    domains = sum(1 for kind, _ in seen if kind == 'domain')
    if domains > max_domains:
        raise invalid('The policy lists %d domains, more than the maximum of '
                      '%d' % (domains, max_domains))
    return out


def _rule(ruleset, rule_id, handling):
    rule = etree.SubElement(ruleset, _q(CP, 'rule'), id=rule_id)
    conditions = etree.SubElement(rule, _q(CP, 'conditions'))
    identity = etree.SubElement(conditions, _q(CP, 'identity'))
    actions = etree.SubElement(rule, _q(CP, 'actions'))
    etree.SubElement(actions, _q(PR, 'sub-handling')).text = handling
    if handling == 'allow':
        # RFC 5025 reveals nothing that is not provided: provide it all.
        t = etree.SubElement(rule, _q(CP, 'transformations'))
        for what, every in (('provide-services', 'all-services'),
                            ('provide-persons', 'all-persons'),
                            ('provide-devices', 'all-devices')):
            etree.SubElement(etree.SubElement(t, _q(PR, what)),
                             _q(PR, every))
        etree.SubElement(t, _q(PR, 'provide-all-attributes'))
    return identity


def pres_rules(policy):
    """The pres-rules document of a policy_in() result.

    presence_xml (5.6) matches ``<many domain="D">`` for every watcher
    domain of D's length, or that D starts with, not only D; its
    ``<except domain>`` is exact. So every domain of the policy excepts all
    the other listed domains, and a first rule sends the watchers that only
    such a loose match would catch (listed domains excepted) to the outcome
    of no rule at all, confirm (pending). For an RFC 4745 reader that rule
    matches nobody and the excepts change nothing."""
    root = etree.Element(_q(CP, 'ruleset'), nsmap={'cr': CP, 'pr': PR})
    uris = {}          # domain -> [(list, uri)]
    domains = []       # [(list, domain)]
    for name in LISTS:
        for kind, value in policy[name]:
            if kind == 'uri':
                uris.setdefault(value.rpartition('@')[2], []).append(
                    (name, value))
            else:
                domains.append((name, value))
    for name in LISTS:
        listed = [v for k, v in policy[name] if k == 'uri']
        if listed:
            identity = _rule(root, 'ngnpro_%s' % name, HANDLING[name])
            for uri in listed:
                etree.SubElement(identity, _q(CP, 'one'), id=uri)
    if not domains:
        return _serialize(root)
    every = [d for _, d in domains]

    def many(identity, domain, excepted):
        el = etree.SubElement(identity, _q(CP, 'many'), domain=domain)
        for other in excepted:
            etree.SubElement(el, _q(CP, 'except'), domain=other)
        return el

    identity = _rule(root, 'ngnpro_unlisted_domains', HANDLING['confirm'])
    for domain in every:
        many(identity, domain, every)
    for name in LISTS:
        mine = [d for n, d in domains if n == name]
        if not mine:
            continue
        identity = _rule(root, 'ngnpro_%s_domains' % name, HANDLING[name])
        for domain in mine:
            el = many(identity, domain, [d for d in every if d != domain])
            # Watchers of this domain listed elsewhere keep their own rule.
            for other, uri in uris.get(domain, ()):
                if other != name:
                    etree.SubElement(el, _q(CP, 'except'), id=uri)
    return _serialize(root)


def read_pres_rules(data):
    """{list: [entries]} of a pres-rules document (ours, or one an XCAP
    client wrote: identities of rules with other actions are skipped)."""
    out = {name: [] for name in LISTS}
    root = _parse(data)
    if root is None or root.tag != _q(CP, 'ruleset'):
        return out
    for rule in root.iterfind(_q(CP, 'rule')):
        handling = rule.findtext('%s/%s' % (_q(CP, 'actions'),
                                            _q(PR, 'sub-handling')))
        name = LIST_OF.get((handling or '').strip())
        identity = rule.find('%s/%s' % (_q(CP, 'conditions'),
                                        _q(CP, 'identity')))
        if name is None or identity is None:
            continue
        for el in identity:
            if el.tag == _q(CP, 'one') and el.get('id'):
                value = el.get('id')
            elif el.tag == _q(CP, 'many') and el.get('domain'):
                value = el.get('domain')
                if value in el.xpath('cr:except/@domain',
                                     namespaces={'cr': CP}):
                    continue        # excepts its own domain: matches nobody
            else:
                continue
            if value not in out[name]:
                out[name].append(value)
    return out
