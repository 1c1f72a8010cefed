"""The one fault type of the server and its error codes (spec §4).

Codes the legacy client acts on are fixed by the contract; the rest follow its
pattern (thousands digit = area, even = does not exist, odd = already exists)
plus a block below 1000 for conditions common to every port.
"""

# Common to every port.
AUTH_FAILED = 100
PERMISSION_DENIED = 101
CREDIT_EXCEEDED = 102
INVALID_ARGUMENT = 103
NOT_IMPLEMENTED = 104
INVALID_REQUEST = 105
REQUEST_TOO_LARGE = 106
# The database: conflicts retried until the configured limit, or no node
# could take the request (or the commit's outcome is unknown).
SERVICE_BUSY = 107
DATABASE_UNAVAILABLE = 108
INTERNAL_ERROR = 900

# Sip port.
DOMAIN_NOT_FOUND = 1000
DOMAIN_EXISTS = 1001
ACCOUNT_NOT_FOUND = 1010
ACCOUNT_EXISTS = 1011
ALIAS_NOT_FOUND = 1020
ALIAS_EXISTS = 1021
ALREADY_IN_GROUP = 1030
NOT_IN_GROUP = 1031
PHONEBOOK_ENTRY_NOT_FOUND = 1040
PHONEBOOK_ENTRY_EXISTS = 1041
PEER_NOT_FOUND = 1050
PEER_EXISTS = 1051
MEDIA_TRACE_NOT_FOUND = 1060
PREPAID_CARD_NOT_FOUND = 1070
PREPAID_CARD_USED = 1071
PREPAID_CARD_BLOCKED = 1072
# PSTN routing (docs/pstn-routing.md): not found / exists, and "in use" for
# a delete that would leave dangling rows (as 5002 for customers).
CARRIER_NOT_FOUND = 1100
CARRIER_EXISTS = 1101
CARRIER_IN_USE = 1102
GATEWAY_NOT_FOUND = 1110
GATEWAY_EXISTS = 1111
GATEWAY_IN_USE = 1112
GATEWAY_RULE_NOT_FOUND = 1120
ROUTE_NOT_FOUND = 1130
ROUTE_EXISTS = 1131
LCR_INSTANCES_EXHAUSTED = 1140

# Enum port (3002 is fixed by the contract: the add-mapping workflow).
RANGE_NOT_FOUND = 3000
RANGE_EXISTS = 3001
NUMBER_NOT_FOUND = 3002
NUMBER_EXISTS = 3003

# Voicemail port.
VOICEMAIL_NOT_FOUND = 2000
VOICEMAIL_EXISTS = 2001

# Rating port.
RATING_NOT_FOUND = 4001

# Customer port.
CUSTOMER_NOT_FOUND = 5000
CUSTOMER_EXISTS = 5001
CUSTOMER_IN_USE = 5002

# Dns port (7001 and 7003 are fixed by the contract: imports rely on them).
ZONE_NOT_FOUND = 7000
ZONE_EXISTS = 7001
RECORD_NOT_FOUND = 7002
RECORD_EXISTS = 7003
FANCY_RECORD_NOT_FOUND = 7004
FANCY_RECORD_EXISTS = 7005

class NGNProError(Exception):
    """A SOAP fault with detail/exception/{errorcode, errorstring}.

    Raising it anywhere below a port method rolls the unit of work back and
    answers HTTP 500 with the fault the legacy client understands."""

    def __init__(self, errorcode, errorstring, faultstring=None):
        super().__init__(errorstring)
        self.errorcode = int(errorcode)
        self.errorstring = errorstring
        # The client prints "faultstring (errorcode): errorstring": keep the
        # human explanation in both (spec §4.2).
        self.faultstring = faultstring or errorstring

    @property
    def faultcode(self):
        if self.errorcode == INTERNAL_ERROR:
            return 'Server'
        return 'Client'

    def __repr__(self):
        return 'NGNProError(%d, %r)' % (self.errorcode, self.errorstring)


def invalid(message):
    return NGNProError(INVALID_ARGUMENT, message)


def denied(message='Permission denied'):
    return NGNProError(PERMISSION_DENIED, message)


def loggable(exc):
    """An unexpected exception as a log text that can carry no secret: the
    stack (files, lines, functions), the exception's class and, for a
    database error, the driver's error code. Messages are left out: a
    database error quotes the statement's values (clear passwords, HA1s),
    and other messages may quote request data."""
    import traceback
    frames = traceback.extract_tb(exc.__traceback__)
    stack = ''.join('  %s:%d in %s\n' % (f.filename, f.lineno, f.name)
                    for f in frames)
    kind = type(exc).__name__
    orig = getattr(exc, 'orig', None)        # sqlalchemy DBAPIError
    if orig is not None:
        code = orig.args[0] if getattr(orig, 'args', None) else ''
        kind = '%s (%s %s)' % (kind, type(orig).__name__, code)
    return '%s\n%s' % (kind, stack.rstrip())
