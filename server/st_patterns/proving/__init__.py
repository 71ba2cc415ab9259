"""Proving apps work: HTTP probes (``probes``), the Streamlit websocket probe (``websocket_probe``), the checks
every app must pass (``universal``), the engine that boots an app and runs them (``validator``), how apps are
booted for it (``boot``), the latest results (``results``) and their JUnit form (``junit``).
"""
