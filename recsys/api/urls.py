from django.urls import path

from recsys.api.recommendations import RecommendationListView

urlpatterns = [
    path("<slug:widget>/", RecommendationListView.as_view(), name="recs-list"),
]
