"""Property-based bad input for every MCP tool, through an in-memory FastMCP client.

Every call must either succeed or fail with a ``ToolError`` whose message is clear: never the generic text FastMCP
sends when an unexpected exception escapes a tool (``mask_error_details=True``), never a traceback, never a crash of
the client or the server. The registry's launcher here refuses to start processes, so even a valid launch request
ends as a clean ``LaunchFailed`` instead of a real app.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastmcp import Client
from fastmcp.exceptions import ToolError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.shared.exceptions import MCPError

from st_patterns.catalog.loader import Catalog
from st_patterns.instances.launcher import Launcher
from st_patterns.instances.registry import Registry
from st_patterns.mcp_tools.server import build_mcp
from st_patterns.proving.results import ValidationStore
from st_patterns.services import Services
from st_patterns.settings import Settings

from conftest import payload

# fastmcp 4.2.3 (server.py, FastMCP.call_tool): any exception other than a FastMCPError/ToolError or an argument
# ValidationError becomes ToolError(f"Error calling tool {name!r}") when mask_error_details is on; HTTP 429 and
# timeouts get these two fixed texts instead. Seeing any of them means a non-StPatternsError escaped a tool.
MASKED_GENERIC = "Error calling tool {name!r}"
MASKED_FIXED = ("Rate limited by upstream API, please retry later", "Upstream request timed out, please retry")
MAX_MESSAGE_CHARS = 4000  # pydantic's report of 4 bad arguments is ~1.2k; the unknown-id list ~0.4k

ALL_TOOLS = {
    "run_matrix",
    "list_patterns",
    "get_pattern",
    "explain_pattern",
    "recommend_pattern",
    "validate_pattern",
    "check_app",
    "launch_pattern",
    "list_instances",
    "get_instance",
    "instance_logs",
    "stop_instance",
    "restart_instance",
    "stop_all_instances",
    "launch_app",
    "validate_app",
    "suggest_probes",
}
SCALE = float(os.environ.get("ST_PATTERNS_FUZZ_SCALE", "1"))  # e.g. 10 for a long hunt
FUZZ = settings(
    max_examples=int(100 * SCALE),
    deadline=None,
    database=None,  # no .hypothesis/ directory in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=int(60 * SCALE))


# -- harness ---------------------------------------------------------------------------------------------------
class NoSpawnLauncher(Launcher):
    """A launcher that never starts a process: ``spawn`` records the request and raises OSError."""

    def __init__(self) -> None:
        super().__init__(use_fork=False)
        self.spawns: list[str] = []

    def start(self) -> None:
        return None

    def spawn(self, spec: Any, on_exit: Any = None, timeout: float | None = None) -> Any:
        self.spawns.append(spec.folder.name)
        raise OSError("the fuzz tests never start processes")


class _Escaped(logging.Handler):
    """Keeps the exceptions FastMCP logs when it masks them, so a failure can name the real error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            cause = exc.__cause__ or exc
            self.last = f"{type(cause).__name__}: {cause}"


@dataclass
class Harness:
    portal: BlockingPortal
    client: Client
    launcher: NoSpawnLauncher
    registry: Registry
    escaped: _Escaped

    def call(self, tool: str, args: dict[str, Any]) -> Any:
        return self.portal.call(self.client.call_tool, tool, args)

    def assert_clean(self, tool: str, args: dict[str, Any]) -> str | None:
        """Call ``tool``; return None on success or the ToolError message after checking that it is clear."""
        self.escaped.last = None
        try:
            self.call(tool, args)
        except ToolError as exc:
            message = str(exc)
        else:
            return None
        shown = _short(args)
        assert message != MASKED_GENERIC.format(name=tool), (
            f"{tool}({shown}) was masked: an exception other than StPatternsError escaped ({self.escaped.last})"
        )
        assert message not in MASKED_FIXED, f"{tool}({shown}) answered a fixed masked text: {message}"
        assert message.strip(), f"{tool}({shown}) failed with an empty message"
        assert "Traceback (most recent call last)" not in message, f"{tool}({shown}) leaked a traceback"
        assert len(message) <= MAX_MESSAGE_CHARS, f"{tool}({shown}) message is {len(message)} chars"
        return message


def _short(args: dict[str, Any]) -> str:
    text = repr(args)
    return text if len(text) <= 300 else text[:300] + f"... ({len(text)} chars)"


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    tmp = tmp_path_factory.mktemp("fuzz")
    catalog = Catalog.load()
    launcher = NoSpawnLauncher()
    registry = Registry(catalog, tmp / "state", launcher=launcher, max_instances=8)
    services = Services(
        catalog=catalog,
        settings=Settings(
            state_dir=tmp / "state",
            validation_concurrency=2,
            allow_user_code=False,
            workspace=Path(__file__).resolve().parent.parent,
        ),
        registry=registry,
        validations=ValidationStore(),
    )
    escaped = _Escaped()
    server_log = logging.getLogger("fastmcp.server.server")
    server_log.addHandler(escaped)
    fastmcp_log = logging.getLogger("fastmcp")
    level = fastmcp_log.level
    fastmcp_log.setLevel(logging.ERROR)  # thousands of "Invalid arguments" warnings are the point, not news
    try:
        with start_blocking_portal() as portal:

            async def make_client() -> Client:
                return Client(build_mcp(services))

            client = portal.call(make_client)
            with portal.wrap_async_context_manager(client):
                yield Harness(portal, client, launcher, registry, escaped)
    finally:
        server_log.removeHandler(escaped)
        fastmcp_log.setLevel(level)
        registry.close()


# -- strategies ------------------------------------------------------------------------------------------------
IDS = Catalog.load().ids()
ANY_CHAR = st.characters(codec=None, categories=None)  # every code point: NUL, controls, surrogates, emoji
# The client itself cannot serialize a lone surrogate in an object KEY (UnicodeEncodeError before sending): keys
# keep to encodable text; values still carry surrogates, which reach the server.
KEY_CHAR = st.characters(codec="utf-8")
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "mount_fastapi\x00",
    "..",
    "../",
    "../../etc/passwd",
    "/etc/passwd",
    "mount_fastapi/../x",
    "mount_fastapi/app.py",
    "..\\..\\windows",
    "%2e%2e%2f%2e%2e%2f",
    "MOUNT_FASTAPI",
    " mount_fastapi",
    "mount_fastapi ",
    "mount-fastapi",
    "mount_fastapi-1",
    "all",
    "ALL",
    "null",
    "None",
    "0",
    "-1",
    "\u202emount_fastapi",
    "mount_fastap\u0456",  # Cyrillic i
    "🙂" * 40,
    "\ud800",
    "\udcff.py",
    "${HOME}",
    "$(id)",
    "; rm -rf /",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "a" * 64,
    "a" * 65,
    "a" * 101,
    "x" * 5000,
]
HUGE_INTS = [2**31, 2**31 - 1, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**40, -(10**40)]

texts = st.one_of(
    st.text(ANY_CHAR, max_size=80),
    st.sampled_from(NASTY),
    st.integers(min_value=1, max_value=300_000).map(lambda n: "a" * n),
)
ints = st.one_of(st.integers(), st.sampled_from(HUGE_INTS), st.integers(min_value=-5, max_value=70_000))
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.none(), st.booleans(), ints, floats, texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(KEY_CHAR, max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def mutated_ids() -> st.SearchStrategy[str]:
    """Valid ids bent a little: prefixes, suffixes, case, path and NUL tricks."""
    base = st.sampled_from(IDS)
    return st.one_of(
        base.map(str.upper),
        base.map(lambda s: s[:-1]),
        st.tuples(base, st.text(ANY_CHAR, min_size=1, max_size=6)).map("".join),
        st.tuples(st.text(ANY_CHAR, min_size=1, max_size=6), base).map("".join),
        base.map(lambda s: f"../{s}"),
        base.map(lambda s: f"{s}/../../etc"),
        base.map(lambda s: s.replace("_", "-")),
        base.map(lambda s: s + "\x00"),
    )


def arg(value: st.SearchStrategy[Any], valid: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """One argument: usually junk, sometimes a plausible value, sometimes any JSON value."""
    options = [value, json_values] + ([valid] if valid is not None else [])
    return st.one_of(*options)


EXTRA_KEYS = st.dictionaries(
    st.one_of(st.text(KEY_CHAR, max_size=12), st.sampled_from(["ctx", "self", "kwargs", "__class__", "progress"])),
    json_values,
    max_size=2,
)


def call_args(
    params: dict[str, st.SearchStrategy[Any]], *, required: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments for one call: each parameter present or missing (required ones too), plus unknown keys sometimes."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for name, strategy in params.items():
            keep_probability = 0.9 if name in required else 0.6
            if draw(st.floats(0, 1)) < keep_probability:
                args[name] = draw(strategy)
        if draw(st.integers(0, 9)) == 0:
            for key, value in draw(EXTRA_KEYS).items():
                args.setdefault(key, value)
        return args

    return build()


pattern_ids = arg(st.one_of(texts, mutated_ids()), st.sampled_from(IDS))
ports = st.one_of(ints, floats, st.sampled_from([0, 1, 80, 1023, 1024, 65535, 65536, -1, True, False, "8501", "x"]))
tails = st.one_of(ints, floats, st.sampled_from([0, 1, 2000, 2001, -1, True, "10", "ten"]))
instance_ids = arg(st.one_of(texts, mutated_ids().map(lambda s: f"{s}-1a2b3c")))

READ_TOOL_ARGS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "list_patterns": call_args(
        {
            "category": arg(texts, st.sampled_from(["skeleton", "guard", "bridge", "Guard", "guards"])),
            "query": arg(texts, st.sampled_from(["fastapi", "websocket auth", "flask django", "zzz"])),
        }
    ),
    "get_pattern": call_args({"pattern_id": pattern_ids}, required=("pattern_id",)),
    "explain_pattern": call_args({"pattern_id": pattern_ids}, required=("pattern_id",)),
    "recommend_pattern": call_args(
        {"need": arg(texts, st.sampled_from(["password login", "mount flask", "mcp"])), "limit": arg(ints)},
        required=("need",),
    ),
    "list_instances": call_args({}),
    "get_instance": call_args({"instance_id": instance_ids}, required=("instance_id",)),
    "instance_logs": call_args(
        {"instance_id": instance_ids, "limit": arg(tails), "offset": arg(tails)}, required=("instance_id",)
    ),
}

PY_SNIPPETS = [
    "import streamlit as st\nfrom streamlit.starlette import App\napp = App('ui.py')\n",
    "from streamlit.starlette import App\napp = App(__file__)\n",
    "def f(:\n",
    "(" * 300,
    "x = " + "-" * 50_000 + "1",
    "\ufeffimport os\n",
    "# -*- coding: latin-1 -*-\nx = 1\n",
    "x = '\x00'\n",
    "\t\t\n  \n",
    "a" * 262_144,
    "a" * 262_145,
    "é" * 200_000,  # under the character limit, over 256 KiB of UTF-8
]
PATHS = [
    "app.py",
    "/etc/passwd",
    "/etc/passwd.py",
    "/",
    "/.py",
    ".py",
    "/tmp",
    "/tmp/",
    "/dev/null",
    "/dev/null.py",
    "/proc/self/environ",
    "../../../../etc/shadow.py",
    "~/app.py",
    "C:\\app.py",
    "\x00.py",
    "app.py\x00.txt",
    "a" * 255 + ".txt",
    "nested/" * 50 + "x.py",
]
path_parts = st.one_of(
    st.text(ANY_CHAR, max_size=12),
    st.sampled_from(["", ".", "..", "~", "tmp", "etc", "proc", "self", "dev"]),
    st.integers(min_value=200, max_value=300).map(lambda n: "n" * n),  # around NAME_MAX (255 bytes)
)
built_paths = st.tuples(st.booleans(), st.lists(path_parts, max_size=8)).map(
    lambda t: ("/" if t[0] else "") + "/".join(t[1]) + ".py"
)
PROJECT_ARGS = {
    "path": arg(st.one_of(texts, st.sampled_from(PATHS), built_paths)),
    "files": arg(
        st.dictionaries(
            st.one_of(
                st.text(KEY_CHAR, max_size=40),
                st.sampled_from(["app.py", "../x.py", "/abs.py", "a/b.py", "a//b.py", ".."]),
            ),
            st.one_of(texts, st.sampled_from(PY_SNIPPETS)),
            max_size=4,
        )
    ),
}

check_args = call_args(
    {
        "source": arg(st.one_of(texts, st.sampled_from(PY_SNIPPETS))),
        "path": arg(st.one_of(texts, st.sampled_from(PATHS), texts.map(lambda s: s + ".py"), built_paths)),
        "files": PROJECT_ARGS["files"],
        "dynamic": arg(st.sampled_from([True, False, 0, 1, "yes", "true"])),
    }
)

READ_TOOL_ARGS["suggest_probes"] = call_args(PROJECT_ARGS)  # never runs code: reads, parses, suggests

RUN_TOOL_ARGS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    # Mostly invalid: a valid id (or a port that serializes to null, e.g. NaN) reaches the no-spawn launcher.
    "launch_pattern": call_args({"pattern_id": pattern_ids, "port": arg(ports)}, required=("pattern_id",)),
    "validate_pattern": call_args({"pattern_id": arg(st.one_of(texts, mutated_ids()))}),
    "restart_instance": call_args({"instance_id": instance_ids}, required=("instance_id",)),
    "stop_instance": call_args({"instance_id": instance_ids}, required=("instance_id",)),
    "stop_all_instances": call_args({}),
    # No sandbox and no --allow-user-code here: a valid request ends in the refusal, so nothing ever runs.
    "launch_app": call_args(
        {
            **PROJECT_ARGS,
            "entry": arg(st.one_of(texts, st.sampled_from(["app:app", "a.b:c", "x:", ":y", "../a:b"]))),
            "watch": arg(st.sampled_from([True, False, 0, "yes"])),
            "port": arg(ports),
            "health_path": arg(st.one_of(texts, st.sampled_from(["/", "/healthz", "healthz", "/" + "h" * 300]))),
        }
    ),
    "validate_app": call_args(
        {
            **PROJECT_ARGS,
            "probes": arg(st.lists(st.one_of(json_values, st.just({"name": "x", "path": "/"})), max_size=3)),
            "entry": arg(texts),
        }
    ),
    # Never a real release (those build environments and run for minutes): every call must be refused cleanly.
    "run_matrix": st.fixed_dictionaries(
        {
            "streamlit": st.lists(
                st.one_of(texts.map(lambda t: "x" + t), st.sampled_from(["1.40", "0.89", "2.0", "1.5x", "latest"])),
                min_size=1,
                max_size=3,
            )
        },
        optional={"patterns": st.lists(st.one_of(texts, mutated_ids()), max_size=3)},
    ),
}


# -- tests -----------------------------------------------------------------------------------------------------
def test_every_tool_is_fuzzed(harness: Harness) -> None:
    names = {t.name for t in harness.portal.call(harness.client.list_tools)}
    fuzzed = set(READ_TOOL_ARGS) | set(RUN_TOOL_ARGS) | {"check_app"}
    assert names == ALL_TOOLS == fuzzed, "a tool was added or renamed: give it a strategy here"


def _fuzz(tool: str, strategy: st.SearchStrategy[dict[str, Any]], config: settings) -> Callable[[Harness], None]:
    @config
    @given(args=strategy)
    def run(harness: Harness, args: dict[str, Any]) -> None:
        harness.assert_clean(tool, args)

    return run


@pytest.mark.parametrize("tool", sorted(READ_TOOL_ARGS))
def test_read_tools_never_mask_errors(harness: Harness, tool: str) -> None:
    _fuzz(tool, READ_TOOL_ARGS[tool], FUZZ)(harness)


@pytest.mark.parametrize("tool", sorted(RUN_TOOL_ARGS))
def test_process_tools_refuse_bad_input_cleanly(harness: Harness, tool: str) -> None:
    _fuzz(tool, RUN_TOOL_ARGS[tool], FEW)(harness)


def test_check_app_never_masks_errors(harness: Harness) -> None:
    _fuzz("check_app", check_args, settings(FUZZ, max_examples=int(150 * SCALE)))(harness)


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        ("get_pattern", {"pattern_id": "../../etc/passwd"}, "Invalid pattern id"),
        ("get_pattern", {"pattern_id": "a\x00b"}, "Invalid pattern id"),
        ("get_pattern", {"pattern_id": "nope_nope"}, "Valid ids"),
        ("get_pattern", {}, "pattern_id"),
        ("get_pattern", {"pattern_id": 5}, "valid string"),
        ("list_patterns", {"category": "nope"}, "'skeleton', 'guard', 'bridge' or 'operations'"),
        ("list_patterns", {"query": "q" * 201}, "at most 200"),
        ("recommend_pattern", {"need": ""}, "Describe the need"),
        ("recommend_pattern", {"need": "x", "limit": 0}, "greater than or equal to 1"),
        ("launch_pattern", {"pattern_id": "mount_fastapi", "port": 80}, "out of range"),
        ("launch_pattern", {"pattern_id": "mount_fastapi", "port": 10**40}, "port"),
        ("launch_pattern", {"pattern_id": "../x", "port": 9000}, "Invalid pattern id"),
        ("launch_pattern", {"pattern_id": "mount_fastapi", "ctx": "x"}, "Unexpected keyword argument"),
        ("validate_pattern", {"pattern_id": "../x"}, "Invalid pattern id"),
        ("instance_logs", {"instance_id": "x", "limit": 0}, "greater than or equal to 1"),
        ("instance_logs", {"instance_id": "x", "offset": -1}, "greater than or equal to 0"),
        ("instance_logs", {"instance_id": "nope-1"}, "Unknown instance id"),
        ("restart_instance", {"instance_id": "nope-1"}, "Unknown instance id"),
        ("stop_instance", {"instance_id": "x" * 101}, "at most 100"),
        ("check_app", {}, "exactly one of"),
        ("check_app", {"source": "", "path": "app.py"}, "exactly one of"),
        ("check_app", {"path": "/etc/passwd"}, "outside the folders this server may read"),
        ("check_app", {"path": "/nonexistent/app.py"}, "outside the folders this server may read"),
        ("check_app", {"path": "no_such_module.py"}, "does not exist"),
        ("check_app", {"path": "README.md"}, "not a .py file"),
        ("check_app", {"source": "x = 1\n", "dynamic": True}, "--allow-user-code"),
        ("check_app", {"source": "é" * 200_000}, "KiB"),
    ],
)
def test_bad_input_examples_have_clear_messages(
    harness: Harness, tool: str, args: dict[str, Any], expected: str
) -> None:
    message = harness.assert_clean(tool, args)
    assert message is not None and expected in message, message


@pytest.mark.parametrize(
    "path",
    ["a" * 300 + ".py", "/tmp/" + "b" * 256 + "/app.py", "é/" * 1400 + "x.py"],  # the last: 2.8k chars, 4.2 KiB
    ids=["name-300", "dir-256", "path-4k"],
)
def test_check_app_overlong_path_is_a_clear_error(harness: Harness, path: str) -> None:
    """Regression: Path.is_file() raises OSError(ENAMETOOLONG) here; it used to escape as the masked error."""
    message = harness.assert_clean("check_app", {"path": path})
    assert message is not None and "Cannot use" in message and "too long" in message


def test_instance_tools_on_a_real_failed_instance(harness: Harness) -> None:
    """Existing ids (launches the launcher refused) with junk tails and near-miss ids; restart fails cleanly too."""
    harness.assert_clean("launch_pattern", {"pattern_id": "mount_flask"})
    known = [i["id"] for i in harness.call("list_instances", {}).structured_content["instances"]]
    assert known and all(i.startswith(tuple(IDS)) for i in known)
    ids = st.one_of(
        st.sampled_from(known), st.sampled_from(known).map(lambda s: s + " "), st.sampled_from(known).map(str.upper)
    )
    tools = st.sampled_from(["get_instance", "instance_logs", "stop_instance", "restart_instance"])

    @FEW
    @given(tool=tools, args=call_args({"instance_id": ids, "limit": arg(tails)}, required=("instance_id",)))
    def run(tool: str, args: dict[str, Any]) -> None:
        if tool != "instance_logs":
            args.pop("limit", None)
        harness.assert_clean(tool, args)

    run()
    logs = harness.call("instance_logs", {"instance_id": known[0], "limit": 5}).structured_content
    assert logs["instance_id"] == known[0] and len(logs["lines"]) <= 5


@FEW
@given(
    # the client stamps the name into an HTTP-style header: a lone surrogate fails there, before sending
    name=st.one_of(st.sampled_from(["add_fastapi_endpoint", "secure_streamlit_app"]), st.text(KEY_CHAR, max_size=40)),
    args=st.dictionaries(  # the client JSON-encodes non-string prompt arguments itself: no lone surrogates
        st.sampled_from(["endpoint", "requirement", "x"]),
        st.one_of(st.none(), st.booleans(), ints, floats, st.text(KEY_CHAR), st.lists(st.text(KEY_CHAR), max_size=3)),
        max_size=2,
    ),
)
def test_prompts_never_mask_errors(harness: Harness, name: str, args: dict[str, Any]) -> None:
    try:
        harness.portal.call(harness.client.get_prompt, name, args)
    except MCPError as exc:
        assert str(exc) != f"Error rendering prompt {name!r}", f"prompt {name}({_short(args)}) was masked"


RESOURCE_FILES = ["app.py", "ui.py", "../../etc/passwd", "%2e%2e/x", "app.py/..", "/etc/passwd"]


@FEW
@given(
    uri=st.one_of(
        st.sampled_from(IDS).map(lambda i: f"pattern://{i}/explanation"),
        st.tuples(st.sampled_from(IDS), st.one_of(texts, st.sampled_from(RESOURCE_FILES))).map(
            lambda t: f"pattern://{t[0]}/files/{t[1]}"
        ),
        texts.map(lambda s: "pattern://" + s),
    )
)
def test_resources_never_mask_errors(harness: Harness, uri: str) -> None:
    try:
        harness.portal.call(harness.client.read_resource, uri)
    except MCPError as exc:
        assert not str(exc).startswith("Error reading resource"), f"resource {uri[:200]!r} was masked: {exc}"
    except (ValueError, UnicodeEncodeError):
        pass  # the client refuses to send a URI it cannot represent (AnyUrl validation, lone surrogates)


def test_server_still_answers_after_fuzzing(harness: Harness) -> None:
    listed = harness.call("list_patterns", {}).structured_content
    assert listed["total"] == len(IDS)
    detail = payload(harness.call("get_pattern", {"pattern_id": "mount_fastapi"}))
    assert detail["id"] == "mount_fastapi"
    instances = harness.call("list_instances", {}).structured_content
    assert instances["running"] == 0, "the fuzz must never leave a running instance"
    assert all(i["status"] not in ("starting", "running") for i in instances["instances"])
    assert harness.call("stop_all_instances", {}).structured_content["running"] == 0


def test_stray_launches_never_reach_a_process(harness: Harness) -> None:
    """A valid launch goes all the way to the launcher, which refuses: LaunchFailed, not a masked error."""
    message = harness.assert_clean("launch_pattern", {"pattern_id": "mount_fastapi"})
    assert message is not None and "could not start a process" in message
    assert harness.launcher.spawns, "the launch should have reached the launcher"
    assert re.search(r"mount_fastapi", message)
