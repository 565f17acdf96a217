"""The REST API, `/api/v1/`: OpenAPI 3 at `/api/v1/openapi.json`, docs at `/api/v1/docs`."""

from __future__ import annotations

from django.views.decorators.csp import csp_override
from ninja import NinjaAPI, Swagger

from sciday.api import accounts, activities, activity_import, campaigns, errors, orgs, signups
from sciday.api import news as news_api
from sciday.api import reports as reports_api
from sciday.api import resources as resources_api
from sciday.api import showcase as showcase_api

DESCRIPTION = """
Everything a unit can do on the web pages it can do here, so provincial systems can sync.

**Authentication.** Send a personal API token (created on your profile page) as
`Authorization: Bearer sd_…`. Pages of sciday may also call the API with the browser session
(and the CSRF token on writes).

**Errors** always have the shape `{"detail", "code", "field"}`; a 422 adds `errors`. Messages
follow `Accept-Language` (Simplified Chinese by default). A unit outside what you may see
answers 404; one you may see but not change answers 403.
"""

# Swagger UI sets inline styles; allow them on the docs page only. Scripts stay strict.
_docs_csp = csp_override(
    {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
)

api = NinjaAPI(
    title="sciday API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    docs_decorator=_docs_csp,
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", accounts.router)
api.add_router("", orgs.router)
api.add_router("", orgs.regions_router)
api.add_router("", campaigns.router)
api.add_router("", activity_import.router)
api.add_router("", activities.router)
api.add_router("", activities.venues_router)
api.add_router("", signups.router)
api.add_router("", resources_api.router)
api.add_router("", showcase_api.router)
api.add_router("", news_api.router)
api.add_router("", reports_api.router)
