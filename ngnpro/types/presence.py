"""Presence port types (spec §3.8), in their own namespace
``urn:AGProjects:SoapSIMPLEProxy``: the client types the Presence arguments
there (``ns4:SipId``, ``ns4:PresenceInformation``), not in the NGNPro one.
"""
from spyne.model.complex import Array, ComplexModel

from .common import Bool, Name, String, limited, struct

TNS = 'urn:AGProjects:SoapSIMPLEProxy'


class Model(ComplexModel):
    __namespace__ = TNS


def array(item_type, name):
    """A SOAP-encoded array of <item> in the presence namespace."""
    cls = Array(item_type, member_name='item').customize(type_name=name)
    cls.__namespace__ = TNS
    return cls


# A watcher URI is sip:<user of 64>@<domain of 64>, a bare domain 64
# characters: 255 is the presentity_uri column the URIs end up compared to.
WatcherText = String
Activity = limited(String, max_len=64)
Note = limited(String, max_len=1024)   # free text, escaped into the PIDF
Password = String

StringArray = array(WatcherText, 'StringArray')
SipId = struct('SipId', [('username', Name), ('domain', Name)], base=Model)
PresenceInformation = struct('PresenceInformation', [
    ('activity', Activity), ('note', Note)], base=Model)
PresencePolicy = struct('PresencePolicy', [
    ('allow', StringArray), ('deny', StringArray), ('confirm', StringArray)],
    base=Model)
Watcher = struct('Watcher', [('id', WatcherText), ('status', Name),
                             ('online', Bool)], base=Model)
WatcherArray = array(Watcher, 'WatcherArray')
