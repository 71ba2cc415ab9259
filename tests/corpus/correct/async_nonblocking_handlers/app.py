from pathlib import Path

import streamlit as st
from starlette.routing import Route

from api import git_revision, poll, report, status

app = st.App(
    Path(__file__).resolve().parent / "home.py",
    routes=[
        Route("/api/status", status),
        Route("/api/poll", poll),
        Route("/api/reports/{report_id}", report),
        Route("/api/revision", git_revision),
    ],
)
