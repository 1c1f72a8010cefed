"""DnsPort (spec §2.3): zones, records and fancy records, one module each.

Zones and records are PowerDNS's domains/records rows, written with the
server's own in one transaction; PowerDNS is told after the commit
(ngnpro.live). The WSDL lists the operations in the contract's order.
"""
from ports.common import service

from . import fancy, records, zones

_ORDER = ('addZone', 'updateZone', 'deleteZone', 'getZone', 'getZones',
          'addRecord', 'addFancyRecord', 'updateRecord', 'updateFancyRecord',
          'deleteRecord', 'deleteFancyRecord', 'getRecord', 'getFancyRecord',
          'getRecords', 'getFancyRecords')
_ALL = {op[0]: op for op in zones.OPERATIONS + records.OPERATIONS
        + fancy.OPERATIONS}

DnsPort = service('DnsPort', [_ALL[name] for name in _ORDER])
