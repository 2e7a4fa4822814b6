// Drafts page: publish buttons, and live status of running jobs.
(function () {
  "use strict";
  const list = document.getElementById("drafts");
  if (!list) return;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;

  list.addEventListener("click", async function (event) {
    const button = event.target.closest("[data-publish]");
    if (!button) return;
    button.disabled = true;
    const response = await fetch(button.dataset.publish, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: "{}",
    });
    const body = await response.json();
    if (response.ok) {
      const link = document.createElement("a");
      link.href = body.page_url;
      link.textContent = gettext("Published");
      button.replaceWith(link);
    } else {
      button.disabled = false;
      button.textContent = body.detail || gettext("Try again");
    }
  });

  window.addEventListener("reverie:event", function (event) {
    const data = event.detail;
    const item = list.querySelector('[data-job="' + data.job + '"]');
    if (!item) return;
    if (data.type === "job.updated" && data.status !== item.dataset.status) {
      location.reload();  // a finished job brings its poster and buttons: simplest to re-render
    } else if (data.type === "job.progress") {
      const percent = item.querySelector(".percent");
      if (percent) percent.textContent = data.progress;
    }
  });
})();
