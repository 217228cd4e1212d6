"""`uvicorn tests.support.faulty_app:server`: Pulseboard whose framer raises once, on its FAULTY_FRAME-th frame.

For the end-to-end proof that a background task's failure costs the screens nothing.
"""

from __future__ import annotations

import os

from live.framer import Framer

FAIL_AT = int(os.environ.get("FAULTY_FRAME", "5"))
_original = Framer._frame
_frames = 0


async def _frame_failing_once(self: Framer, commits: list) -> None:
    global _frames
    if commits:
        _frames += 1
        if _frames == FAIL_AT:
            raise RuntimeError("injected framer failure")
    await _original(self, commits)


Framer._frame = _frame_failing_once  # type: ignore[method-assign]

from app import app, server  # noqa: E402 - after the patch, so the app's framer is the faulty one

__all__ = ["app", "server"]
