"""A <voice-mailbox> call diversion reaches the account's mailbox in what
the SIP proxy reads (usr_preferences), whichever comes first: the mailbox
or the diversion; and stops reaching it when the mailbox goes."""
from tests.helpers import make_dispatcher, rows
from tests.soapcall import Client, admin

DOMAIN = 'vm.example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}


def targets(d):
    return sorted((r['attribute'], r['value']) for r in rows(
        d, 'usr_preferences', username='alice', domain=DOMAIN))


def test_voice_mailbox_diversions_follow_the_mailbox(db_url):
    d = make_dispatcher(db_url, voicemail_server='vm.example.net')
    try:
        sip = Client(d, 'Sip', admin())
        vm = Client(d, 'Voicemail', admin())
        sip('addDomain', ('domain', {'domain': DOMAIN}))
        sip('addAccount', ('account', {'id': ALICE, 'password': 'pw'}))
        # The client's order: diversions to the mailbox set first here.
        sip('setCallDiversions', ('sipId', ALICE), ('diversions', {
            'FBUS': '<voice-mailbox>', 'FNOA': '<voice-mailbox>',
            'FUNC': 'sip:bob@example.com'}), diversions='CallDiversions')
        before = targets(d)
        assert [v for _, v in before] == ['sip:bob@example.com']
        vm('addAccount', ('account', {'sipId': ALICE, 'password': '1234',
                                      'email': 'a@example.com'}),
           account='VoicemailAccount')
        mailbox = vm('getAccount', ('sipId', ALICE))['mailbox']
        after = targets(d)
        uri = 'sip:%s@vm.example.net' % mailbox
        assert sorted(v for _, v in after) == sorted(
            [uri, uri, 'sip:bob@example.com'])
        # What the client reads back is what it set.
        got = sip('getCallDiversions', ('sipId', ALICE))
        assert got['FBUS'] == got['FNOA'] == '<voice-mailbox>'
        vm('deleteAccount', ('sipId', ALICE))
        assert targets(d) == before
    finally:
        d.store.dispose()
