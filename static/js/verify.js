// Cameo verification: get a fresh challenge, record with getUserMedia + MediaRecorder (or pick a
// file), upload it, then follow the checks.
(function () {
  "use strict";
  const box = document.getElementById("verify");
  if (!box) return;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const status = document.getElementById("status");
  const error = document.getElementById("error");
  const preview = document.getElementById("preview");
  const recordButton = document.getElementById("record");
  const stopButton = document.getElementById("stop");
  let attempt = null;
  let recorder = null;
  let chunks = [];

  async function start() {
    const response = await fetch(box.dataset.start, { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) { error.textContent = body.detail || gettext("Could not start."); return null; }
    attempt = body;
    document.getElementById("challenge").textContent = body.challenge_text;
    status.textContent = gettext("Challenge ready.");
    return body;
  }

  async function upload(blob, name) {
    if (!attempt && !(await start())) return;
    const form = new FormData();
    form.append("clip", blob, name);
    status.textContent = gettext("Uploading…");
    const response = await fetch("/api/v1/verifications/" + attempt.id, { method: "POST",
      credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: form });
    const body = await response.json();
    if (!response.ok) {
      error.textContent = (body.fields && body.fields.clip && body.fields.clip[0]) || body.detail;
      status.textContent = "";
      attempt = null;
      return;
    }
    error.textContent = "";
    follow(body.id);
  }

  function follow(id) {
    status.textContent = gettext("Checking your recording…");
    const timer = setInterval(async function () {
      const response = await fetch("/api/v1/verifications/" + id, { credentials: "same-origin" });
      const body = await response.json();
      status.dataset.state = body.status;
      if (body.status !== "checking") {
        clearInterval(timer);
        status.textContent = body.checks_passed ? gettext("Checks passed — a moderator will review it.")
          : gettext("Some checks did not pass — a moderator will review it.");
      }
    }, 1000);
  }

  recordButton.addEventListener("click", async function () {
    error.textContent = "";
    if (!(await start())) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    } catch (e) {
      error.textContent = gettext("No camera available — upload a recording instead.");
      return;
    }
    preview.srcObject = stream;
    chunks = [];
    const type = MediaRecorder.isTypeSupported("video/webm;codecs=vp8,opus") ? "video/webm;codecs=vp8,opus" : "video/webm";
    recorder = new MediaRecorder(stream, { mimeType: type });
    recorder.ondataavailable = function (event) { if (event.data.size) chunks.push(event.data); };
    recorder.onstop = function () {
      stream.getTracks().forEach(function (track) { track.stop(); });
      upload(new Blob(chunks, { type: "video/webm" }), "verification.webm");
    };
    recorder.start(500);
    recordButton.hidden = true;
    stopButton.hidden = false;
    status.textContent = gettext("Recording…");
  });

  stopButton.addEventListener("click", function () {
    stopButton.hidden = true;
    recordButton.hidden = false;
    if (recorder && recorder.state !== "inactive") recorder.stop();
  });

  document.getElementById("file").addEventListener("change", function () {
    if (this.files.length) upload(this.files[0], this.files[0].name);
  });
})();
