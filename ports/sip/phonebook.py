"""The phonebook of a SIP account (spec §2.1 Self-care): entries keyed by
URI; their groups are what accept rules name."""
from ngnpro.faults import (PHONEBOOK_ENTRY_EXISTS, PHONEBOOK_ENTRY_NOT_FOUND,
                           NGNProError, invalid)
from ngnpro.store.sip import phonebook as store
from ngnpro.types.common import Range, SipId, String
from ngnpro.types.sip_settings import PhonebookEntries, PhonebookEntry
from ports.common import unique

from . import lookup
from .settings import EVERYBODY, NOBODY, group_name, sip_uri


def _uri(value, what='entry.uri'):
    return sip_uri(value, what, width=255, lower=True)


def _group(value):
    if not (value or '').strip():
        return ''
    name = group_name(value, 'entry.group')
    if name in (EVERYBODY, NOBODY):
        raise invalid('%r is reserved for accept rules, not a phonebook '
                      'group' % name)
    return name


def _values(entry):
    return {'name': (getattr(entry, 'name', None) or '').strip(),
            'group_name': _group(getattr(entry, 'group', None))}


def _entry(call, row, uri):
    found = store.entry(call.conn, call.schema, row['username'],
                        row['domain'], uri)
    if found is None:
        raise NGNProError(PHONEBOOK_ENTRY_NOT_FOUND, 'No phonebook entry %s '
                          'for %s@%s' % (uri, row['username'], row['domain']))
    return found


def add_phonebook_entry(call, sip_id, entry):
    row = lookup.account(call, sip_id, for_update=True)
    if entry is None:
        raise invalid('entry is required')
    uri = _uri(entry.uri)
    values = _values(entry)
    user, dom = row['username'], row['domain']
    exists = 'Phonebook of %s@%s already has %s' % (user, dom, uri)
    if store.entry(call.conn, call.schema, user, dom, uri) is not None:
        raise NGNProError(PHONEBOOK_ENTRY_EXISTS, exists)
    with unique(PHONEBOOK_ENTRY_EXISTS, exists):
        store.add_entry(call.conn, call.schema, user, dom,
                        dict(values, uri=uri))


def update_phonebook_entry(call, sip_id, entry):
    row = lookup.account(call, sip_id, for_update=True)
    if entry is None:
        raise invalid('entry is required')
    found = _entry(call, row, _uri(entry.uri))
    store.update_entry(call.conn, call.schema, found, _values(entry))


def delete_phonebook_entry(call, sip_id, uri):
    row = lookup.account(call, sip_id, for_update=True)
    found = _entry(call, row, _uri(uri, 'uri'))
    store.delete_entry(call.conn, call.schema, found)


def _pattern(value, lower=False):
    if value is None:
        return None
    return value.lower() if lower else value


def get_phonebook_entries(call, sip_id, match, range):
    row = lookup.account(call, sip_id)
    uri = _pattern(getattr(match, 'uri', None), lower=True)
    name = _pattern(getattr(match, 'name', None))
    given = [p for p in (uri, name) if p is not None]
    if any(p.strip('%') == '' for p in given):
        uri = name = None    # OR with a match-everything pattern
    group = getattr(match, 'group', None)
    if group is not None:
        group = _group(group) if group.strip() else ''
    total, rows = store.search(call.conn, call.schema, row['username'],
                               row['domain'], uri, name, group, range,
                               call.config.max_page_size)
    return {'total': total,
            'entries': [{'uri': r['uri'], 'name': r['name'],
                         'group': r['group_name']} for r in rows]}


OPERATIONS = [
    ('addPhonebookEntry', add_phonebook_entry,
     [('sipId', SipId), ('entry', PhonebookEntry)], None),
    ('updatePhonebookEntry', update_phonebook_entry,
     [('sipId', SipId), ('entry', PhonebookEntry)], None),
    ('deletePhonebookEntry', delete_phonebook_entry,
     [('sipId', SipId), ('uri', String)], None),
    ('getPhonebookEntries', get_phonebook_entries,
     [('sipId', SipId), ('match', PhonebookEntry), ('range', Range)],
     PhonebookEntries),
]
