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


# Group names are compared by Kamailio's group module in SQL, where the
# column's collation may fold case: 'Free-PSTN' would open the PSTN for a
# caller the server checked as not touching 'free-pstn'. One spelling only.
_GROUP = re.compile(r'^[a-z0-9][a-z0-9._:+-]*$')


def group_name(value, what='group'):
    name = (value or '').strip().lower()
    if not name:
        raise invalid('%s is required' % what)
    if len(name) > 64 or not _GROUP.match(name):
        raise invalid('Invalid group name %r: up to 64 of a-z 0-9 . _ : + -'
                      % value)
    return name


# Customer logins: case-insensitive, one stored spelling.
_LOGIN = re.compile(r'^[a-z0-9][a-z0-9._@+-]*$')


def customer_username(value, what='username'):
    name = (value or '').strip().lower()
    if not name:
        raise invalid('Customer %s is required' % what)
    if len(name) > 64 or not _LOGIN.match(name):
        raise invalid('Invalid customer %s %r: up to 64 of a-z 0-9 . _ @ + -'
                      % (what, value))
    return name


# Property names keep the spelling the client reads them by
# (FUNC_access_number), but two names that differ only in case are one
# property: MariaDB's unique key says so, and so must every check here.
_PROPERTY = re.compile(r'^[A-Za-z0-9_.:@+<>-]+$')
CLIENT_PROPERTIES = (
    'sip_credit', 'sip_alias_credit', 'enum_range_credit',
    'enum_number_credit', 'dns_zone_credit', 'email_credit', 'pstn_access',
    'prepaid_changes', 'pstn_changes', 'payment_processor_class',
    'auth_token', 'voicemail_server', 'voicemail_access_number',
    'FUNC_access_number', 'FNOL_access_number', 'FNOA_access_number',
    'FBUS_access_number', 'change_privacy_access_number',
    'check_privacy_access_number', 'reject_anonymous_access_number',
    'sip_proxy', 'sip_outbound_proxy', 'store_clear_text_passwords',
    'xcap_root', 'absolute_voicemail_uri', 'support_web', 'support_email',
    'billing_email', 'support_company', 'cdrtool_address',
    'sip_settings_page', 'records_per_page', 'push_notifications_server',
    'push_notifications_server_private', 'digest_settings_page',
    'dns_admin_email', 'support_order', 'yubikey')
_SPELLING = {n.lower(): n for n in CLIENT_PROPERTIES}


def property_key(name):
    """What identifies a property: its name without case."""
    return name.lower()


def spelling(name):
    """The client's spelling of a known property name (PSTN_ACCESS ->
    pstn_access); any other name as it is."""
    return _SPELLING.get(property_key(name), name)


def property_name(value, what='property name'):
    name = (value or '').strip()
    if not name:
        raise invalid('Every property needs a name')
    if len(name) > 64 or not _PROPERTY.match(name):
        raise invalid('Invalid %s %r: up to 64 of A-Z a-z 0-9 _ . : @ + < > -'
                      % (what, value))
    return spelling(name)


# DNS names (zones, records, ENUM TLDs): lower case, no trailing dot,
# labels of letters, digits, '-' and '_' (service labels such as _sip._udp).
_LABEL = re.compile(r'^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$')


def dns_name(value, what='name', allow_empty=False):
    name = (value or '').strip().lower().rstrip('.')
    if not name:
        if allow_empty:
            return ''
        raise invalid('%s is required' % what)
    if len(name) > 253 or not all(_LABEL.match(p) for p in name.split('.')):
        raise invalid('Invalid DNS %s %r' % (what, value))
    return name
