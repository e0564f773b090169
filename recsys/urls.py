from recsys.views import urlpatterns as view_patterns

app_name = "recsys"
urlpatterns = [*view_patterns]
