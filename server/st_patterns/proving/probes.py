"""Run declarative probes (``spec.Probe``) against a running app over real HTTP and websockets.

Example::

    results = await run_probes("http://127.0.0.1:8501", pattern.probes, marker=pattern.meta.ui_marker)
    assert all(r.passed for r in results)
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import httpx

from st_patterns.catalog.contract import PLACEHOLDER_RE, Probe
from st_patterns.models import ProbeResult
from st_patterns.proving.forms import first_form
from st_patterns.proving.websocket_probe import run_script, run_socket

ProbeCallback = Callable[[ProbeResult], Awaitable[None] | None]
_BODY_PREVIEW = 160
_LOG_WAIT = 5.0  # seconds a log probe waits for a text that must appear


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every probe: building one per client costs ~40 ms, more than the probe itself."""
    return ssl.create_default_context()


@dataclass(frozen=True)
class Shutdown:
    """How a stopped app went: seconds from SIGTERM to exit, and whether it had to be killed."""

    seconds: float
    killed: bool
    returncode: int | None


@dataclass
class ProbeContext:
    """What probes may reach besides the app: sidecars by name, logs, the app's shutdown, captured values.

    ``variables`` holds the values ``{{NAME}}`` placeholders take: each sidecar's and the app's addresses, and
    what earlier probes captured (filled in as probes run).
    """

    targets: Mapping[str, str] = field(default_factory=dict)
    read_log: Callable[[str | None], str] | None = None  # None: the app's log; a name: that sidecar's
    shutdown: Callable[[float], Shutdown] | None = None  # blocking; given the deadline in seconds
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class _Outcome:
    passed: bool
    expected: str
    actual: str
    text: str = ""  # what captures read: the body, or the socket's messages


def _body_checks(probe: Probe, body: str, expected: list[str], problems: list[str], what: str = "body") -> None:
    for fragment in probe.expect_body_contains:
        expected.append(f"{what} contains {fragment!r}")
        if fragment not in body:
            problems.append(f"{what} lacks {fragment!r} (starts {body[:_BODY_PREVIEW]!r})")
    for fragment in probe.expect_body_not_contains:
        expected.append(f"{what} lacks {fragment!r}")
        if fragment in body:
            problems.append(f"{what} contains {fragment!r}")


def _check_http(probe: Probe, response: httpx.Response) -> tuple[bool, str, str]:
    expected: list[str] = []
    problems: list[str] = []
    if probe.expect_status is not None:
        expected.append(f"status {probe.expect_status}")
        if response.status_code != probe.expect_status:
            problems.append(f"status {response.status_code}")
    if probe.expect_status_in:
        expected.append(f"status in {sorted(probe.expect_status_in)}")
        if response.status_code not in probe.expect_status_in:
            problems.append(f"status {response.status_code}")
    for name, fragment in probe.expect_headers.items():
        expected.append(f"{name} contains {fragment!r}")
        actual = response.headers.get(name)
        if actual is None or fragment.lower() not in actual.lower():
            problems.append(f"{name}: {actual!r}")
    for name in probe.expect_headers_absent:
        expected.append(f"no {name} header")
        if name in response.headers:
            problems.append(f"{name}: {response.headers[name]!r}")
    _body_checks(probe, response.text, expected, problems)
    actual_text = "; ".join(problems) if problems else f"status {response.status_code}, all expectations met"
    return not problems, ", ".join(expected) or "any answer", actual_text


Clients = dict[tuple[str, str, bool], httpx.AsyncClient]


async def _loopback_only(request: httpx.Request) -> None:
    """Probes talk to this machine only: a redirect to another host is refused, not followed."""
    host = request.url.host
    if not (host.startswith("127.") or host in ("::1", "localhost")):
        raise httpx.UnsupportedProtocol(f"refusing to send a probe to {host}: probes stay on loopback")


def _client(base_url: str, probe: Probe, timeout: float, clients: Clients | None) -> httpx.AsyncClient:
    """A client for this probe's source address; with ``clients``, one kept-alive client per address and
    redirect mode is reused across probes (a new connection per probe costs the app more than the probe)."""
    key = (base_url, probe.source_ip, probe.follow_redirects)
    if clients is not None and key in clients:
        return clients[key]
    transport = httpx.AsyncHTTPTransport(local_address=probe.source_ip, verify=_ssl_context())
    client = httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        timeout=timeout,
        follow_redirects=probe.follow_redirects,
        event_hooks={"request": [_loopback_only]},
    )
    if clients is not None:
        clients[key] = client
    return client


async def _submit_form(client: httpx.AsyncClient, probe: Probe, headers: dict[str, str]) -> httpx.Response | str:
    """GET the page, submit its first form with ``probe.form`` over the form's own inputs; a str says what failed."""
    page = await client.get(probe.path, headers=headers, follow_redirects=True)
    form = first_form(page.text, str(page.url))
    if form is None:
        return f"no <form> on {page.url} (status {page.status_code}, starts {page.text[:_BODY_PREVIEW]!r})"
    fields = {**form.fields, **probe.form}
    if form.method == "GET":
        return await client.get(form.action, params=fields, headers=headers, follow_redirects=True)
    return await client.request(form.method, form.action, data=fields, headers=headers, follow_redirects=True)


async def _run_http(
    base_url: str, probe: Probe, jar: httpx.Cookies, timeout: float, clients: Clients | None = None
) -> _Outcome:
    headers = _headers(probe)
    client = _client(base_url, probe, timeout, clients)
    try:
        client.cookies = httpx.Cookies(jar)  # this probe's jar only: nothing carries over from other probes
        for name, value in probe.cookies.items():
            client.cookies.set(name, value)
        if probe.submit_form:
            response: httpx.Response | str = await _submit_form(client, probe, headers)
        else:
            for _ in range(probe.repeat):
                response = await client.request(
                    probe.method, probe.path, headers=headers, data=probe.form or None, json=probe.json_body
                )
        jar.clear()  # mirror the client's jar, so cookies the server deleted (Max-Age=0) are gone too
        jar.update(client.cookies)
    finally:
        if clients is None:
            await client.aclose()
    if isinstance(response, str):
        return _Outcome(False, "a page with a form to submit", response)
    passed, expected, actual = _check_http(probe, response)
    if probe.repeat > 1:
        expected, actual = f"after {probe.repeat} requests: {expected}", f"last answer: {actual}"
    return _Outcome(passed, expected, actual, response.text)


def _headers(probe: Probe) -> dict[str, str]:
    headers = dict(probe.headers)
    if probe.forwarded_for:
        headers["X-Forwarded-For"] = probe.forwarded_for
    return headers


def _ws_headers(probe: Probe, jar: httpx.Cookies) -> dict[str, str]:
    headers = _headers(probe)
    cookies = {cookie.name: cookie.value for cookie in jar.jar}  # the probe's own cookies win over the jar's
    cookies.update(probe.cookies)
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return headers


async def _run_ws(base_url: str, probe: Probe, jar: httpx.Cookies, marker: str, timeout: float) -> _Outcome:
    headers = _ws_headers(probe, jar)
    url = base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + probe.path
    want = probe.expect_ws or "runs"
    for _ in range(probe.repeat):
        if want == "accepted" or (want == "refused" and probe.ws_send):
            outcome = await run_socket(
                url, send=probe.ws_send, contains=probe.expect_ws_contains, headers=headers,
                source_ip=probe.source_ip, timeout=timeout,
            )  # fmt: skip
        else:
            contains = probe.expect_ws_contains if want == "runs" else []
            outcome = await run_script(
                url, marker, contains=contains, headers=headers, source_ip=probe.source_ip, timeout=timeout
            )
    status = {"runs": "ran", "refused": "refused", "accepted": "accepted"}[want]
    expected = {
        "refused": "websocket refused",
        "runs": "script runs without an exception and writes its marker",
        "accepted": "websocket accepted",
    }[want]
    if want != "refused" and probe.expect_ws_contains:
        verb = "rendering" if want == "runs" else "receiving"
        expected += f", {verb} {', '.join(map(repr, probe.expect_ws_contains))}"
    passed = outcome.status == status
    if probe.expect_status is not None:  # refused AT the handshake (403), not accepted and then closed
        expected += f", handshake answered HTTP {probe.expect_status}"
        passed = passed and outcome.handshake == probe.expect_status
    return _Outcome(passed, expected, f"{outcome.status}: {outcome.detail}", outcome.received.decode("latin-1"))


async def _run_log(probe: Probe, context: ProbeContext) -> _Outcome:
    """Judge a log with the body expectations; texts that must appear get a few seconds to be written."""
    if context.read_log is None:
        return _Outcome(False, "a log to read", "no log is available for this run")
    what = f"{probe.target}'s log" if probe.target else "the app's log"
    deadline = time.monotonic() + _LOG_WAIT
    while True:
        text = await asyncio.to_thread(context.read_log, probe.target)
        expected: list[str] = []
        problems: list[str] = []
        _body_checks(probe, text, expected, problems, what)
        if not problems or time.monotonic() >= deadline or not probe.expect_body_contains:
            break
        await asyncio.sleep(0.1)
    return _Outcome(not problems, ", ".join(expected) or f"{what} readable", "; ".join(problems) or "as expected", text)


async def _run_shutdown(probe: Probe, context: ProbeContext) -> _Outcome:
    if context.shutdown is None:
        return _Outcome(False, "an app to stop", "this run cannot stop its app")
    how = await asyncio.to_thread(context.shutdown, probe.within_seconds)
    expected = [f"exits within {probe.within_seconds:g} s of SIGTERM"]
    problems = []
    if how.killed:
        problems.append(f"still running {how.seconds:.1f} s after SIGTERM: killed")
    elif how.seconds > probe.within_seconds:
        problems.append(f"took {how.seconds:.1f} s")
    text = await asyncio.to_thread(context.read_log, None) if context.read_log else ""
    _body_checks(probe, text, expected, problems, "the log")
    actual = "; ".join(problems) or f"exited in {how.seconds:.2f} s (code {how.returncode}), log as expected"
    return _Outcome(not problems, ", ".join(expected), actual, text)


def _capture(probe: Probe, text: str, variables: dict[str, str]) -> str | None:
    """Store the probe's captures; the first that does not match is returned as a problem."""
    for name, pattern in probe.capture.items():
        match = re.search(pattern, text)
        if match is None:
            return f"capture {name!r}: {pattern!r} matched nothing"
        variables[name] = match.group(1) if match.groups() else match.group(0)
    return None


_FILLED = (
    "path", "headers", "cookies", "form", "expect_headers", "expect_body_contains", "expect_body_not_contains",
    "expect_ws_contains", "ws_send",
)  # fmt: skip


def _filled(probe: Probe, variables: Mapping[str, str]) -> Probe | str:
    """The probe with ``{{NAME}}`` placeholders filled, or what is missing."""
    missing: list[str] = []

    def fill(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            if match.group(1) not in variables:
                missing.append(match.group(1))
                return match.group(0)
            return variables[match.group(1)]

        return PLACEHOLDER_RE.sub(one, text)

    if "{{" not in probe.model_dump_json(include=set(_FILLED)):
        return probe
    update: dict[str, object] = {}
    for name in _FILLED:
        value = getattr(probe, name)
        if isinstance(value, str):
            update[name] = fill(value)
        elif isinstance(value, dict):
            update[name] = {k: fill(v) for k, v in value.items()}
        else:
            update[name] = [fill(v) for v in value]
    if missing:
        return f"{{{{{missing[0]}}}}} has no value (the probe that captures it failed?)"
    return probe.model_copy(update=update)


async def run_probe(
    base_url: str,
    probe: Probe,
    *,
    jar: httpx.Cookies,
    marker: str,
    timeout: float = 15.0,
    clients: Clients | None = None,
    context: ProbeContext | None = None,
) -> ProbeResult:
    """Run one probe; transport errors count as a failed probe, never as an exception."""
    context = context or ProbeContext()
    started = time.perf_counter()
    filled = _filled(probe, context.variables)
    try:
        if isinstance(filled, str):
            outcome = _Outcome(False, "its placeholders filled", filled)
        elif probe.target is not None and probe.target not in context.targets and probe.kind != "log":
            outcome = _Outcome(False, f"sidecar {probe.target!r}", "no such sidecar is running in this run")
        else:
            base = context.targets.get(probe.target, base_url) if probe.target else base_url
            if probe.kind == "websocket":
                outcome = await _run_ws(base, filled, jar, marker, timeout)
            elif probe.kind == "log":
                outcome = await _run_log(filled, context)
            elif probe.kind == "shutdown":
                outcome = await _run_shutdown(filled, context)
            else:
                outcome = await _run_http(base, filled, jar, timeout, clients)
    except (httpx.HTTPError, httpx.CookieConflict) as exc:
        outcome = _Outcome(False, "an HTTP answer", f"{type(exc).__name__}: {exc}")
    if outcome.passed and probe.capture:
        problem = _capture(probe, outcome.text, context.variables)
        if problem is not None:
            outcome = _Outcome(
                False, outcome.expected + ", " + ", ".join(f"{n} captured" for n in probe.capture), problem
            )
    return ProbeResult(
        name=probe.name,
        kind=probe.kind,
        passed=outcome.passed,
        negative=probe.negative,
        expected=outcome.expected,
        actual=outcome.actual,
        seconds=round(time.perf_counter() - started, 4),
        see_pattern=probe.see_pattern,
    )


def same_run_key(probe: Probe) -> tuple[object, ...] | None:
    """Two websocket probes with this key make the same request and expect the same: one run answers both.

    Only cookie-less runs qualify (a jar's cookies may change between two probes naming it).
    """
    if probe.kind != "websocket" or probe.jar or probe.cookies or probe.target or probe.capture:
        return None
    if probe.expect_ws == "accepted" or probe.ws_send or probe.repeat > 1 or "{{" in probe.path + str(probe.headers):
        return None
    return (
        probe.path, probe.expect_ws or "runs", tuple(probe.expect_ws_contains), tuple(sorted(probe.headers.items())),
        probe.forwarded_for, probe.source_ip,
    )  # fmt: skip


async def run_probes(
    base_url: str,
    probes: Sequence[Probe],
    *,
    marker: str,
    jars: dict[str, httpx.Cookies] | None = None,
    on_result: ProbeCallback | None = None,
    timeout: float = 15.0,
    runs: dict[tuple[object, ...], ProbeResult] | None = None,
    context: ProbeContext | None = None,
) -> list[ProbeResult]:
    """Run probes in order; probes naming the same jar share cookies (``jars`` is filled in place).

    ``runs`` remembers websocket runs by :func:`same_run_key`: a later probe asking for the same run gets that
    run's outcome (named as such) instead of a second script run. ``context`` gives the sidecars, logs, the app's
    shutdown and the values placeholders take; captures land in its ``variables``.
    """
    context = context or ProbeContext()
    jars = {} if jars is None else jars
    results: list[ProbeResult] = []
    clients: Clients = {}
    try:
        for probe in probes:
            results.append(await _next_result(base_url, probe, jars, marker, timeout, runs, clients, context))
            if on_result is not None:
                maybe = on_result(results[-1])
                if maybe is not None:
                    await maybe
    finally:
        for client in clients.values():
            await client.aclose()
    return results


async def _next_result(
    base_url: str,
    probe: Probe,
    jars: dict[str, httpx.Cookies],
    marker: str,
    timeout: float,
    runs: dict[tuple[object, ...], ProbeResult] | None,
    clients: Clients,
    context: ProbeContext,
) -> ProbeResult:
    """One probe's result: run, or taken from an earlier run that answers it (see :func:`same_run_key`)."""
    jar = jars.setdefault(probe.jar, httpx.Cookies()) if probe.jar else httpx.Cookies()
    key = same_run_key(probe) if runs is not None else None
    earlier = runs.get(key) if runs is not None and key is not None else None
    if earlier is not None:
        return earlier.model_copy(
            update={
                "name": probe.name,
                "negative": probe.negative,
                "see_pattern": probe.see_pattern,
                "actual": f"{earlier.actual} (the same run as {earlier.name!r})",
                "seconds": 0.0,
            }
        )
    result = await run_probe(
        base_url.rstrip("/"), probe, jar=jar, marker=marker, timeout=timeout, clients=clients, context=context
    )
    if runs is not None and key is not None:
        runs[key] = result
    return result
