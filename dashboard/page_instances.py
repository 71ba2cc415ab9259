"""Instances page, run by `st.navigation` (see nav.py); the code is in instances_view.py."""

from st_patterns_dashboard import instances_view

instances_view.render()
