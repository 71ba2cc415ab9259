import streamlit as st

from pwa import inject_pwa_tags

st.set_page_config(page_title="Dairy Farm", page_icon="🐄", layout="wide")
inject_pwa_tags()
st.title("Milk yield")
st.line_chart({"litres": [410, 395, 430, 445, 438]})
