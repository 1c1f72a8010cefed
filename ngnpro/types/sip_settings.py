"""Sip port self-care types: call diversions, accept (do-not-disturb) rules,
the phonebook (spec §3.4). Each member carries the limit of the column it
lands in (usr_preferences.value is 128 wide)."""
from .common import (Int, Name, String, StringArray, array, limited,
                     struct)

# FUNC = forward unconditionally, FNOL = not online, FUNV = unavailable
# (refused by the accept rules), FNOA = no answer, FBUS = busy; R* are the
# redirect variants (provisioning guide, CallDiversions).
DIVERSION_CONDITIONS = ('FUNC', 'FNOL', 'FUNV', 'FNOA', 'FBUS',
                        'RUNC', 'RNOL', 'RUNV', 'RNOA', 'RBUS')
DiversionTarget = limited(String, max_len=128)
CallDiversions = struct('CallDiversions', [
    (c, DiversionTarget) for c in DIVERSION_CONDITIONS])

MAX_RULE_MINUTES = 527040               # a (leap) year
HourMinute = limited(String, max_len=5)  # HH:MM
DayMask = limited(Int, ge=0, le=127)     # Mon=1 Tue=2 ... Sun=64
Minutes = limited(Int, ge=0, le=MAX_RULE_MINUTES)

PersistentAcceptRule = struct('PersistentAcceptRule', [
    ('start', HourMinute), ('stop', HourMinute), ('groups', StringArray),
    ('days', DayMask)])
PersistentAcceptRuleArray = array(PersistentAcceptRule,
                                  'PersistentAcceptRuleArray')
TemporaryAcceptRule = struct('TemporaryAcceptRule', [
    ('groups', StringArray), ('duration', Minutes)])
AcceptRules = struct('AcceptRules', [
    ('persistent', PersistentAcceptRuleArray),
    ('temporary', TemporaryAcceptRule)])
AcceptRulesResult = struct('AcceptRulesResult', [
    ('rules', AcceptRules), ('nonEmptyGroups', StringArray)])

# uri and name are LIKE patterns in getPhonebookEntries' match argument.
PhonebookEntry = struct('PhonebookEntry', [
    ('uri', String), ('name', String), ('group', Name)])
PhonebookEntries = struct('PhonebookEntries', [
    ('total', Int), ('entries', array(PhonebookEntry, 'PhonebookEntryArray'))])
