// My cameos: create, save settings, delete clips that used a cameo, revoke, delete.
(function () {
  "use strict";
  const root = document.getElementById("cameos");
  if (!root) return;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;

  async function send(method, url, body) {
    const response = await fetch(url, { method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined });
    if (response.status === 204) return { ok: true, body: {} };
    return { ok: response.ok, body: await response.json().catch(function () { return {}; }) };
  }

  function showError(form, body) {
    const slot = form.querySelector("[data-error]");
    const fields = body.fields || {};
    const first = Object.values(fields)[0];
    slot.textContent = (first && first[0]) || body.detail || gettext("Something went wrong.");
  }

  document.getElementById("new-cameo").addEventListener("submit", async function (event) {
    event.preventDefault();
    const result = await send("POST", this.dataset.url, { kind: this.kind.value, handle: this.handle.value, name: this.name.value });
    if (result.ok) location.href = "/cameo/" + result.body.id + "/verify/";
    else showError(this, result.body);
  });

  root.querySelectorAll(".cameo-settings").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const approved = form.approved.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      const result = await send("PATCH", form.dataset.url, { permission: form.permission.value,
        preferences: form.preferences.value, approved: approved,
        revenue_share_opt_in: form.revenue_share_opt_in.checked });
      if (result.ok) location.reload(); else showError(form, result.body);
    });
  });

  root.addEventListener("click", async function (event) {
    const usage = event.target.closest("[data-delete-usage]");
    if (usage && confirm(gettext("Remove this clip everywhere? Its creator will be told."))) {
      if ((await send("DELETE", usage.dataset.deleteUsage)).ok) location.reload();
    }
    const revoke = event.target.closest("[data-revoke]");
    if (revoke && confirm(gettext("Revoke: nobody can use it from now on."))) {
      const takeDown = revoke.parentElement.querySelector("[data-take-down]").checked;
      if ((await send("POST", revoke.dataset.revoke, { take_down_published: takeDown })).ok) location.reload();
    }
    const remove = event.target.closest("[data-delete-cameo]");
    if (remove && confirm(gettext("Delete this cameo and its verification recordings?"))) {
      if ((await send("DELETE", remove.dataset.deleteCameo)).ok) location.reload();
    }
  });
})();
