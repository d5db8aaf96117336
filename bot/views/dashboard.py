"""The program lead's dashboard: the lead section of App Home."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import copy
from bot.ids import Action
from bot.mrkdwn import escape
from bot.shapes.report import AtRiskPair, Report, ReportFile
from bot.views.report import (
    FIELD_MAX,
    HEADER_MAX,
    SECTION_MAX,
    aggregate_text,
    at_risk_line,
    clip,
    dashboard_outcomes,
    is_empty,
    joined,
    slack_date,
)
from bot.words import counted

# App Home takes 100 blocks and the lead's own profile uses about ten; this section
# stays under MAX_DASHBOARD_BLOCKS so Home can always be published.
MAX_DASHBOARD_BLOCKS = 60
MAX_AT_RISK_SHOWN = 10
MAX_FILES_SHOWN = 6
FILE_TITLE_MAX = 120


def _headline(report: Report) -> Block:
    start = joined(report.funnel)
    e = report.engagement
    fields = [
        copy.DASHBOARD_JOINED.format(
            total=start.total,
            mentors=counted(start.mentors, "mentor"),
            mentees=counted(start.mentees, "mentee"),
        ),
        copy.DASHBOARD_ACTIVE.format(n=report.pairs.active),
        copy.DASHBOARD_AT_RISK.format(n=report.pairs.at_risk),
        copy.DASHBOARD_SESSIONS.format(n=e.sessions),
        copy.DASHBOARD_RESPONSE.format(rate=aggregate_text(e.response_rate, copy.RATE_VALUE)),
        copy.DASHBOARD_RATING.format(
            mentors=aggregate_text(e.rating_mentors, copy.RATING_VALUE),
            mentees=aggregate_text(e.rating_mentees, copy.RATING_VALUE),
        ),
    ]
    return SectionBlock(fields=[MarkdownTextObject(text=f[:FIELD_MAX]) for f in fields])


def _at_risk_pair(pair: AtRiskPair) -> Block:
    text = at_risk_line(pair)
    if pair.nudged_at is not None:
        text += copy.DASHBOARD_NUDGED.format(date=slack_date(pair.nudged_at))
    # The button stays after a nudge: a lead may want to nudge again a week later.
    return SectionBlock(
        text=text[:SECTION_MAX],
        accessory=ButtonElement(
            text=copy.DASHBOARD_NUDGE_PLAIN,
            action_id=Action.NUDGE_PAIR,
            value=str(pair.pair_id),
        ),
    )


def _at_risk(report: Report) -> list[Block]:
    if not report.at_risk:
        return [SectionBlock(text=copy.REPORT_NONE_AT_RISK)] if report.pairs.active else []
    blocks: list[Block] = [SectionBlock(text=copy.REPORT_AT_RISK_HEADING)]
    blocks += [_at_risk_pair(p) for p in report.at_risk[:MAX_AT_RISK_SHOWN]]
    if len(report.at_risk) > MAX_AT_RISK_SHOWN:
        more = copy.REPORT_MORE.format(n=len(report.at_risk) - MAX_AT_RISK_SHOWN)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def _file_link(file: ReportFile) -> str:
    title = escape(clip(file.title, FILE_TITLE_MAX))
    # A "|" or ">" in the address would end the link early; show the title alone then.
    usable = file.permalink and not any(c in file.permalink for c in "<>| ")
    return f"<{escape(file.permalink or '')}|{title}>" if usable else f"*{title}*"


def file_line(file: ReportFile) -> str:
    return copy.DASHBOARD_FILE_LINE.format(file=_file_link(file), date=slack_date(file.created_at))


def file_sent_text(files: Sequence[ReportFile]) -> str:
    """The answer to `/mentor report csv|chart` once the files are in the lead's DM."""
    return copy.REPORT_FILE_SENT.format(files=" and ".join(_file_link(f) for f in files))


def _files(report: Report, files: Sequence[ReportFile]) -> list[Block]:
    program = str(report.program_id)
    latest = sorted(files, key=lambda f: f.created_at, reverse=True)[:MAX_FILES_SHOWN]
    listing = (
        "\n".join(file_line(f) for f in latest)[:SECTION_MAX]
        if latest
        else copy.DASHBOARD_FILES_NONE
    )
    return [
        SectionBlock(text=copy.DASHBOARD_FILES_HEADING),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.DASHBOARD_CSV_PLAIN, action_id=Action.REPORT_CSV, value=program
                ),
                ButtonElement(
                    text=copy.DASHBOARD_CHART_PLAIN, action_id=Action.REPORT_CHART, value=program
                ),
            ]
        ),
        SectionBlock(text=listing),
    ]


def dashboard_blocks(report: Report, files: Sequence[ReportFile]) -> list[Block]:
    """Headline numbers, the pairs at risk with a Nudge button each, and report files."""
    header = clip(copy.DASHBOARD_HEADER_PLAIN.format(program=report.program_name), HEADER_MAX)
    updated = copy.DASHBOARD_UPDATED.format(
        generated=slack_date(report.generated_at, copy.DATE_TIME_FORMAT)
    )
    blocks: list[Block] = [
        HeaderBlock(text=header),
        ContextBlock(elements=[MarkdownTextObject(text=updated)]),
    ]
    if is_empty(report):
        blocks.append(SectionBlock(text=copy.DASHBOARD_EMPTY))
    else:
        blocks += [_headline(report), *dashboard_outcomes(report), *_at_risk(report)]
    blocks += _files(report, files)
    return blocks
