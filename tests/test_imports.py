"""What the server does not load until it needs it: a gunicorn worker lives long and
keeps what it imports (its memory budget is 150 MB; bench/memory.py measures it)."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

HEAVY = ("scipy", "matplotlib")  # ~50 MB for a match round; ~40 MB, and a child's job


def test_the_server_starts_without_scipy_or_matplotlib():
    code = (
        "import sys\n"
        "import app\n"
        "from bot.services.matching import matcher\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules) or '-')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "-\n"
