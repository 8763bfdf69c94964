"""A small progress bar for long runs (stderr, one line, no dependency)."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, start: int = 0, label: str = "", stream=None, width: int = 24,
                 enabled: bool = True):
        self.total, self.done, self.label, self.width, self.enabled = total, start, label, width, enabled
        self.stream = stream or sys.stderr
        self.t0, self.start = time.perf_counter(), start
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, done: int, text: str = "") -> None:
        self.done = done
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        rate = (done - self.start) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else float("nan")
        filled = int(self.width * done / max(self.total, 1))
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{self.label} [{bar}] {done}/{self.total} {text} eta {eta:5.0f}s"
        if self.tty:
            self.stream.write("\r" + line)
        elif done == self.total or done % max(1, self.total // 20) == 0:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
