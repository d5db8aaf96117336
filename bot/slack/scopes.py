"""The bot scopes Upward asks for: manifest.json's oauth_config.scopes.bot, which
tests/test_manifest.py keeps equal. "Add to Slack" asks for them, and the sandbox's fake
Slack grants them (its image has no manifest.json to read)."""

BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "mpim:write",
    "im:history",
    "mpim:history",
    "users:read",
    "users:read.email",
    "files:write",
)
