"""The Streamlit page of the background_tasks pattern: it shows what the lifespan's refresher last published."""

import streamlit as st
from store import get_store  # never `from app import app`: see explanation.md

# A cache hit: the lifespan already called get_store(), so this is the object in App.state["store"].
store = get_store()

st.title("Background refresher started in the lifespan")
st.write("st-patterns:background_tasks")  # marker the probes look for: the script really ran


@st.fragment(run_every="1s")  # re-reads the store while the tab is open; the refresher runs with or without tabs
def latest() -> None:
    snap = store.snapshot()
    left, right = st.columns(2)
    left.metric("Latest value", f"{snap.value:.3f}")
    right.metric("Refreshes so far", snap.count)
    state = "running" if store.running else "stopped"
    st.caption(f"Refresher {state}; last update {snap.updated_at} (UTC); stale: {store.is_stale(snap)}")
    if snap.last_error:
        st.warning(f"Last refresh failed: {snap.last_error}")


latest()
st.caption("The same values answer GET /api/latest.")
