"""Errors as application/problem+json (RFC 9457) for every path under /api/.

DRF's exception handler covers the API views; unknown URLs, CSRF failures and oversized
bodies never reach it, so the 404/500 handlers and the CSRF failure view answer for /api/ here
too. `detail` is in the request's language (LocaleMiddleware has activated it).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from booking.errors import DomainError

PROBLEM_TYPE_BASE = "https://lasrum.se/problems/"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def problem(
    status_code: int, code: str, detail: str, errors: list[dict] | None = None, headers=None
) -> JsonResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(
        body,
        status=status_code,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _pointer_errors(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF's nested ValidationError detail into JSON-pointer errors."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                out.extend(_pointer_errors(value, prefix))
            else:
                out.extend(_pointer_errors(value, f"{prefix}/{key}"))
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                out.append(
                    {
                        "pointer": prefix or "/",
                        "code": getattr(item, "code", "invalid") or "invalid",
                        "detail": str(item),
                    }
                )
        else:
            for index, item in enumerate(detail):
                out.extend(_pointer_errors(item, f"{prefix}/{index}"))
    else:
        out.append(
            {
                "pointer": prefix or "/",
                "code": getattr(detail, "code", "invalid") or "invalid",
                "detail": str(detail),
            }
        )
    return out


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return problem(exc.status, exc.code, str(exc), exc.errors or None)
    if isinstance(exc, RequestDataTooBig):
        return problem(413, "too_large", _("Begäran är för stor."))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.headers.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            400, "invalid", _("Uppgifterna är inte giltiga."), _pointer_errors(exc.detail), headers
        )
    if isinstance(exc, exceptions.Throttled):
        wait = exc.wait
        headers.setdefault("Retry-After", str(int(wait) if wait else 60))
        return problem(
            429, "throttled", _("För många förfrågningar. Försök igen om en stund."), headers=headers
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return problem(401, "not_authenticated", _("Du behöver logga in."), headers=headers)
    if isinstance(exc, exceptions.PermissionDenied):
        return problem(
            403, "permission_denied", _("Du har inte behörighet att göra det här."), headers=headers
        )
    if isinstance(exc, exceptions.NotFound):
        return problem(404, "not_found", _("Det du söker finns inte."), headers=headers)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return problem(405, "method_not_allowed", _("Metoden är inte tillåten här."), headers=headers)
    if isinstance(exc, exceptions.ParseError):
        return problem(400, "invalid", _("Begäran kunde inte tolkas som JSON."), [], headers)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return problem(
            415, "unsupported_media_type", _("Innehållstypen stöds inte. Skicka JSON."), headers=headers
        )
    if isinstance(exc, exceptions.NotAcceptable):
        return problem(406, "not_acceptable", _("Svarsformatet stöds inte."), headers=headers)
    return problem(response.status_code, "error", str(getattr(exc, "detail", exc)), headers=headers)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _is_api(request):
        return problem(404, "not_found", _("Det du söker finns inte."))
    return render(request, "404.html", status=404)


def handler500(request):
    if _is_api(request):
        return problem(500, "server_error", _("Något gick fel hos oss. Försök igen om en stund."))
    return render(request, "500.html", status=500)


def handler400(request, exception=None):
    if isinstance(exception, RequestDataTooBig) or isinstance(
        getattr(exception, "__cause__", None), RequestDataTooBig
    ):
        if _is_api(request):
            return problem(413, "too_large", _("Begäran är för stor."))
        return render(request, "413.html", status=413)
    if _is_api(request):
        return problem(400, "invalid", _("Begäran kunde inte tolkas."))
    return render(request, "400.html", status=400)


_STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def _status_problem(status_code: int) -> JsonResponse:
    code = _STATUS_CODES.get(status_code, "server_error" if status_code >= 500 else "error")
    details = {
        "invalid": _("Begäran kunde inte tolkas."),
        "not_authenticated": _("Du behöver logga in."),
        "permission_denied": _("Du har inte behörighet att göra det här."),
        "not_found": _("Det du söker finns inte."),
        "method_not_allowed": _("Metoden är inte tillåten här."),
        "too_large": _("Begäran är för stor."),
        "server_error": _("Något gick fel hos oss. Försök igen om en stund."),
        "error": _("Begäran kunde inte utföras."),
    }
    return problem(status_code, code, details[code])


class ApiProblemMiddleware:
    """Keeps every answer under /api/ problem+json, whatever produced it.

    - A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 before anyone reads
      it: Django only raises RequestDataTooBig lazily when request.body is read, and DRF's JSON
      parser reads the stream directly, past the limit, so the size is checked here by
      Content-Length.
    - An error page that is not JSON (Django's technical 404/500 pages under DEBUG, a 405 from a
      plain view, a 400 from a SuspiciousOperation) is replaced by the problem for its status.
    Placed after LocaleMiddleware, so `detail` is in the request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_api(request):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return problem(400, "invalid", _("Begäran kunde inte tolkas."))
        if limit is not None and length > limit:
            return problem(413, "too_large", _("Begäran är för stor."))
        response = self.get_response(request)
        if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
            replacement = _status_problem(response.status_code)
            for name in ("Retry-After", "Allow", "WWW-Authenticate"):
                if name in response:
                    replacement[name] = response[name]
            return replacement
        return response


def csrf_failure(request, reason=""):
    if _is_api(request):
        return problem(
            403, "permission_denied", _("CSRF-kontrollen misslyckades. Ladda om sidan och försök igen.")
        )
    if settings.DEBUG:
        return django_csrf_failure(request, reason=reason)
    return render(request, "403_csrf.html", status=status.HTTP_403_FORBIDDEN)
