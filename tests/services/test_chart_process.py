"""The report chart drawn by a child process: the same PNG as in process, and a child
that fails or hangs costs one WARNING line and the apology any failure gets."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import pytest

from bot import copy
from bot.errors import UserFacingError
from bot.services.reports.chart_process import ChartFailedError, ChartProcess
from bot.views.chart_data import chart_data, decode, encode
from bot.views.report_chart import report_chart
from handlers.replies import replying
from tests.support.report_samples import empty_report, sample_report

LOGGER = "bot.services.reports.chart_process"


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.mark.parametrize(
    "report",
    [sample_report(), empty_report(), sample_report(program_name="Budget $ team $$ 100% _x_ ^")],
    ids=["full", "empty", "dollar-name"],
)
def test_the_child_draws_the_png_report_chart_draws(report):
    assert ChartProcess().png(report) == report_chart(report)


def test_the_chart_data_survives_its_json():
    data = chart_data(sample_report())
    assert decode(encode(data)) == data


def warnings_only(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    records = [r for r in caplog.records if r.name == LOGGER]
    assert [r.levelno for r in records] == [logging.WARNING]
    assert records[0].exc_info is None  # one line, no traceback
    return records


@pytest.mark.parametrize(
    ("code", "logged"),
    [
        ("import sys; sys.stdin.read(); raise ValueError('no fonts')", "ValueError: no fonts"),
        ("import os; os.kill(os.getpid(), 9)", "exited with -9"),
        ("print('not a picture')", "wrote no PNG"),
    ],
    ids=["raises", "killed", "no-png"],
)
def test_a_failed_child_is_one_warning_and_the_usual_apology(caplog, code, logged):
    with pytest.raises(ChartFailedError) as failed:
        ChartProcess(python(code)).png(sample_report())
    assert failed.value.message == copy.SOMETHING_WENT_WRONG
    (record,) = warnings_only(caplog)
    assert logged in record.getMessage()
    assert "Traceback" not in record.getMessage()


def test_a_child_that_hangs_is_killed_at_the_timeout(caplog):
    started = time.monotonic()
    with pytest.raises(ChartFailedError):
        ChartProcess(python("import time; time.sleep(60)"), timeout=0.5).png(sample_report())
    assert time.monotonic() - started < 10
    (record,) = warnings_only(caplog)
    assert "no PNG after 0.5 s" in record.getMessage()


def test_the_lead_reads_what_a_crash_in_process_used_to_answer(caplog):
    """Handlers answer a UserFacingError with its message: here the same words, in the
    same ephemeral reply, as the apology an exception from the chart got before."""
    answers: list[dict[str, Any]] = []

    def respond(**reply: Any) -> None:
        answers.append(reply)

    with replying(respond):
        raise ChartFailedError
    with replying(respond), caplog.at_level(logging.CRITICAL):
        raise RuntimeError("matplotlib failed in the worker")  # how it failed before
    assert answers[0] == answers[1]
    assert answers[0]["text"] == copy.SOMETHING_WENT_WRONG
    assert isinstance(ChartFailedError(), UserFacingError)
