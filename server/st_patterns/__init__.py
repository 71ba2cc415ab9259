"""st-patterns: runnable, validated patterns for Streamlit's ASGI entry point ``st.App``.

The package is split into a plain-Python core (catalog, probes, launcher, registry, validator,
checker) and three thin faces over it (MCP tools, CLI, dashboard). The core never imports a face.
"""

__version__ = "0.1.0"
