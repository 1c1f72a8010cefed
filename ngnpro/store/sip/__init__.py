"""SIP records and their mirror in Kamailio's own tables, one module per
subject.

Every function here runs inside the caller's unit of work, so a record and
its Kamailio rows are written, or rolled back, together.
"""

# Subjects whose rows hang off SIP accounts register their cleanups
# (accounts.on_account_delete) when imported: import them with the package
# so that every deleteAccount/deleteDomain runs them.
from . import accept, diversions, lists, phonebook, prepaid  # noqa: F401,E402
