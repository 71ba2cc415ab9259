from pathlib import Path

from streamlit.starlette import App

st_app = App(Path(__file__).resolve().parent / "reports.py")
