"""/api/v1/me/, /api/v1/me/feed-token/rotate/ and /api/v1/creators/."""

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import access
from booking.api.people_serializers import CreatorOutput, CreatorProfileIn
from booking.errors import PermissionDenied
from booking.models import Audience, Creator, Genre, Language, Library, StaffRole
from booking.services.creators import creator_profile_update
from booking.services.feed_tokens import feed_token_for, feed_token_rotate
from feeds.services import private_feed_url


class CreatorFilter(django_filters.FilterSet):
    """ "A young-adult author who writes in Arabic": ?genre=young_adult&language=ar&role=author."""

    # Each filter has its label: without one django-filter shows "[invalid name]" on the page.
    language = django_filters.ModelChoiceFilter(
        field_name="languages", queryset=Language.objects.all(), label=_("Språk")
    )
    genre = django_filters.ModelChoiceFilter(
        field_name="genres", queryset=Genre.objects.all(), label=_("Genre")
    )
    audience = django_filters.ModelChoiceFilter(
        field_name="audiences", queryset=Audience.objects.all(), label=_("Målgrupp")
    )
    role = django_filters.ChoiceFilter(choices=Creator.Role.choices, method="filter_role", label=_("Roll"))
    municipality = django_filters.CharFilter(field_name="home_municipality_id", label=_("Hemkommun"))
    q = django_filters.CharFilter(method="filter_text", max_length=100, label=_("Sök"))

    class Meta:
        model = Creator
        fields: list[str] = []

    def filter_role(self, queryset, name, value):
        # roles is a JSON list; a text match on the quoted code works on SQLite and PostgreSQL.
        return queryset.filter(roles__icontains=f'"{value}"')

    def filter_text(self, queryset, name, value):
        condition = Q()
        for word in value.split():
            condition &= (
                Q(name__icontains=word)
                | Q(bio__icontains=word)
                | Q(genres__name_sv__icontains=word)
                | Q(genres__name_en__icontains=word)
                | Q(languages__name_sv__icontains=word)
                | Q(languages__name_en__icontains=word)
            )
        return queryset.filter(pk__in=Creator.objects.filter(condition).values("pk"))


def creator_queryset(user):
    queryset = Creator.objects.select_related("home_municipality").prefetch_related(
        "languages", "genres", "audiences"
    )
    if access.can_see_creator_private(user):
        queryset = queryset.prefetch_related("unavailable")
    else:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("name", "pk")


class CreatorList(generics.ListAPIView):
    serializer_class = CreatorOutput
    filterset_class = CreatorFilter

    def get_queryset(self):
        return creator_queryset(self.request.user)


class CreatorDetail(APIView):
    @extend_schema(responses=CreatorOutput)
    def get(self, request, pk: int):
        creator = get_object_or_404(creator_queryset(request.user), pk=pk)
        return Response(CreatorOutput(creator, context={"request": request}).data)

    @extend_schema(request=CreatorProfileIn, responses=CreatorOutput)
    def patch(self, request, pk: int):
        """The creator themself (or an organiser) changes the profile; 403 for anyone else."""
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated()
        creator = get_object_or_404(creator_queryset(request.user), pk=pk)
        if not access.can_edit_creator(request.user, creator):
            raise PermissionDenied()
        serializer = CreatorProfileIn(data=request.data)  # every field optional; items whole
        serializer.is_valid(raise_exception=True)
        creator_profile_update(creator=creator, actor=request.user, **serializer.validated_data)
        fresh = creator_queryset(request.user).prefetch_related("unavailable").get(pk=pk)
        return Response(CreatorOutput(fresh, context={"request": request}).data)


def _libraries(user):
    queryset = Library.objects.select_related("municipality")
    if not access.is_organiser(user):
        queryset = queryset.filter(pk__in=access.staff_library_ids(user))
    return [{"id": lib.pk, "name": lib.name, "municipality": lib.municipality_id} for lib in queryset]


def me_data(user, request) -> dict:
    roles = StaffRole.objects.filter(user=user).select_related("library", "creator")
    creator = access.creator_for(user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "is_organiser": access.is_organiser(user),
        "roles": [
            {"role": role.role, "library": role.library_id, "creator": role.creator_id} for role in roles
        ],
        "libraries": _libraries(user),
        "creator": CreatorOutput(creator, context={"request": request}).data if creator else None,
        "calendar_feed_url": private_feed_url(feed_token_for(user)),
    }


ME_SCHEMA = inline_serializer(
    "Me",
    {
        "id": serializers.IntegerField(),
        "username": serializers.CharField(),
        "roles": serializers.ListField(child=serializers.DictField()),
        "libraries": serializers.ListField(child=serializers.DictField()),
        "creator": CreatorOutput(allow_null=True),
        "calendar_feed_url": serializers.URLField(),
    },
)


class Me(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ME_SCHEMA)
    def get(self, request):
        return Response(me_data(request.user, request))


class FeedTokenRotate(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ME_SCHEMA)
    def post(self, request):
        feed_token_rotate(request.user)
        return Response(me_data(request.user, request))
