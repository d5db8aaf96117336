"""Plain data that services hand to views: frozen dataclasses, enums and form limits.

Services sit above views and call them to compose messages, so a view must not reach back
into a service for the types it renders. What both sides read lives here instead, with no
database, Slack or service import: see tests/test_layers.py.
"""
