"""A strict fake of Slack's Web API for tests.

with FakeSlack() as slack:
    client = WebClient(token=slack.token, base_url=slack.url)
"""

from tests.fakeslack.server import Call, FakeSlack, Stats

__all__ = ["Call", "FakeSlack", "Stats"]
