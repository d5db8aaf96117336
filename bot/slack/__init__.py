"""The one way out to Slack's Web API.

Everything the app asks Slack goes through :class:`bot.slack.gateway.SlackGateway`: it
picks the client (and, later, the workspace's token), checks Slack's Block Kit limits
before a call, and turns slack_sdk's errors into the few typed errors of
:mod:`bot.slack.errors`. Nothing outside this package builds a WebClient or imports
``slack_sdk.errors``.
"""
