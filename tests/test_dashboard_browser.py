"""End to end: a real `st-patterns serve`, an MCP client and headless Chromium on the dashboard.

An instance launched over MCP must appear in the open page on its own (the live table refreshes itself), and
stopping it with the row's Stop button must stop it for the MCP client too.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client

from conftest import ServerProcess, start_server, stop_process

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
APPEAR_WITHIN = 3.0  # seconds; the issue asks for 2 s, plus slack for a loaded CI machine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.processes,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]
playwright_api = pytest.importorskip("playwright.async_api", reason="needs the playwright package (pip)")


@pytest.fixture(scope="module")
def dash_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = start_server(tmp_path_factory.mktemp("dash-e2e"))
    yield server
    stop_process(server.proc)


@dataclass
class Tab:
    page: Any  # playwright.async_api.Page
    errors: list[str] = field(default_factory=list)  # uncaught JavaScript errors


@pytest.fixture
async def tab(dash_server: ServerProcess) -> AsyncIterator[Tab]:
    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            opened = Tab(await context.new_page())
            opened.page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
            yield opened
        finally:
            await browser.close()


async def _call(url: str, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    async with Client(url) as client:
        result = await client.call_tool(tool, args or {})
        return result.structured_content or {}


async def test_mcp_launch_appears_live_and_stop_button_stops_it(
    dash_server: ServerProcess, tab: Tab, artifacts: Path
) -> None:
    page = tab.page
    await page.goto(f"{dash_server.base}/dashboard/")
    await page.get_by_text("slots in use").wait_for(timeout=30_000)

    instance = await _call(dash_server.mcp_url, "launch_pattern", {"pattern_id": "mount_fastapi"})
    iid = instance["id"]
    launched = time.perf_counter()
    row = page.locator(f".st-key-instance-{iid}")
    await row.wait_for(state="visible", timeout=15_000)
    appeared = time.perf_counter() - launched
    assert appeared <= APPEAR_WITHIN, f"the row appeared {appeared:.1f} s after the MCP launch returned"
    await row.get_by_text("running").wait_for(timeout=5_000)
    assert str(instance["port"]) in await row.inner_text()
    assert await row.locator(f'a[href="{instance["url"]}"]').count() == 1
    await page.get_by_text("Uvicorn running").first.wait_for(timeout=10_000)  # the selected row's log tail
    await page.locator(".st-key-usage-chart svg").first.wait_for(timeout=15_000)  # CPU/RSS chart drawn
    await page.screenshot(path=str(artifacts / "dashboard.png"))

    await page.locator(f".st-key-stop-{iid} button").click()
    await page.locator(f".st-key-stop-{iid}").wait_for(state="detached", timeout=20_000)
    listed = await _call(dash_server.mcp_url, "list_instances")
    status = {i["id"]: i["status"] for i in listed["instances"]}
    assert status.get(iid, "gone") in ("stopped", "gone")
    assert listed["running"] == 0
    assert tab.errors == []


async def test_other_pages_render(dash_server: ServerProcess, tab: Tab, artifacts: Path) -> None:
    page = tab.page
    await page.goto(f"{dash_server.base}/dashboard/patterns")
    await page.locator(".st-key-pattern-mount_fastapi").wait_for(timeout=30_000)
    await page.locator(".st-key-open-middleware_auth button").click()
    await page.locator(".st-key-pattern-detail").get_by_text("When to use").wait_for(timeout=10_000)
    await page.get_by_role("tab", name="Source").click()
    source = page.locator("[data-testid='stCode']", has_text="class AuthMiddleware").filter(visible=True)
    await source.first.wait_for(timeout=10_000)
    await page.screenshot(path=str(artifacts / "dashboard-pattern.png"))

    summary = await _call(dash_server.mcp_url, "validate_pattern", {"pattern_id": "mount_fastapi"})
    assert summary["passed"], summary
    await page.goto(f"{dash_server.base}/dashboard/validation")
    row = page.locator('.st-key-validation-matrix tr[data-pattern="mount_fastapi"]')
    await row.get_by_text("pass", exact=True).wait_for(timeout=30_000)  # recorded by the MCP tool, shown here
    await page.screenshot(path=str(artifacts / "dashboard-validation.png"))
    assert tab.errors == []
