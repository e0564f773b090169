"""Tasks that only the broker drills load (`celery worker --include tests.live.drill_tasks`).

`hold` marks that it started, sleeps, then marks that it finished, each in a file named after its token, so
the drill can tell from the outside which tasks ran to the end, whatever broker or worker restarts happened.
"""

from __future__ import annotations

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="drill.hold", acks_late=True, ignore_result=True)
def hold(token: str, seconds: float, out_dir: str) -> str:
    folder = Path(out_dir)
    (folder / f"{token}.started").touch()
    time.sleep(seconds)
    (folder / f"{token}.done").touch()
    return token
