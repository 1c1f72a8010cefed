"""EnumPort (spec §2.4): ranges and numbers, one module each. A range is a
PowerDNS zone and every mapping of a number one NAPTR row of it, written
with the server's own rows in one transaction; PowerDNS is told after the
commit (ngnpro.live)."""
from ports.common import service

from . import numbers, ranges

EnumPort = service('EnumPort', ranges.OPERATIONS + numbers.OPERATIONS)
