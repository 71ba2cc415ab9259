"""The Streamlit page of the core_lifespan_lifecycle pattern: it uses the model the lifespan loaded."""

import streamlit as st
from resources import load_model  # never `from app import app`: see explanation.md

# A cache hit: the lifespan already called load_model(), so this is the object in App.state["model"].
model = load_model()

st.title("Lifespan-loaded model, shared by routes and UI")
st.write("st-patterns:core_lifespan_lifecycle")  # marker the probes look for: the script really ran
st.caption(f"Model {model.version} loaded at {model.loaded_at} (UTC), during server start-up.")

text = st.text_input("Text to score", "great fast app")
st.json(model.predict(text))
st.caption("The same model answers GET /api/predict?text=... and GET /api/model.")
