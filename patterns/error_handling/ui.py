"""The Streamlit page of the error_handling pattern: a script error becomes a friendly message, not a traceback."""

import streamlit as st

st.title("Friendly errors for routes and the script")
st.caption("st-patterns:error_handling")  # marker the probes look for: the script really ran
st.write("GET /api/items/1 answers JSON; /api/items/9, /api/fail and /report show how errors are answered.")

# A demo switch: a client sending the header "X-Demo-Break: 1" makes this run fail, so the probes can watch
# on_script_error at work. In a real app this is the bug or the failing data source you did not expect.
if st.context.headers.get("x-demo-break") == "1":
    raise KeyError("customer_id missing from upstream row 41")

st.success("All good on this run.")
