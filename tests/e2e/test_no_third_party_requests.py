"""No third-party requests from any public page: no analytics, fonts, CDNs or
embeds (DESIGN.md section 5). Every request the browser makes, including those
after the page has loaded, goes to our own host."""

import pytest

from tests.e2e.conftest import public_paths, same_host

pytestmark = pytest.mark.browser


def test_public_pages_only_ask_our_own_host(page, seeded_server, requests_seen):
    foreign = {}
    for path in public_paths():
        start = len(requests_seen)
        response = page.goto(seeded_server.url + path, wait_until="networkidle")
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"
        # Bring lazy content (images below the fold) into view, then let it load.
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_load_state("networkidle")
        made = requests_seen[start:]
        assert made, f"no request recorded for {path}"
        elsewhere = [url for url in made if not same_host(url, seeded_server.url)]
        if elsewhere:
            foreign[path] = elsewhere

    assert not foreign, f"requests to other hosts: {foreign}"
