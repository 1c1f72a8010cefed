"""PSTN routing of the SipPort (spec §2.1 "Gateways / rules / carriers /
routes"): carriers group gateways, gateway rules rewrite numbers for a
gateway, routes send number prefixes to carriers. Every change is compiled
into Kamailio's lcr tables in the same transaction and followed by
lcr.reload (docs/pstn-routing.md)."""
from . import carriers, gateways, routes, rules

OPERATIONS = (gateways.OPERATIONS + rules.OPERATIONS + carriers.OPERATIONS
              + routes.OPERATIONS)
