"""``{% other_organisations as others %}``: the signed-in user's other organisations, for the switcher."""

from django import template

from reports.selectors_org import memberships_of

register = template.Library()


@register.simple_tag(takes_context=True)
def other_organisations(context, current):
    """The user's memberships except the one of ``current``, by name. One query."""
    user = context["request"].user
    return [m for m in memberships_of(user) if m.organisation_id != current.pk]
