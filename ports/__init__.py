"""The eight NGNPro ports, by request namespace (spec §1.3).

A port whose service is None answers every call with a clear
"not implemented" fault until it is built.
"""
from ngnpro.dispatch import Port

from .customer import CustomerPort
from .dns import DnsPort
from .enum import EnumPort
from .presence import PresencePort
from .network import NetworkPort
from .rating import RatingPort
from .sip import SipPort
from .voicemail import VoicemailPort


def all_ports():
    return [
        Port('SipPort', 'urn:AGProjects:NGNPro:Sip', SipPort),
        Port('CustomerPort', 'urn:AGProjects:NGNPro:Customer', CustomerPort),
        Port('DnsPort', 'urn:AGProjects:NGNPro:Dns', DnsPort),
        Port('EnumPort', 'urn:AGProjects:NGNPro:Enum', EnumPort),
        Port('VoicemailPort', 'urn:AGProjects:NGNPro:Voicemail',
             VoicemailPort),
        Port('RatingPort', 'urn:AGProjects:NGNPro:Rating', RatingPort),
        Port('NetworkPort', 'urn:AGProjects:NGNPro:Network', NetworkPort),
        Port('PresencePort', 'urn:AGProjects:SoapSIMPLEProxy:Presence',
             PresencePort, needs_auth=False),
    ]
