"""Headless Chromium driven through its DevTools protocol, for the tests that look at a web page.

Debian's `chromium` package (`apt-get install chromium`; `.ci/run` installs it when missing), no
driver: the test talks to the browser over the DevTools websocket with websocket-client, which
jupyter_server already depends on. Background networking, component updates and sync are off, so
the browser reaches nothing but the page it is sent to.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB, too little for a renderer
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
]


def chromium_binary() -> str:
    """`$LLMT_CHROMIUM`, else Debian's /usr/bin/chromium, else `chromium` on PATH."""
    for candidate in (os.environ.get("LLMT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("no Chromium: install Debian's package (`apt-get install chromium`, as .ci/run does) "
                       "or point LLMT_CHROMIUM at a Chromium or Chrome binary")


class Chromium:
    """One headless browser with one page: `with Chromium() as page: page.open(url) ...`."""

    def __init__(self, width: int = 1280, height: int = 900, timeout: float = 30):
        self.width, self.height, self.timeout = width, height, timeout
        self._ids = itertools.count(1)

    def __enter__(self) -> "Chromium":
        self._profile = tempfile.TemporaryDirectory(prefix="llmt-chromium-")
        self._log = open(Path(self._profile.name) / "chromium.log", "w+")
        self._proc = subprocess.Popen(
            [chromium_binary(), *FLAGS, f"--user-data-dir={self._profile.name}",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            port = self._devtools_port()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=self.timeout) as r:
                page = next(t for t in json.load(r) if t["type"] == "page")
            self._ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=self.timeout,
                                                   suppress_origin=True)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if getattr(self, "_ws", None) is not None:
            self._ws.close()
        try:  # the browser and its renderers share the process group it was started in
            os.killpg(self._proc.pid, signal.SIGTERM)
            self._proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        self._log.close()
        self._profile.cleanup()

    def _devtools_port(self) -> int:
        """Chromium writes the port it chose into the profile folder once it listens."""
        active = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._log.seek(0)
                raise RuntimeError(f"chromium exited with status {self._proc.returncode}:\n{self._log.read()[-2000:]}")
            lines = active.read_text().splitlines() if active.is_file() else []
            if lines and lines[0].isdigit():
                return int(lines[0])
            time.sleep(0.1)
        raise RuntimeError(f"chromium did not open its DevTools port within {self.timeout} s")

    def call(self, method: str, **params) -> dict:
        """Send one DevTools command and return its result (events received meanwhile are dropped)."""
        msg_id = next(self._ids)
        self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self._ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def open(self, url: str) -> None:
        result = self.call("Page.navigate", url=url)
        if result.get("errorText"):
            raise RuntimeError(f"could not open {url}: {result['errorText']}")

    def evaluate(self, expression: str):
        """The JSON value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, done, timeout: float | None = None):
        """Evaluate `expression` until `done(value)` holds; return the last value (also on timeout)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            value = self.evaluate(expression)
            if done(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.2)

    def screenshot(self, path: Path) -> Path:
        """The whole page (not only the window) as a PNG."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": max(size["width"], self.width), "height": size["height"], "scale": 1}
        data = self.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
