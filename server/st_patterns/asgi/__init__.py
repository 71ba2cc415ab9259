"""The ASGI assembly: ``app.build_app`` puts ``/mcp``, ``/dashboard`` and ``/healthz`` in one Starlette app
behind its guards (``host_guard``, ``body_limit``, ``dashboard_login``, the server token in ``tokens``).

The outermost layer: it may import everything; nothing in the core or the MCP face imports it.
"""
