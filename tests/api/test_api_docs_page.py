"""The interactive docs work on an isolated network: Swagger UI comes from the service itself."""

from __future__ import annotations

import re


def test_the_docs_page_loads_swagger_ui_from_the_service_only(api):
    page = api.get("/docs", role=None)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls   # nothing from another host
    assert "/openapi.json" in urls
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
        assert asset in urls
        answer = api.get(asset, role=None)
        assert answer.status_code == 200 and len(answer.content) > 10_000
    assert api.get("/redoc", role=None).status_code == 404  # ReDoc would load from a CDN: not offered
