"""The MCP face: ``server.build_mcp`` declares the catalog tools, resources and prompts and adds the instance
and validation tools; each tool body is one call into the core, and core errors become ``ToolError`` once
(``common.tool_errors``). Served over stdio or mounted at ``/mcp`` by the assembly.
"""
