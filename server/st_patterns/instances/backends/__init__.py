"""Where an app process runs: ``local`` (the host: warm fork server or cold uvicorn, see ``launcher``), ``bwrap``
(bubblewrap namespaces) or ``docker`` (a Docker Engine or Podman container). ``base`` holds the interface and the
limits every sandbox enforces; ``choose`` turns ``--sandbox auto|none|bwrap|docker`` into one backend.
"""
