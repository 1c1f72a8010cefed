"""SipPort (spec §2.1), one module per subject.

Records carry the customer/reseller of their SIP domain (guide "Record
Assignment"); every write also lands in Kamailio's own tables
(ngnpro.store.sip). The order of OPERATIONS is the order of the WSDL.
"""
from ports.common import service

from . import (accept, accounts, aliases, calls, diversions, domains, groups,
               lists, peers, phonebook, prepaid, pstn, traces)

SipPort = service('SipPort', domains.OPERATIONS + peers.OPERATIONS
                  + accounts.OPERATIONS + aliases.OPERATIONS
                  + groups.OPERATIONS + pstn.OPERATIONS + prepaid.OPERATIONS
                  + phonebook.OPERATIONS + lists.OPERATIONS
                  + accept.OPERATIONS + diversions.OPERATIONS
                  + calls.OPERATIONS + traces.OPERATIONS)
