"""st-patterns: runnable, validated patterns for Streamlit's ASGI entry point ``st.App``.

A plain-Python core (``catalog``, ``instances``, ``proving``, ``checker``) under thin faces (``mcp_tools``,
``cli`` and the dashboard script), assembled into one ASGI app by ``asgi``. ``errors``, ``models``, ``settings``
and ``paths`` are the shared vocabulary; ``services`` holds the live objects the faces read. Imports point
inward only (checked by import-linter, see pyproject.toml): the core never imports a face or the assembly.
"""

__version__ = "0.1.0"
