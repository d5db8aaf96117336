"""The program lead's report: `/mentor report` as an ephemeral message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
    TextObject,
)

from bot import copy
from bot.mrkdwn import escape
from bot.shapes.report import (
    MIN_GROUP,
    Aggregate,
    AtRiskPair,
    CommitmentCounts,
    ConfidenceChange,
    FunnelStage,
    Moment,
    Report,
    RiskReason,
    RoleOutcomes,
    SharedComment,
    SharedCommitment,
    SignalRates,
    Stage,
)
from bot.views.messages import Message
from bot.words import counted
from models.enums import Role

SECTION_MAX = 3000
FIELD_MAX = 2000
HEADER_MAX = 150
# The report is a handful of sections, so it stays far below Slack's 50 blocks whatever
# the numbers; long lists are cut to what a lead can scan and the CSV has the rest.
MAX_AT_RISK_SHOWN = 8
MAX_WAITING_SHOWN = 15
MAX_COMMENTS_SHOWN = 5
COMMENT_MAX = 300
SKILL_NAME_MAX = 80
DETAIL_MAX = 60
# Room kept at the end of a section for the "…and N more" line.
_MORE_ROOM = 80


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when anything was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slack_date(moment: datetime, token: str = copy.DATE_FORMAT) -> str:
    """Slack's date formatting, so each reader sees their own time zone; the fallback
    (for clients that cannot format dates) is in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return f"<!date^{int(utc.timestamp())}^{token}|{_day(utc.date())}>"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def aggregate_text(value: Aggregate, template: str) -> str:
    """An aggregate in words. Hidden is checked first: even an Aggregate built by hand
    with a value must not show it when too few people answered."""
    if value.hidden:
        return copy.AGGREGATE_HIDDEN.format(n=MIN_GROUP)
    if value.people == 0 or value.value is None:
        return copy.AGGREGATE_NO_DATA
    return template.format(value=value.value)


def bounded_lines(heading: str, lines: Sequence[str], total: int) -> str:
    """``heading`` and as many ``lines`` as fit in one section, then how many were left
    out of ``total``."""
    kept: list[str] = [heading]
    size = len(heading)
    for line in lines:
        if size + 1 + len(line) + 1 + _MORE_ROOM > SECTION_MAX:
            break
        kept.append(line)
        size += 1 + len(line)
    left_out = total - (len(kept) - 1)
    if left_out > 0:
        kept.append(copy.REPORT_MORE.format(n=left_out))
    return "\n".join(kept)[:SECTION_MAX]


def role_word(role: str) -> str:
    return copy.ROLE_SHORT.get(role) or escape(role)


def joined(funnel: Sequence[FunnelStage]) -> FunnelStage:
    for stage in funnel:
        if stage.stage == Stage.JOINED:
            return stage
    return FunnelStage(Stage.JOINED, 0, 0)


def is_empty(report: Report) -> bool:
    """Nobody joined and no pair ever existed: a report of zeros would say nothing."""
    pairs = report.pairs
    return joined(report.funnel).total == 0 and pairs.active == 0 and pairs.ended == 0


def risk_words(pair: AtRiskPair) -> str:
    words = []
    for reason in pair.reasons:
        if reason == RiskReason.NO_ACTIVITY:
            if pair.idle_weeks is None:
                words.append(copy.RISK_NO_ACTIVITY_UNKNOWN)
            elif pair.idle_weeks <= 1:
                words.append(copy.RISK_NO_ACTIVITY_ONE)
            else:
                words.append(copy.RISK_NO_ACTIVITY.format(n=pair.idle_weeks))
        elif reason == RiskReason.UNDELIVERABLE:
            # The detail is a Slack error code, but it travelled through our database:
            # treat it like user text.
            detail = escape(clip(pair.detail or "", DETAIL_MAX)).replace("`", "'")
            words.append(
                copy.RISK_UNDELIVERABLE.format(detail=detail)
                if detail
                else copy.RISK_UNDELIVERABLE_NO_DETAIL
            )
        else:
            words.append(copy.RISK_REASONS.get(reason.value, copy.RISK_OTHER))
    return "; ".join(words) or copy.RISK_OTHER


def at_risk_line(pair: AtRiskPair) -> str:
    return copy.REPORT_AT_RISK_LINE.format(
        mentor=pair.mentor_user, mentee=pair.mentee_user, reasons=risk_words(pair)
    )


def _header(report: Report) -> list[Block]:
    start = (
        copy.REPORT_STARTS.format(date=_day(report.start_date))
        if report.start_date
        else copy.REPORT_NO_START
    )
    context = copy.REPORT_CONTEXT.format(
        generated=slack_date(report.generated_at, copy.DATE_TIME_FORMAT),
        start=start,
        weeks=counted(report.length_weeks, "week"),
    )
    # plain_text is never parsed for mentions, so the name goes in as typed.
    header = clip(copy.REPORT_HEADER_PLAIN.format(program=report.program_name), HEADER_MAX)
    return [HeaderBlock(text=header), ContextBlock(elements=[MarkdownTextObject(text=context)])]


def _funnel(report: Report) -> Block:
    start = joined(report.funnel)
    columns = []
    for role in (Role.MENTOR, Role.MENTEE):
        base = start.mentors if role == Role.MENTOR else start.mentees
        lines = [copy.REPORT_FUNNEL_ROLES[role]]
        for stage in report.funnel:
            n = stage.mentors if role == Role.MENTOR else stage.mentees
            line = copy.REPORT_FUNNEL_LINE.format(stage=copy.STAGE_LABELS[stage.stage], n=n)
            if base > 0 and stage.stage != Stage.JOINED:
                line += copy.REPORT_FUNNEL_SHARE.format(share=n / base)
            lines.append(line)
        columns.append(MarkdownTextObject(text="\n".join(lines)[:FIELD_MAX]))
    return SectionBlock(text=copy.REPORT_FUNNEL_HEADING, fields=columns)


def _pairs(report: Report) -> list[Block]:
    pairs = report.pairs
    if pairs.active == 0 and pairs.ended == 0:
        return [SectionBlock(text=copy.REPORT_NO_PAIRS)]
    blocks: list[Block] = [
        SectionBlock(
            text=copy.REPORT_PAIRS.format(
                active=pairs.active,
                at_risk=pairs.at_risk,
                ended=pairs.ended,
                completed=pairs.completed,
                early=pairs.ended_early,
            )
        )
    ]
    if report.at_risk:
        lines = [at_risk_line(p) for p in report.at_risk[:MAX_AT_RISK_SHOWN]]
        text = bounded_lines(copy.REPORT_AT_RISK_HEADING, lines, len(report.at_risk))
        blocks.append(SectionBlock(text=text))
    elif pairs.active:
        blocks.append(SectionBlock(text=copy.REPORT_NONE_AT_RISK))
    return blocks


def _engagement(report: Report) -> Block:
    e = report.engagement
    if e.prompts_delivered == 0 and e.checkins_asked == 0 and e.sessions == 0:
        return SectionBlock(text=copy.REPORT_NOTHING_SENT)
    prompt_rate = (
        copy.ENGAGEMENT_PROMPTS_RATE.format(rate=e.prompts_engaged / e.prompts_delivered)
        if e.prompts_delivered
        else ""
    )
    # checkins_answered is never shown: next to a hidden response rate it would give
    # the rate away.
    fields = [
        copy.ENGAGEMENT_PROMPTS.format(
            delivered=e.prompts_delivered, engaged=e.prompts_engaged, rate=prompt_rate
        ),
        copy.ENGAGEMENT_SESSIONS.format(live=e.sessions_live, async_=e.sessions_async),
        copy.ENGAGEMENT_SKIPPED.format(n=e.weeks_skipped),
        copy.ENGAGEMENT_CHECKINS.format(
            asked=e.checkins_asked, rate=aggregate_text(e.response_rate, copy.RATE_VALUE)
        ),
        copy.ENGAGEMENT_RATINGS.format(
            mentors=aggregate_text(e.rating_mentors, copy.RATING_VALUE),
            mentees=aggregate_text(e.rating_mentees, copy.RATING_VALUE),
        ),
    ]
    return SectionBlock(
        text=copy.REPORT_ENGAGEMENT_HEADING,
        fields=[MarkdownTextObject(text=f[:FIELD_MAX]) for f in fields],
    )


def _skills(report: Report) -> list[Block]:
    if not any(s.wanted or s.offered for s in report.skills):
        return []
    lines = []
    for skill in report.skills:
        line = copy.REPORT_SKILL_LINE.format(
            name=escape(clip(skill.name, SKILL_NAME_MAX)),
            focus=copy.REPORT_SKILL_FOCUS if skill.focus else "",
            wanted=counted(skill.wanted, "mentee"),
            offered=counted(skill.offered, "mentor"),
        )
        if skill.short > 0:
            line += copy.REPORT_SKILL_SHORT.format(mentees=counted(skill.short, "mentee"))
        lines.append(line)
    return [SectionBlock(text=bounded_lines(copy.REPORT_SKILLS_HEADING, lines, len(lines)))]


def _waitlist(report: Report) -> list[Block]:
    if not report.waitlist:
        return []
    lines = [
        copy.REPORT_WAITING_LINE.format(
            user=w.user_id,
            role=role_word(w.role),
            reason=copy.UNMATCHED_FOR_LEAD.get(w.reason, copy.REPORT_WAITING_UNKNOWN),
            since=slack_date(w.since),
        )
        for w in report.waitlist[:MAX_WAITING_SHOWN]
    ]
    heading = copy.REPORT_WAITING_HEADING.format(n=len(report.waitlist))
    return [SectionBlock(text=bounded_lines(heading, lines, len(report.waitlist)))]


def _recognition(report: Report) -> list[Block]:
    r = report.recognition
    if not (r.thanked or r.shoutouts or report.pairs.completed):
        return []
    return [
        SectionBlock(
            text=copy.REPORT_RECOGNITION.format(
                thanked=counted(r.thanked, "thank-you"), shoutouts=counted(r.shoutouts, "shout-out")
            )
        )
    ]


def _comment_text(text: str) -> str:
    # Trim before escaping so an entity is never cut in half; one line keeps it compact.
    return escape(clip(" ".join(text.split()), COMMENT_MAX))


def comment_text(comment: SharedComment) -> str:
    lines = [
        copy.REPORT_COMMENT_WHO.format(
            user=comment.author_user,
            role=role_word(comment.role),
            date=slack_date(comment.answered_at),
        )
    ]
    if comment.learned and comment.learned.strip():
        lines.append(copy.REPORT_COMMENT_LEARNED.format(text=_comment_text(comment.learned)))
    if comment.blockers and comment.blockers.strip():
        lines.append(copy.REPORT_COMMENT_BLOCKERS.format(text=_comment_text(comment.blockers)))
    return "\n".join(lines)[:SECTION_MAX]


def _comments(report: Report) -> list[Block]:
    comments = sorted(
        (
            c
            for c in report.shared_comments
            if (c.learned and c.learned.strip()) or (c.blockers and c.blockers.strip())
        ),
        key=lambda c: c.answered_at,
        reverse=True,
    )
    if not comments:
        return []
    blocks: list[Block] = [SectionBlock(text=copy.REPORT_COMMENTS_HEADING)]
    blocks += [SectionBlock(text=comment_text(c)) for c in comments[:MAX_COMMENTS_SHOWN]]
    if len(comments) > MAX_COMMENTS_SHOWN:
        more = copy.REPORT_COMMENTS_MORE.format(
            comments=counted(len(comments) - MAX_COMMENTS_SHOWN, "older shared comment")
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


# --- outcomes: what changed for juniors and seniors after the program ------------------
# Hidden is checked first everywhere, before any value is read: even a shape built by hand
# with a value must not show it when fewer than MIN_GROUP people are behind it.

MAX_AREAS_SHOWN = 8  # per role; the outcomes CSV has every area
MAX_SHARED_SHOWN = 10
SHARED_PER_SECTION = 5  # a section holds ten fields: a name and a text each
COMMITMENT_MAX = 200  # a commitment is at most 200 characters when written
AREA_NAME_MAX = 80


def rate_text(value: Aggregate) -> str:
    if value.hidden:
        return copy.OUTCOMES_NOT_ENOUGH.format(n=MIN_GROUP)
    if value.people == 0 or value.value is None:
        return copy.OUTCOMES_NO_ANSWERS
    return copy.OUTCOMES_RATE.format(value=value.value)


def _shown(change: ConfidenceChange) -> bool:
    return not change.hidden and change.before is not None and change.after is not None


def _area_line(change: ConfidenceChange) -> str:
    return copy.OUTCOMES_CONFIDENCE_LINE.format(
        name=escape(clip(change.name, AREA_NAME_MAX)),
        before=change.before,
        after=change.after,
        change=change.change or 0.0,
        people=change.people,
    )


def _participation(outcomes: RoleOutcomes) -> str:
    return " · ".join(
        copy.OUTCOMES_PARTICIPATION.format(
            moment=copy.OUTCOMES_MOMENTS[p.moment], answered=p.answered, asked=p.asked
        )
        for p in outcomes.participation
    )


def _signals_line(rates: SignalRates) -> str:
    asked = [rates.would_again, rates.recommend]
    asked += [rates.sponsored] if rates.sponsored is not None else []
    if all(value.hidden for value in asked):
        # Said once for the line, not once per question.
        values = copy.OUTCOMES_NOT_ENOUGH.format(n=MIN_GROUP)
    else:
        parts = [
            copy.OUTCOMES_WOULD_AGAIN.format(rate=rate_text(rates.would_again)),
            copy.OUTCOMES_RECOMMEND.format(rate=rate_text(rates.recommend)),
        ]
        if rates.sponsored is not None:
            parts.append(copy.OUTCOMES_SPONSORED.format(rate=rate_text(rates.sponsored)))
        values = " · ".join(parts)
    return copy.OUTCOMES_SIGNALS.format(
        checkpoint=copy.OUTCOMES_SIGNALS_WHEN[rates.checkpoint],
        people=rates.would_again.people,
        values=values,
    )


def role_text(outcomes: RoleOutcomes) -> str:
    """One role's outcomes as one section's text."""
    lines = [copy.OUTCOMES_ROLES[outcomes.role]]
    if outcomes.participation:
        lines.append(copy.OUTCOMES_ASKED.format(moments=_participation(outcomes)))
    if _shown(outcomes.overall):
        lines.append(copy.OUTCOMES_CONFIDENCE.format(people=outcomes.overall.people))
        lines.append(_area_line(outcomes.overall))
        shown = [c for c in outcomes.confidence if _shown(c)]
        lines += [_area_line(c) for c in shown[:MAX_AREAS_SHOWN]]
        few = len(outcomes.confidence) - min(len(shown), MAX_AREAS_SHOWN)
        if few:
            lines.append(
                copy.OUTCOMES_CONFIDENCE_FEW.format(areas=counted(few, "more area"), min=MIN_GROUP)
            )
    elif any(p.moment in (Moment.BEFORE, Moment.AFTER) for p in outcomes.participation):
        lines.append(copy.OUTCOMES_CONFIDENCE_NONE.format(n=MIN_GROUP))
    lines += [_signals_line(s) for s in outcomes.signals]
    return "\n".join(lines)[:SECTION_MAX]


def commitments_text(
    counts: CommitmentCounts,
    shown: str = copy.OUTCOMES_COMMITMENTS,
    hidden: str = copy.OUTCOMES_COMMITMENTS_HIDDEN,
) -> str:
    """The commitments' counts in the report's words, or App Home's (``shown``/``hidden``)."""
    if counts.hidden or counts.made is None:
        return hidden.format(n=MIN_GROUP)
    return shown.format(
        seniors=counts.seniors,
        made=counts.made,
        kept=counts.kept,
        in_progress=counts.in_progress,
        dropped=counts.dropped,
        no_answer=counts.no_answer,
    )


def _shared(commitments: Sequence[SharedCommitment]) -> list[Block]:
    """Who (a mention) beside what they wrote, as plain text: shown as typed, so their
    *stars* and <!here> are neither formatting nor a ping (as in their App Home)."""
    if not commitments:
        return []
    shown = commitments[:MAX_SHARED_SHOWN]
    blocks: list[Block] = [SectionBlock(text=copy.OUTCOMES_SHARED_HEADING)]
    for start in range(0, len(shown), SHARED_PER_SECTION):
        fields: list[TextObject] = []
        for commitment in shown[start : start + SHARED_PER_SECTION]:
            text = clip(" ".join(commitment.text.split()), COMMITMENT_MAX)
            fields += [
                MarkdownTextObject(text=f"<@{commitment.senior_user}>"),
                PlainTextObject(text=text, emoji=False),
            ]
        blocks.append(SectionBlock(fields=fields))
    if len(commitments) > len(shown):
        more = copy.REPORT_MORE.format(n=len(commitments) - len(shown))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def outcomes_blocks(report: Report) -> list[Block]:
    """The report's outcomes section; nothing until someone has been asked something."""
    outcomes = report.outcomes
    if not outcomes.asked:
        return []
    blocks: list[Block] = [SectionBlock(text=copy.OUTCOMES_HEADING)]
    blocks += [SectionBlock(text=role_text(r)) for r in outcomes.roles if r.participation]
    if outcomes.commitments.seniors:
        blocks.append(SectionBlock(text=commitments_text(outcomes.commitments)))
    blocks += _shared(outcomes.shared_commitments)
    privacy = copy.OUTCOMES_PRIVACY.format(n=MIN_GROUP)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=privacy)]))
    return blocks


def _dashboard_role(outcomes: RoleOutcomes) -> str:
    overall = outcomes.overall
    confidence = (
        copy.DASHBOARD_OUTCOMES_CONFIDENCE.format(
            before=overall.before, after=overall.after, change=overall.change or 0.0
        )
        if _shown(overall)
        else copy.DASHBOARD_OUTCOMES_CONFIDENCE_NONE.format(n=MIN_GROUP)
    )
    lines = [copy.OUTCOMES_ROLES_SHORT[outcomes.role], confidence]
    if outcomes.signals:
        latest = outcomes.signals[-1]
        lines.append(
            copy.DASHBOARD_OUTCOMES_SIGNALS.format(
                checkpoint=copy.OUTCOMES_MOMENTS_SHORT[latest.checkpoint],
                again=rate_text(latest.would_again),
                recommend=rate_text(latest.recommend),
            )
        )
    return "\n".join(lines)[:FIELD_MAX]


def dashboard_outcomes(report: Report) -> list[Block]:
    """App Home's outcomes: confidence over all areas and the latest signals per role,
    and the commitments; one or two blocks."""
    outcomes = report.outcomes
    if not outcomes.asked:
        return []
    fields = [_dashboard_role(r) for r in outcomes.roles if r.participation]
    counts = outcomes.commitments
    if counts.seniors:
        fields.append(
            commitments_text(
                counts,
                copy.DASHBOARD_OUTCOMES_COMMITMENTS,
                copy.DASHBOARD_OUTCOMES_COMMITMENTS_HIDDEN,
            )
        )
    if not fields:
        return []
    return [
        SectionBlock(
            text=copy.DASHBOARD_OUTCOMES,
            fields=[MarkdownTextObject(text=f[:FIELD_MAX]) for f in fields],
        )
    ]


def report_message(report: Report) -> Message:
    """The whole report for one program, within Slack's limits for a message."""
    footer = ContextBlock(elements=[MarkdownTextObject(text=copy.REPORT_FOOTER)])
    name = escape(report.program_name)
    blocks = _header(report)
    if is_empty(report):
        blocks += [SectionBlock(text=clip(copy.REPORT_EMPTY.format(program=name), SECTION_MAX))]
    else:
        blocks += [DividerBlock(), _funnel(report), *_pairs(report), _engagement(report)]
        blocks += [*_skills(report), *_waitlist(report), *_recognition(report)]
        blocks += _comments(report)
        blocks += outcomes_blocks(report)
        blocks.append(DividerBlock())
    blocks.append(footer)
    fallback = copy.REPORT_FALLBACK.format(
        program=name,
        joined=joined(report.funnel).total,
        active=counted(report.pairs.active, "active pair"),
        at_risk=report.pairs.at_risk,
    )
    return Message(fallback, blocks)
