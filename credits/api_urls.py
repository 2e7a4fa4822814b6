from django.urls import path

from credits import api

urlpatterns = [
    path("credits/balance", api.BalanceView.as_view(), name="api-credits-balance"),
    path("credits/ledger", api.LedgerView.as_view(), name="api-credits-ledger"),
    path("credits/quote", api.QuoteView.as_view(), name="api-credits-quote"),
    path("credits/packs", api.PacksView.as_view(), name="api-credits-packs"),
    path("credits/checkout", api.CheckoutView.as_view(), name="api-credits-checkout"),
    path("stripe/webhook", api.StripeWebhookView.as_view(), name="api-stripe-webhook"),
]
