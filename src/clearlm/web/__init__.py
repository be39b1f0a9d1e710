"""The rights-holder web pages: "is my work in this training data?", the ledger explorer, the funnel.

`create_web_app(WS, api_key=...)` builds them (`clearlm explore -w WS`); `mount_web_pages` puts
them in front of `clearlm serve`'s API when it is given the workspace. See docs/web.md.
"""

from __future__ import annotations

from clearlm.web.app import create_explore_app, create_web_app, mount_web_pages

__all__ = ["create_explore_app", "create_web_app", "mount_web_pages"]
