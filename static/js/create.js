// Create page: posts the prompt to the API (with an Idempotency-Key so a double click makes
// one job), then follows the job live over the websocket, polling when the socket is down.
(function () {
  "use strict";
  const form = document.getElementById("create-form");
  if (!form) return;
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const seconds = document.getElementById("seconds");
  const secondsOut = document.getElementById("seconds-out");
  const submit = document.getElementById("generate");
  const jobBox = document.getElementById("job");
  const statusText = document.getElementById("job-status-text");
  const percentText = document.getElementById("job-percent");
  const bar = document.getElementById("job-progress");
  const jobError = document.getElementById("job-error");
  let job = null;
  let pollTimer = null;
  let idempotencyKey = newKey();

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  seconds.addEventListener("input", function () { secondsOut.textContent = seconds.value; });

  // The server's limit on the prompt (the textarea's maxlength comes from it), counted down.
  const promptCount = document.getElementById("prompt-count");
  function updateCount() {
    const max = Number(promptCount.dataset.max);
    const left = max - form.prompt.value.length;
    promptCount.textContent = interpolate(ngettext("%(left)s character left", "%(left)s characters left", left), { left: left }, true);
    promptCount.classList.toggle("error", left <= 0);
  }
  form.prompt.addEventListener("input", updateCount);
  updateCount();

  // What the local renderer would draw of the prompt, and the words it can't, before the click.
  const understoodBox = document.getElementById("understood");
  function showUnderstood(u, backend) {
    understoodBox.textContent = "";
    understoodBox.hidden = !u || backend !== "local" || (!u.drew.length && !u.cant_draw.length);
    if (understoodBox.hidden) return;
    if (u.drew.length) understoodBox.append(interpolate(gettext("Will draw: %(things)s"), { things: u.drew.join(", ") }, true));
    if (u.drew.length && u.cant_draw.length) understoodBox.append(" — ");
    if (u.cant_draw.length) {
      const cant = document.createElement("span");
      cant.className = "cant";
      cant.textContent = interpolate(gettext("can't draw: %(words)s"), { words: u.cant_draw.join(", ") }, true);
      understoodBox.append(cant);
    }
  }

  // The exact price, and the balance after it, before the click.
  const priceBox = document.getElementById("price");
  let quoteTimer = null;
  // Priced on the backend the chosen policy picks, with the alternatives and why others can't.
  async function updateQuote() {
    const payload = {
      seconds: Number(seconds.value), aspect: form.aspect.value,
      tier: form.tier.value, policy: form.policy.value,
    };
    if (form.prompt.value.trim()) payload.prompt = form.prompt.value;
    const response = await fetch(priceBox.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload),
    });
    if (!response.ok) return;
    const q = await response.json();
    priceBox.textContent = "";
    const options = document.getElementById("route-options") || { hidden: true };
    showUnderstood(q.understood, q.chosen && q.chosen.backend);
    if (!q.chosen) {
      priceBox.classList.add("error");
      priceBox.textContent = interpolate(gettext("No backend here can make this clip: %(reasons)s."), {
        reasons: Object.entries(q.refusals).map(function (e) { return e[0] + " " + e[1]; }).join("; "),
      }, true);
      priceBox.dataset.credits = "";
      submit.disabled = true;
      options.hidden = true;
      return;
    }
    if (!job || ["succeeded", "failed", "cancelled", "blocked"].includes(job.status)) submit.disabled = false;
    const c = q.chosen;
    const strong = document.createElement("strong");
    strong.textContent = interpolate(ngettext("%(count)s credit", "%(count)s credits", c.credits), { count: c.credits }, true);
    priceBox.append(gettext("Price:") + " ", strong, " " + interpolate(gettext("on %(backend)s · about %(time)s"), { backend: c.label, time: formatSeconds(c.expected_seconds) }, true));
    if (c.billed_seconds > payload.seconds) priceBox.append(" " + interpolate(gettext("(made as %(billed)s s, trimmed to %(seconds)s s)"), { billed: c.billed_seconds, seconds: payload.seconds }, true));
    if (q.balance !== null) priceBox.append(" · " + interpolate(gettext("you have %(balance)s, %(after)s after this clip"), { balance: q.balance, after: q.balance_after }, true));
    priceBox.classList.toggle("error", q.affordable === false);
    priceBox.dataset.credits = c.credits;
    priceBox.dataset.backend = c.backend;
    const rows = document.getElementById("route-rows");
    if (!rows) return; // the comparison of backends is shown to staff only
    rows.textContent = "";
    q.candidates.forEach(function (candidate) {
      const tr = document.createElement("tr");
      [candidate.label, String(candidate.credits), formatSeconds(candidate.expected_seconds)].forEach(function (text, i) {
        const td = document.createElement("td");
        td.textContent = text;
        if (i > 0) td.className = "num";
        tr.append(td);
      });
      rows.append(tr);
    });
    const refusals = document.getElementById("route-refusals");
    refusals.textContent = "";
    Object.entries(q.refusals).forEach(function (entry) {
      const li = document.createElement("li");
      li.textContent = entry[0] + " " + entry[1];
      refusals.append(li);
    });
    options.hidden = q.candidates.length + Object.keys(q.refusals).length < 2;
  }
  function formatSeconds(s) {
    if (s < 90) return interpolate(gettext("%(n)s s"), { n: Math.max(1, Math.round(s)) }, true);
    return interpolate(gettext("%(n)s min"), { n: Math.round(s / 60) }, true);
  }
  form.addEventListener("input", function () { clearTimeout(quoteTimer); quoteTimer = setTimeout(updateQuote, 150); });
  updateQuote();
  form.addEventListener("input", function () { idempotencyKey = newKey(); });

  function showErrors(body) {
    form.querySelectorAll("[data-error-for]").forEach(function (p) { p.textContent = ""; });
    const fields = (body && body.fields) || {};
    let shown = false;
    for (const [name, messages] of Object.entries(fields)) {
      const slot = form.querySelector('[data-error-for="' + name + '"]');
      if (slot) { slot.textContent = messages.join(" "); shown = true; }
    }
    if (!shown) form.querySelector('[data-error-for="__all__"]').textContent = (body && body.detail) || gettext("Something went wrong.");
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    submit.disabled = true;
    const payload = {
      prompt: form.prompt.value,
      seconds: Number(seconds.value),
      aspect: form.aspect.value,
      tier: form.tier.value,
      policy: form.policy.value,
    };
    if (form.seed.value !== "") payload.seed = Number(form.seed.value);
    if (form.remix_of.value !== "") payload.remix_of = Number(form.remix_of.value);
    try {
      const response = await fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": csrf,
          "Idempotency-Key": idempotencyKey,
        },
        body: JSON.stringify(payload),
      });
      const body = await response.json();
      if (!response.ok) { showErrors(body); submit.disabled = false; return; }
      showErrors({ fields: { __all__: [] } });
      track(body);
    } catch (e) {
      showErrors({ detail: gettext("Network error, try again.") });
      submit.disabled = false;
    }
  });

  function track(data) {
    job = data;
    jobBox.hidden = false;
    document.getElementById("job-result").hidden = true;
    // On a phone the form fills the screen: bring the progress into view (it then stays pinned).
    jobBox.scrollIntoView({ block: "nearest", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
    render(data);
    schedulePoll();
  }

  function render(data) {
    const labels = { queued: gettext("Queued"), running: gettext("Rendering"), succeeded: gettext("Done"), failed: gettext("Failed"), cancelled: gettext("Cancelled"), blocked: gettext("Blocked") };
    statusText.textContent = labels[data.status] || data.status;
    const pct = data.status === "succeeded" ? 100 : (data.progress || 0);
    percentText.textContent = pct;
    bar.value = pct;
    jobBox.dataset.status = data.status;
    jobError.textContent = data.status === "failed" || data.status === "blocked" ? (data.error || "") : "";
    if (data.status === "succeeded" && data.video_url) showResult(data);
    if (["succeeded", "failed", "cancelled", "blocked"].includes(data.status)) {
      submit.disabled = false;
      updateQuote();
      idempotencyKey = newKey();
      clearTimeout(pollTimer);
    }
  }

  function showResult(data) {
    const result = document.getElementById("job-result");
    if (!result.hidden) return;
    const video = document.getElementById("job-video");
    video.src = data.video_url;
    video.poster = data.poster_url || "";
    result.hidden = false;
    video.play().catch(function () {});
  }

  async function refresh() {
    if (!job) return;
    const response = await fetch(form.dataset.api + "/" + job.id, { credentials: "same-origin" });
    if (response.ok) {
      const data = await response.json();
      job = data;
      render(data);
    }
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    // The socket is the fast path; polling is the fallback (and a safety net every few seconds).
    const delay = window.reverieEvents && window.reverieEvents.isOpen() ? 4000 : 1000;
    pollTimer = setTimeout(async function () {
      try { await refresh(); } catch (e) { /* try again next tick */ }
      if (job && !["succeeded", "failed", "cancelled", "blocked"].includes(job.status)) schedulePoll();
    }, delay);
  }

  window.addEventListener("reverie:event", function (event) {
    const data = event.detail;
    if (!job || data.job !== job.id) return;
    if (data.type === "job.progress" && job.status !== "succeeded") {
      job.status = data.status;
      job.progress = data.progress;
      render(job);
    } else if (data.type === "job.updated") {
      if (data.status === "succeeded") refresh();
      else { job.status = data.status; job.progress = data.progress; job.error = data.error; render(job); }
    }
  });

  document.getElementById("publish").addEventListener("click", async function () {
    const button = this;
    button.disabled = true;
    const response = await fetch(form.dataset.api + "/" + job.id + "/publish", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ caption: document.getElementById("caption").value }),
    });
    const body = await response.json();
    if (response.ok) {
      document.getElementById("published").hidden = false;
      document.getElementById("published-link").href = body.page_url;
      button.hidden = true;
    } else {
      jobError.textContent = body.detail || gettext("Could not publish.");
      button.disabled = false;
    }
  });
})();
