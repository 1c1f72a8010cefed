"""PresencePort (spec §2.8): the presence and the presence policy of one SIP
account, in Kamailio's presence tables (ngnpro.store.presence) as the
documents of ngnpro.presence_documents.

No auth header: every call carries the account (``sipId``) and its own SIP
password, checked against the HA1 in Kamailio's subscriber table (so it
works when clear-text passwords are not stored). A wrong password and an
unknown account answer the same fault 100, and count as failed logins in
the login throttle.

After a commit, Kamailio is told to notify the account's watchers
(presence.refreshWatchers: type 1 for a new published state, 0 for new
authorization rules; presence.cleanup for a publication withdrawn).
"""
import hmac

from ngnpro import live, names
from ngnpro import presence_documents as documents
from ngnpro.faults import AUTH_FAILED, NGNProError, invalid
from ngnpro.store import presence as store
from ngnpro.store.sip.accounts import ha1_pair
from ngnpro.types.presence import (Password, PresenceInformation,
                                   PresencePolicy, SipId, WatcherArray)
from ports.common import check_array, service

REFRESH_AUTHORIZATION, REFRESH_STATE = 0, 1


def _denied():
    return NGNProError(AUTH_FAILED, 'Invalid SIP account or password')


def account(call, sip_id, password, lock=False):
    """The (username, domain) whose password this is, or fault 100; with
    ``lock`` (writing calls) the account is locked until the commit."""
    user, domain = names.sip_id(sip_id)
    login = store.presentity_uri(user, domain)
    throttle = call.throttle
    if throttle is not None:
        wait = throttle.refused(login, call.client)
        if wait:
            raise NGNProError(AUTH_FAILED, 'Too many failed logins: try '
                              'again in %d s' % max(1, round(wait)))
    stored = store.ha1(call.conn, call.schema, user, domain, lock) or ''
    # The digest is computed for unknown accounts too: same work, same
    # answer, nothing learnt about which accounts exist.
    given = ha1_pair(user, domain, password or '')[0]
    if not (password and stored and hmac.compare_digest(
            given.encode(), stored.lower().encode())):
        if throttle is not None:
            throttle.failed(login, call.client)
        raise _denied()
    if throttle is not None:
        throttle.succeeded(login, call.client)
    return user, domain


def _refresh(call, user, domain, kind):
    live.schedule_reload(call, 'presence.refreshWatchers',
                         store.presentity_uri(user, domain), store.EVENT,
                         kind)


def set_presence_information(call, sip_id, password, information):
    user, domain = account(call, sip_id, password, lock=True)
    if information is None:
        raise invalid('information is required')
    activity = documents.activity_in(information.activity)
    note = (information.note or '').strip()
    body = documents.pidf(store.presentity_uri(user, domain), activity, note)
    store.publish(call.conn, call.schema, user, domain, body,
                  call.config.presence_expires)
    _refresh(call, user, domain, REFRESH_STATE)


def get_presence_information(call, sip_id, password):
    user, domain = account(call, sip_id, password)
    body = store.published(call.conn, call.schema, user, domain)
    activity, note = documents.read_pidf(body)
    # Nothing published (or expired): empty values.
    return {'activity': activity or '', 'note': note or ''}


def delete_presence_information(call, sip_id, password):
    user, domain = account(call, sip_id, password, lock=True)
    if store.unpublish(call.conn, call.schema, user, domain):
        # Kamailio's clean-up notifies the watchers of the expired
        # publication and removes it.
        live.schedule_reload(call, 'presence.cleanup')


def get_watchers(call, sip_id, password):
    user, domain = account(call, sip_id, password)
    return store.watchers(call.conn, call.schema, user, domain,
                          call.config.max_page_size)


def set_policy(call, sip_id, password, policy):
    user, domain = account(call, sip_id, password, lock=True)
    if policy is None:
        raise invalid('policy is required')
    lists = {name: check_array(call, getattr(policy, name, None),
                               'policy.' + name)
             for name in documents.LISTS}
    doc = documents.pres_rules(documents.policy_in(
        lists, call.config.presence_max_domains))
    store.store_pres_rules(
        call.conn, call.schema, user, domain, doc,
        store.doc_uri(call.config.presence_xcap_root, user, domain))
    _refresh(call, user, domain, REFRESH_AUTHORIZATION)


def get_policy(call, sip_id, password):
    user, domain = account(call, sip_id, password)
    return documents.read_pres_rules(
        store.pres_rules(call.conn, call.schema, user, domain))


_CREDENTIALS = [('sipId', SipId), ('password', Password)]

OPERATIONS = [
    ('setPresenceInformation', set_presence_information,
     _CREDENTIALS + [('information', PresenceInformation)], None),
    ('getPresenceInformation', get_presence_information, _CREDENTIALS,
     PresenceInformation),
    ('deletePresenceInformation', delete_presence_information, _CREDENTIALS,
     None),
    ('getWatchers', get_watchers, _CREDENTIALS, WatcherArray),
    ('setPolicy', set_policy, _CREDENTIALS + [('policy', PresencePolicy)],
     None),
    ('getPolicy', get_policy, _CREDENTIALS, PresencePolicy),
]

PresencePort = service('PresencePort', OPERATIONS)
