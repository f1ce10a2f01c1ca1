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
# Pulse surveys page
WAVES_FLASH = "ee_waves_flash"  # a confirmation to show after the rerun that follows an action
WAVES_PICK = "ee_waves_pick"  # the wave whose participation is shown
WAVES_PICK_NEXT = "ee_waves_pick_next"  # a wave to select on the next run (one just created)
WAVE_OPEN_NOW = "ee_wave_open_now"
WAVE_CLOSE_NOW = "ee_wave_close_now"
WAVE_FORM = "ee_wave_form"
WAVE_CODE = "ee_wave_code"
WAVE_NAME = "ee_wave_name"
WAVE_UNITS = "ee_wave_units"
WAVE_OPENS = "ee_wave_opens"
WAVE_CLOSES = "ee_wave_closes"
WAVE_MODE = "ee_wave_mode"
WAVE_K = "ee_wave_k"
WAVE_K_COMMENTS = "ee_wave_k_comments"
WAVE_LANGUAGE = "ee_wave_language"
WAVE_INSTRUMENT = "ee_wave_instrument"
QUESTIONNAIRE_VERSION = "ee_questionnaire_version"
OWN_ITEMS_FORM = "ee_own_items_form"
OWN_ITEM = "ee_own_item"  # prefix: f"{OWN_ITEM}_{version}_{number}_{language}"
