// The vertical feed: scroll-snap cards; the card that is at least 60 % visible plays (muted
// until the viewer turns sound on, a choice remembered across visits), the others pause; only
// the current and the next clip download; more load from the API. For You never ends: when
// nothing unseen is left, a "you're all caught up" marker, then clips already seen.
//
// Gestures: tap pauses and plays, double-tap likes (with a heart burst), long-press or "…"
// opens the menu. Keys, from page load: ↑/↓ or k/j move between clips, space pauses, m toggles
// sound, l likes, c opens comments, Escape closes menus and the drawer.
(function () {
  "use strict";
  const feed = document.getElementById("feed");
  if (!feed) return;
  const initial = JSON.parse(document.getElementById("feed-initial").textContent);
  const api = feed.dataset.api;
  const single = feed.classList.contains("single");
  const authenticated = document.body.dataset.authenticated === "1";
  const loginUrl = document.body.dataset.loginUrl;
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
  const store = {
    get: function (key) { try { return localStorage.getItem("reverie:" + key); } catch (e) { return null; } },
    set: function (key, value) { try { localStorage.setItem("reverie:" + key, value); } catch (e) { /* private mode */ } },
  };
  let nextCursor = initial.next_cursor;
  let loading = false;
  let replaying = false;
  let soundOn = store.get("sound") === "on";
  let captionsOn = store.get("captions") === "on";
  const cards = [];
  const shown = new Set();

  const observer = new IntersectionObserver(onVisibility, { root: single ? null : feed, threshold: [0, 0.6, 1] });

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = text; // text, never HTML
    return node;
  }

  // The caption as text nodes, each of the clip's #tags (as the server parsed them at publish)
  // a link to its page; never HTML from the caption itself.
  const TAG_RE = /#([\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?)/gu;
  function withTagLinks(node, text, tags) {
    const known = new Set(tags);
    let last = 0;
    for (const match of text.normalize("NFC").matchAll(TAG_RE)) {
      const name = match[1].toLowerCase().normalize("NFC");
      if (!known.has(name)) continue;
      node.append(text.normalize("NFC").slice(last, match.index));
      node.appendChild(el("a", { class: "hashtag", href: "/tags/" + encodeURIComponent(name) + "/" }, match[0]));
      last = match.index + match[0].length;
    }
    node.append(text.normalize("NFC").slice(last));
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
    play: [["", "M8 5v14l11-7z"]],
    check: [["", "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM7 12l3.5 3.5L17 9"]],
  };

  function toast(message) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 2500);
  }

  function goToLogin(returnTo) {
    location.href = loginUrl + "?next=" + encodeURIComponent(returnTo || (location.pathname + location.search));
  }

  async function call(method, url, body) {
    if (!authenticated) { goToLogin(); return null; }
    const response = await fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 204) return {};
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) { toast(data.detail || gettext("Something went wrong.")); return null; }
    return data;
  }

  // Buttons with a visible count are named by hidden text plus that count ("Like 3"), so the
  // spoken name contains what is seen; icon-only buttons get an aria-label.
  function actionButton(name, label, count) {
    const button = el("button", { type: "button", class: "action " + name });
    button.appendChild(icon(ICONS[name]));
    if (count === undefined) {
      button.setAttribute("aria-label", label);
    } else {
      button.appendChild(el("span", { class: "sr-only" }, label + " "));
      button.appendChild(el("span", { class: "count" }, String(count)));
    }
    return button;
  }

  function addCard(item) {
    if (replaying) {
      // Clips already seen come round again; just never the same one twice in a row.
      const last = cards[cards.length - 1];
      if (last && last._state.item.id === item.id) return;
    } else if (shown.has(item.id)) {
      return;
    }
    shown.add(item.id);
    const index = cards.length;
    const byline = interpolate(gettext("AI-generated clip by @%(handle)s"), { handle: item.creator.handle }, true);
    const card = el("article", {
      class: "clip", "data-id": item.id, "data-index": index, "data-creator": item.creator.handle,
      tabindex: "-1", "aria-label": byline + ": " + item.prompt,
    });
    const video = el("video", {
      poster: item.poster_url, playsinline: "", loop: "",
      // Only the current and the next clip download; the rest show their poster.
      preload: index < 2 ? "auto" : "none",
      "aria-label": byline + ": " + item.prompt,
    });
    video.src = item.video_url;
    video.muted = !soundOn;
    video.playsInline = true;
    const track = el("track", {
      kind: "captions", src: item.page_url + "captions.vtt", srclang: document.documentElement.lang || "en",
      label: gettext("Prompt (captions)"),
    });
    video.appendChild(track);
    const overlay = el("div", { class: "clip-overlay" });
    const who = el("a", { class: "creator", href: item.creator.profile_url }, "@" + item.creator.handle);
    overlay.appendChild(who);
    if (item.caption) overlay.appendChild(withTagLinks(el("p", { class: "caption" }), item.caption, item.hashtags || []));
    if (item.remix_of) {
      const remixOf = el("p", { class: "remix-of" }, gettext("Remix of") + " ");
      remixOf.appendChild(el("a", { href: item.remix_of.page_url }, "@" + item.remix_of.creator));
      overlay.appendChild(remixOf);
    }
    const labels = el("p", { class: "labels" });
    labels.appendChild(el("span", { class: "ai-label" }, gettext("AI-generated")));
    labels.appendChild(el("a", { class: "permalink", href: item.page_url }, gettext("Open")));
    overlay.appendChild(labels);

    const rail = el("div", { class: "rail" });
    const like = actionButton("heart", gettext("Like"), item.like_count);
    like.classList.add("like");
    like.setAttribute("aria-pressed", item.liked ? "true" : "false");
    const comments = actionButton("comment", gettext("Comments"), item.comment_count);
    const remix = el("a", { class: "action remix", href: item.remix_url });
    remix.appendChild(icon(ICONS.remix));
    remix.appendChild(el("span", { class: "sr-only" }, gettext("Remix") + " "));
    remix.appendChild(el("span", { class: "count" }, String(item.remix_count)));
    const share = actionButton("share", gettext("Share"));
    const more = actionButton("more", gettext("More"));
    more.setAttribute("aria-haspopup", "menu");
    more.setAttribute("aria-expanded", "false");
    const sound = el("button", { class: "action sound", type: "button", "aria-label": gettext("Sound"), "aria-pressed": soundOn ? "true" : "false" });
    sound.appendChild(icon(ICONS.speaker));
    sound.classList.toggle("on", soundOn);
    rail.append(like, comments, remix, share, more, sound);

    const menu = el("div", { class: "menu", role: "menu", "aria-label": gettext("Clip menu"), hidden: "" });
    const less = el("button", { type: "button", role: "menuitem", "data-action": "less" }, gettext("Show less like this"));
    const captions = el("button", { type: "button", role: "menuitem", "data-action": "captions" }, captionsOn ? gettext("Hide captions") : gettext("Show captions"));
    const report = el("button", { type: "button", role: "menuitem", "data-action": "report" }, gettext("Report"));
    menu.append(less, captions, report);

    const burst = el("div", { class: "burst", "aria-hidden": "true" });
    burst.appendChild(icon(ICONS.heart));
    const pausedIcon = el("div", { class: "paused-icon", "aria-hidden": "true" });
    pausedIcon.appendChild(icon(ICONS.play));

    const frame = el("div", { class: "frame" });
    frame.style.aspectRatio = item.width + " / " + item.height;
    frame.append(video, overlay, pausedIcon, rail, menu, burst);
    card.append(frame);

    card._state = { item: item, watchMs: 0, lastTick: null, completed: false, lastTime: 0, userPaused: false };
    video.addEventListener("timeupdate", function () {
      const state = card._state;
      if (video.currentTime + 0.05 < state.lastTime || video.currentTime >= video.duration - 0.15) state.completed = true;
      state.lastTime = video.currentTime;
    });
    video.addEventListener("play", function () { card.classList.remove("paused"); });
    video.addEventListener("pause", function () { card.classList.toggle("paused", card._state.userPaused); });
    video.addEventListener("loadedmetadata", function () { applyCaptions(video); });

    // One tap pauses or plays; two quick taps like (and never unlike); a long press opens the menu.
    let tapTimer = null;
    let pressTimer = null;
    let pressed = false;
    let pressStart = null;
    video.addEventListener("pointerdown", function (event) {
      pressed = false;
      pressStart = [event.clientX, event.clientY];
      clearTimeout(pressTimer);
      pressTimer = setTimeout(function () { pressed = true; openMenu(card); }, 550);
    });
    video.addEventListener("pointermove", function (event) {
      if (pressStart && Math.hypot(event.clientX - pressStart[0], event.clientY - pressStart[1]) > 10) clearTimeout(pressTimer);
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      video.addEventListener(name, function () { clearTimeout(pressTimer); pressStart = null; });
    });
    video.addEventListener("contextmenu", function (event) { event.preventDefault(); if (!pressed) openMenu(card); pressed = true; });
    video.addEventListener("click", function (event) {
      if (pressed) { pressed = false; return; }
      if (!menu.hidden) { closeMenu(card); return; }
      if (tapTimer) {
        clearTimeout(tapTimer);
        tapTimer = null;
        setLiked(card, true, event);
        return;
      }
      tapTimer = setTimeout(function () { tapTimer = null; togglePlay(card); }, 260);
    });
    video.addEventListener("dblclick", function (event) { event.preventDefault(); });
    like.addEventListener("click", function () { setLiked(card, like.getAttribute("aria-pressed") !== "true"); });
    comments.addEventListener("click", function () { openComments(item.id, comments); });
    share.addEventListener("click", function () { shareClip(item); });
    sound.addEventListener("click", toggleSound);
    more.addEventListener("click", function () { if (menu.hidden) openMenu(card); else closeMenu(card); });
    less.addEventListener("click", async function () {
      closeMenu(card);
      if (await call("POST", "/api/v1/videos/" + item.id + "/less-like-this")) {
        toast(gettext("You'll see less like this."));
        move(1);
      }
    });
    captions.addEventListener("click", function () { closeMenu(card); toggleCaptions(); });
    report.addEventListener("click", function () { closeMenu(card); openReport(item.id); });
    menu.addEventListener("keydown", function (event) {
      const items = Array.from(menu.querySelectorAll("[role=menuitem]"));
      const at = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown") { items[(at + 1) % items.length].focus(); event.preventDefault(); }
      if (event.key === "ArrowUp") { items[(at - 1 + items.length) % items.length].focus(); event.preventDefault(); }
    });

    feed.appendChild(card);
    cards.push(card);
    observer.observe(card);
  }

  function addCaughtUp() {
    if (document.getElementById("caught-up")) return;
    const marker = el("article", { id: "caught-up", class: "caught-up", tabindex: "-1", "aria-labelledby": "caught-up-title" });
    marker.appendChild(icon(ICONS.check));
    marker.appendChild(el("h2", { id: "caught-up-title" }, gettext("You're all caught up")));
    marker.appendChild(el("p", { class: "muted" }, gettext("You've seen every new clip. Keep scrolling for ones you've already watched.")));
    feed.appendChild(marker);
  }

  function addPage(page) {
    const results = page.results || [];
    const caughtUpAt = page.caught_up_at;
    results.forEach(function (item, i) {
      if (caughtUpAt !== null && caughtUpAt !== undefined && i === caughtUpAt && !replaying) {
        addCaughtUp();
        replaying = true;
      }
      addCard(item);
    });
  }

  function openMenu(card) {
    const menu = card.querySelector(".menu");
    cards.forEach(function (other) { if (other !== card) closeMenu(other); });
    menu.hidden = false;
    card.querySelector(".action.more").setAttribute("aria-expanded", "true");
    menu.querySelector("[role=menuitem]").focus({ preventScroll: true });
  }

  function closeMenu(card, returnFocus) {
    const menu = card.querySelector(".menu");
    if (menu.hidden) return;
    menu.hidden = true;
    const more = card.querySelector(".action.more");
    more.setAttribute("aria-expanded", "false");
    if (returnFocus) more.focus({ preventScroll: true });
  }

  async function setLiked(card, liked, tapEvent) {
    const button = card.querySelector(".like");
    if (tapEvent && !reducedMotion.matches) {
      const burst = card.querySelector(".burst");
      burst.classList.remove("go");
      void burst.offsetWidth; // restart the animation
      burst.classList.add("go");
    }
    if (!authenticated) {
      // Log in, then come back to this very clip with the like applied.
      goToLogin(card._state.item.page_url + "?like=1");
      return;
    }
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

  let drawerOpener = null;
  function openComments(videoId, opener) {
    const drawer = document.getElementById("drawer");
    drawerOpener = opener || null;
    drawer.hidden = false;
    drawer.dataset.video = videoId;
    htmx.ajax("GET", "/v/" + videoId + "/comments/", { target: "#drawer-body", swap: "innerHTML" }).then(function () {
      const field = drawer.querySelector("textarea, a, button");
      if (field) field.focus({ preventScroll: true });
    });
  }

  function closeDrawer() {
    const drawer = document.getElementById("drawer");
    if (drawer.hidden) return false;
    drawer.hidden = true;
    if (drawerOpener) drawerOpener.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-drawer]")) closeDrawer();
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
    if (remove && window.confirm(gettext("Delete this comment?"))) {
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
    // A tap outside an open menu closes it.
    if (!event.target.closest(".menu, .action.more, video")) cards.forEach(function (card) { closeMenu(card); });
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
        await navigator.share({ title: interpolate(gettext("AI-generated clip by @%(handle)s"), { handle: item.creator.handle }, true), url: url });
        return;
      }
      await navigator.clipboard.writeText(url);
      toast(gettext("Link copied."));
    } catch (e) {
      window.prompt(gettext("Copy this link:"), url);
    }
  }

  function openReport(videoId) {
    const dialog = document.getElementById("report-dialog") || buildReportDialog();
    dialog.dataset.video = videoId;
    dialog.showModal();
  }

  function buildReportDialog() {
    const dialog = el("dialog", { id: "report-dialog", class: "report", "aria-labelledby": "report-title" });
    const form = el("form", { method: "dialog" });
    form.appendChild(el("h2", { id: "report-title" }, gettext("Report this clip")));
    const reasonLabel = el("label", { for: "report-reason" }, gettext("Reason"));
    const select = el("select", { name: "reason", id: "report-reason", required: "" });
    [["spam", gettext("Spam")], ["harassment", gettext("Harassment or bullying")], ["hate", gettext("Hate")], ["sexual", gettext("Sexual content")],
     ["violence", gettext("Violence")], ["misinformation", gettext("Misinformation")], ["likeness", gettext("Uses my likeness without consent")],
     ["copyright", gettext("Copyright or trademark")], ["other", gettext("Something else")]].forEach(function (pair) {
      select.appendChild(el("option", { value: pair[0] }, pair[1]));
    });
    const detailsLabel = el("label", { for: "report-details" }, gettext("Details"));
    const details = el("textarea", { name: "details", id: "report-details", maxlength: "1000", rows: "3", placeholder: gettext("Anything we should know? (optional)") });
    const send = el("button", { type: "submit", class: "primary small", value: "send" }, gettext("Send report"));
    const cancel = el("button", { type: "submit", class: "linkish", value: "cancel" }, gettext("Cancel"));
    form.append(reasonLabel, select, detailsLabel, details, send, cancel);
    dialog.appendChild(form);
    dialog.addEventListener("close", async function () {
      if (dialog.returnValue !== "send") return;
      const done = await call("POST", "/api/v1/videos/" + dialog.dataset.video + "/report", { reason: select.value, details: details.value });
      if (done) toast(gettext("Thanks — a moderator will look at it."));
      details.value = "";
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function activeCard() {
    return feed.querySelector(".clip.active") || cards[0] || null;
  }

  function togglePlay(card) {
    card = card || activeCard();
    if (!card) return;
    const video = card.querySelector("video");
    if (video.paused) {
      card._state.userPaused = false;
      play(card);
    } else {
      card._state.userPaused = true;
      video.pause();
    }
  }

  function toggleSound() {
    soundOn = !soundOn;
    store.set("sound", soundOn ? "on" : "off");
    for (const card of cards) {
      card.querySelector("video").muted = !soundOn;
      const button = card.querySelector(".sound");
      button.classList.toggle("on", soundOn);
      button.setAttribute("aria-pressed", soundOn ? "true" : "false");
    }
    toast(soundOn ? gettext("Sound on") : gettext("Sound off"));
    const active = feed.querySelector(".clip.active");
    if (active && active.querySelector("video").paused && !active._state.userPaused) play(active);
  }

  function applyCaptions(video) {
    for (const track of video.textTracks) track.mode = captionsOn ? "showing" : "hidden";
  }

  function toggleCaptions() {
    captionsOn = !captionsOn;
    store.set("captions", captionsOn ? "on" : "off");
    for (const card of cards) {
      applyCaptions(card.querySelector("video"));
      card.querySelector('[data-action="captions"]').textContent = captionsOn ? gettext("Hide captions") : gettext("Show captions");
    }
  }

  function play(card) {
    const video = card.querySelector("video");
    if (video.preload !== "auto") { video.preload = "auto"; }
    video.muted = !soundOn;
    video.play().catch(function () {
      // Autoplay with sound can be refused until the viewer interacts: play muted meanwhile,
      // keeping their choice for the next tap or key.
      video.muted = true;
      video.play().catch(function () {});
    });
  }

  // Browsers allow sound after the first interaction: honour a remembered "sound on" then.
  function unmuteOnFirstGesture() {
    if (!soundOn) return;
    const active = feed.querySelector(".clip.active video");
    if (active && active.muted) active.muted = false;
  }
  document.addEventListener("pointerdown", unmuteOnFirstGesture, { once: true, capture: true });
  document.addEventListener("keydown", unmuteOnFirstGesture, { once: true, capture: true });

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
        // With reduced motion nothing starts moving by itself: the viewer taps or presses space.
        if (!card._state.userPaused && !reducedMotion.matches) play(card);
        else card.classList.add("paused");
        const index = Number(card.dataset.index);
        preload(index + 1);
        if (index >= cards.length - 3) loadMore();
      } else {
        if (card.classList.contains("active")) reportView(card);
        card.classList.remove("active");
        closeMenu(card);
        if (!video.paused) video.pause();
        card._state.userPaused = false;
        card.classList.remove("paused");
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

  // The slides in order: clips and the "caught up" marker.
  function slides() {
    return Array.from(feed.children).filter(function (node) { return node.matches(".clip, .caught-up"); });
  }

  function currentSlide(list) {
    const top = feed.getBoundingClientRect().top;
    let best = 0;
    let bestDistance = Infinity;
    list.forEach(function (node, i) {
      const distance = Math.abs(node.getBoundingClientRect().top - top);
      if (distance < bestDistance) { best = i; bestDistance = distance; }
    });
    return best;
  }

  function move(step) {
    const list = slides();
    if (!list.length) return;
    const target = list[Math.max(0, Math.min(list.length - 1, currentSlide(list) + step))];
    target.scrollIntoView({ behavior: reducedMotion.matches ? "auto" : "smooth", block: "start" });
    target.focus({ preventScroll: true });
    if (step > 0 && list.indexOf(target) >= list.length - 3) loadMore();
  }

  // Keys work from page load, wherever focus is, except while typing or in a dialog.
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target.closest && target.closest("dialog")) return; // the report dialog handles its keys
    if (event.key === "Escape") {
      cards.forEach(function (card) { closeMenu(card, true); });
      closeDrawer();
      return;
    }
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    if (target.closest && target.closest(".menu, #drawer")) return;
    const onControl = target.closest && target.closest("button, a");
    const card = activeCard();
    switch (event.key) {
      case "ArrowDown": case "j": case "J": case "PageDown":
        if (single) return;
        event.preventDefault(); move(1); break;
      case "ArrowUp": case "k": case "K": case "PageUp":
        if (single) return;
        event.preventDefault(); move(-1); break;
      case " ": case "Spacebar":
        if (onControl) return; // space presses the focused button
        event.preventDefault(); togglePlay(card); break;
      case "m": case "M":
        event.preventDefault(); toggleSound(); break;
      case "l": case "L":
        if (!card) return;
        event.preventDefault(); setLiked(card, card.querySelector(".like").getAttribute("aria-pressed") !== "true", !authenticated ? null : { key: true }); break;
      case "c": case "C":
        if (!card) return;
        event.preventDefault(); openComments(card.dataset.id, card.querySelector(".action.comment")); break;
      default:
    }
  });

  async function loadMore() {
    if (loading || !nextCursor || !api) return;
    loading = true;
    try {
      const url = api + (nextCursor === "next" ? "" : "?cursor=" + encodeURIComponent(nextCursor));
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error("feed " + response.status);
      const page = await response.json();
      const before = cards.length;
      addPage(page);
      // For You always has a next page (unseen, then already seen); other feeds end.
      nextCursor = page.next_cursor || null;
      if (cards.length === before && !page.results.length) nextCursor = null;
    } catch (e) {
      setTimeout(function () { loading = false; loadMore(); }, 3000);
      return;
    }
    loading = false;
  }

  addPage(initial);
  const empty = document.querySelector(".feed-empty");
  if (empty && cards.length === 0 && !document.getElementById("caught-up")) {
    empty.hidden = false;
    feed.hidden = true;
  }

  // Back from logging in to like a clip (its page, ?like=1): apply the like once, then drop
  // the parameter so a reload doesn't repeat it.
  const params = new URLSearchParams(location.search);
  if (single && params.get("like") === "1" && authenticated && cards[0]) {
    setLiked(cards[0], true);
    params.delete("like");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : "") + location.hash);
  }
  window.reverieFeed = { cards: cards, loadMore: loadMore, move: move };
})();
