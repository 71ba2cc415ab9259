"""The Streamlit page of the route_mcp_server pattern: the note board the MCP tools also read and write."""

import streamlit as st
from notes import get_board  # never `from app import ...`: see explanation.md

board = get_board()

st.title("Streamlit dashboard with an MCP server at /mcp")
st.write("st-patterns:route_mcp_server")  # marker the probes look for: the script really ran
st.caption("MCP clients: http://<this host>/mcp, tools add_note and list_notes.")

with st.form("add_note", clear_on_submit=True):
    text = st.text_input("New note")
    if st.form_submit_button("Add") and text.strip():
        board.add(text.strip(), source="ui")


@st.fragment(run_every="2s")  # re-reads the board while the tab is open, so notes from agents appear
def show_notes() -> None:
    for note in reversed(board.list()):
        st.markdown(f"**#{note['id']}** {note['text']}  \n:gray[{note['source']} · {note['created_at']}]")


show_notes()
