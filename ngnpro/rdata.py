"""DNS record data: what a DnsRecord may hold, per type, and the row
PowerDNS 4.7 reads for it (native-schemas B2).

One function, ``record``, turns the client's {name, type, value, priority}
into a checked ``RR``: the owner name relative to the zone, the value in one
canonical spelling (what getRecord answers), and PowerDNS's ``content`` and
``prio``: names without a trailing dot, MX/SRV priority in ``prio``, the
whole NAPTR rdata in ``content``, TXT as quoted ASCII character-strings.

Names in values come without their trailing dot (spec §5.25), so they are
absolute. A name that cannot be absolute, a single label or one ending in a
service label (``_sip._tcp`` in the client's NAPTR template), is relative
to the zone. ``@`` is the zone itself.
"""
import hashlib
import ipaddress
import re
from typing import NamedTuple

from .faults import invalid
from .names import dns_name

TYPES = ('A', 'AAAA', 'CNAME', 'MX', 'NAPTR', 'NS', 'SRV', 'TXT', 'PTR',
         'LOC')
WITH_PRIO = ('MX', 'SRV')            # PowerDNS keeps these in ``prio``
CONTENT_MAX = 64000                  # PowerDNS records.content
RDATA_MAX = 65535
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_ONLY_QUOTED = re.compile(r'^\s*("(?:[^"\\]|\\.)*"\s*)+$', re.S)
_ESCAPE = re.compile(rb'\\(\d{3}|.)', re.S)
# Zone-file syntax that a value of a plain type may not smuggle in.
_SPECIAL = re.compile(r'[;()"\\\x00-\x1f\x7f]')
_NAPTR = re.compile(
    r'^\s*(\d{1,5})\s+(\d{1,5})\s+'
    r'("(?:[^"\\]|\\.)*"|[^\s"]+)\s+("(?:[^"\\]|\\.)*"|[^\s"]+)\s+'
    r'("(?:[^"\\]|\\.)*"|[^\s"]+)(?:\s+(\S+))?\s*$', re.S)
_FLAGS = re.compile(rb'^[A-Za-z0-9]*$')
_SERVICE = re.compile(rb'^[A-Za-z0-9+:._-]*$')


class RR(NamedTuple):
    name: str           # relative to the zone, '' = apex
    type: str
    value: str          # canonical value answered to clients
    priority: int       # answered to clients
    content: str        # PowerDNS records.content
    prio: int           # PowerDNS records.prio

    @property
    def key(self):
        """One RR, one key: SHA-1 of type, prio and content."""
        return hashlib.sha1(('%s %d %s' % (self.type, self.prio,
                                           self.content)).encode()).hexdigest()


def fqdn(name, zone):
    return '%s.%s' % (name, zone) if name else zone


def owner_name(zone, name):
    """The owner of a record, relative to ``zone`` ('' = apex). A name that
    already ends with the zone is taken as absolute; ``*`` may lead."""
    text = (name or '').strip().lower().rstrip('.')
    if text in ('', '@') or text == zone:
        return ''
    if text.endswith('.' + zone):
        text = text[:-len(zone) - 1]
    labels = text.split('.')
    rest = '.'.join(labels[1:] if labels[0] == '*' else labels)
    if rest:
        dns_name(rest, 'record name')
    _check_length(fqdn(text, zone), name)
    return text


def target(zone, value, what, root=False):
    """A domain name in a record's value (see the module doc)."""
    text = (value or '').strip().lower()
    if text == '.':
        if root:
            return '.'
        raise invalid('%s may not be the root' % what)
    text = text.rstrip('.')
    if text == '@':
        return zone
    if not text:
        raise invalid('%s is required' % what)
    labels = text.split('.')
    if len(labels) == 1 or labels[-1].startswith('_'):
        text = fqdn(text, zone)
    dns_name(text, what)
    _check_length(text, value)
    return text


def _check_length(name, given):
    if len(name) > 253 or any(len(p) > 63 for p in name.split('.')):
        raise invalid('DNS name %r is too long' % given)


def _number(text, what, high=65535):
    try:
        n = int(text)
    except (TypeError, ValueError):
        raise invalid('%s must be a number, not %r' % (what, text))
    if not 0 <= n <= high:
        raise invalid('%s must be between 0 and %d' % (what, high))
    return n


def _plain(value, rtype):
    text = (value or '').strip()
    if not text:
        raise invalid('A %s record needs a value' % rtype)
    if _SPECIAL.search(text):
        raise invalid('Invalid %s record value %r' % (rtype, value))
    return text


# -- character-strings (TXT, NAPTR) ---------------------------------------

def _unescape(raw):
    """The bytes of a quoted string's inside (zone-file escapes)."""
    def repl(m):
        g = m.group(1)
        if len(g) == 3 and g.isdigit():
            n = int(g)
            if n > 255:
                raise invalid('Invalid escape \\%s' % g.decode())
            return bytes([n])
        return g
    return _ESCAPE.sub(repl, raw.encode('utf-8'))


def quote(data):
    """bytes -> one quoted character-string in printable ASCII."""
    out = []
    for b in data:
        if b in (0x22, 0x5c):
            out.append('\\' + chr(b))
        elif 0x20 <= b < 0x7f:
            out.append(chr(b))
        else:
            out.append('\\%03d' % b)
    return '"%s"' % ''.join(out)


def _string(token, what):
    """A NAPTR field, quoted or not -> its bytes (at most 255)."""
    data = _unescape(token[1:-1]) if token.startswith('"') else \
        token.encode('utf-8')
    if len(data) > 255:
        raise invalid('%s is longer than 255 bytes' % what)
    return data


def _txt(value):
    text = value or ''
    if not text.strip():
        raise invalid('A TXT record needs a value')
    if _ONLY_QUOTED.match(text):
        strings = [_unescape(s) for s in _QUOTED.findall(text)]
    else:
        strings = [text.strip().encode('utf-8')]
    chunks = [s[i:i + 255] for s in strings for i in
              range(0, max(len(s), 1), 255)]
    if sum(len(c) + 1 for c in chunks) > RDATA_MAX:
        raise invalid('TXT data is longer than %d bytes' % RDATA_MAX)
    return text.strip(), ' '.join(quote(c) for c in chunks)


# -- per type --------------------------------------------------------------

def _a(zone, name, value, priority):
    try:
        addr = ipaddress.IPv4Address(_plain(value, 'A'))
    except ValueError:
        raise invalid('Invalid IPv4 address %r' % value)
    return str(addr), 0


def _aaaa(zone, name, value, priority):
    try:
        addr = ipaddress.IPv6Address(_plain(value, 'AAAA'))
    except ValueError:
        raise invalid('Invalid IPv6 address %r' % value)
    return str(addr), 0


def _name_type(rtype, root=False):
    def parse(zone, name, value, priority):
        return target(zone, _plain(value, rtype), '%s target' % rtype,
                      root), 0
    return parse


def _mx(zone, name, value, priority):
    host = target(zone, _plain(value, 'MX'), 'MX exchange', root=True)
    return host, priority


def _srv(zone, name, value, priority):
    parts = _plain(value, 'SRV').split()
    if len(parts) == 4:         # zone-file form with the priority first
        priority = _number(parts.pop(0), 'SRV priority')
    if len(parts) != 3:
        raise invalid('An SRV value is "weight port target", not %r'
                      % value)
    weight = _number(parts[0], 'SRV weight')
    port = _number(parts[1], 'SRV port')
    host = target(zone, parts[2], 'SRV target', root=True)
    return '%d %d %s' % (weight, port, host), priority


def _txt_type(zone, name, value, priority):
    value, content = _txt(value)
    return (value, content), 0


def _naptr(zone, name, value, priority):
    m = _NAPTR.match(value or '')
    if not m:
        raise invalid('A NAPTR value is: order preference "flags" '
                      '"service" "regexp" replacement, not %r' % value)
    order = _number(m.group(1), 'NAPTR order')
    preference = _number(m.group(2), 'NAPTR preference')
    flags = _string(m.group(3), 'NAPTR flags')
    service = _string(m.group(4), 'NAPTR service')
    regexp = _string(m.group(5), 'NAPTR regexp')
    if not _FLAGS.match(flags):
        raise invalid('NAPTR flags are letters and digits, not %r'
                      % m.group(3))
    if not _SERVICE.match(service):
        raise invalid('Invalid NAPTR service %r' % m.group(4))
    if regexp and (len(regexp) < 3 or regexp.count(regexp[:1]) < 3):
        raise invalid('Invalid NAPTR regexp %r: delim-char ere delim-char '
                      'substitution delim-char flags' % m.group(5))
    replacement = target(zone, m.group(6) or '.', 'NAPTR replacement',
                         root=True)
    if regexp and replacement != '.':
        raise invalid('A NAPTR record has a regexp or a replacement, not '
                      'both (RFC 3403)')
    content = '%d %d %s %s %s %s' % (order, preference, quote(flags),
                                     quote(service), quote(regexp),
                                     replacement)
    return content, preference


def _loc(zone, name, value, priority):
    import dns.exception
    import dns.rdata
    text = _plain(value, 'LOC')
    try:
        rd = dns.rdata.from_text('IN', 'LOC', text)
    except (dns.exception.DNSException, ValueError) as exc:
        raise invalid('Invalid LOC value %r: %s' % (value, exc))
    return rd.to_text(), 0


_PARSERS = {'A': _a, 'AAAA': _aaaa, 'CNAME': _name_type('CNAME'),
            'NS': _name_type('NS'), 'PTR': _name_type('PTR'), 'MX': _mx,
            'SRV': _srv, 'TXT': _txt_type, 'NAPTR': _naptr, 'LOC': _loc}


def record_type(value):
    rtype = (value or '').strip().upper()
    if rtype not in _PARSERS:
        raise invalid('Unsupported DNS record type %r (one of %s)'
                      % (value, ', '.join(TYPES)))
    return rtype


def record(zone, name, rtype, value, priority):
    """Check one record of ``zone`` -> RR (fault 103 on anything wrong)."""
    rtype = record_type(rtype)
    owner = owner_name(zone, name)
    if rtype == 'CNAME' and owner == '':
        raise invalid('A CNAME cannot be at the zone apex')
    if rtype == 'NS' and owner == '':
        raise invalid('The name servers of the zone apex are the zone\'s '
                      'nameservers (updateZone)')
    if owner.startswith('*') and rtype == 'NS':
        raise invalid('A wildcard cannot be delegated')
    result, prio = _PARSERS[rtype](zone, owner, value, int(priority or 0))
    shown, content = result if isinstance(result, tuple) else \
        (result, result)
    if len(content) > CONTENT_MAX:
        raise invalid('The record data is longer than %d characters'
                      % CONTENT_MAX)
    pdns_prio = prio if rtype in WITH_PRIO else 0
    return RR(owner, rtype, shown, prio if rtype in WITH_PRIO + ('NAPTR',)
              else 0, content, pdns_prio)


# -- zone apex (SOA, NS) ---------------------------------------------------

_MAILBOX = re.compile(r'^[a-z0-9!#$%&\'*+/=?^_`{|}~-]+'
                      r'(\.[a-z0-9!#$%&\'*+/=?^_`{|}~-]+)*$')


def mailbox(value, what='mailbox'):
    """The local part of an e-mail address, lower case."""
    text = (value or '').strip().lower()
    if not _MAILBOX.match(text) or len(text) > 64:
        raise invalid('Invalid %s %r' % (what, value))
    return text


def email(value, what='email'):
    """An address local@domain, lower case."""
    text = (value or '').strip().lower()
    local, at, domain = text.rpartition('@')
    if not at:
        raise invalid('Invalid %s %r' % (what, value))
    mailbox(local, what)
    dns_name(domain, what + ' domain')
    return text


def soa_content(primary, contact, serial, refresh, retry, expire, minimum):
    """SOA rdata as PowerDNS keeps it; the contact's local part is one
    label, its dots escaped."""
    local, _, domain = contact.rpartition('@')
    rname = '%s.%s' % (local.replace('.', '\\.'), domain)
    return '%s %s %d %d %d %d %d' % (primary, rname, serial, refresh, retry,
                                     expire, minimum)


def ordername(name):
    """What ``pdnsutil rectify-zone`` writes in NSEC mode: the labels of the
    name relative to the zone, reversed, joined by spaces ('' = apex)."""
    return ' '.join(reversed(name.split('.'))) if name else ''


# -- ENUM ------------------------------------------------------------------

ENUM_PREFERENCE = 10
_URI = re.compile(r'^[\x21-\x7e]+$')


def enum_naptr(name, service, uri, order):
    """The NAPTR of one ENUM mapping (RFC 6116): terminal rule "u", service
    E2U+<enumservice>, the URI in the regexp, the mapping's priority as the
    order."""
    if not _URI.match(uri) or any(c in uri for c in '!"\\'):
        raise invalid('Invalid ENUM mapping URI %r: printable ASCII without '
                      'blanks, quotes, backslashes or "!"' % uri)
    regexp = ('!^.*$!%s!' % uri).encode('ascii')
    if len(regexp) > 255:
        raise invalid('ENUM mapping URI %r is too long' % uri)
    content = '%d %d "u" %s %s .' % (order, ENUM_PREFERENCE,
                                     quote(('E2U+' + service).encode()),
                                     quote(regexp))
    return RR(name, 'NAPTR', content, order, content, 0)
