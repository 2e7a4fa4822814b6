// Cameo verification: a fresh challenge shown for the whole recording, a countdown, a timer with
// the allowed length, getUserMedia + MediaRecorder (or a chosen file), the upload, then each
// automatic check in words and a one-tap "Record again" once the cool-down allows it.
(function () {
  "use strict";
  const box = document.getElementById("verify");
  if (!box) return;
  const t = box.dataset;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const $ = function (id) { return document.getElementById(id); };
  const status = $("status"), error = $("error"), preview = $("preview"), results = $("results");
  const recordButton = $("record"), stopButton = $("stop"), retryButton = $("retry");
  const countdown = $("countdown"), timer = $("timer"), timerText = $("timer-text");
  const minSeconds = Number(t.minSeconds), maxSeconds = Number(t.maxSeconds);
  let attempt = JSON.parse($("attempt-data").textContent || "null");
  let recorder = null, chunks = [], ticking = null, retryTimer = null;

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function showChallenge(challenge) {
    const numbers = $("challenge-numbers"), turns = $("challenge-turns");
    if (numbers && challenge) {
      numbers.textContent = challenge.numbers.join(" · ");
      const words = challenge.turns.map(function (turn) {
        return turn === "left" ? gettext("to your left") : gettext("to your right");
      });
      turns.textContent = interpolate(gettext("Then turn your head %s, and back to the camera."),
        [words.join(gettext(", then "))]);
    }
    $("challenge-box").hidden = false;
  }

  async function start() {
    const response = await fetch(box.dataset.start, { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) {
      error.textContent = body.detail || gettext("Could not start.");
      if (response.status === 429) waitForRetry(Number(response.headers.get("Retry-After")) || 0);
      return null;
    }
    attempt = body;
    results.hidden = true;
    results.textContent = "";
    showChallenge(body.challenge);
    return body;
  }

  async function upload(blob, name) {
    if ((!attempt || attempt.status !== "challenged") && !(await start())) return;
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
      recordButton.hidden = false;
      return;
    }
    error.textContent = "";
    follow(body.id);
  }

  function follow(id) {
    status.textContent = gettext("Checking your recording…");
    status.dataset.state = "checking";
    const poll = setInterval(async function () {
      const response = await fetch("/api/v1/verifications/" + id, { credentials: "same-origin" });
      if (!response.ok) return;
      const body = await response.json();
      if (body.status !== "checking") {
        clearInterval(poll);
        attempt = body;
        showResults(body);
      }
    }, 1000);
  }

  // Each check in words, failed and unsure ones first, then the way to try again.
  function showResults(body) {
    const checks = (body.checks && body.checks.checks) || {};
    const verdict = body.verdict || (body.checks_passed ? "pass" : "fail");
    status.dataset.state = body.status;
    status.dataset.verdict = verdict;
    const summaries = {
      pass: gettext("All checks passed — a moderator will review it."),
      uncertain: gettext("Some checks were unsure — a moderator will review it. You can also record again."),
      fail: gettext("Some checks did not pass — see why below, then record again."),
    };
    status.textContent = summaries[verdict] || summaries.fail;
    if (body.review_note) status.textContent += " " + interpolate(gettext("Moderator’s note: %s"), [body.review_note]);
    const order = { fail: 0, uncertain: 1, pass: 2 };
    const items = Object.keys(checks).map(function (name) {
      const item = checks[name];
      return { name: name, verdict: item.verdict || (item.passed ? "pass" : "fail"), detail: item.detail };
    }).sort(function (a, b) { return order[a.verdict] - order[b.verdict]; });
    results.textContent = "";
    items.forEach(function (item) {
      const li = document.createElement("li");
      li.className = "verdict-" + item.verdict;
      li.dataset.check = item.name;
      li.textContent = item.detail;
      results.appendChild(li);
    });
    results.hidden = items.length === 0;
    $("challenge-box").hidden = true;
    preview.hidden = true;  // the camera is off by now: no black box above the results
    recordButton.hidden = true;
    if (body.retry_in !== null && body.retry_in !== undefined) waitForRetry(body.retry_in);
  }

  // "Record again" is there at once, enabled when the cool-down is over (counted down).
  function waitForRetry(seconds) {
    clearInterval(retryTimer);
    retryButton.hidden = false;
    recordButton.hidden = true;
    const note = $("retry-wait");
    let left = seconds;
    function tick() {
      retryButton.disabled = left > 0;
      note.textContent = left > 0 ? interpolate(gettext("You can record again in %s s."), [left]) : "";
      if (left <= 0) clearInterval(retryTimer);
      left -= 1;
    }
    tick();
    if (seconds > 0) retryTimer = setInterval(tick, 1000);
  }

  function stopTimer() {
    clearInterval(ticking);
    timer.hidden = true;
  }

  async function record() {
    error.textContent = "";
    status.textContent = "";
    retryButton.hidden = true;
    $("retry-wait").textContent = "";
    // An open challenge (the page reloaded before recording) is kept, not replaced.
    if (!(attempt && attempt.status === "challenged") && !(await start())) {
      recordButton.hidden = false;
      return;
    }
    recordButton.hidden = true;
    let stream;
    try {
      // The speech check hears the voice best unfiltered: no echo cancelling or noise gating.
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 },
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true } });
    } catch (e) {
      error.textContent = gettext("No camera or microphone available — allow them, or upload a recording instead.");
      recordButton.hidden = false;
      return;
    }
    preview.srcObject = stream;
    preview.hidden = false;
    // The countdown runs over the live preview, the challenge above it: time to read it first.
    status.textContent = gettext("Get ready: recording starts in a moment. Read the numbers first.");
    countdown.hidden = false;
    for (let n = Number(t.countdown); n > 0; n -= 1) {
      countdown.textContent = String(n);
      await new Promise(function (resolve) { setTimeout(resolve, 1000); });
    }
    countdown.hidden = true;
    chunks = [];
    const type = MediaRecorder.isTypeSupported("video/webm;codecs=vp8,opus") ? "video/webm;codecs=vp8,opus" : "video/webm";
    recorder = new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: 96000 });
    recorder.ondataavailable = function (event) { if (event.data.size) chunks.push(event.data); };
    recorder.onstop = function () {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stopTimer();
      upload(new Blob(chunks, { type: "video/webm" }), "verification.webm");
    };
    const began = performance.now();
    recorder.start(500);
    stopButton.hidden = false;
    stopButton.disabled = true;
    status.textContent = gettext("Recording…");
    timer.hidden = false;
    function tick() {
      const elapsed = (performance.now() - began) / 1000;
      timerText.textContent = clock(elapsed) + " / " + clock(maxSeconds);
      stopButton.disabled = elapsed < minSeconds;
      stopButton.title = elapsed < minSeconds ? interpolate(gettext("You can stop after %s s."), [minSeconds]) : "";
      if (elapsed >= maxSeconds) finish();
    }
    tick();
    ticking = setInterval(tick, 200);
  }

  function finish() {
    stopButton.hidden = true;
    clearInterval(ticking);
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  recordButton.addEventListener("click", record);
  retryButton.addEventListener("click", function () { attempt = null; record(); });
  stopButton.addEventListener("click", finish);
  $("file").addEventListener("change", function () {
    if (this.files.length) upload(this.files[0], this.files[0].name);
  });

  // Coming back to the page: the challenge still open, the checks still running, or the results.
  if (attempt && attempt.status === "challenged") showChallenge(attempt.challenge);
  else if (attempt && attempt.status === "checking") follow(attempt.id);
  else if (attempt && attempt.checked_at) showResults(attempt);
})();
