from django.urls import path

from recsys.api.recommendations import ProductRecommendationListView, RecommendationListView

urlpatterns = [
    # Before the shared route, so each product widget documents its required `product` parameter.
    path(
        "similar/",
        ProductRecommendationListView.as_view(),
        {"widget": "similar"},
        name="recs-similar",
    ),
    path(
        "bought_together/",
        ProductRecommendationListView.as_view(),
        {"widget": "bought_together"},
        name="recs-bought-together",
    ),
    path("<slug:widget>/", RecommendationListView.as_view(), name="recs-list"),
]
