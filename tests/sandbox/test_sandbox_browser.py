"""The sandbox page in a real browser: headless Debian Chromium driven by Playwright.

One small program, as a visitor would run it: a junior and a senior join through the
modal (a field error first), the lead previews and confirms the match, the clock moves
to the first prompt, "We met" is clicked, a check-in is answered, and the lead's report
shows the counts and the chart. Screenshots go to the test's directory, and to
$UPWARD_SCREENSHOTS when set (that is how docs/ gets its pictures).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sandbox_client import Sandbox, sandbox_fixture

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install -y chromium)"
    ),
]

PRIYA, RICHARD, LEAD = "U0PRIYA001", "U0RICHARD1", "U0LEAD0001"
HOSTILE = "<img src=x onerror=alert(1)> and <!channel>"
WAIT = 20_000  # ms: a clock move of a week runs run_due 168 times


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    yield from sandbox_fixture(tmp_path_factory.mktemp("browser-sandbox"))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def page(browser, sandbox: Sandbox, tmp_path: Path):
    sandbox.do("reset")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    page.set_default_timeout(WAIT)
    page.goto(sandbox.url)
    page.problems = problems
    yield page
    page.screenshot(path=str(tmp_path / "last.png"))  # where it stopped, if it failed
    context.close()
    assert problems == []


def shoot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    wanted = os.environ.get("UPWARD_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(wanted) / path.name)
    return path


def act_as(page, user: str) -> None:
    page.select_option("#person", user)
    page.wait_for_function("u => document.querySelector('#person').value === u", arg=user)


def type_in_composer(page, text: str) -> None:
    box = page.locator("#composer-text")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#composer-text').value === ''")


def modal(page):
    box = page.locator("#modal")
    box.wait_for(state="visible")
    return box


def wait_modal_closed(page) -> None:
    page.locator("#modal").wait_for(state="hidden")


def open_sidebar(page, label: str) -> None:
    page.locator(".sidebar button", has_text=label).first.click()


def move_clock(page, label: str) -> None:
    page.get_by_role("button", name=label).click()
    page.locator("#clock-moving").wait_for(state="visible")
    page.locator("#clock-moving").wait_for(state="hidden", timeout=120_000)


def join(page, *, role: str, skill_field: str, skill: str, level: str) -> None:
    type_in_composer(page, "/mentor join")
    form = modal(page)
    form.get_by_role("radio", name=re.compile(role)).check()
    form.get_by_label(skill_field).select_option(label=skill)
    form.get_by_label("Where are you in your career?").select_option(label=level)
    form.locator("#modal-submit").click()
    wait_modal_closed(page)


def test_a_small_program_from_join_to_chart(page, sandbox: Sandbox, tmp_path: Path):
    # A junior joins: first without a skill, which the modal refuses under its field.
    act_as(page, PRIYA)
    type_in_composer(page, "/mentor join")
    form = modal(page)
    form.get_by_role("radio", name=re.compile("— mentor")).check()
    level = form.get_by_label("Where are you in your career?")
    level.select_option(label="Early career (0–3 years)")
    form.locator("#modal-submit").click()
    error = form.locator(".bk-has-error .bk-error")
    error.wait_for()
    assert "pick at least one thing you could share" in error.inner_text()
    shoot(page, tmp_path, "sandbox-field-error")
    # What she chose is still there; she adds a skill and joins.
    assert form.get_by_role("radio", name=re.compile("— mentor")).is_checked()
    form.get_by_label("What could you share?").select_option(label="AI and new tools")
    form.locator("#modal-submit").click()
    wait_modal_closed(page)
    page.locator(".message", has_text="Welcome").first.wait_for()

    # A senior joins to learn it.
    act_as(page, RICHARD)
    join(
        page,
        role="— mentee",
        skill_field="What would you like to learn?",
        skill="AI and new tools",
        level="Executive / VP and above",
    )

    # The lead previews the match and confirms it, through Slack's confirm dialog.
    act_as(page, LEAD)
    type_in_composer(page, "/mentor match")
    preview = page.locator(".message.ephemeral", has_text="Matching preview")
    preview.get_by_role("button", name="Confirm and introduce").click()
    page.locator(".bk-confirm").wait_for()
    page.locator(".bk-confirm-yes").click()
    page.locator(".message.ephemeral", has_text="introduced").first.wait_for()

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # Priya sees the pair's group DM and its intro; a week on, the first prompt. Week 1
    # starts on the Monday after the intro in Priya's Kolkata calendar: on a Sunday
    # evening in Europe that is already Monday there, so her first week is the next one.
    act_as(page, PRIYA)
    open_sidebar(page, "Richard")
    page.locator(".message", has_text="Meet your reverse-mentoring partner").wait_for()
    move_clock(page, "+1 week")
    prompt = page.locator(".message", has=page.get_by_role("button", name="We met")).last
    try:
        prompt.wait_for(timeout=5_000)
    except PlaywrightTimeout:
        move_clock(page, "+1 week")
        prompt.wait_for()
    shoot(page, tmp_path, "sandbox-prompt")
    prompt.get_by_role("button", name="We met").click()
    page.locator(".message.ephemeral").last.wait_for()

    # Another week: the check-in arrives in her DM; she answers it in its modal.
    move_clock(page, "+1 week")
    open_sidebar(page, "Upward")
    page.get_by_role("button", name="Yes, we met").last.click()
    form = modal(page)
    form.get_by_role("radio", name="4 · Good").check()
    form.get_by_label("What did you learn or teach?").fill("How a CFO reads a forecast")
    form.locator("#modal-submit").click()
    form.get_by_text("your check-in is saved").wait_for()  # the modal updated in place
    form.locator("#modal-close").click()
    wait_modal_closed(page)

    # Text typed into the page shows as text, never as HTML or a mention.
    open_sidebar(page, "shout-outs")
    type_in_composer(page, HOSTILE)
    shown = page.locator(".message", has_text="onerror").last
    shown.wait_for()
    assert HOSTILE in shown.inner_text()
    assert page.locator("img[src='x']").count() == 0
    assert page.locator(".bk-mention", has_text="@channel").count() == 0

    # The lead's report counts what happened, and the chart arrives as an image that loads.
    act_as(page, LEAD)
    type_in_composer(page, "/mentor report")
    report = page.locator(".message.ephemeral", has_text="Who got how far").last
    report.wait_for()
    text = " ".join(report.inner_text().split())
    assert "Pairs: 1 active, 0 of them at risk" in text, text
    assert "1 live" in text, text  # the "We met" of week 1
    assert re.search(r"Check-ins \d+ sent", text), text
    type_in_composer(page, "/mentor report chart")
    chart = page.locator(".file img").last
    chart.wait_for()
    page.wait_for_function(
        "() => { const i = [...document.querySelectorAll('.file img')].pop();"
        " return i && i.complete && i.naturalWidth > 200; }"
    )
    shoot(page, tmp_path, "sandbox-report")


def test_leaving_with_the_box_ticked_deletes_the_answers(page, sandbox: Sandbox, tmp_path: Path):
    """The box in the leave question keeps its tick until Leave is clicked (ticking it
    is a click of its own, which changes nothing), and Leave then deletes the answers."""
    act_as(page, PRIYA)
    join(
        page,
        role="— mentor",
        skill_field="What could you share?",
        skill="AI and new tools",
        level="Early career (0–3 years)",
    )
    type_in_composer(page, "/mentor leave")
    question = page.locator(".message.ephemeral", has_text="Leave the reverse-mentoring").last
    question.wait_for()
    box = question.get_by_role("checkbox", name=re.compile("Also delete my answers"))
    box.check()
    page.wait_for_timeout(500)  # the page's poll after the tick's own click
    assert box.is_checked()
    question.get_by_role("button", name="Leave the program").click()
    done = page.locator(".message.ephemeral", has_text="your answers are deleted").last
    done.wait_for()
    shoot(page, tmp_path, "sandbox-leave-deleted")
