"""Validation shared by the self-care setters (spec §5.11): SIP URIs as the
client writes them, and the names of phonebook groups."""
import re

from ngnpro.faults import invalid

# sip:user@host[:port][;params], the form of every target and caller URI
# the legacy client sends (it lower-cases them).
_SIP_URI = re.compile(r'^sips?:[^\s<>"@;]+@[a-z0-9.\-]+(:[0-9]{1,5})?'
                      r'(;[^\s<>"]*)?$', re.I)
_GROUP = re.compile(r'^[a-z0-9][a-z0-9 ._+-]*$')
EVERYBODY, NOBODY = 'everybody', 'nobody'


def sip_uri(value, what, width=128, lower=False):
    uri = (value or '').strip()
    if lower:
        uri = uri.lower()
    if not _SIP_URI.match(uri):
        raise invalid('Invalid %s %r: expected a SIP URI such as '
                      'sip:user@example.com' % (what, value))
    if len(uri) > width:
        raise invalid('%s %r is longer than %d characters'
                      % (what, value, width))
    return uri


def group_name(value, what='group'):
    """A phonebook group: lower case, up to 64 of a-z 0-9 space . _ + -
    (no comma: the proxy reads rules as comma lists)."""
    name = (value or '').strip().lower()
    if len(name) > 64 or not _GROUP.match(name):
        raise invalid('Invalid %s %r: up to 64 of a-z 0-9 space . _ + -'
                      % (what, value))
    return name
