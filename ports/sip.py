"""SipPort (spec §2.1)."""
from spyne import ServiceBase


class SipPort(ServiceBase):
    pass
