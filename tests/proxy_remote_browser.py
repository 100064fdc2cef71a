"""A stand-in browser for the OAuth tests (`BROWSER="python proxy_remote_browser.py %s"`): it
opens the authorization URL and follows its redirect to mcpir's loopback listener, as a user
who approves would."""

from __future__ import annotations

import sys
import urllib.request

if __name__ == "__main__":
    with urllib.request.urlopen(sys.argv[1], timeout=30) as page:  # noqa: S310 - a local test URL
        page.read()
