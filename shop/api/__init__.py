"""Shop REST API, one module per sub-domain (accounts, catalog, commerce); `shop/api/urls.py` wires them."""

from django.core.exceptions import ValidationError
from rest_framework import permissions, serializers
from rest_framework.request import Request

from shop.models import User

__all__ = ["SignedInRequest", "StaffChangePermissions", "StaffModelPermissions", "field_errors"]


class SignedInRequest(Request):
    """The request of an `IsAuthenticated` API view: `request.user` is a shopper's account, for the type
    checker."""

    user: User


class StaffModelPermissions(permissions.DjangoModelPermissions):
    """Staff API views: a staff account holding the model permission for the method (reading needs `view_`,
    which plain `DjangoModelPermissions` does not ask for)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_staff) and super().has_permission(
            request, view
        )


class StaffChangePermissions(StaffModelPermissions):
    """An action that changes a row through POST (deactivate) needs `change_`, not `add_`."""

    perms_map = {**StaffModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


def field_errors(error: ValidationError) -> serializers.ValidationError:
    """A service's field errors as the API's 400 body (`{"field": ["message"]}`)."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})
