from django.contrib import admin  # noqa: F401

from support import admin_assistant  # noqa: F401
