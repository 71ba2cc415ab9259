"""A minimal Django project configured in code: settings, two views and the URLconf in one module.

Its URL patterns are written WITHOUT the /django prefix: the mount tells Django where it lives through the
ASGI `root_path`, which Django turns into SCRIPT_NAME, so request.path and reverse() include /django.
"""

import os

from django.conf import settings

if not settings.configured:  # settings can be configured once per process
    settings.configure(
        DEBUG=False,  # True would render tracebacks (and settings) to anyone who triggers an error
        # A real deployment sets DJANGO_SECRET_KEY; the dev default only keeps the demo runnable.
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me"),
        # The Host header is checked against this list (by CommonMiddleware's get_host()): others get 400.
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "[::1]"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],  # no models, admin or sessions: this module is the whole "project"
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],  # host check + APPEND_SLASH redirects
        USE_TZ=True,
    )

# Kept below settings.configure() so nothing can touch Django settings before they exist.
from django.core.asgi import get_asgi_application
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET


@require_GET
async def index(request: HttpRequest) -> JsonResponse:
    # Async views run on the event loop; sync views would go through Django's single sync thread.
    return JsonResponse(
        {
            "framework": "django",
            "script_name": request.META["SCRIPT_NAME"],  # "/django": from the mount's root_path
            "path": request.path,  # full path, prefix included
            "path_info": request.path_info,  # what the URLconf matched, prefix removed
            "info_url": reverse("info"),  # reverse() adds the prefix too
        }
    )


@require_GET  # other methods get 405 (Django's decorators support async views)
async def info(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"framework": "django", "view": "info"})


@require_GET
async def go(request: HttpRequest) -> HttpResponseRedirect:
    # A redirect built from reverse() points inside the mount, not at Streamlit's root.
    return HttpResponseRedirect(reverse("info"))


urlpatterns = [
    path("", index, name="index"),
    path("info/", info, name="info"),
    path("go/", go, name="go"),
]

django_asgi = get_asgi_application()  # calls django.setup()
