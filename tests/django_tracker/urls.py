"""Three views: a page, an action (POST) and a logout that goes through Django's ``logout()``."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


@csrf_exempt
def action(request: HttpRequest) -> HttpResponse:
    return HttpResponse("done")


@csrf_exempt
def leave(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponse("bye")


urlpatterns = [path("page/", page), path("act/", action), path("logout/", leave)]
