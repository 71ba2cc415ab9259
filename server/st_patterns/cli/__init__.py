"""The command-line face: ``main`` (the ``st-patterns`` entry point, local catalog commands, ``serve``/``stdio``),
``validate`` (validate and check, run in-process) and ``remote`` (instance commands, sent to a running server
over MCP).
"""
