"""Versions page, run by `st.navigation` (see nav.py); the code is in versions_view.py."""

from st_patterns_dashboard import versions_view

versions_view.render()
