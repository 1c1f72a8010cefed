"""SipPort (spec §2.1), one module per subject.

Records carry the customer/reseller of their SIP domain (guide "Record
Assignment"); every write also lands in Kamailio's own tables
(ngnpro.store.sip). The order of OPERATIONS is the order of the WSDL.
"""
from ports.common import service

from . import accounts, aliases, domains, groups, peers, pstn

SipPort = service('SipPort', domains.OPERATIONS + peers.OPERATIONS
                  + accounts.OPERATIONS + aliases.OPERATIONS
                  + groups.OPERATIONS + pstn.OPERATIONS)
