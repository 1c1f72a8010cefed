"""Tables: NGNPro's own records, and the native tables of the servers that
consume them, written in the same transaction.

One module per subject defines its tables on the Schema (``define(s)``);
native tables (Kamailio's, PowerDNS', Asterisk's, and later CDRTool's) are
declared with ``s.native``, which applies the deployment's table names from
the configuration and records the ``version`` row the consumer checks.
"""
from sqlalchemy import MetaData, Table

from . import (cdrtool_prepaid, cdrtool_rating, customers, dns, effects,
               enum, journal, kamailio, kamailio_services, lcr, powerdns,
               presence, sip, subscriber, voicemail)

MODULES = (customers, sip, kamailio, voicemail, kamailio_services, subscriber,
           cdrtool_prepaid, cdrtool_rating, lcr, presence, powerdns, dns,
           enum, journal, effects)


class Schema:
    """All tables of one database. ``native_names`` renames native tables:
    {default name: name}; ``db.table`` names a table in another database of
    the same MySQL server (one transaction still covers both)."""

    def __init__(self, native_names=None):
        self.native_names = dict(native_names or {})
        self.versions = {}            # table name -> version row value
        self.metadata = MetaData()
        for module in MODULES:
            module.define(self)

    def native(self, key, version, *columns, **options):
        name = self.native_names.get(key, key)
        database, _, table = name.rpartition('.')
        if version is not None:
            self.versions[table] = version
        return Table(table, self.metadata, *columns, schema=database or None,
                     **options)

    def version_rows(self):
        return [{'table_name': t, 'table_version': v}
                for t, v in self.versions.items()]
