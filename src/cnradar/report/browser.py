"""Open a report in headless Chromium and inspect it as a reader's browser would.

Used by the browser tests and for screenshots (e.g. the README's). Chromium (Debian package ``chromium``) is
driven through the DevTools protocol over ``--remote-debugging-pipe`` — no port is opened, no extra Python
dependency. The browser starts with ``--headless --no-sandbox --disable-gpu --disable-background-networking
--disable-component-update --disable-sync --no-first-run`` and a fresh ``--user-data-dir``, and with every host
name resolving to nothing (``--host-resolver-rules``), so even a page that tried could not reach the network.

What :func:`inspect_page` records, from DevTools events while the page loads:

* ``console``: console messages of level error/warning, uncaught exceptions (``Runtime.exceptionThrown``) and
  browser log entries of level error (this is where CSP violations and failed loads are reported);
* ``requests``: every network request other than the page itself and ``data:`` URIs (must be empty for a
  self-contained report);
* ``images``: for every ``<img data-chart=...>``, whether it decoded (``complete`` and ``naturalWidth > 0``);
* ``missing_panels``: the ``data-missing`` attributes of the "no data" panels;
* a full-page PNG screenshot when asked.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnradar.errors import ConfigError, explain

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """Path of the Chromium binary (``$CNRADAR_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH)."""
    env = os.environ.get("CNRADAR_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    """What the browser saw (see the module docstring)."""

    url: str
    title: str = ""
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    missing_panels: list[str] = field(default_factory=list)
    text_sample: str = ""
    screenshot: Path | None = None
    load_seconds: float = 0.0


class _Pipe:
    """Minimal DevTools client over the two pipes Chromium opens on fds 3 (in) and 4 (out)."""

    def __init__(self, binary: str, user_data_dir: str, timeout: float) -> None:
        to_child_r, self._to_child_w = os.pipe()
        self._from_child_r, from_child_w = os.pipe()

        def wire() -> None:  # runs in the child before exec: put the pipe ends on fds 3 and 4
            # move both ends above 9 first, so dup2 never hits the same or the other pipe end
            high_in = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)  # os.dup2 makes the target inheritable
            os.dup2(high_out, 4)

        self.proc = subprocess.Popen(  # preexec_fn: the only way to place fds 3 and 4
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.timeout = timeout
        self._next = 0
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._replies: dict[int, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        with os.fdopen(self._from_child_r, "rb", buffering=0) as f:
            while True:
                chunk = f.read(65536)
                if not chunk:
                    break
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    msg = json.loads(raw)
                    if "id" in msg:
                        with self._cond:
                            self._replies[msg["id"]] = msg
                            self._cond.notify_all()
                    else:
                        self._events.put(msg)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict:
        self._next += 1
        mid = self._next
        msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while mid not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"chromium did not answer {method} within {self.timeout}s")
                self._cond.wait(left)
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise RuntimeError(f"DevTools {method} failed: {reply['error']}")
        return reply.get("result", {})

    def events(self, until: float) -> list[dict[str, Any]]:
        """Drain events, waiting until ``until`` (monotonic) for more."""
        out = []
        while True:
            left = until - time.monotonic()
            try:
                out.append(self._events.get(timeout=max(left, 0.0)) if left > 0 else self._events.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (TimeoutError, RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:
            os.close(self._to_child_w)
        except OSError:
            pass


_INSPECT_JS = """(() => {
  const imgs = Array.from(document.querySelectorAll('img[data-chart]')).map(i => ({
      chart: i.dataset.chart, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}));
  const missing = Array.from(document.querySelectorAll('[data-missing]')).map(e => e.dataset.missing);
  return JSON.stringify({title: document.title, images: imgs, missing: missing,
                         text: document.body.innerText.slice(0, 4000)});
})()"""


def inspect_page(html: str | Path, *, screenshot: str | Path | None = None, width: int = 1200,
                 max_height: int = 6000, timeout: float = 60.0, settle: float = 0.5) -> PageReport:
    """Load ``html`` (a file) in headless Chromium and return what it saw (module docstring)."""
    binary = find_chromium()
    if binary is None:
        raise ConfigError(explain("chromium not found", "the browser check needs Debian's chromium", None,
                                  "apt-get install chromium fonts-noto-cjk, or set CNRADAR_CHROMIUM."))
    path = Path(html).resolve()
    url = path.as_uri()
    report = PageReport(url=url)
    with tempfile.TemporaryDirectory(prefix="cnradar-chromium-") as profile:
        cdp = _Pipe(binary, profile, timeout)
        try:
            target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                cdp.send(f"{domain}.enable", session=session)
            cdp.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
            t0 = time.monotonic()
            cdp.send("Page.navigate", {"url": url}, session=session)
            deadline = t0 + timeout
            loaded = False
            seen: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not loaded:
                batch = cdp.events(time.monotonic() + 0.2)
                seen += batch
                loaded = any(e.get("method") == "Page.loadEventFired" for e in batch)
            if not loaded:
                raise TimeoutError(f"{url} did not finish loading within {timeout}s")
            report.load_seconds = time.monotonic() - t0
            seen += cdp.events(time.monotonic() + settle)
            _collect(report, seen, url)
            info = json.loads(cdp.send("Runtime.evaluate", {"expression": _INSPECT_JS, "returnByValue": True},
                                       session=session)["result"]["value"])
            report.title, report.images = info["title"], info["images"]
            report.missing_panels, report.text_sample = info["missing"], info["text"]
            if screenshot is not None:
                metrics = cdp.send("Page.getLayoutMetrics", session=session)
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                height = int(min(size["height"], max_height))
                shot = cdp.send("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}, session=session)
                out = Path(screenshot)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(base64.b64decode(shot["data"]))
                report.screenshot = out
            _collect(report, cdp.events(time.monotonic()), url)
        finally:
            cdp.close()
    return report


def _collect(report: PageReport, events: list[dict[str, Any]], url: str) -> None:
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            report.console.append(f"console.{p['type']}: {args}")
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            report.console.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            report.console.append(f"log.{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
        elif m == "Network.requestWillBeSent":
            req = p.get("request", {}).get("url", "")
            if req != url and not req.startswith("data:"):
                report.requests.append(req)
