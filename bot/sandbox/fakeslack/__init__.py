"""A strict fake of Slack's Web API: the test suite's Slack and the sandbox's.

with FakeSlack() as slack:
    client = WebClient(token=slack.token, base_url=slack.url)
"""

from bot.sandbox.fakeslack.server import Call, FakeSlack, Stats

__all__ = ["Call", "FakeSlack", "Stats"]
