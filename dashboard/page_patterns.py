"""Patterns page, run by `st.navigation` (see nav.py); the code is in patterns_view.py."""

from st_patterns_dashboard import patterns_view

patterns_view.render()
