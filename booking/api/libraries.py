"""GET, PATCH /api/v1/libraries/{id}/: one library, changed in the shape GET answers (API.md).

The serializer checks only shapes and types; what a valid e-mail, phone, postcode or web
address is, who may change a library and when its address counts as verified is decided by
booking.services.libraries, which the staff page calls too."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import access
from booking.api.event_serializers import LibraryOut
from booking.errors import PermissionDenied
from booking.selectors.events import library_list
from booking.services.libraries import library_update


class AddressIn(serializers.Serializer):
    street_address = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    postal_code = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    city = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)


class LibraryUpdateIn(serializers.Serializer):
    """Every field is optional; one left out stays as it is. `address` is replaced whole (a
    key left out of it is blank); a save of the address by the library's own staff verifies it."""

    address = AddressIn(required=False)
    email = serializers.CharField(allow_blank=True, required=False, help_text="for questions; blank: none")
    phone = serializers.CharField(allow_blank=True, required=False, help_text="as people should read it")
    opening_hours_url = serializers.CharField(allow_blank=True, required=False, help_text="http(s) URL")
    accessibility_description = serializers.CharField(
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text="in words: entrance, lift, toilet, hearing loop, parking, quiet room",
    )


def _library(pk):
    return get_object_or_404(library_list(include_inactive=True), pk=pk)


class LibraryDetail(APIView):
    @extend_schema(responses=LibraryOut)
    def get(self, request, pk):
        return Response(LibraryOut(_library(pk)).data)

    @extend_schema(request=LibraryUpdateIn, responses=LibraryOut)
    def patch(self, request, pk):
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated()
        library = _library(pk)
        if not access.can_manage_library(request.user, library.pk):
            raise PermissionDenied()
        serializer = LibraryUpdateIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        library_update(library=library, actor=request.user, **serializer.validated_data)
        return Response(LibraryOut(_library(pk)).data)


__all__ = ["LibraryDetail"]
