"""Session-state keys, in one place so two components never fight over one entry."""

LANG = "ee_lang"
LANG_PENDING = "ee_lang_pending"
LANG_LOADED = "ee_lang_loaded"  # the signed-in user's saved language was applied
DEMO_USER = "ee_demo_user"
ACTOR = "ee_actor"
ROSTER_UPLOAD = "ee_roster_upload"
ROSTER_PREVIEW = "ee_roster_preview"
STAFF_SEARCH = "ee_staff_search"
STAFF_UNIT = "ee_staff_unit"
USER_EDIT = "ee_user_edit"
