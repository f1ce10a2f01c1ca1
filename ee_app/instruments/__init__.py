"""Instruments as data: the pulse questionnaire (and, later, checklists and quiz banks).

Each instrument is a versioned data file plus a loader that validates it into frozen
dataclasses. A version used by a wave or a visit never changes; edits make a new version.
"""
