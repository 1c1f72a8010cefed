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
PEER_NOT_FOUND = 1050
PEER_EXISTS = 1051

# Voicemail port.
VOICEMAIL_NOT_FOUND = 2000
VOICEMAIL_EXISTS = 2001

# Rating port.
RATING_NOT_FOUND = 4001

# Customer port.
CUSTOMER_NOT_FOUND = 5000
CUSTOMER_EXISTS = 5001
CUSTOMER_IN_USE = 5002

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
