from django.urls import path

from credits import views

app_name = "credits"
urlpatterns = [
    path("wallet/", views.wallet_page, name="wallet"),
    path("pricing/", views.pricing_page, name="pricing"),
]
