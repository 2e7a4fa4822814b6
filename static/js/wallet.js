// Wallet: "Buy" opens Stripe Checkout for the chosen pack.
(function () {
  "use strict";
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  document.querySelectorAll("[data-pack]").forEach(function (button) {
    button.addEventListener("click", async function () {
      button.disabled = true;
      const response = await fetch("/api/v1/credits/checkout", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf,
                   "Idempotency-Key": "pack-" + button.dataset.pack + "-" + Date.now() },
        body: JSON.stringify({ pack: Number(button.dataset.pack) }),
      });
      const body = await response.json();
      if (response.ok) { location.href = body.url; return; }
      button.disabled = false;
      button.textContent = body.detail || gettext("Try again");
    });
  });
})();
