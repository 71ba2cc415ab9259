import streamlit as st

st.set_page_config(page_title="Field Notes", page_icon="📝")
st.html(
    '<link rel="manifest" href="/manifest.webmanifest">'
    '<link rel="apple-touch-icon" href="/app/static/icons/icon-180.png">'
    "<script>navigator.serviceWorker && navigator.serviceWorker.register('/sw.js')</script>"
)
st.title("Field notes")
note = st.text_area("New note")
if st.button("Save") and note:
    st.session_state.setdefault("notes", []).append(note)
for item in reversed(st.session_state.get("notes", [])):
    st.write(item)
