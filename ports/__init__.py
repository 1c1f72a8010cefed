"""The eight NGNPro ports, by request namespace (spec §1.3).

A port whose service is None answers every call with a clear
"not implemented" fault until it is built.
"""
from ngnpro.dispatch import Port

from .customer import CustomerPort
from .dns import DnsPort
from .enum import EnumPort
from .presence import PresencePort
from .sip import SipPort


def all_ports():
    return [
        Port('SipPort', 'urn:AGProjects:NGNPro:Sip', SipPort),
        Port('CustomerPort', 'urn:AGProjects:NGNPro:Customer', CustomerPort),
        Port('DnsPort', 'urn:AGProjects:NGNPro:Dns', DnsPort),
        Port('EnumPort', 'urn:AGProjects:NGNPro:Enum', EnumPort),
        Port('VoicemailPort', 'urn:AGProjects:NGNPro:Voicemail'),
        Port('RatingPort', 'urn:AGProjects:NGNPro:Rating'),
        Port('NetworkPort', 'urn:AGProjects:NGNPro:Network'),
        Port('PresencePort', 'urn:AGProjects:SoapSIMPLEProxy:Presence',
             PresencePort, needs_auth=False),
    ]
