from django.contrib import admin  # noqa: F401

# Group buying and moderation (social-community) register their models in their own module.
from social import admin_community  # noqa: E402, F401
