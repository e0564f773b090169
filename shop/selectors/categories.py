"""Category reads: the category tree (cached per process and keyed by the catalogue version), subtrees, and
the catalogue version itself that every cached catalogue page is keyed by (bumped by `shop.services`)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.http import Http404
from django.utils.translation import gettext as _

from shop.models import Category

__all__ = [
    "CATALOGUE_VERSION_KEY",
    "catalogue_cache_version",
    "category_get",
    "category_list",
    "category_list_cached",
    "category_roots_cached",
    "category_subtree_ids",
    "forget_local_catalogue_version",
]


def category_roots_cached() -> list[Category]:
    """Top-level categories (with `.children_list`), from this process's copy of the category tree."""
    return category_list_cached()


# Rendered list fragments and the category tree are cached under this version; catalogue services bump it.
CATALOGUE_VERSION_KEY = "shop:catalogue_version"
# Every catalogue page needs the version; asking Redis once per second per process instead of once per request
# saves a round trip on each page. Another process sees a change at most this late; this one at once
# (`catalogue_changed` calls `forget_local_catalogue_version`).
CATALOGUE_VERSION_LOCAL_SECONDS = 1.0
_local_version: tuple[float, int] | None = None


def catalogue_cache_version() -> int:
    global _local_version
    now = time.monotonic()
    if _local_version is not None and now - _local_version[0] < CATALOGUE_VERSION_LOCAL_SECONDS:
        return _local_version[1]
    version = cache.get(CATALOGUE_VERSION_KEY)
    if version is None:
        # Start from the clock, not 1: after Redis lost its keys (a restart, a flush) the new version must
        # differ from every version a process may still hold pages or a category tree for.
        cache.add(CATALOGUE_VERSION_KEY, time.time_ns() // 1_000_000, None)
        version = cache.get(CATALOGUE_VERSION_KEY) or time.time_ns() // 1_000_000
    _local_version = (now, int(version))
    return int(version)


def forget_local_catalogue_version() -> None:
    global _local_version, _local_category_tree
    _local_version = None
    _local_category_tree = None


# --- categories -----------------------------------------------------------------------------------------


def category_list() -> list[Category]:
    """All categories, roots first then children, with `.children_list` filled (one query)."""
    categories = list(Category.objects.order_by("position", "name"))
    by_id: dict[int | None, Category] = {category.id: category for category in categories}
    for category in categories:
        category.children_list = []
    roots = []
    for category in categories:
        parent = by_id.get(category.parent_id)
        if parent is None:
            roots.append(category)
        else:
            parent.children_list.append(category)
    return roots


_local_category_tree: tuple[int, float, list[Category]] | None = None
CATEGORY_TREE_LOCAL_SECONDS = 300.0


def category_list_cached(*, version: int | None = None) -> list[Category]:
    """`category_list`, kept in this process per catalogue version (a few dozen rows that every page's
    navigation and filters show; a shared-cache round trip per page cost more than the copy)."""
    global _local_category_tree
    version = version or catalogue_cache_version()
    local = _local_category_tree
    now = time.monotonic()
    if local is not None and local[0] == version and now - local[1] < CATEGORY_TREE_LOCAL_SECONDS:
        return local[2]
    tree = category_list()
    _local_category_tree = (version, now, tree)
    return tree


def category_get(*, slug: str) -> Category:
    category = Category.objects.select_related("parent").filter(slug=slug).first()
    if category is None:
        raise Http404(_("No such category."))
    category.children_list = list(category.children.order_by("position", "name"))
    return category


def _walk(categories: list[Category]) -> Iterable[Category]:
    stack = list(reversed(categories))
    while stack:
        category = stack.pop()
        yield category
        stack.extend(reversed(getattr(category, "children_list", [])))


def _category_by_slug(slug: str) -> Category | None:
    """From this process's category tree; the database only for a slug the tree does not know (yet)."""
    for category in _walk(category_list_cached()):
        if category.slug == slug:
            return category
    return Category.objects.filter(slug=slug).first()


def _subtree_ids_from_tree(category_id: int) -> tuple[int, ...]:
    """The category and all its descendants from the cached tree; () when the tree lacks it."""
    for category in _walk(category_list_cached()):
        if category.id == category_id:
            return tuple(node.id for node in _walk([category]))
    return ()


def category_subtree_ids(*, category_id: int) -> list[int]:
    """The category and all its descendants (any depth), from one query over the small category table."""
    children: dict[int | None, list[int]] = {}
    for cid, parent_id in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(cid)
    result, stack = [], [category_id]
    while stack:
        current = stack.pop()
        result.append(current)
        stack.extend(children.get(current, []))
    return result
