from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecsysConfig(AppConfig):
    name = "recsys"
    verbose_name = _("Recsys")
