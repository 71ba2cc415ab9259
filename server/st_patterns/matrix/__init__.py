"""The version matrix: every pattern proven on every Streamlit release that has st.App (environments per release,
built with uv and cached; the run; its committed result in ``patterns/compatibility.json``)."""
