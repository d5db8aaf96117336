"""What deleting a person's or a workspace's data did, in counts: never names."""

from __future__ import annotations

from dataclasses import dataclass

from bot.words import counted

# What can be deleted, in the order a report lists it, with its nouns (one, many).
NOUNS: dict[str, tuple[str, str]] = {
    "workspaces": ("workspace", "workspaces"),
    "programs": ("program", "programs"),
    "people": ("person", "people"),
    "pairs": ("pair", "pairs"),
    "pair_weeks": ("pair week", "pair weeks"),
    "match_rounds": ("matching round", "matching rounds"),
    "check_ins": ("check-in", "check-ins"),
    "assessments": ("self-assessment", "self-assessments"),
    "surveys": ("survey answer", "survey answers"),
    "commitments": ("commitment", "commitments"),
    "skills": ("skill", "skills"),
    "directory_entries": ("directory entry", "directory entries"),
    "messages": ("message", "messages"),
    "report_files": ("report file record", "report file records"),
    "installations": ("installation record", "installation records"),
}


@dataclass(frozen=True)
class ForgetReport:
    """``deleted`` maps a key of NOUNS to a row count (only what had rows). A person who
    forgets keeps an anonymous row (``anonymised``) so their pairs and the lead's counts
    still add up. ``partners`` and ``notices`` are for the caller to refresh App Homes and
    send the notes at once; they are never printed."""

    team_id: str
    found: bool
    deleted: dict[str, int]
    user_id: str | None = None  # forget_person only: the Slack id that was forgotten
    anonymised: int = 0  # person rows kept without anything that identifies them
    pairs_ended: int = 0  # active pairs that ended (as /mentor leave ends them)
    partners: tuple[str, ...] = ()  # their former partners' Slack ids, told kindly
    notices: tuple[str, ...] = ()  # outbox keys of the notes to those partners

    def count(self, what: str) -> int:
        return self.deleted.get(what, 0)

    def summary(self) -> str:
        """One line of counts, e.g. "deleted 2 people, 1 pair, 5 check-ins"."""
        parts = [counted(n, *NOUNS[key]) for key, n in sorted_counts(self.deleted)]
        line = "deleted " + (", ".join(parts) if parts else "nothing")
        if self.pairs_ended:
            line += f"; ended {counted(self.pairs_ended, 'pair')}"
        if self.anonymised:
            line += f"; kept {counted(self.anonymised, 'anonymous participant record')}"
        return line


def sorted_counts(deleted: dict[str, int]) -> list[tuple[str, int]]:
    order = list(NOUNS)
    return sorted(((k, n) for k, n in deleted.items() if n), key=lambda kn: order.index(kn[0]))
