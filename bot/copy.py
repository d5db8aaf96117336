"""Every word Upward says to people, in one place so it is easy to review and reword.

Strings are mrkdwn unless their name ends in _PLAIN. Placeholders are filled by the
view builders, which escape any user text first.
"""

from __future__ import annotations

from models.enums import PersonStatus, Role, Seniority

APP_NAME = "Upward"

# --- /mentor help -------------------------------------------------------------------

HELP_INTRO = (
    "*Upward* runs our reverse-mentoring program: people early in their career share what "
    "they know best (AI and new tools, social media, data, design, new ways of working) with "
    "senior leaders, and learn about leadership in return."
)
HELP_COMMANDS = [
    ("/mentor join", "join the program, or edit your answers"),
    ("/mentor status", "see your role, skills and partner"),
    ("/mentor pause", "take a break; no prompts or reminders until you resume"),
    ("/mentor resume", "pick up where you left off"),
    ("/mentor leave", "leave the program (your history is kept)"),
    ("/mentor help", "show this message"),
]
HELP_LEAD_COMMANDS = [
    ("/mentor report", "program numbers, a chart and a CSV"),
    ("/mentor match", "preview and confirm a matching round"),
    ("/mentor program", "set up or edit a program"),
]
HELP_LEAD_HEADING = "*For program leads*"
HELP_UNKNOWN = "I don't know `{command}`. Here's what I can do:"
HELP_FALLBACK_TEXT = "Upward help: /mentor join, status, pause, resume, leave."

# --- join modal ---------------------------------------------------------------------

JOIN_TITLE_PLAIN = "Join reverse mentoring"
EDIT_TITLE_PLAIN = "Edit your answers"
JOIN_SUBMIT_PLAIN = "Join"
EDIT_SUBMIT_PLAIN = "Save"
CANCEL_PLAIN = "Cancel"
JOIN_INTRO = (
    "Reverse mentoring pairs someone who knows a topic well, often earlier in their career, "
    "with a senior leader who wants to learn it. It takes about 30 minutes every other week, "
    "and most weeks you can answer the prompt whenever suits you."
)
ROLE_LABEL_PLAIN = "How would you like to take part?"
ROLE_LABELS_PLAIN = {
    Role.MENTOR: "I'll share what I know — mentor",
    Role.MENTEE: "I want to learn — mentee",
}
ROLE_DESCRIPTIONS_PLAIN = {
    Role.MENTOR: "Usually earlier in your career: you teach, and learn about leadership.",
    Role.MENTEE: "Usually a senior leader: you learn, and share your experience.",
}
TEACH_LABEL_PLAIN = "What could you share?"
TEACH_HINT_PLAIN = "Mentors: pick at least one. Up to five."
LEARN_LABEL_PLAIN = "What would you like to learn?"
LEARN_HINT_PLAIN = "Mentees: pick at least one. Up to five."
SKILLS_PLACEHOLDER_PLAIN = "Choose skills"
DEPARTMENT_LABEL_PLAIN = "Your team or department"
DEPARTMENT_PLACEHOLDER_PLAIN = "e.g. Marketing"
SENIORITY_LABEL_PLAIN = "Where are you in your career?"
SENIORITY_PLACEHOLDER_PLAIN = "Choose one"
SENIORITY_LABELS_PLAIN = {
    Seniority.EARLY_CAREER: "Early career (0–3 years)",
    Seniority.ESTABLISHED: "Established professional",
    Seniority.SENIOR: "Senior / manager",
    Seniority.DIRECTOR: "Director / head of",
    Seniority.EXECUTIVE: "Executive / VP and above",
}
WEEKDAY_LABEL_PLAIN = "Preferred day for your weekly prompt"
WEEKDAY_ANY_PLAIN = "Any weekday"
WEEKDAY_NAMES_PLAIN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
WINDOW_LABEL_PLAIN = "Preferred time of day (your local time)"
WINDOW_LABELS_PLAIN = {
    "any": "Any time in working hours (9:00–17:00)",
    "morning": "Morning (9:00–12:00)",
    "midday": "Around lunch (12:00–14:00)",
    "afternoon": "Afternoon (14:00–17:00)",
}
GOALS_LABEL_PLAIN = "What do you hope to get out of it?"
GOALS_PLACEHOLDER_PLAIN = "e.g. Feel at home with AI tools; understand how our leaders decide"
OPTIONAL_HINT_PLAIN = "Optional"

ERR_ROLE = "Choose whether you'll share what you know or learn."
ERR_MENTOR_NEEDS_SKILL = "As a mentor, pick at least one thing you could share."
ERR_MENTEE_NEEDS_SKILL = "As a mentee, pick at least one thing you'd like to learn."
ERR_UNKNOWN_SKILL = "One of these skills is no longer offered. Please choose again."
ERR_TOO_MANY_SKILLS = "Pick at most {n}, so your partner knows where to start."
ERR_TOO_LONG = "Please keep this under {n} characters."
ERR_CHOOSE_FROM_LIST = "Please choose one of the options."

# --- after joining ------------------------------------------------------------------

WELCOME_HEADER_PLAIN = "Welcome to reverse mentoring 🎉"
WELCOME_FALLBACK = "Welcome to reverse mentoring! Here's how it works."
WELCOME_INTRO = {
    Role.MENTOR: (
        "Thanks for signing up to *share what you know*. Senior leaders learn fastest from "
        "people who use the tools and live the trends every day — that's you."
    ),
    Role.MENTEE: (
        "Thanks for signing up to *learn*. Your mentor will bring a fresh view of the tools "
        "and trends they know best; you bring curiosity and your own experience."
    ),
}
WELCOME_GUIDELINES = {
    Role.MENTOR: [
        (
            "How sessions work",
            "Once you're matched you'll share a group DM with your mentee. "
            "Each week a prompt arrives there: answer it in the thread when it suits you, or meet "
            "for 30 minutes every other week.",
        ),
        (
            "Setting goals",
            "In your first week, agree up to three things your mentee wants to "
            "learn and what you'd like to grow in yourself, such as leading a conversation with "
            "a senior leader.",
        ),
        (
            "Giving and receiving feedback",
            "Be specific and kind; teach by showing. Ask for "
            "feedback on how you explain things, and share how you experience the workplace — "
            "that candour is the point.",
        ),
        (
            "Confidentiality",
            "What you discuss stays between the two of you. Check-in answers "
            "go to the program lead only if you choose to share them.",
        ),
    ],
    Role.MENTEE: [
        (
            "How sessions work",
            "Once you're matched you'll share a group DM with your mentor. "
            "Each week a prompt arrives there with a small try-it task: do it, and reply in the "
            "thread when it suits you, or meet for 30 minutes every other week.",
        ),
        (
            "Setting goals",
            "In your first week, agree up to three things you want to learn, and "
            "ask what your mentor wants to grow in — you can help them with leadership.",
        ),
        (
            "Giving and receiving feedback",
            "Leave rank at the door: be a learner, ask the "
            "naive questions, and thank your mentor for candour. Tell them what helped.",
        ),
        (
            "Confidentiality",
            "What you discuss stays between the two of you. Check-in answers "
            "go to the program lead only if you choose to share them.",
        ),
    ],
}
WELCOME_NEXT = (
    "*What happens next:* the program lead matches people in rounds. You'll hear from me "
    "when you have a partner. Until then, `/mentor status` shows your answers and "
    "`/mentor join` edits them."
)
WELCOME_BACK = "Welcome back! You're in the program again. `/mentor status` shows your answers."
UPDATED_DM = "Saved. Your answers are updated — `/mentor status` shows them."

# --- status and changes -------------------------------------------------------------

NOT_JOINED = "You haven't joined the program yet. Type `/mentor join` to start."
STATUS_HEADING = "*Your reverse-mentoring profile*"
STATUS_LABELS = {
    PersonStatus.ACTIVE: "Active",
    PersonStatus.PAUSED: "Paused — no prompts or reminders until you `/mentor resume`",
    PersonStatus.LEFT: "Left the program — `/mentor join` to come back",
}
ROLE_NAMES = {Role.MENTOR: "Mentor (sharing what you know)", Role.MENTEE: "Mentee (learning)"}
NOTHING_CHOSEN = "_none chosen_"
NOT_SAID = "_not given_"
PARTNER_NONE = "Not matched yet — the program lead matches people in rounds, and I'll message you."
ALREADY_IN_STATUS = {
    PersonStatus.ACTIVE: "You're already active in the program.",
    PersonStatus.PAUSED: "You're already paused. `/mentor resume` when you're ready.",
    PersonStatus.LEFT: "You've already left the program. `/mentor join` to come back.",
}
PAUSED = (
    "Paused. You won't get prompts or reminders until you type `/mentor resume`. "
    "Take the time you need."
)
RESUMED = "Welcome back — you're active again."
LEAVE_QUESTION = (
    "Leave the reverse-mentoring program? You won't be matched again and any partner will be "
    "told kindly. Your history is kept, and `/mentor join` brings you back."
)
LEAVE_QUESTION_FALLBACK = "Leave the reverse-mentoring program?"
LEAVE_CONFIRM_PLAIN = "Leave the program"
LEAVE_CANCEL_PLAIN = "Stay"
LEFT = "You've left the program. Thank you for taking part — `/mentor join` any time to return."
STAYED = "Great — you're still in the program."

# --- leads --------------------------------------------------------------------------

LEAD_ONLY = (
    "Sorry, `/mentor {command}` is for program leads. If you think you should be one, ask "
    "whoever runs the program to add you."
)
NOT_YET = (
    "`/mentor {command}` isn't available in this version of Upward yet. Everything else is — "
    "see `/mentor help`."
)

# --- App Home -----------------------------------------------------------------------

HOME_HEADER_PLAIN = "Reverse mentoring"
HOME_NOT_JOINED = (
    "Share what you know with a senior leader, or learn from someone who lives the latest "
    "tools and trends. It takes about 30 minutes every other week, mostly async."
)
HOME_JOIN_PLAIN = "Join the program"
HOME_EDIT_PLAIN = "Edit my answers"
HOME_PAUSE_PLAIN = "Pause"
HOME_RESUME_PLAIN = "Resume"
HOME_LEAD_HEADER_PLAIN = "For program leads"
HOME_LEAD_COUNTS = (
    "*People in the program:* {mentors} mentors and {mentees} mentees active, "
    "{paused} paused, {left} left."
)
HOME_LEAD_NEXT = "Matching, reports and the dashboard will appear here."

# --- errors -------------------------------------------------------------------------

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side. Please try again in a "
    "minute; if it keeps happening, tell your program lead."
)
