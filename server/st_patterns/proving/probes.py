"""Run declarative probes (``spec.Probe``) against a running app over real HTTP and websockets.

Example::

    results = await run_probes("http://127.0.0.1:8501", pattern.probes, marker=pattern.meta.ui_marker)
    assert all(r.passed for r in results)
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence

import httpx

from st_patterns.catalog.contract import Probe
from st_patterns.models import ProbeResult
from st_patterns.proving.websocket_probe import run_script

ProbeCallback = Callable[[ProbeResult], Awaitable[None] | None]
_BODY_PREVIEW = 160


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every probe: building one per client costs ~40 ms, more than the probe itself."""
    return ssl.create_default_context()


def _cookie_header(jar: httpx.Cookies) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


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
    body = response.text
    for fragment in probe.expect_body_contains:
        expected.append(f"body contains {fragment!r}")
        if fragment not in body:
            problems.append(f"body lacks {fragment!r} (starts {body[:_BODY_PREVIEW]!r})")
    for fragment in probe.expect_body_not_contains:
        expected.append(f"body lacks {fragment!r}")
        if fragment in body:
            problems.append(f"body contains {fragment!r}")
    actual_text = "; ".join(problems) if problems else f"status {response.status_code}, all expectations met"
    return not problems, ", ".join(expected) or "any answer", actual_text


Clients = dict[tuple[str, str, bool], httpx.AsyncClient]


def _client(base_url: str, probe: Probe, timeout: float, clients: Clients | None) -> httpx.AsyncClient:
    """A client for this probe's source address; with ``clients``, one kept-alive client per address and
    redirect mode is reused across probes (a new connection per probe costs the app more than the probe)."""
    key = (base_url, probe.source_ip, probe.follow_redirects)
    if clients is not None and key in clients:
        return clients[key]
    transport = httpx.AsyncHTTPTransport(local_address=probe.source_ip, verify=_ssl_context())
    client = httpx.AsyncClient(
        base_url=base_url, transport=transport, timeout=timeout, follow_redirects=probe.follow_redirects
    )
    if clients is not None:
        clients[key] = client
    return client


async def _run_http(
    base_url: str, probe: Probe, jar: httpx.Cookies, timeout: float, clients: Clients | None = None
) -> tuple[bool, str, str]:
    headers = dict(probe.headers)
    if probe.forwarded_for:
        headers["X-Forwarded-For"] = probe.forwarded_for
    client = _client(base_url, probe, timeout, clients)
    try:
        client.cookies = httpx.Cookies(jar)  # this probe's jar only: nothing carries over from other probes
        for name, value in probe.cookies.items():
            client.cookies.set(name, value)
        response = await client.request(
            probe.method,
            probe.path,
            headers=headers,
            data=probe.form or None,
            json=probe.json_body,
        )
        jar.clear()  # mirror the client's jar, so cookies the server deleted (Max-Age=0) are gone too
        jar.update(client.cookies)
    finally:
        if clients is None:
            await client.aclose()
    return _check_http(probe, response)


async def _run_ws(
    base_url: str, probe: Probe, jar: httpx.Cookies, marker: str, timeout: float
) -> tuple[bool, str, str]:
    headers = dict(probe.headers)
    if probe.forwarded_for:
        headers["X-Forwarded-For"] = probe.forwarded_for
    merged = httpx.Cookies(jar)
    for name, value in probe.cookies.items():
        merged.set(name, value)
    if merged:
        headers["Cookie"] = _cookie_header(merged)
    url = base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + probe.path
    want = probe.expect_ws or "runs"
    contains = probe.expect_ws_contains if want == "runs" else []
    outcome = await run_script(
        url, marker, contains=contains, headers=headers, source_ip=probe.source_ip, timeout=timeout
    )
    passed = (want == "runs" and outcome.status == "ran") or (want == "refused" and outcome.status == "refused")
    expected = "websocket refused"
    if want == "runs":
        expected = "script runs without an exception and writes its marker"
        expected += f", rendering {', '.join(map(repr, contains))}" if contains else ""
    return passed, expected, f"{outcome.status}: {outcome.detail}"


async def run_probe(
    base_url: str,
    probe: Probe,
    *,
    jar: httpx.Cookies,
    marker: str,
    timeout: float = 15.0,
    clients: Clients | None = None,
) -> ProbeResult:
    """Run one probe; transport errors count as a failed probe, never as an exception."""
    started = time.perf_counter()
    try:
        if probe.kind == "websocket":
            passed, expected, actual = await _run_ws(base_url, probe, jar, marker, timeout)
        else:
            passed, expected, actual = await _run_http(base_url, probe, jar, timeout, clients)
    except httpx.HTTPError as exc:
        passed, expected, actual = False, "an HTTP answer", f"{type(exc).__name__}: {exc}"
    return ProbeResult(
        name=probe.name,
        kind=probe.kind,
        passed=passed,
        negative=probe.negative,
        expected=expected,
        actual=actual,
        seconds=round(time.perf_counter() - started, 4),
        see_pattern=probe.see_pattern,
    )


def same_run_key(probe: Probe) -> tuple[object, ...] | None:
    """Two websocket probes with this key make the same request and expect the same: one run answers both.

    Only cookie-less runs qualify (a jar's cookies may change between two probes naming it).
    """
    if probe.kind != "websocket" or probe.jar or probe.cookies:
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
) -> list[ProbeResult]:
    """Run probes in order; probes naming the same jar share cookies (``jars`` is filled in place).

    ``runs`` remembers websocket runs by :func:`same_run_key`: a later probe asking for the same run gets that
    run's outcome (named as such) instead of a second script run.
    """
    jars = {} if jars is None else jars
    results: list[ProbeResult] = []
    clients: Clients = {}
    try:
        for probe in probes:
            results.append(await _next_result(base_url, probe, jars, marker, timeout, runs, clients))
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
    result = await run_probe(base_url.rstrip("/"), probe, jar=jar, marker=marker, timeout=timeout, clients=clients)
    if runs is not None and key is not None:
        runs[key] = result
    return result
