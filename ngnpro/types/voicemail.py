"""Voicemail port types (spec §3.8)."""
from spyne.model.primitive import Unicode

from .common import Bool, SipId, String, limited, struct

# Asterisk's voicemail columns are 80 characters wide.
AsteriskText = limited(String, max_len=80)

VoicemailOptions = struct('VoicemailOptions', [('delete', Bool)])

VoicemailAccount = struct('VoicemailAccount', [
    ('sipId', SipId), ('mailbox', AsteriskText), ('password', AsteriskText),
    ('name', AsteriskText), ('email', AsteriskText), ('info', String),
    ('options', VoicemailOptions)])

# A greeting as base64 text: at most 12 MiB of audio once decoded, within
# the 16 MiB greeting column (the request size limit usually comes first).
Announcement = Unicode(max_len=16 * 1024 * 1024)
