"""Template tags of the cached page layout (`common.fragments`), registered as the `layout` library in
settings (the shared package is not an app, so it has no `templatetags` folder)."""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from common.fragments import LAYOUT_CONTEXT_FLAG, LayoutParts, current_page_marker, layout_parts

register = template.Library()


@register.simple_tag(takes_context=True)
def cached_layout(
    context: Context, *template_names: str, owner: object, vary_on: object
) -> LayoutParts:
    """`{% cached_layout "a.html" "b.html" owner=user.pk vary_on=... as layout %}`: the templates rendered
    once per owner and inputs; `{{ layout.0 }}`, `{{ layout.1 }}` in this response."""
    values = vary_on if isinstance(vary_on, list | tuple) else (vary_on,)
    return layout_parts(context, owner=owner, template_names=template_names, vary_on=tuple(values))


@register.simple_tag
def layout_vary(*values: object) -> tuple[object, ...]:
    """The values a cached layout shows, as one tuple (`{% layout_vary a b c as vary %}`)."""
    return values


@register.simple_tag(takes_context=True)
def aria_current(context: Context, url: str) -> SafeString:
    """` aria-current="page"` on the link to the page being shown (resolved per response in a cached
    layout)."""
    request = context.get("request")
    marker = current_page_marker(
        url=url,
        in_layout=bool(context.get(LAYOUT_CONTEXT_FLAG)),
        request_path=getattr(request, "path", None),
    )
    return mark_safe(marker)  # noqa: S308 - fixed markup or a placeholder of a reversed URL
