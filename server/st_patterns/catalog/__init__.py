"""The pattern catalog: the folder contract (``contract``), loading and reading folders (``loader``),
plain-language recommendation (``recommend``) and the id/path/port guards every face relies on (``guards``).

The innermost layer: it imports nothing else of st_patterns but the shared vocabulary (errors, models, paths).
"""
