"""SIP names as the server stores them: one validation and one spelling.

The client lower-cases SIP usernames and domains before sending (spec §5.8);
the server lower-cases them too, so that a key has one spelling whatever a
client sends.
"""
import re

from .faults import invalid

_USER = re.compile(r'^[a-z0-9._~+=$,;?/!*\'()&%-]+$')   # SIP user part
_DOMAIN = re.compile(r'^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*'
                     r'[a-z0-9])?)*$')


def _lower_name(value, what, pattern, kind):
    name = (value or '').strip().lower()
    if not name:
        raise invalid('%s is required' % what)
    if len(name) > 64 or not pattern.match(name):
        raise invalid('Invalid SIP %s %r' % (kind, value))
    return name


def domain_name(value, what='domain'):
    return _lower_name(value, what, _DOMAIN, 'domain')


def username(value, what='username'):
    return _lower_name(value, what, _USER, 'username')


def sip_id(value, what='sipId'):
    """A decoded SipId -> (username, domain), validated and lower-cased."""
    if value is None:
        raise invalid('%s is required' % what)
    return (username(value.username, what + '.username'),
            domain_name(value.domain, what + '.domain'))
