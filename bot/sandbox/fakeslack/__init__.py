"""A strict fake of Slack's Web API: the test suite's Slack and the sandbox's.

with FakeSlack() as slack:
    client = WebClient(token=slack.token, base_url=slack.url)
"""

from bot.sandbox.fakeslack.server import CHAOS_FAULTS, Call, FakeSlack, PostPace, Stats

__all__ = ["CHAOS_FAULTS", "Call", "FakeSlack", "PostPace", "Stats"]
