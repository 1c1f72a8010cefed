"""ENUM services a mapping may have (guide "ENUM Numbers"): mapping type ->
(the NAPTR enumservice after ``E2U+``, the URI schemes its ``mapto`` may
start with)."""

SERVICES = {
    'sip': ('sip', ('sip:', 'sips:')),
    'mailto': ('mailto', ('mailto:',)),
    'web:http': ('web:http', ('http://',)),
    'web:https': ('web:https', ('https://',)),
    'x-skype:callto': ('x-skype:callto', ('callto:',)),
    'h323': ('h323', ('h323:',)),
    'iax': ('iax', ('iax:',)),
    'iax2': ('iax2', ('iax2:',)),
    'mms': ('mms', ('tel:', 'mailto:')),
    'sms': ('sms', ('tel:', 'mailto:')),
    'ems': ('ems', ('tel:', 'mailto:')),
    'im': ('im', ('im:',)),
    'npd:tel': ('npd+tel', ('tel:',)),
    'void:mailto': ('void:mailto', ('mailto:',)),
    'void:http': ('void:http', ('http://',)),
    'void:https': ('void:https', ('https://',)),
    'voice': ('voice', ('voice:', 'tel:')),
    'tel': ('tel', ('tel:',)),
    'fax:tel': ('fax:tel', ('tel:',)),
    'ifax:mailto': ('ifax:mailto', ('mailto:',)),
    'pres': ('pres', ('pres:',)),
    'ft:ftp': ('ft:ftp', ('ftp://',)),
    'loc:http': ('loc:http', ('http://',)),
    'key:http': ('key:http', ('http://',)),
    'key:https': ('key:https', ('https://',)),
}


def schemes(mapping_type=None):
    """The URI schemes of one type, or of every type."""
    if mapping_type:
        known = SERVICES.get(mapping_type.strip().lower())
        return known[1] if known else ()
    return tuple(sorted({s for _, ss in SERVICES.values() for s in ss}))
