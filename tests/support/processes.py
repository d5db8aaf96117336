"""The running app's processes as Linux shows them in /proc: which one serves, its
memory, and the files it has mapped (an imported C extension is a mapped .so)."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def children(pid: int) -> list[int]:
    """Direct children of ``pid``, read from every process's parent id."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it exited meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces or parentheses.
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def worker_pid(master_pid: int) -> int:
    """The gunicorn worker under ``python app.py``: the master's only child."""
    (worker,) = children(master_pid)
    return worker


def rss_mb(pid: int) -> float:
    """Resident memory now (VmRSS), in MiB."""
    return _status_kb(pid, "VmRSS") / 1024


def peak_rss_mb(pid: int) -> float:
    """The most resident memory the process has had (VmHWM), in MiB."""
    return _status_kb(pid, "VmHWM") / 1024


def mapped_files(pid: int, containing: str) -> set[str]:
    """Paths of files ``pid`` has mapped whose path contains ``containing``."""
    paths = set()
    for line in (PROC / str(pid) / "maps").read_text().splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and containing in parts[5]:
            paths.add(parts[5])
    return paths


def _status_kb(pid: int, field: str) -> int:
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(f"no {field} for process {pid}")
