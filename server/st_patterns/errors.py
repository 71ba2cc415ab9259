"""Domain errors raised by the core; each face turns them into its own kind of failure once.

MCP raises ``ToolError(str(exc))``, the CLI prints ``str(exc)`` and exits 1, the dashboard shows an
error box. Messages are written for the reader who must act on them.
"""

from __future__ import annotations


class StPatternsError(Exception):
    """Base class: anything the user can fix or should be told about."""


class InvalidInput(StPatternsError):
    """Raised by guards when an argument is malformed, too large or out of range."""


class PatternNotFound(StPatternsError):
    """Raised by ``Catalog.get`` when no pattern has the requested id."""

    def __init__(self, pattern_id: str, valid_ids: list[str]) -> None:
        self.pattern_id = pattern_id
        self.valid_ids = valid_ids
        super().__init__(f"Unknown pattern id {pattern_id!r}. Valid ids: {', '.join(valid_ids)}")


class PatternInvalid(StPatternsError):
    """Raised by the catalog loader when a pattern folder breaks the folder contract."""

    def __init__(self, folder: str, problem: str) -> None:
        self.folder = folder
        self.problem = problem
        super().__init__(f"Pattern folder {folder!r} is invalid: {problem}")


class InstanceNotFound(StPatternsError):
    """Raised by the registry when no instance has the requested id."""

    def __init__(self, instance_id: str, known: list[str]) -> None:
        self.instance_id = instance_id
        self.known = known
        hint = f"Known instances: {', '.join(known)}" if known else "No instances exist; launch one first."
        super().__init__(f"Unknown instance id {instance_id!r}. {hint}")


class LaunchFailed(StPatternsError):
    """Raised by the launcher when an instance did not become healthy."""

    def __init__(self, pattern_id: str, reason: str, log_tail: str = "", returncode: int | None = None) -> None:
        self.pattern_id = pattern_id
        self.reason = reason
        self.log_tail = log_tail
        self.returncode = returncode
        text = f"Launching {pattern_id!r} failed: {reason}"
        if returncode is not None:
            text += f" (exit code {returncode})"
        if log_tail:
            text += f"\n--- log tail ---\n{log_tail}"
        super().__init__(text)


class CapacityReached(StPatternsError):
    """Raised by the registry when the running-instance cap would be exceeded."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        super().__init__(
            f"The cap of {cap} running instances is reached. Stop one (stop_instance) or all "
            "(stop_all_instances), or start the server with a higher --max-instances."
        )


class PortUnavailable(StPatternsError):
    """Raised when a requested port is out of range or already taken."""


class UserCodeRefused(StPatternsError):
    """Raised when executing user code was requested but the server was not started with --allow-user-code."""


class StateUnavailable(StPatternsError):
    """Raised by the registry when its state directory cannot be created or written (permissions, disk full)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            f"The state directory {path} is unusable ({problem}), so instances cannot be launched or validated. "
            "Free some space or fix its permissions, or restart the server with --state-dir pointing elsewhere. "
            "Catalog tools keep working."
        )


class SandboxUnavailable(StPatternsError):
    """Raised when the sandbox asked for (``--sandbox bwrap|docker``) cannot work on this machine."""

    def __init__(self, sandbox: str, problem: str) -> None:
        self.sandbox, self.problem = sandbox, problem
        super().__init__(f"The {sandbox} sandbox cannot run here: {problem}")
