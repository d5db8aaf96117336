"""The sandbox: a local Slack workspace in the browser, for trying Upward without Slack.

`fakeslack` is a strict fake of Slack's Web API (checked against Slack's published spec);
the test suite talks to it too, so the sandbox and the tests share one Slack.
"""
