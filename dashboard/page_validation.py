"""Validation page, run by `st.navigation` (see nav.py); the code is in validation_view.py."""

from st_patterns_dashboard import validation_view

validation_view.render()
