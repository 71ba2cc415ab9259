"""An agent's own project: where its files may come from (``roots``: confinement to the client's MCP roots or the
server's workspace; ``upload``: files sent over MCP, written to a private folder), and how to run it (``entry``:
the ASGI app found the way ``streamlit run`` finds a script, or named as ``module:attr``).
"""
