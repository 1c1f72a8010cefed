"""SIP records and their mirror in Kamailio's own tables, one module per
subject.

Every function here runs inside the caller's unit of work, so a record and
its Kamailio rows are written, or rolled back, together.
"""
