"""Which code the window's thread was running when it blocked: a 10 ms timer and a watchdog thread.

``GapBlame`` ticks a 10 ms QTimer on the GUI thread; a plain Python thread looks at it every
5 ms and, while the last tick is more than ``threshold`` ms old, samples the GUI thread's Python
stack (``sys._current_frames``).  When the tick comes, the gap is kept with the innermost nnviz
frames seen most often during it -- the handler or paint that blocked.  (Native time that holds
the GIL delays the samples too; they then show the Python line that called into it.  For native
stacks use py-spy: ``py-spy dump --native --pid PID``.)

    with GapBlame() as blame:
        ...  # drive the window with event loops (QEventLoop / qtbot.wait), not time.sleep
    print(blame.report())
"""
from __future__ import annotations

import collections
import sys
import threading
import time


def _where(frame, depth: int = 4) -> str:
    """The innermost ``depth`` frames of nnviz (or the innermost frame when none is nnviz's)."""
    lines, outer, f = [], [], frame
    while f is not None and len(lines) < depth:
        name = f.f_code.co_filename
        if "/nnviz/" in name:
            short = name[name.rindex("/nnviz/") + 1:]
            lines.append(f"{short}:{f.f_lineno} {f.f_code.co_name}")
        f = f.f_back
    f = frame
    while not lines and f is not None and len(outer) < depth:  # no nnviz frame: the innermost ones
        outer.append(f"{f.f_code.co_filename.rsplit('/', 1)[-1]}:{f.f_lineno} {f.f_code.co_name}")
        f = f.f_back
    return " < ".join(lines or outer)


class GapBlame:
    """Gaps of a 10 ms QTimer on the GUI thread, each with what that thread was running meanwhile."""

    def __init__(self, threshold_ms: float = 40.0, label: str = "") -> None:
        from PySide6.QtCore import QTimer

        self.threshold = threshold_ms / 1000.0
        self.label = label
        # (ms, phase, seconds into the phase when it began, [(where, samples)])
        self.gaps: list[tuple[float, str, float, list[tuple[str, int]]]] = []
        self._gui = threading.get_ident()
        self._last = time.perf_counter()
        self._samples: collections.Counter = collections.Counter()
        self._stop = threading.Event()
        self._phase_started = time.perf_counter()
        self.peaks: dict[str, float] = {}  # phase -> its longest gap (ms), however short
        self._held: list = []
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._watchdog = threading.Thread(target=self._watch, name="gap-blame", daemon=True)

    def phase(self, label: str) -> None:
        """Gaps from now on belong to ``label`` (with the seconds since it began)."""
        self.label = label
        self._phase_started = time.perf_counter()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        self._last = now
        self.peaks[self.label] = max(self.peaks.get(self.label, 0.0), gap * 1000.0)
        if gap > self.threshold:
            at = now - gap - self._phase_started
            self.gaps.append((gap * 1000.0, self.label, at, self._samples.most_common(3)))
        self._samples = collections.Counter()
        self._held.clear()

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            if time.perf_counter() - self._last > self.threshold:
                frames = sys._current_frames()
                frame = frames.get(self._gui)
                if frame is not None:
                    self._samples[_where(frame)] += 1
                # released on the GUI thread (``_tick``): a frame that returned meanwhile would otherwise
                # free its Qt objects here, on the wrong thread
                self._held.append(frames)
                del frames, frame

    def __enter__(self) -> "GapBlame":
        self._last = time.perf_counter()
        self._timer.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.stop()
        self._stop.set()
        self._watchdog.join()
        self._held.clear()

    def longest(self, label: str | None = None) -> float:
        """The longest gap (ms) of the phase ``label`` (of all phases when None)."""
        return max((ms for lab, ms in self.peaks.items() if label is None or lab == label), default=0.0)

    def blamed(self, labels: list[str] | None = None) -> str:
        """Where the window's thread was during the longest gap over the threshold (of those phases)."""
        found = [g for g in self.gaps if labels is None or g[1] in labels]
        if not found:
            return ""
        ms, label, at, samples = max(found)
        return f"{label}: " + (samples[0][0] if samples else "native code")

    def report(self, least_ms: float = 60.0) -> str:
        lines = []
        for ms, label, at, samples in sorted(self.gaps, reverse=True):
            if ms < least_ms:
                continue
            lines.append(f"{ms:7.0f} ms  [{label} +{at:.2f} s]")
            lines += [f"            {n:3d}× {where}" for where, n in samples]
        return "\n".join(lines) or f"no gap over {least_ms:.0f} ms"
