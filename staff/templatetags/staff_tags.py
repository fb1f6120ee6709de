from django import template

from booking import access

register = template.Library()


@register.filter
def is_organiser(user) -> bool:
    return access.is_organiser(user)


@register.filter
def is_staff_member(user) -> bool:
    return access.is_staff_member(user)


@register.filter
def is_creator(user) -> bool:
    return access.creator_for(user) is not None
