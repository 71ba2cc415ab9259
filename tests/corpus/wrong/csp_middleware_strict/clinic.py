import streamlit as st

st.title("Clinic bookings")
st.date_input("Appointment day")
st.selectbox("Doctor", ["Dr. Ortega", "Dr. Chen"])
