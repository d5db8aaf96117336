"""Every word Upward says to people, in one place so it is easy to review and reword.

Strings are mrkdwn unless their name ends in _PLAIN. Placeholders are filled by the
view builders, which escape any user text first.
"""

from __future__ import annotations

from bot.vocabulary import AtRiskReason
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
    ("/mentor status", "see your role, skills, partner and goals"),
    ("/mentor goals", "set or edit the goals you share with your partner"),
    ("/mentor pause", "take a break; no prompts or reminders until you resume"),
    ("/mentor resume", "pick up where you left off"),
    ("/mentor leave", "leave the program (your history is kept)"),
    ("/mentor help", "show this message"),
]
HELP_LEAD_COMMANDS = [
    ("/mentor report [program]", "the whole program at a glance, just for you"),
    ("/mentor report csv | chart [program]", "a CSV or a chart, sent to your DM"),
    ("/mentor match [program]", "preview and confirm a matching round"),
    ("/mentor program [name | new]", "edit a program's settings, or set up a new one"),
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
    "async": "Any time — I prefer async",
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
ERR_UNREADABLE_TEXT = (
    "This holds characters I can't keep (control characters or a broken emoji). Please retype it."
)
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
PARTNER_FINISHED = (
    "Your pairing with <@{partner}> has finished 🎉 Thank you for taking part! If there's "
    "another round, I'll message you when you're matched."
)
PARTNER_LINE = "<@{partner}> in <#{channel}>"
PARTNER_LINE_NO_CHANNEL = "<@{partner}> — your group DM is on its way"
GOALS_NONE = "_No goals yet — `/mentor goals` sets them together._"
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
    "told kindly. Your history is kept (unless you tick the box below), and `/mentor join` "
    "brings you back."
)
LEAVE_QUESTION_FALLBACK = "Leave the reverse-mentoring program?"
LEAVE_CONFIRM_PLAIN = "Leave the program"
LEAVE_CANCEL_PLAIN = "Stay"
LEFT = "You've left the program. Thank you for taking part — `/mentor join` any time to return."
LEAVE_FORGET_PLAIN = "Also delete my answers"
# Slack cuts an option's description at 75 characters.
LEAVE_FORGET_HINT_PLAIN = (
    "Check-ins, goals, skills, self-assessments, surveys; counts stay anonymous"
)
LEFT_AND_FORGOTTEN = (
    "You've left the program and your answers are deleted: check-ins, goals, skills, "
    "self-assessments, surveys and commitments. Reports keep only anonymous counts. Thank "
    "you for taking part — `/mentor join` any time to start afresh."
)
NOTHING_TO_FORGET = "There's nothing of yours left to delete — you're not in the program."
STAYED = "Great — you're still in the program."
PARTNER_LEFT = (
    "<@{user}> has left the reverse-mentoring program, so this pairing has ended. Thank you "
    "both for the time you spent. <@{partner}>, you'll be matched with someone new in the "
    "next round."
)
PARTNER_LEFT_UNNAMED = (
    "Your partner has left the reverse-mentoring program, so this pairing has ended. Thank "
    "you for the time you spent together. <@{partner}>, you'll be matched with someone new "
    "in the next round."
)

# --- leads --------------------------------------------------------------------------

LEAD_ONLY = (
    "Sorry, `/mentor {command}` is for program leads. If you think you should be one, ask "
    "whoever runs the program to add you."
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
    "{paused} paused, {left} left. *Active pairs:* {pairs}."
)
HOME_LEAD_NEXT = (
    "`/mentor program` sets up the program, `/mentor match` previews and confirms pairs, "
    "`/mentor report` shows the whole program."
)

# --- programs (leads) ----------------------------------------------------------------

PROGRAM_NEW_TITLE_PLAIN = "New program"
PROGRAM_EDIT_TITLE_PLAIN = "Edit program"
PROGRAM_SUBMIT_PLAIN = "Save"
PROGRAM_INTRO_NEW = (
    "A program is one cohort: who joins it, how long it runs and how pairs are matched. "
    "Everyone who joins goes into the program marked for new joiners."
)
PROGRAM_INTRO_EDIT = "Changes apply from the next matching round and the next prompt."
PROGRAM_NAME_LABEL_PLAIN = "Name"
PROGRAM_NAME_PLACEHOLDER_PLAIN = "e.g. Spring 2027 cohort"
PROGRAM_START_LABEL_PLAIN = "Start date"
PROGRAM_START_HINT_PLAIN = "The first matching round is due on this day. Optional."
PROGRAM_LENGTH_LABEL_PLAIN = "Length in weeks"
PROGRAM_PROMPTS_LABEL_PLAIN = "Conversation prompts"
PROGRAM_SESSIONS_LABEL_PLAIN = "Live sessions"
PROGRAM_CHECKINS_LABEL_PLAIN = "Feedback check-ins"
PROGRAM_FOCUS_LABEL_PLAIN = "Focus skills"
PROGRAM_FOCUS_HINT_PLAIN = (
    "What leadership most wants to learn. Pairs that cover these weigh more in matching."
)
PROGRAM_CAPACITY_LABEL_PLAIN = "Mentees per mentor"
PROGRAM_CAPACITY_HINT_PLAIN = "How many mentees one mentor may take at a time."
PROGRAM_REVIEW_LABEL_PLAIN = "Review"
PROGRAM_REVIEW_OPTION_PLAIN = "A lead reviews matches before they go out"
PROGRAM_EMPHASIS_LABEL_PLAIN = "When matching, care most about"
PROGRAM_EMPHASIS_LABELS_PLAIN = {
    "balanced": "A balance of everything",
    "skills": "Skill fit above all",
    "cross_team": "Pairs from different teams",
    "same_hours": "Overlapping working hours",
}
PROGRAM_SHOUTOUT_LABEL_PLAIN = "Shout-out channel"
PROGRAM_SHOUTOUT_HINT_PLAIN = (
    "At the end, I thank each junior mentor here by name. Optional: without it, "
    "thank-yous go by DM only."
)
PROGRAM_SHOUTOUT_PLACEHOLDER_PLAIN = "Choose a channel"
PROGRAM_DEFAULT_LABEL_PLAIN = "New joiners"
PROGRAM_DEFAULT_OPTION_PLAIN = "People who join from now on join this program"
EVERY_WEEKS_PLAIN = {1: "Every week", 2: "Every 2 weeks", 3: "Every 3 weeks", 4: "Every 4 weeks"}
PROGRAM_SAVED = "Saved *{name}*. {summary}"
PROGRAM_SUMMARY = (
    "{length} weeks{start}; prompts {prompts}, live sessions {sessions}, check-ins {checkins}; "
    "up to {capacity} per mentor; matches {review}."
)
PROGRAM_REVIEWED = "reviewed by a lead"
PROGRAM_NOT_REVIEWED = "go out without review"
PROGRAM_STARTS = ", starting {date}"
PROGRAM_NOT_FOUND = (
    "There's no program called “{name}”. Programs: {names}. "
    "`/mentor program new` sets up another one."
)
PROGRAM_GONE = "That program no longer exists. `/mentor program` shows the current one."
ERR_PROGRAM_NAME_MISSING = "Give the program a name."
ERR_PROGRAM_NAME_TAKEN = "Another program already has this name."
ERR_DATE = "Please pick a date."
ERR_NUMBER_RANGE = "Please enter a whole number from {low} to {high}."

# --- matching (leads) ---------------------------------------------------------------

MATCH_WORKING = "Working out the best pairs for the program…"
MATCH_HEADER_PLAIN = "Matching preview: {program}"
MATCH_SUMMARY = (
    "{pairs} proposed, {waiting} left waiting{paused}{dropped}. Nothing has been sent yet."
)
MATCH_SUMMARY_PAUSED = ", {n} paused and left out"
MATCH_SUMMARY_DROPPED = ", {pairs} dropped by you"
MATCH_PAIR = "<@{mentor}> shares with <@{mentee}> · score {score:.0f}\n{reasons}"
MATCH_MORE_PAIRS = "…and {pairs}, not shown here."
MATCH_WAITING_HEADING = "*Left waiting, and why*"
MATCH_WAITING_LINE = "<@{user}> ({role}): {reason}"
MATCH_MORE_WAITING = "…and {n} more."
MATCH_NOBODY = (
    "Nobody can be matched yet: a pair needs an active mentor and an active mentee who share "
    "a skill. Waiting: {waiting}."
)
MATCH_DROP_PLAIN = "Drop"
MATCH_CONFIRM_PLAIN = "Confirm and introduce"
MATCH_RERUN_PLAIN = "Re-run"
MATCH_CANCEL_PLAIN = "Cancel"
MATCH_CONFIRM_TITLE_PLAIN = "Introduce these pairs?"
MATCH_CONFIRM_TEXT_PLAIN = (
    "Each pair gets a group DM with an intro; people left waiting get a note."
)
MATCH_CONFIRM_YES_PLAIN = "Introduce them"
MATCH_CONFIRM_NO_PLAIN = "Not yet"
MATCH_CONFIRMED = (
    "Confirmed {pairs} for *{program}*{skipped}. Sending intros, and a note to "
    "{waiting} left waiting…"
)
MATCH_SKIPPED = " ({n} skipped: someone paused, left or was matched since the preview)"
MATCH_AUTO_CONFIRMED = "This program doesn't ask for review, so the pairs were confirmed at once."
MATCH_CANCELLED = "Cancelled — nothing was sent for *{program}*. `/mentor match` starts again."
MATCH_DELIVERED = "Done: {pairs} introduced, and a note sent to {waiting} left waiting."
MATCH_UNDELIVERED = (
    "Couldn't reach {users}: `{error}`. Slack won't take messages for them, so the pair is "
    "flagged; you may want to match the others again."
)
MATCH_RETRYING = "{messages} more waiting for Slack; they will go out within minutes."
ROUND_ALREADY_CONFIRMED = (
    "This round is already confirmed — its pairs exist and nothing was sent twice."
)
ROUND_STALE = (
    "This preview is out of date: a newer one replaced it. `/mentor match` shows the latest."
)
ROUND_GONE = "I can't find that matching round. `/mentor match` starts a new one."

REASON_FOCUS_SKILLS = "teaches {skills} (a program focus)"
REASON_SKILLS = "teaches {skills}"
REASON_SENIORITY = "{gap} apart, junior teaching senior"
REASON_CROSS_DEPARTMENT = "different teams"
REASON_HOURS_OVERLAP = "{hours:g}h of working hours overlap"
REASON_BOTH_ASYNC = "both prefer async"
REASON_WAITED = "waited since the last round"

UNMATCHED_FOR_LEAD = {
    "no_skill_fit": "nobody on the other side shares their skills",
    "only_blocked": "their only fits are in their management chain or a recent partner",
    "no_capacity": "more people on their side than places",
    "not_enough_people": "nobody on the other side yet",
    "mentor_full": "already has as many mentees as allowed",
    "paused": "paused",
    "left": "left the program",
}

# --- intros and waiting -------------------------------------------------------------

INTRO_HEADER_PLAIN = "Meet your reverse-mentoring partner 👋"
INTRO_FALLBACK = "You've been matched for reverse mentoring: <@{mentor}> and <@{mentee}>."
INTRO_WHO = (
    "<@{mentor}>, meet <@{mentee}>. <@{mentor}> is your *mentor*: they'll share what they "
    "know best. <@{mentee}> is the *mentee*: they bring curiosity, and leadership experience "
    "to share in return."
)
INTRO_WHY = "*Why you two:* {reasons}."
INTRO_HOW = (
    "*How it works:* over {length} weeks a conversation prompt lands here {prompts}. Meet "
    "live {sessions} for about 30 minutes, or answer in the prompt's thread whenever suits "
    "you — async counts. I'll check in with each of you privately {checkins}."
)
INTRO_FIRST_STEP = (
    "*First step:* agree up to three things <@{mentee}> wants to learn and up to three ways "
    "<@{mentor}> wants to grow as a leader."
)
INTRO_GOALS_PLAIN = "Set our goals"
EVERY_WEEKS_LOWER = {1: "every week", 2: "every 2 weeks", 3: "every 3 weeks", 4: "every 4 weeks"}

WAITING_FALLBACK = "No partner for you this round, and you're first in line for the next."
WAITING_INTRO = "*No partner for you this round* — and that's on us, not you."
WAITING_REASONS = {
    "no_skill_fit": (
        "Nobody in this round shares the skills you picked. Adding a skill or two with "
        "`/mentor join` widens your options."
    ),
    "only_blocked": (
        "The people who fit you best are in your reporting line or were your partner "
        "recently, and we keep those apart on purpose."
    ),
    "no_capacity": "There were more people on your side than places this round.",
    "not_enough_people": "Nobody has joined on the other side yet.",
    "mentor_full": "You already have as many mentees as the program allows.",
    "paused": "You're paused.",
    "left": "You've left the program.",
}
WAITING_NEXT = "You're first in line for the next round; there's nothing you need to do."

# --- goals --------------------------------------------------------------------------

GOALS_TITLE_PLAIN = "Our goals"
GOALS_SUBMIT_PLAIN = "Save"
GOALS_INTRO = "Goals you share with <@{partner}>. Either of you can edit them; both see them."
GOALS_LEARNING_HEADING = "*What <@{mentee}> wants to learn*"
GOALS_GROWTH_HEADING = "*How <@{mentor}> wants to grow as a leader*"
GOALS_LEARNING_LABEL_PLAIN = "Learning goal {n}"
GOALS_GROWTH_LABEL_PLAIN = "Leadership goal {n}"
GOALS_LEARNING_PLACEHOLDER_PLAIN = "e.g. Use an AI assistant to draft my weekly update"
GOALS_GROWTH_PLACEHOLDER_PLAIN = "e.g. Lead a meeting with senior stakeholders"
GOALS_UPDATED = "🎯 <@{user}> updated your shared goals."
GOALS_UPDATED_FALLBACK = "Your shared goals were updated."
GOALS_NOT_MATCHED = (
    "Goals are set with your partner, and you don't have one yet. I'll message you when "
    "you're matched."
)
GOALS_PICK_PAIR = "You have more than one partner. Whose goals would you like to edit?"
GOALS_NOT_YOUR_PAIR = "You can only see and edit the goals of your own pair."
GOALS_PAIR_ENDED = "That pairing has ended, so its goals can't be changed any more."

STALE_BUTTON = "That button is out of date. Please run the command again."
PROGRAM_SAVED_TITLE_PLAIN = "Program saved"
PROGRAM_SAVED_NEXT = "`/mentor match` previews pairs for it; `/mentor program` edits it again."
CLOSE_PLAIN = "Close"

# --- weekly prompts ---------------------------------------------------------------

PROMPT_HEADER_PLAIN = "Week {week} of {weeks} 💬"
PROMPT_FALLBACK = "Week {week}: {title}"
PROMPT_PREP = "*Prep tip for <@{mentor}>*\n{tip}"
PROMPT_TRY = "*Try it, <@{mentee}>*\n{task}"
PROMPT_ASYNC = (
    "No time to meet? Reply in this thread whenever suits you — that counts as a session."
)
PROMPT_MET_PLAIN = "We met"
PROMPT_ASYNC_PLAIN = "We did it async"
PROMPT_SKIP_PLAIN = "Skip this week"
PROMPT_SNOOZE_PLAIN = "Snooze 2 days"
PROMPT_DIFFERENT_PLAIN = "Different prompt"
PROMPT_LOGGED = {
    "met": "Logged: you met this week. 🎉",
    "async": "Logged: you did this week's prompt async. 🎉",
    "skipped": "Skipped this week — no reminders about it. See you next week.",
    "snoozed": "Snoozed: I'll bring this prompt back in two days.",
}
# A skip or snooze after the partner logged the week: the session stands.
PROMPT_PARTNER_LOGGED = {
    "met": "{partner} already logged this week: you met. It stays logged — nothing to skip. 🎉",
    "async": "{partner} already logged this week's prompt as done async. It stays logged. 🎉",
}
PROMPT_DIFFERENT_COMING = (
    "Here's a different prompt — it'll appear in this conversation in a moment."
)
PROMPT_NO_MORE = "You've had every prompt in the library — ask your lead for fresh ones!"
PROMPT_NOT_YOURS = "Only the two people in this pair can use these buttons."

DELIVERY_FAILED_ALERT = (
    "Heads-up from Upward: Slack would not deliver a {kind} message to {who} (`{error}`). "
    "I've stopped trying; the pair is flagged for you. If someone left the company, "
    "`/mentor match` can pair their partner again."
)

# --- check-ins ----------------------------------------------------------------------

CHECKIN_FALLBACK = "A quick private check-in: did you and your partner meet?"
CHECKIN_HEADER_PLAIN = "Check-in {number} of {total} 🌱"
CHECKIN_PERIOD = {1: "week", 2: "two weeks", 3: "three weeks", 4: "four weeks"}
CHECKIN_QUESTION = (
    "*Did you and <@{partner}> meet in the last {period}?* Live or async, both count."
)
CHECKIN_AGAIN = "Asking again, as promised: *did you and <@{partner}> meet?*"
CHECKIN_PRIVATE = "🔒 Private: only you see your answers — <@{partner}> never does."
CHECKIN_MET_PLAIN = "Yes, we met"
CHECKIN_NOT_YET_PLAIN = "Not yet — ask in 2 days"
CHECKIN_COULDNT_PLAIN = "We couldn't"
CHECKIN_ASK_AGAIN = "No problem — I'll ask again {when}."
CHECKIN_ASKED_AGAIN_ALREADY = (
    "Noted. When you've met, use the buttons on the check-in to tell me how it went."
)
CHECKIN_NOT_YOURS = "This check-in belongs to someone else, so only they can answer it."
CHECKIN_TITLE_PLAIN = "Check-in"
CHECKIN_SUBMIT_PLAIN = "Send"
CHECKIN_INTRO_MET = "Great that you met! Four quick questions, about a minute."
CHECKIN_INTRO_COULDNT = (
    "Thanks for saying so — it happens. A few quick questions help make the next weeks easier."
)
CHECKIN_RATING_LABEL_PLAIN = "How is the mentoring going?"
CHECKIN_RATINGS_PLAIN = {
    1: "1 · Not working",
    2: "2 · Slow going",
    3: "3 · OK",
    4: "4 · Good",
    5: "5 · Great",
}
CHECKIN_LEARNED_LABEL_PLAIN = "What did you learn or teach?"
CHECKIN_LEARNED_PLACEHOLDER_PLAIN = "e.g. How to get a first draft out of an AI assistant"
CHECKIN_BLOCKERS_LABEL_PLAIN = "Anything in the way?"
CHECKIN_BLOCKERS_PLACEHOLDER_PLAIN = "Time, topics, anything the program could help with"
CHECKIN_SHARE_LABEL_PLAIN = "Share with the program lead?"
CHECKIN_SHARE_OPTION_PLAIN = "Share my comments with the program lead"
CHECKIN_SHARE_HINT_PLAIN = (
    "Unticked, nobody else sees what you write; leads only see overall numbers, such as "
    "the average rating. Ticked, the lead can read your comments, and what you learned "
    "may be quoted in the end-of-program thank-you to your mentor."
)
CHECKIN_CANDID_LABEL_PLAIN = "Do you feel able to be candid with your mentee?"
CHECKIN_CANDID_PLAIN = {"yes": "Yes", "mostly": "Mostly", "no": "Not really"}
CHECKIN_CANDID_HINT_PLAIN = (
    "Reverse mentoring works best when you can be honest with a senior colleague. "
    "Never shown to your mentee."
)
CHECKIN_THANKS_TITLE_PLAIN = "Thank you"
CHECKIN_THANKS = "Thanks — your check-in is saved. 🙏"
CHECKIN_THANKS_SHARED = "Your comments will be shared with the program lead."
CHECKIN_THANKS_PRIVATE = "Your comments stay private."
ERR_CHECKIN_RATING = "Please pick a rating from 1 to 5."

# --- self-assessments (outcomes) ----------------------------------------------------

ASSESSMENT_FALLBACK = "A one-minute private check: how confident do you feel?"
ASSESSMENT_HEADER_PLAIN = {
    "before": "Where are you starting from? 🧭",
    "after": "How far have you come? 🚀",
}
ASSESSMENT_INTRO = {
    "before": (
        "You're in *{program}*. Before you get going: how confident do you feel today in "
        "the {areas} you'll work on? It takes about a minute. Near the end of the program "
        "I'll ask again, so you can see how far you've come."
    ),
    "after": (
        "*{program}* is nearly done. How confident do you feel now in the {areas} you "
        "worked on? It takes about a minute, and shows the program what changed."
    ),
}
ASSESSMENT_AREA_COUNT = {1: "one area"}  # otherwise "{n} areas"
ASSESSMENT_SKILLS_HEADING = "*Skills*"
ASSESSMENT_LEADERSHIP_HEADING = (
    "*Leading as a junior mentor* — the leadership you practise by mentoring a senior"
)
ASSESSMENT_SKIP_CONFIRM_TITLE_PLAIN = "Skip this check?"
ASSESSMENT_SKIP_CONFIRM_PLAIN = "You won't be asked this one again."
ASSESSMENT_SKIP_CONFIRM_YES_PLAIN = "Skip it"
ASSESSMENT_ANSWERED_IN_DM = {
    "before": "✅ *Saved — thanks.* Your starting point is noted; I'll ask again near the end.",
    "after": "✅ *Saved — thanks.* That's how the program learns what changed for people.",
}
ASSESSMENT_PRIVATE = (
    "🔒 Private: your partner never sees your answers, and program leads only see "
    "averages over at least three people."
)
ASSESSMENT_OPEN_PLAIN = "Rate my confidence"
ASSESSMENT_SKIP_PLAIN = "Skip"
ASSESSMENT_TITLE_PLAIN = "Confidence check"
ASSESSMENT_SUBMIT_PLAIN = "Save"
ASSESSMENT_MODAL_INTRO = (
    "How confident do you feel in each of these today? There are no right answers — "
    "honest beats flattering."
)
ASSESSMENT_PLACEHOLDER_PLAIN = "Choose 1 to 5"
ASSESSMENT_SCORES_PLAIN = {
    1: "1 · Not confident yet",
    2: "2 · A little confident",
    3: "3 · Fairly confident",
    4: "4 · Confident",
    5: "5 · Very confident",
}
ASSESSMENT_BEHAVIOURS_PLAIN = {
    "feedback_to_senior": "Giving feedback to a senior person",
    "running_a_session": "Running a session",
    "influencing_a_decision": "Influencing a decision",
}
ASSESSMENT_THANKS_TITLE_PLAIN = "Thank you"
ASSESSMENT_THANKS = {
    "before": "Thanks — saved. 🙏 I'll ask the same questions near the end of the program.",
    "after": "Thanks — saved. 🙏 That's how the program learns what changed for people.",
}
ASSESSMENT_SKIPPED = {
    "before": "Skipped your starting-point confidence check — no problem. I won't ask again.",
    "after": "Skipped your end-of-program confidence check — no problem. I won't ask again.",
}
ASSESSMENT_ALREADY_SKIPPED = "You skipped this one, so there's nothing more to do. 👍"
ASSESSMENT_ALREADY_ANSWERED = "You've already answered this one — thanks! Your answers are kept."
ASSESSMENT_CLOSED = "Thanks — this one has closed, so nothing was changed."
ASSESSMENT_NOT_YOURS = "This check belongs to someone else, so only they can answer it."
ERR_ASSESSMENT_SCORE = "Please pick a number from 1 to 5."

# --- after the program: signals, commitments, follow-ups (outcomes) -----------------

SURVEY_FALLBACK = {
    "end": "*{program}* has ended: a few quick questions",
    "day30": "A month after *{program}*: how are your commitments going?",
    "day60": "Two months after *{program}*: a few quick questions",
}
SURVEY_HEADER_PLAIN = {
    "end": "That's a wrap! 🎉",
    "day30": "A month on 🌱",
    "day60": "Two months on 🌳",
}
SURVEY_INTRO = {
    "end": "*{program}* has ended. Thank you for taking part! Would you answer {what}?",
    "day30": "It's been a month since *{program}* ended. Would you tell me {what}?",
    "day60": "It's been two months since *{program}* ended. Would you answer {what}?",
}
SURVEY_WHAT_SIGNALS = "two quick questions"
SURVEY_WHAT_SIGNALS_JUNIOR = "three quick questions"
SURVEY_WHAT_COMMITMENTS = "write down one to three changes you'll make"
SURVEY_WHAT_PROGRESS = {1: "how your commitment is going"}  # otherwise "…commitments are going"
SURVEY_WHAT_PROGRESS_MANY = "how your {n} commitments are going"
SURVEY_NUMBER_WORDS = {2: "two", 3: "three"}
SURVEY_AND = "{first}, and {second}"
SURVEY_PRIVATE = (
    "🔒 Private: your partner never sees these answers, and program leads only see "
    "totals over at least three people."
)
# A senior writing commitments: their junior does see those, so the promise above is
# narrowed to the questions.
SURVEY_PRIVATE_WITH_COMMITMENTS = (
    "🔒 Private: your partner never sees your answers to the questions (only the "
    "commitments you write), and program leads only see totals over at least three people."
)
SURVEY_OPEN_PLAIN = "Answer"
SURVEY_SKIP_PLAIN = "Skip"
SURVEY_SKIP_CONFIRM_TITLE_PLAIN = "Skip these questions?"
SURVEY_SKIP_CONFIRM_PLAIN = {
    "end": "You won't be asked these again. (There may be one short check-in in two months.)",
    "day30": "You won't be asked these again.",
    "day60": "You won't be asked these again.",
}
SURVEY_SKIP_CONFIRM_YES_PLAIN = "Skip them"
SURVEY_TITLE_PLAIN = {"end": "That's a wrap", "day30": "A month on", "day60": "Two months on"}
SURVEY_SUBMIT_PLAIN = "Save"
SURVEY_QUESTION_PLAIN = {
    "would_again": "Would you take part in reverse mentoring again?",
    "recommend": "Would you recommend it to a colleague?",
    "sponsored": "Has your senior mentored you, sponsored you or opened a door for you{since}?",
}
SURVEY_SPONSORED_SINCE = {"end": "", "day30": " since the program", "day60": " since the program"}
SURVEY_SPONSORED_ABOUT = "The next question is about <@{senior}>, your senior in the program."
SURVEY_SIGNAL_PLAIN = {"yes": "Yes", "unsure": "Not sure", "no": "No"}
SURVEY_COMMITMENTS_HEADING = (
    "*Your commitments* — one to three concrete changes you'll make after what you learned "
    "(a line each, up to 200 characters), for example _I'll review our social posting "
    "with the team every month._"
)
SURVEY_COMMITMENT_LABEL_PLAIN = {
    1: "First change",
    2: "Second change",  # Slack adds "(optional)" to an optional input's label itself
    3: "Third change",
}
SURVEY_COMMITMENT_PLACEHOLDER_PLAIN = "I will…"
SURVEY_COMMITMENTS_SEEN_BY = (
    "👀 <@{partner}> will see your commitments in Upward's Home tab: it's good for them to "
    "know what they changed. How each one goes stays private."
)
SURVEY_COMMITMENTS_SEEN_BY_NOBODY = "How each one goes stays private."
SURVEY_SHARE_LABEL_PLAIN = "The program lead"
SURVEY_SHARE_PLAIN = "Share my commitments (the text) with the program lead"
SURVEY_PROGRESS_HEADING = "*Your commitments* — how is each one going?"
SURVEY_PROGRESS_LABEL_PLAIN = "How is it going?"
SURVEY_STATUS_PLAIN = {"done": "Done ✅", "in_progress": "In progress 🔄", "dropped": "Dropped"}
SURVEY_LAST_TIME_PLAIN = "A month ago: {status}"
SURVEY_LAST_TIME_EVIDENCE_PLAIN = "A month ago: {status} ({evidence})"
SURVEY_EVIDENCE_LABEL_PLAIN = "One line on what happened"
SURVEY_EVIDENCE_PLACEHOLDER_PLAIN = (
    "e.g. We now review posts in the first team meeting of the month"
)
SURVEY_THANKS_TITLE_PLAIN = "Thank you"
SURVEY_THANKS = "Thanks — saved. 🙏 This is how the program learns what lasts."
SURVEY_THANKS_COMMITMENTS = (
    "Thanks — saved. 🙏 Your commitments are in your Home tab; I'll ask how they're going "
    "in a month."
)
SURVEY_ANSWERED_IN_DM = "✅ *Saved — thanks.* This is how the program learns what lasts."
# A skip settles this checkpoint's questions only: the 30- and 60-day check-ins are
# different questions, asked (and skippable) in their own right.
SURVEY_SKIPPED = {
    "end": "Skipped — no problem. I may check in once more in two months; skip that too if "
    "you like.",
    "day30": "Skipped — no problem. I may check in once more in a month.",
    "day60": "Skipped — no problem. That was the last check-in for this program.",
}
SURVEY_ALREADY_SKIPPED = "You skipped these, so there's nothing more to do. 👍"
SURVEY_ALREADY_ANSWERED = "You've already answered these — thanks! Your answers are kept."
SURVEY_CLOSED = ASSESSMENT_CLOSED  # the same words for every late answer
SURVEY_NOT_YOURS = "These questions belong to someone else, so only they can answer them."
ERR_SURVEY_STATUS = "Please say how it's going."
ERR_SURVEY_NO_COMMITMENT = (
    "Please write at least one change you'll make. (Not now? Close this and choose Skip.)"
)
HOME_COMMITMENTS_MINE = "*Your commitments* from *{program}*:"
HOME_COMMITMENTS_PARTNER = "*<@{senior}>'s commitments* from *{program}*, after what you taught:"

# --- reminders and recognition ------------------------------------------------------

NUDGE = (
    "Hi <@{mentor}> and <@{mentee}> 👋 No rush — this week's prompt is still here whenever "
    "suits you. A two-line reply in the thread counts."
)
SENIOR_NUDGE = (
    "Hi <@{mentee}> — the last couple of weeks looked busy, and that's fine. If meeting is "
    "hard right now, a short async reply to <@{mentor}> in your group DM counts as a "
    "session. Need a break? `/mentor pause` holds everything until you're back."
)
ROUND_READY = (
    "🗓️ *{program}* starts today, so I've matched everyone who joined. Look over the pairs "
    "below and confirm when you're happy, or run `/mentor match` to start again."
)
ROUND_STARTED = "🗓️ *{program}* starts today, so I've matched everyone who joined."
THANKS = (
    "Thank you, <@{mentor}>! 🎉 *{program}* has wrapped up. You shared what you know with "
    "<@{mentee}>, and reverse mentoring works because people like you say yes."
)
THANKS_SESSIONS = "• Sessions you held together: *{n}*"
THANKS_TOPICS = "• Topics you taught: {topics}"
THANKS_HIGHLIGHTS = "What <@{mentee}> shared along the way:"
THANKS_CLOSING = "The conversation doesn't have to end here, if you'd both like to keep going. 🙏"
SHOUTOUT = (
    "🎉 A big thank-you to <@{mentor}>, who has just finished *{program}* as a reverse "
    "mentor{topics}. Thank you for teaching your leaders!"
)
SHOUTOUT_TOPICS = ", sharing what they know about {topics}"

# --- errors -------------------------------------------------------------------------

REQUEST_UNREADABLE = (
    "Sorry, Slack sent that request in a form I could not read, so nothing was changed. "
    "Please try again."
)
SLACK_TROUBLE = (
    "Slack is busy or unreachable right now, so I couldn't finish that. Anything you saved "
    "is kept; please try again in a minute."
)
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side. Please try again in a "
    "minute; if it keeps happening, tell your program lead."
)

# --- the report's service errors (python -m bot report and /mentor report)
REPORT_NO_WORKSPACE = "Upward has no data for the workspace {team} yet."
REPORT_WHICH_WORKSPACE = (
    "This database holds several workspaces (or none yet): pass --team with a Slack team id."
)

# --- the lead report and dashboard ---------------------------------------------------

REPORT_HEADER_PLAIN = "📊 {program}"
REPORT_FALLBACK = "Report for {program}: {joined} joined, {active}, {at_risk} at risk."
REPORT_CONTEXT = "Generated {generated} · {start} · {weeks} long"
REPORT_STARTS = "starts {date}"
REPORT_NO_START = "no start date set"
# Slack date formatting (<!date^…>) for report dates; each reader sees their own zone.
DATE_TIME_FORMAT = "{date_short_pretty} at {time}"
DATE_FORMAT = "{date_short}"
REPORT_EMPTY = (
    "Nobody has joined *{program}* yet, so there's nothing to count. Share `/mentor join` "
    "with people who might take part; once they join, this report shows who got how far, "
    "pairs that need a hand, engagement and the skills people want."
)
REPORT_MORE = "…and {n} more — `/mentor report csv` has everyone"
REPORT_FOOTER = (
    "`/mentor report csv` sends everyone and the outcomes as spreadsheets · "
    "`/mentor report chart` sends a chart of the weeks"
)

REPORT_FUNNEL_HEADING = "*Who got how far*"
REPORT_FUNNEL_ROLES = {
    Role.MENTOR: "*Mentors* (sharing)",
    Role.MENTEE: "*Mentees* (learning)",
}
# Keyed by bot.shapes.report.Stage values.
STAGE_LABELS = {
    "joined": "Joined",
    "matched": "Matched",
    "first_session": "First session",
    "three_sessions": "3+ sessions",
    "completed": "Completed",
}
REPORT_FUNNEL_LINE = "{stage}: *{n}*"
REPORT_FUNNEL_SHARE = " ({share:.0%})"

REPORT_PAIRS = (
    "*Pairs:* {active} active, {at_risk} of them at risk · {ended} ended "
    "({completed} completed, {early} ended early)"
)
REPORT_NO_PAIRS = "*Pairs:* none yet — `/mentor match` previews a matching round."
REPORT_AT_RISK_HEADING = "*Pairs at risk*"
REPORT_AT_RISK_LINE = "• <@{mentor}> & <@{mentee}> — {reasons}"
REPORT_NONE_AT_RISK = "*Pairs at risk:* none right now. 🎉"
# Keyed by bot.shapes.report.RiskReason values: a reason stored on the pair by
# its AtRiskReason member; low_rating is worked out by the report, never stored.
RISK_NO_ACTIVITY = "no session for {n} weeks"
RISK_NO_ACTIVITY_ONE = "no session for a week"
RISK_NO_ACTIVITY_UNKNOWN = "no session lately"
RISK_REASONS = {
    AtRiskReason.SENIOR_SKIPPING: "the senior skipped twice in a row",
    "low_rating": "a low check-in rating",
}
RISK_UNDELIVERABLE = "Slack could not deliver (`{detail}`)"
RISK_UNDELIVERABLE_NO_DETAIL = "Slack could not deliver a message"
RISK_OTHER = "needs a look"

REPORT_ENGAGEMENT_HEADING = "*Engagement*"
REPORT_NOTHING_SENT = "*Engagement:* no prompts or check-ins have gone out yet."
ENGAGEMENT_PROMPTS = "*Prompts*\n{delivered} delivered · {engaged} engaged with{rate}"
ENGAGEMENT_PROMPTS_RATE = " ({rate:.0%})"
ENGAGEMENT_SESSIONS = "*Sessions*\n{live} live · {async_} async"
ENGAGEMENT_SKIPPED = "*Weeks skipped*\n{n}"
ENGAGEMENT_CHECKINS = "*Check-ins*\n{asked} sent · response rate {rate}"
ENGAGEMENT_RATINGS = "*Average rating*\nby mentors: {mentors}\nby mentees: {mentees}"
RATE_VALUE = "{value:.0%}"
RATING_VALUE = "{value:.1f} / 5"
AGGREGATE_HIDDEN = "_hidden (fewer than {n} people)_"
AGGREGATE_NO_DATA = "_no answers yet_"

REPORT_SKILLS_HEADING = "*Skills: what mentees want and mentors offer*"
REPORT_SKILL_LINE = "• *{name}*{focus} — wanted by {wanted} · offered by {offered}"
REPORT_SKILL_FOCUS = " ⭐ _focus_"
REPORT_SKILL_SHORT = "\n      ⚠️ short of mentors: {mentees} can't be served"

REPORT_WAITING_HEADING = "*Waiting for a partner ({n})*"
REPORT_WAITING_LINE = "• <@{user}> ({role}): {reason} · since {since}"
REPORT_WAITING_UNKNOWN = "not matched yet"
ROLE_SHORT = {Role.MENTOR: "mentor", Role.MENTEE: "mentee"}

REPORT_RECOGNITION = "*Recognition:* {thanked} sent to mentors · {shoutouts} posted"

REPORT_COMMENTS_HEADING = "*Shared check-in comments* (newest first)"
REPORT_COMMENT_WHO = "<@{user}> ({role}) · {date}"
REPORT_COMMENT_LEARNED = "*Learned:* {text}"
REPORT_COMMENT_BLOCKERS = "*In the way:* {text}"
REPORT_COMMENTS_MORE = "…and {comments}."

# The outcomes section (report, App Home, files). Keyed by bot.shapes.report values.
OUTCOMES_HEADING = "*Outcomes: what changed after the program*"
OUTCOMES_PRIVACY = (
    "🔒 Totals only, over at least {n} people; a commitment's text only where its author "
    "shared it. Nobody's partner sees their answers."
)
OUTCOMES_ROLES = {
    Role.MENTOR: "*Mentors* (juniors, sharing)",
    Role.MENTEE: "*Mentees* (seniors, learning)",
}
OUTCOMES_ROLES_PLAIN = {Role.MENTOR: "Mentors (juniors)", Role.MENTEE: "Mentees (seniors)"}
OUTCOMES_ROLES_SHORT = {Role.MENTOR: "*Mentors* (juniors)", Role.MENTEE: "*Mentees* (seniors)"}
OUTCOMES_MOMENTS = {
    "before": "confidence at the start",
    "after": "confidence at the end",
    "end": "at the end",
    "day30": "30 days on",
    "day60": "60 days on",
}
OUTCOMES_MOMENTS_SHORT = {"end": "at the end", "day60": "60 days on"}
OUTCOMES_ALL_AREAS = "All areas shown"
OUTCOMES_ASKED = "_Answered: {moments}_"
OUTCOMES_PARTICIPATION = "{moment} {answered} of {asked}"
OUTCOMES_CONFIDENCE = "Confidence, start → end ({people} people):"
OUTCOMES_CONFIDENCE_LINE = "• {name}: *{before:.1f} → {after:.1f}* ({change:+.1f}; {people} people)"
OUTCOMES_CONFIDENCE_NONE = "Confidence, start → end: _not enough answers yet (fewer than {n})_"
OUTCOMES_CONFIDENCE_FEW = "_{areas} with fewer than {min} people: not shown_"
OUTCOMES_SIGNALS = "{checkpoint} ({people} answered): {values}"
OUTCOMES_SIGNALS_WHEN = {"end": "At the end", "day60": "60 days on"}
OUTCOMES_WOULD_AGAIN = "would take part again {rate}"
OUTCOMES_RECOMMEND = "would recommend {rate}"
OUTCOMES_SPONSORED = "say their senior opened a door {rate}"
OUTCOMES_RATE = "*{value:.0%}*"
OUTCOMES_NOT_ENOUGH = "_not enough answers yet (fewer than {n})_"
OUTCOMES_NO_ANSWERS = "_no answers yet_"
OUTCOMES_COMMITMENTS = (
    "*Seniors' commitments* ({seniors} seniors): {made} made · {kept} kept · "
    "{in_progress} in progress · {dropped} dropped · {no_answer} not followed up yet"
)
OUTCOMES_COMMITMENTS_HIDDEN = "*Seniors' commitments:* _not enough seniors yet (fewer than {n})_"
OUTCOMES_SHARED_HEADING = "*Commitments shared with you* (newest first)"
OUTCOMES_NOTHING_YET = (
    "_Nobody has been asked yet: the confidence check follows joining, the other questions "
    "come at the end of the program._"
)
DASHBOARD_OUTCOMES = "*Outcomes*"
# The chart's bar labels: short, so the labels leave the panels their width.
CHART_ROLES = {"mentor": "Juniors", "mentee": "Seniors"}
CHART_WOULD_AGAIN = "take part again"
CHART_RECOMMEND = "recommend"
CHART_SPONSORED = "senior opened a door"
CHART_WHEN = {"end": "end", "day60": "60 days"}
DASHBOARD_OUTCOMES_ROLE = "{role}\n{confidence}\n{signals}"
DASHBOARD_OUTCOMES_CONFIDENCE = "confidence {before:.1f} → {after:.1f} ({change:+.1f})"
DASHBOARD_OUTCOMES_CONFIDENCE_NONE = (
    "confidence start → end: _not enough answers yet (fewer than {n})_"
)
DASHBOARD_OUTCOMES_SIGNALS = "{checkpoint}: would again {again} · recommend {recommend}"
DASHBOARD_OUTCOMES_COMMITMENTS = (
    "*Commitments*\n{made} made · {kept} kept · {in_progress} in progress · {dropped} dropped"
    " · {no_answer} not followed up yet"
)
DASHBOARD_OUTCOMES_COMMITMENTS_HIDDEN = "*Commitments*\n_fewer than {n} seniors yet_"

DASHBOARD_HEADER_PLAIN = "Program: {program}"
DASHBOARD_UPDATED = "Numbers as of {generated} · `/mentor report` has the full report"
DASHBOARD_EMPTY = (
    "Nobody has joined yet. Once people join, their numbers and any pairs that need a hand "
    "show up here."
)
DASHBOARD_JOINED = "*Joined*\n{total} ({mentors} · {mentees})"
DASHBOARD_ACTIVE = "*Active pairs*\n{n}"
DASHBOARD_AT_RISK = "*At risk*\n{n}"
DASHBOARD_SESSIONS = "*Sessions held*\n{n}"
DASHBOARD_RESPONSE = "*Check-in response rate*\n{rate}"
DASHBOARD_RATING = "*Average rating*\nby mentors: {mentors}\nby mentees: {mentees}"
DASHBOARD_NUDGED = " · nudged {date}"
DASHBOARD_NUDGE_PLAIN = "Nudge"
DASHBOARD_FILES_HEADING = "*Report files*"
DASHBOARD_FILES_NONE = "Latest: none yet"
DASHBOARD_FILE_LINE = "• {file} · {date}"
DASHBOARD_CSV_PLAIN = "Send me the CSV"
DASHBOARD_CHART_PLAIN = "Send me the chart"

# --- /mentor report, its files and the lead's nudge
REPORT_WORKING = "Putting the report together…"
REPORT_FILE_WORKING = {
    "csv": "Making the CSV — it will arrive in your DM with Upward in a moment.",
    "chart": "Drawing the chart — it will arrive in your DM with Upward in a moment.",
}
REPORT_FILE_SENT = "Sent to your DM with Upward: {files}"
REPORT_FILE_FAILED = (
    "Sorry, Slack didn't take the file (`{error}`). Nothing is lost — try again in a minute."
)
REPORT_CSV_TITLE = "Upward report: {program} ({date}).csv"
REPORT_CHART_TITLE = "Upward chart: {program} ({date})"
REPORT_OUTCOMES_CSV_TITLE = "Upward outcomes: {program} ({date}).csv"
REPORT_OUTCOMES_CSV_COMMENT = (
    "And the outcomes of *{program}*: one row per measure (confidence, would-again and "
    "recommend rates, commitments), totals over at least three people only."
)
REPORT_FILE_COMMENT = {
    "csv": (
        "Here's the CSV for *{program}*: one row per person and pair, with their numbers. "
        "Ratings and comments stay out of it: those are only shown as totals."
    ),
    "chart": (
        "Here's the chart for *{program}*: weekly engagement, the funnel and, once people "
        "have answered, the outcomes."
    ),
}
LEAD_NUDGE = (
    "👋 <@{mentor}> <@{mentee}> — a friendly hello from your program lead, <@{lead}>. "
    "How is it going? A short async answer in the thread of your last prompt counts too. "
    "If something is in the way, tell <@{lead}>: that's what they're here for."
)
LEAD_NUDGE_GONE = "That pair has ended, so there's no one to nudge."
LEAD_NUDGE_NOT_INTRODUCED = "That pair hasn't been introduced yet, so there's nowhere to nudge."

# A request from a workspace where Upward has no installation (never added, or removed).
NOT_INSTALLED = (
    "Upward is not installed in this workspace (or was removed). An admin can add it again "
    "with *Add to Slack* on Upward's install page."
)
