// The vertical feed: scroll-snap cards; the card that is at least 60 % visible plays (muted
// until the viewer taps), the others pause; the next clip preloads; more load from the API.
// Each card has like (also by double-tap), comments (an htmx drawer), remix, share and a menu
// with "show less like this" and report; watch time is reported when a clip stops playing.
(function () {
  "use strict";
  const feed = document.getElementById("feed");
  if (!feed) return;
  const initial = JSON.parse(document.getElementById("feed-initial").textContent);
  const api = feed.dataset.api;
  const authenticated = document.body.dataset.authenticated === "1";
  const loginUrl = document.body.dataset.loginUrl;
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  let nextCursor = initial.next_cursor;
  let loading = false;
  let soundOn = false;
  const cards = [];
  const shown = new Set();

  const observer = new IntersectionObserver(onVisibility, { root: feed.classList.contains("single") ? null : feed, threshold: [0, 0.6, 1] });

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text; // text, never HTML
    return node;
  }

  function icon(paths) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    for (const [name, d] of paths) {
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      if (name) path.setAttribute("class", name);
      svg.appendChild(path);
    }
    return svg;
  }
  const ICONS = {
    heart: [["", "M12 21s-7.5-4.6-9.5-9.2C1.1 8.4 3.3 5 6.8 5c2 0 3.4 1.1 4.2 2.3C11.8 6.1 13.2 5 15.2 5c3.5 0 5.7 3.4 4.3 6.8C19.5 16.4 12 21 12 21z"]],
    comment: [["", "M4 5h16v11H9l-5 4z"]],
    remix: [["", "M4 7h11l-3-3M20 17H9l3 3M18 7a3 3 0 0 1 2 3M6 17a3 3 0 0 1-2-3"]],
    share: [["", "M12 3v12M7 8l5-5 5 5M5 13v7h14v-7"]],
    more: [["", "M5 12h.01M12 12h.01M19 12h.01"]],
    speaker: [["speaker", "M4 9h4l5-4v14l-5-4H4z"], ["waves", "M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12"], ["slash", "M16 9l6 6M22 9l-6 6"]],
  };

  function toast(message) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 2500);
  }

  async function call(method, url, body) {
    if (!authenticated) { location.href = loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search); return null; }
    const response = await fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 204) return {};
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) { toast(data.detail || "Something went wrong."); return null; }
    return data;
  }

  function actionButton(name, label, count) {
    const button = el("button", { type: "button", class: "action " + name, "aria-label": label });
    button.appendChild(icon(ICONS[name]));
    if (count !== undefined) button.appendChild(el("span", { class: "count" }, String(count)));
    return button;
  }

  function addCard(item) {
    if (shown.has(item.id)) return;
    shown.add(item.id);
    const card = el("article", { class: "clip", "data-id": item.id, "data-index": cards.length, "data-creator": item.creator.handle });
    const video = el("video", {
      src: item.video_url, poster: item.poster_url, playsinline: "", loop: "",
      preload: cards.length < 2 ? "auto" : "metadata", "aria-label": item.prompt,
    });
    video.muted = !soundOn;
    video.playsInline = true;
    const overlay = el("div", { class: "clip-overlay" });
    const who = el("a", { class: "creator", href: item.creator.profile_url }, "@" + item.creator.handle);
    overlay.appendChild(who);
    if (item.caption) overlay.appendChild(el("p", { class: "caption" }, item.caption));
    if (item.remix_of) {
      const remixOf = el("p", { class: "remix-of" }, "Remix of ");
      remixOf.appendChild(el("a", { href: item.remix_of.page_url }, "@" + item.remix_of.creator));
      overlay.appendChild(remixOf);
    }
    const labels = el("p", { class: "labels" });
    labels.appendChild(el("span", { class: "ai-label" }, "AI-generated"));
    labels.appendChild(el("a", { class: "permalink", href: item.page_url }, "Open"));
    overlay.appendChild(labels);

    const rail = el("div", { class: "rail" });
    const like = actionButton("heart", "Like", item.like_count);
    like.classList.add("like");
    like.setAttribute("aria-pressed", item.liked ? "true" : "false");
    const comments = actionButton("comment", "Comments", item.comment_count);
    const remix = el("a", { class: "action remix", href: item.remix_url, "aria-label": "Remix" });
    remix.appendChild(icon(ICONS.remix));
    remix.appendChild(el("span", { class: "count" }, String(item.remix_count)));
    const share = actionButton("share", "Share");
    const more = actionButton("more", "More");
    const sound = el("button", { class: "action sound", type: "button", "aria-label": "Toggle sound" });
    sound.appendChild(icon(ICONS.speaker));
    sound.classList.toggle("on", soundOn);
    rail.append(like, comments, remix, share, more, sound);

    const menu = el("div", { class: "menu", hidden: "" });
    const less = el("button", { type: "button", "data-action": "less" }, "Show less like this");
    const report = el("button", { type: "button", "data-action": "report" }, "Report");
    menu.append(less, report);

    const burst = el("div", { class: "burst", "aria-hidden": "true" });
    burst.appendChild(icon(ICONS.heart));

    const frame = el("div", { class: "frame" });
    frame.style.aspectRatio = item.width + " / " + item.height;
    frame.append(video, overlay, rail, menu, burst);
    card.append(frame);

    card._state = { item: item, watchMs: 0, lastTick: null, completed: false, lastTime: 0 };
    video.addEventListener("timeupdate", function () {
      const state = card._state;
      if (video.currentTime + 0.05 < state.lastTime || video.currentTime >= video.duration - 0.15) state.completed = true;
      state.lastTime = video.currentTime;
    });

    let tapTimer = null;
    video.addEventListener("click", function (event) {
      // One tap toggles sound; two quick taps like (and never unlike) with a heart burst.
      if (tapTimer) {
        clearTimeout(tapTimer);
        tapTimer = null;
        setLiked(card, true, event);
        return;
      }
      tapTimer = setTimeout(function () { tapTimer = null; toggleSound(); }, 260);
    });
    video.addEventListener("dblclick", function (event) { event.preventDefault(); });
    like.addEventListener("click", function () { setLiked(card, like.getAttribute("aria-pressed") !== "true"); });
    comments.addEventListener("click", function () { openComments(item.id); });
    share.addEventListener("click", function () { shareClip(item); });
    sound.addEventListener("click", toggleSound);
    more.addEventListener("click", function () { menu.hidden = !menu.hidden; });
    less.addEventListener("click", async function () {
      menu.hidden = true;
      if (await call("POST", "/api/v1/videos/" + item.id + "/less-like-this")) {
        toast("You'll see less like this.");
        const next = cards[Number(card.dataset.index) + 1];
        if (next) next.scrollIntoView({ behavior: "smooth" });
      }
    });
    report.addEventListener("click", function () { menu.hidden = true; openReport(item.id); });

    feed.appendChild(card);
    cards.push(card);
    observer.observe(card);
  }

  async function setLiked(card, liked, tapEvent) {
    const button = card.querySelector(".like");
    if (tapEvent) {
      const burst = card.querySelector(".burst");
      burst.classList.remove("go");
      void burst.offsetWidth; // restart the animation
      burst.classList.add("go");
    }
    if (!authenticated) { call("POST", ""); return; }
    const wasLiked = button.getAttribute("aria-pressed") === "true";
    if (wasLiked === liked) return;
    button.setAttribute("aria-pressed", liked ? "true" : "false");
    const data = await call(liked ? "POST" : "DELETE", "/api/v1/videos/" + card.dataset.id + "/like");
    if (data) {
      button.setAttribute("aria-pressed", data.liked ? "true" : "false");
      button.querySelector(".count").textContent = data.like_count;
    } else {
      button.setAttribute("aria-pressed", wasLiked ? "true" : "false");
    }
  }

  function openComments(videoId) {
    const drawer = document.getElementById("drawer");
    drawer.hidden = false;
    drawer.dataset.video = videoId;
    htmx.ajax("GET", "/v/" + videoId + "/comments/", { target: "#drawer-body", swap: "innerHTML" });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-drawer]")) document.getElementById("drawer").hidden = true;
    const reply = event.target.closest("[data-reply]");
    if (reply) {
      const form = document.querySelector("#drawer .comment-form");
      if (!form) return;
      form.parent.value = reply.dataset.reply;
      const hint = form.querySelector(".replying");
      hint.hidden = false;
      hint.querySelector("span").textContent = reply.dataset.replyTo;
      form.body.focus();
    }
    const remove = event.target.closest("[data-delete-comment]");
    if (remove && window.confirm("Delete this comment?")) {
      call("DELETE", remove.dataset.deleteComment).then(function (done) {
        const drawer = document.getElementById("drawer");
        if (done) htmx.ajax("GET", "/v/" + drawer.dataset.video + "/comments/", { target: "#drawer-body", swap: "innerHTML" });
      });
    }
    if (event.target.closest("[data-cancel-reply]")) {
      const form = document.querySelector("#drawer .comment-form");
      form.parent.value = "";
      form.querySelector(".replying").hidden = true;
    }
  });

  // After htmx re-renders the drawer, carry the new comment count to the card.
  document.body.addEventListener("htmx:afterSwap", function () {
    const comments = document.querySelector("#drawer .comments");
    if (!comments) return;
    const card = feed.querySelector('.clip[data-id="' + comments.dataset.video + '"]');
    if (card) card.querySelector(".comment .count").textContent = comments.dataset.count;
  });

  async function shareClip(item) {
    const url = new URL(item.page_url, location.href).href;
    try {
      if (navigator.share && matchMedia("(pointer: coarse)").matches) {
        await navigator.share({ title: "AI-generated clip by @" + item.creator.handle, url: url });
        return;
      }
      await navigator.clipboard.writeText(url);
      toast("Link copied.");
    } catch (e) {
      window.prompt("Copy this link:", url);
    }
  }

  function openReport(videoId) {
    const dialog = document.getElementById("report-dialog") || buildReportDialog();
    dialog.dataset.video = videoId;
    dialog.showModal();
  }

  function buildReportDialog() {
    const dialog = el("dialog", { id: "report-dialog", class: "report" });
    const form = el("form", { method: "dialog" });
    form.appendChild(el("h2", {}, "Report this clip"));
    const select = el("select", { name: "reason", required: "" });
    [["spam", "Spam"], ["harassment", "Harassment or bullying"], ["hate", "Hate"], ["sexual", "Sexual content"],
     ["violence", "Violence"], ["misinformation", "Misinformation"], ["likeness", "Uses my likeness without consent"],
     ["copyright", "Copyright or trademark"], ["other", "Something else"]].forEach(function (pair) {
      select.appendChild(el("option", { value: pair[0] }, pair[1]));
    });
    const details = el("textarea", { name: "details", maxlength: "1000", rows: "3", placeholder: "Anything we should know? (optional)" });
    const send = el("button", { type: "submit", class: "primary small", value: "send" }, "Send report");
    const cancel = el("button", { type: "submit", class: "linkish", value: "cancel" }, "Cancel");
    form.append(select, details, send, cancel);
    dialog.appendChild(form);
    dialog.addEventListener("close", async function () {
      if (dialog.returnValue !== "send") return;
      const done = await call("POST", "/api/v1/videos/" + dialog.dataset.video + "/report", { reason: select.value, details: details.value });
      if (done) toast("Thanks — a moderator will look at it.");
      details.value = "";
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function toggleSound() {
    soundOn = !soundOn;
    for (const card of cards) {
      card.querySelector("video").muted = !soundOn;
      card.querySelector(".sound").classList.toggle("on", soundOn);
    }
    const active = feed.querySelector(".clip.active video");
    if (active && active.paused) active.play().catch(function () {});
  }

  function reportView(card) {
    const state = card._state;
    if (state.lastTick !== null) { state.watchMs += performance.now() - state.lastTick; state.lastTick = null; }
    if (state.watchMs < 300) return;
    const body = JSON.stringify({ watch_ms: Math.round(state.watchMs), completed: state.completed });
    state.watchMs = 0;
    state.completed = false;
    fetch("/api/v1/videos/" + card.dataset.id + "/views", {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }, body: body,
    }).catch(function () {});
  }

  function onVisibility(entries) {
    for (const entry of entries) {
      const card = entry.target;
      const video = card.querySelector("video");
      if (entry.intersectionRatio >= 0.6) {
        card.classList.add("active");
        card._state.lastTick = performance.now();
        video.play().catch(function () {
          // Autoplay with sound can be refused: fall back to muted, which browsers allow.
          video.muted = true;
          soundOn = false;
          video.play().catch(function () {});
        });
        const index = Number(card.dataset.index);
        preload(index + 1);
        if (index >= cards.length - 3) loadMore();
      } else {
        if (card.classList.contains("active")) reportView(card);
        card.classList.remove("active");
        card.querySelector(".menu").hidden = true;
        if (!video.paused) video.pause();
      }
    }
  }

  document.addEventListener("visibilitychange", function () {
    const active = feed.querySelector(".clip.active");
    if (!active) return;
    if (document.hidden) reportView(active);
    else active._state.lastTick = performance.now();
  });

  function preload(index) {
    const card = cards[index];
    if (!card) return;
    const video = card.querySelector("video");
    if (video.preload !== "auto") {
      video.preload = "auto";
      video.load();
    }
  }

  async function loadMore() {
    if (loading || !nextCursor || !api) return;
    loading = true;
    try {
      const url = nextCursor === "next" ? api : api + "?cursor=" + encodeURIComponent(nextCursor);
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error("feed " + response.status);
      const page = await response.json();
      const before = cards.length;
      page.results.forEach(addCard);
      // For You continues with "next" until it only has already-shown clips left.
      nextCursor = cards.length > before ? page.next_cursor : null;
    } catch (e) {
      setTimeout(function () { loading = false; loadMore(); }, 3000);
      return;
    }
    loading = false;
  }

  initial.results.forEach(addCard);
  const empty = feed.querySelector(".feed-empty");
  if (empty && cards.length === 0) empty.hidden = false;
  window.reverieFeed = { cards: cards, loadMore: loadMore };
})();
