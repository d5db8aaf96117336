"""The three web pages of "Add to Slack": the button, done, and what went wrong.

Plain HTML with its style inline (no assets to serve); every value that came from
outside (a team's name) is escaped.
"""

from __future__ import annotations

from html import escape

_STYLE = """
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
background:#f8f8fa;color:#1d1c1d;margin:0;display:flex;min-height:100vh;align-items:center;
justify-content:center}
main{background:#fff;border:1px solid #e2e2e6;border-radius:12px;padding:40px 48px;max-width:560px;
box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:24px;margin:0 0 12px}p,li{font-size:16px;line-height:1.5}code{background:#f2f2f4;
padding:1px 5px;border-radius:4px;font-size:15px}a.button{display:inline-block;margin-top:12px;
background:#4a154b;color:#fff;text-decoration:none;padding:12px 20px;border-radius:8px;
font-weight:600}.muted{color:#616061;font-size:14px}a{color:#1264a3}
"""

# Why a step of the install failed, in the installer's words: Bolt's reason -> text.
_FAILURES = {
    "access_denied": (
        "Install cancelled",
        "Upward was not added: the install was cancelled in Slack. Nothing was stored.",
    ),
    "invalid_state": (
        "This install link has expired",
        "The link was used already, is more than ten minutes old, or did not come from this "
        "site. Nothing was stored.",
    ),
    "invalid_browser": (
        "This install link has expired",
        "The install was started in another browser, or its cookie was blocked. "
        "Nothing was stored.",
    ),
    "invalid_code": (
        "Slack did not confirm the install",
        "Slack refused the install code (it may have been used already). Nothing was stored.",
    ),
}
_GENERIC_FAILURE = (
    "The install did not finish",
    "Please try again in a minute. If it keeps failing, tell whoever runs Upward: the "
    "reason is in its log.",
)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · Upward</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def install_page(authorize_url: str) -> str:
    return _page(
        "Add Upward to Slack",
        "<h1>Upward: reverse mentoring in Slack</h1>"
        "<p>Upward pairs people who teach what they know best with leaders who want to "
        "learn it, sends each pair a weekly conversation prompt, and gives program leads "
        "a report.</p>"
        f'<a class=button href="{escape(authorize_url)}">Add to Slack</a>'
        "<p class=muted>Slack shows what Upward may do before you allow it. On Enterprise "
        "Grid, an org admin can add it to the whole org.</p>",
    )


def installed_page(place: str, *, app_url: str | None, org_wide: bool) -> str:
    where = f"every workspace of {escape(place)}" if org_wide else escape(place)
    open_link = (
        f'<a class=button href="{escape(app_url)}">Open Upward in Slack</a>' if app_url else ""
    )
    return _page(
        "Upward is installed",
        f"<h1>Upward is installed in {where}</h1>"
        "<p>What to do next:</p><ul>"
        "<li>Everyone: type <code>/mentor join</code> in any channel to opt in.</li>"
        "<li>Program leads (workspace admins and owners): type <code>/mentor program</code> "
        "to set up a cohort, then <code>/mentor match</code> when people have joined.</li>"
        "<li><code>/mentor help</code> lists the rest.</li></ul>"
        f"{open_link}",
    )


def failed_page(reason: str) -> str:
    title, text = _FAILURES.get(reason, _GENERIC_FAILURE)
    return _page(
        title,
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
        '<p><a href="/slack/install">Start the install again</a></p>',
    )
