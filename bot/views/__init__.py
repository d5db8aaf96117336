"""Pure functions from domain data to slack_sdk Block Kit models."""
