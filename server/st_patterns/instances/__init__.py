"""Running apps as supervised processes: the ``launcher`` (warm ``forkserver`` and its ``forkserver_client``,
cold fallback), the thread-safe ``registry`` with one ``record`` per instance, its SQLite ``state`` for reaping a
dead server's leftovers, and the ``models`` every face shows.

Keep this file free of imports: ``python -P -m st_patterns.instances.forkserver`` loads it before forking.
"""
