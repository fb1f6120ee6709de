from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 20, at most 100 (a larger page_size is clamped, as DRF does); a page_size or a
    page that is not a positive whole number is a 400 naming the parameter, not ignored."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Ange ett heltal från 1 till %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if (
            raw is not None
            and raw not in self.last_page_strings
            and not (raw.isascii() and raw.isdigit() and int(raw) > 0)
        ):
            raise ValidationError({self.page_query_param: [_("Ange ett sidnummer från 1.")]})
        return super().paginate_queryset(queryset, request, view)
