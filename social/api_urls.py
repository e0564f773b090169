from social import api

urlpatterns: list = [*api.urlpatterns]

# Group buying and moderation (social-community) keep their API routes beside their views.
from social import api_groupbuy, api_moderation  # noqa: E402

urlpatterns += [*api_groupbuy.urlpatterns, *api_moderation.urlpatterns]
