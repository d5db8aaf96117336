"""The demo workspace: who is in it, and what each would answer in the join modal.

Juniors teach (role "mentor": reverse mentoring), seniors learn ("mentee"); three time
zones, several departments and levels, and one program lead. The answers are what the
"Start a demo program" button types into the real join modal on their behalf.
"""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T0SANDBOX1"
TEAM_NAME = "Northwind (sandbox)"
SHOUTOUT_CHANNEL = ("C0SHOUTOUT", "shout-outs")
LEAD_ID = "U0LEAD0001"


@dataclass(frozen=True)
class DemoPerson:
    user_id: str
    name: str
    title: str
    department: str
    tz: str
    role: str | None  # "mentor" (teaches) or "mentee" (learns); None: does not join
    seniority: str  # the join modal's level, "1" (early career) to "5" (executive)
    teach: tuple[str, ...] = ()
    learn: tuple[str, ...] = ()
    goals: str = ""
    color: str = "#4a154b"
    is_lead: bool = False

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        LEAD_ID,
        "Dana Whitfield",
        "People Programs Lead",
        "People",
        "America/New_York",
        None,
        "4",
        color="#1264a3",
        is_lead=True,
    ),
    # Juniors: they teach.
    DemoPerson(
        "U0PRIYA001",
        "Priya Sharma",
        "Data Analyst",
        "Finance",
        "Asia/Kolkata",
        "mentor",
        "1",
        teach=("ai-tools", "data-analytics"),
        goals="Practise explaining analysis to executives",
        color="#e01e5a",
    ),
    DemoPerson(
        "U0MARCUS01",
        "Marcus Johnson",
        "Social Media Coordinator",
        "Marketing",
        "America/New_York",
        "mentor",
        "1",
        teach=("social-media", "culture-inclusion"),
        goals="Learn how decisions get made at the top",
        color="#2eb67d",
    ),
    DemoPerson(
        "U0AMELIA01",
        "Amelia Clarke",
        "Product Designer",
        "Product",
        "Europe/London",
        "mentor",
        "2",
        teach=("design-thinking", "ways-of-working"),
        goals="Run a workshop for a leadership team",
        color="#ecb22e",
    ),
    DemoPerson(
        "U0ARJUN001",
        "Arjun Mehta",
        "Software Engineer",
        "Engineering",
        "Asia/Kolkata",
        "mentor",
        "1",
        teach=("ai-tools", "ways-of-working"),
        goals="Get better at giving feedback upwards",
        color="#36c5f0",
    ),
    DemoPerson(
        "U0SOFIA001",
        "Sofia Alvarez",
        "Customer Success Associate",
        "Customer Success",
        "America/New_York",
        "mentor",
        "2",
        teach=("social-media", "data-analytics"),
        goals="Understand how strategy turns into targets",
        color="#9f69e7",
    ),
    DemoPerson(
        "U0TOM00001",
        "Tom Becker",
        "Graduate Analyst",
        "Operations",
        "Europe/London",
        "mentor",
        "1",
        teach=("culture-inclusion", "design-thinking"),
        goals="",
        color="#e8912d",
    ),
    # Seniors: they learn.
    DemoPerson(
        "U0RICHARD1",
        "Richard Hale",
        "Chief Financial Officer",
        "Finance",
        "Europe/London",
        "mentee",
        "5",
        learn=("ai-tools",),
        goals="Use AI tools in my own weekly work",
        color="#616061",
    ),
    DemoPerson(
        "U0MARGARET",
        "Margaret Osei",
        "VP Marketing",
        "Marketing",
        "America/New_York",
        "mentee",
        "5",
        learn=("social-media",),
        goals="Understand what our youngest customers see",
        color="#7c3085",
    ),
    DemoPerson(
        "U0VIKRAM01",
        "Vikram Iyer",
        "Director of Engineering",
        "Engineering",
        "Asia/Kolkata",
        "mentee",
        "4",
        learn=("ways-of-working", "design-thinking"),
        goals="Run meetings people want to come to",
        color="#0b4c8c",
    ),
    DemoPerson(
        "U0HELEN001",
        "Helen Fraser",
        "Head of Operations",
        "Operations",
        "Europe/London",
        "mentee",
        "4",
        learn=("data-analytics",),
        goals="Read a dashboard without asking for help",
        color="#1d9bd1",
    ),
    DemoPerson(
        "U0GEORGE01",
        "George Kim",
        "Senior Director, Customer Success",
        "Customer Success",
        "America/New_York",
        "mentee",
        "4",
        learn=("culture-inclusion",),
        goals="Lead a more inclusive team",
        color="#2b7a4b",
    ),
)

BY_ID = {person.user_id: person for person in PEOPLE}
