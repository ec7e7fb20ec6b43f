"""A person's view: headless Chromium opens the built example_project module page.

The diagrams must render to SVG with mermaid served from the site itself (``llmdocs_mermaid_js``), every
section must be visible, the console must stay free of errors, and no request may leave this machine.
The browser is Debian's ``chromium`` (``.ci/run`` installs it), driven over the DevTools protocol; a
screenshot lands in the test's folder (and in ``$LLMDOCS_SCREENSHOT`` when set, to look at).
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).parents[1]
EXAMPLE = REPO / "example_project"
MERMAID_VERSION = "11.12.1"
MERMAID_DIST = REPO / ".cache" / f"mermaid-{MERMAID_VERSION}" / "dist"
PAGE = "llmdocs/recipebox/model/pantry.html"
SECTIONS = [
    "Summary",
    "Imports",
    "Imported By",
    "Dependency Diagram",
    "Classes",
    "Internal Structure",
    "Related Pages",
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it with apt-get)"
)


def _mermaid_dist() -> Path:
    if not (MERMAID_DIST / "mermaid.esm.min.mjs").is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: `make mermaid-js` cannot fetch mermaid's files (.ci/run does)")
        # The same step .ci/run takes: mermaid's files from the npm registry's `mermaid` package.
        subprocess.run(["make", "mermaid-js", f"MERMAID_VERSION={MERMAID_VERSION}"], cwd=REPO, check=True)
    return MERMAID_DIST


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    copy = tmp / "example_project"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("_build", "llmdocs", "__pycache__"))
    out = tmp / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-n", "-b", "html", "-D",
         f"llmdocs_mermaid_js={_mermaid_dist()}", str(copy / "docs"), str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The built site over HTTP on the loopback (browsers refuse ES modules from file://)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class DevTools:
    """A minimal Chrome DevTools protocol client over one websocket: commands and the events seen."""

    def __init__(self, url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(url, timeout=20, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[str]:
    """Chromium, headless, no sandbox (we run as root), every host but the loopback unresolvable."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    assert CHROMIUM is not None
    process = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=1280,900",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while not port_file.is_file() or not port_file.read_text().strip():
            assert process.poll() is None, (
                f"chromium exited: {process.stderr.read() if process.stderr else ''}"
            )
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _page_socket(browser: str) -> str:
    with urllib.request.urlopen(f"{browser}/json/list", timeout=10) as response:
        targets = json.loads(response.read())
    page = next(t for t in targets if t.get("type") == "page")
    return str(page["webSocketDebuggerUrl"])


def _console_errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            errors.append(str(params["exceptionDetails"].get("exception", {}).get("description", params)))
        elif (
            method == "Log.entryAdded"
            and params["entry"].get("level") == "error"
            and "favicon.ico" not in str(params["entry"].get("url", ""))
        ):
            errors.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}")
    return errors


def test_module_page_renders_its_diagrams_and_sections_without_network(site, server, browser, tmp_path):
    html = (site / PAGE).read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in html and "_static/llmdocs-mermaid/mermaid.esm.min.mjs" in html

    tools = DevTools(_page_socket(browser))
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable")
        tools.send(
            "Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False
        )
        tools.send("Page.navigate", url=f"{server}/{PAGE}")

        deadline = time.monotonic() + 15
        state: dict[str, int] = {}
        while time.monotonic() < deadline:
            state = (
                tools.evaluate(
                    "({diagrams: document.querySelectorAll('pre.mermaid').length,"
                    " svgs: document.querySelectorAll('pre.mermaid[data-processed=true] > svg').length})"
                )
                or {}
            )
            if state.get("diagrams") and state.get("svgs") == state.get("diagrams"):
                break
            time.sleep(0.2)
        assert state.get("diagrams", 0) >= 2 and state["svgs"] == state["diagrams"], state

        # Each diagram drew its boxes: the module is a node of the import graph, the classes are boxes.
        labels = tools.evaluate(
            "Array.from(document.querySelectorAll('pre.mermaid > svg')).map(s => s.textContent)"
        )
        assert "recipebox.model.pantry" in labels[0]
        assert "Pantry" in labels[1] and "PantryItem" in labels[1]

        visible = tools.evaluate(
            "Array.from(document.querySelectorAll('div.body h2')).filter(h => {"
            " const r = h.getBoundingClientRect(); const s = getComputedStyle(h);"
            " return r.width > 0 && r.height > 0 && s.visibility === 'visible' && s.display !== 'none';"
            "}).map(h => h.textContent.replace('\\u00b6', '').trim())"
        )
        assert visible == SECTIONS

        height = tools.evaluate("document.documentElement.scrollHeight")
        shot = tools.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": min(int(height), 4000), "scale": 1},
        )
        requests = [
            e["params"]["request"]["url"]
            for e in tools.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
        errors = _console_errors(tools.events)
    finally:
        tools.close()

    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG")
    path = tmp_path / "module-page.png"
    path.write_bytes(png)
    if os.environ.get("LLMDOCS_SCREENSHOT"):
        shutil.copy(path, os.environ["LLMDOCS_SCREENSHOT"])
    assert errors == []
    outside = [u for u in requests if not re.match(r"^(http://127\.0\.0\.1:\d+/|data:|about:)", u)]
    assert outside == [], outside
