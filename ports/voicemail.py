"""VoicemailPort (spec §2.5, §3.8, guide "Voicemail Accounts"): one mailbox
per SIP account, kept in Asterisk's realtime voicemail table.

Rights are those of the SIP account (ports.sip.lookup): another tenant's
account answers 1010 exactly like a missing one. Column rules for Asterisk
(app_voicemail reads yes/no): ``deletevoicemail`` is options.delete,
``attach`` is yes whenever there is an e-mail address (the message goes
out with the mail), ``email`` defaults to the SIP account's.
"""
import base64
import binascii
import re

from ngnpro import rights
from ngnpro.faults import (VOICEMAIL_EXISTS, VOICEMAIL_NOT_FOUND, NGNProError,
                           invalid)
from ngnpro.store import voicemail as store
from ngnpro.store.sip import diversions
from ngnpro.types.common import SipId
from ngnpro.types.voicemail import Announcement, VoicemailAccount
from ports.common import service, unique
from ports.sip import lookup

_DIGITS = re.compile(r'^[0-9]+$')
_EMAIL = re.compile(r'^[^@\s,;|<>"]+@[^@\s,;|<>"]+$')


def _yes(flag):
    return 'yes' if flag else 'no'


def _who(sip):
    return '%s@%s' % (sip['username'], sip['domain'])


def _missing(sip):
    return NGNProError(VOICEMAIL_NOT_FOUND, 'SIP account %s has no voicemail '
                       'account' % _who(sip))


def _open_box(call, sip, for_update=False):
    """The active mailbox of a SIP account the caller may see, or 2000."""
    box = store.box_row(call.conn, call.schema, sip['username'],
                        sip['domain'], for_update)
    if box is None or not box['active']:
        raise _missing(sip)
    return box


def _pin(value, required):
    pin = (value or '').strip()
    if not pin:
        if required:
            raise invalid('A voicemail account needs a numeric password '
                          '(PIN)')
        return None
    if not _DIGITS.match(pin):
        raise invalid('The voicemail password (PIN) must be digits only')
    return pin


def _email(sip, value):
    email = (value or '').strip() or sip['email']
    if email and (len(email) > 80 or not _EMAIL.match(email)):
        raise invalid('Invalid voicemail e-mail address %r' % email)
    return email


def _asterisk_values(name, email, pin, delete):
    if delete and not email:
        raise invalid('Deleting messages after e-mailing them needs an '
                      'e-mail address')
    return {'password': pin, 'fullname': name, 'email': email,
            'attach': _yes(email), 'deletevoicemail': _yes(delete)}


def _delete_flag(account, default):
    options = getattr(account, 'options', None)
    flag = getattr(options, 'delete', None)
    return default if flag is None else bool(flag)


def _mailbox_wanted(value):
    mailbox = (value or '').strip()
    if mailbox and not _DIGITS.match(mailbox):
        raise invalid('A mailbox number is digits only, not %r' % value)
    return mailbox


def add_account(call, account):
    if account is None or account.sipId is None:
        raise invalid('account.sipId is required')
    # Locked: concurrent adds and deletes of one account queue up here.
    sip = lookup.account(call, account.sipId, for_update=True)
    rights.require_can_create(call.principal, 'voicemail accounts')
    user, domain = sip['username'], sip['domain']
    box = store.box_row(call.conn, call.schema, user, domain, for_update=True)
    if box is not None and box['active']:
        raise NGNProError(VOICEMAIL_EXISTS, 'SIP account %s already has '
                          'voicemail account %s' % (_who(sip), box['mailbox']))
    values = _asterisk_values(
        (account.name or '').strip(), _email(sip, account.email),
        _pin(account.password, required=True),
        _delete_flag(account, default=True))
    mailbox = _mailbox_wanted(account.mailbox)
    if mailbox and (box is None or mailbox != box['mailbox']):
        if store.mailbox_in_use(call.conn, call.schema, mailbox):
            raise NGNProError(VOICEMAIL_EXISTS, 'Mailbox %s is already in '
                              'use' % mailbox)
    elif box is not None:
        mailbox = box['mailbox']       # the number it had before
    else:
        mailbox = store.next_mailbox(call.conn, call.schema,
                                     call.config.voicemail_first_mailbox)
    with unique(VOICEMAIL_EXISTS, 'Mailbox %s or a voicemail account of %s '
                'already exists' % (mailbox, _who(sip))):
        box = store.open_box(call.conn, call.schema, user, domain, mailbox,
                             call.config.voicemail_context, box)
    store.write_asterisk(call.conn, call.schema, box, values)
    _mailbox_changed(call, sip)


def _mailbox_changed(call, sip):
    """<voice-mailbox> diversions of the account now reach (or no longer
    reach) a mailbox: what the SIP proxy reads follows at once."""
    diversions.rewrite_diversions(call.conn, call.schema, call.config,
                                  sip['username'], sip['domain'])


def update_account(call, account):
    if account is None or account.sipId is None:
        raise invalid('account.sipId is required')
    sip = lookup.account(call, account.sipId, for_update=True)
    box = _open_box(call, sip, for_update=True)
    mailbox = _mailbox_wanted(account.mailbox)
    if mailbox and mailbox != box['mailbox']:
        raise invalid('The mailbox number of %s is %s; to give it another '
                      'number delete the voicemail account and add it with '
                      'that mailbox' % (_who(sip), box['mailbox']))
    current = store.asterisk_row(call.conn, call.schema, box) or {}
    # An update replaces what it carries; no PIN and no options keep theirs.
    pin = _pin(account.password, required=False) or current.get('password')
    if not pin:
        raise invalid('A voicemail account needs a numeric password (PIN)')
    values = _asterisk_values(
        (account.name or '').strip(), _email(sip, account.email), pin,
        _delete_flag(account, current.get('deletevoicemail') != 'no'))
    store.write_asterisk(call.conn, call.schema, box, values)
    store.touch(call.conn, call.schema, box)


def delete_account(call, sip_id):
    sip = lookup.account(call, sip_id, for_update=True)
    store.close_box(call.conn, call.schema, _open_box(call, sip, True))
    _mailbox_changed(call, sip)


def get_account(call, sip_id):
    sip = lookup.account(call, sip_id)
    box = _open_box(call, sip)
    row = store.asterisk_row(call.conn, call.schema, box) or {}
    uri = store.mailbox_uri(call.conn, call.schema, call.config,
                            sip['username'], sip['domain'])
    return {'sipId': {'username': sip['username'], 'domain': sip['domain']},
            'mailbox': box['mailbox'], 'password': row.get('password') or '',
            'name': row.get('fullname') or '',
            'email': row.get('email') or '', 'info': uri or '',
            'options': {'delete': row.get('deletevoicemail') == 'yes'}}


def set_announcement(call, sip_id, message):
    sip = lookup.account(call, sip_id, for_update=True)
    box = _open_box(call, sip, for_update=True)
    text = re.sub(r'\s+', '', message or '')
    audio = None
    if text:
        try:
            audio = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise invalid('The announcement must be base64-encoded audio')
    store.set_greeting(call.conn, call.schema, box, audio)


OPERATIONS = [
    ('addAccount', add_account, [('account', VoicemailAccount)], None),
    ('updateAccount', update_account, [('account', VoicemailAccount)], None),
    ('deleteAccount', delete_account, [('sipId', SipId)], None),
    ('getAccount', get_account, [('sipId', SipId)], VoicemailAccount),
    ('setAnnouncement', set_announcement,
     [('sipId', SipId), ('message', Announcement)], None),
]

VoicemailPort = service('VoicemailPort', OPERATIONS)
