from django.urls import path

from grants import open_data_views

app_name = "open_data"

urlpatterns = [
    path("360giving.json", open_data_views.giving_json, name="giving_json"),
    path("360giving.csv", open_data_views.giving_csv, name="giving_csv"),
    path("grants-candid.csv", open_data_views.candid_csv, name="candid_csv"),
]
