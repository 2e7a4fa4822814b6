// The vertical feed: scroll-snap cards; the card that is at least 60 % visible plays (muted
// until the viewer taps), the others pause; the next clip preloads; more load by cursor.
(function () {
  "use strict";
  const feed = document.getElementById("feed");
  if (!feed) return;
  const initial = JSON.parse(document.getElementById("feed-initial").textContent);
  const api = feed.dataset.api;
  let nextCursor = initial.next_cursor;
  let loading = false;
  let soundOn = false;
  const cards = [];

  const observer = new IntersectionObserver(onVisibility, { root: feed, threshold: [0, 0.6, 1] });

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text) node.textContent = text; // text, never HTML: prompts are user input
    return node;
  }

  function addCard(item) {
    const card = el("article", { class: "clip", "data-id": item.id, "data-index": cards.length });
    const video = el("video", {
      src: item.video_url, poster: item.poster_url, playsinline: "", loop: "",
      preload: cards.length < 2 ? "auto" : "metadata", "aria-label": item.prompt,
    });
    video.muted = !soundOn;
    video.playsInline = true;
    const overlay = el("div", { class: "clip-overlay" });
    const who = el("span", { class: "creator" }, "@" + item.creator.handle);
    // The prompt is already in the clip's caption band; the overlay shows the creator's caption.
    const caption = el("p", { class: "caption" }, item.caption || "");
    const label = el("span", { class: "ai-label" }, "AI-generated");
    const link = el("a", { class: "permalink", href: item.page_url }, "Open");
    const sound = el("button", { class: "sound", type: "button", "aria-label": "Toggle sound" });
    sound.appendChild(speakerIcon());
    sound.classList.toggle("on", soundOn);
    overlay.append(who, caption, label, link);
    const frame = el("div", { class: "frame" });
    frame.style.aspectRatio = item.width + " / " + item.height;
    frame.append(video, overlay, sound);
    card.append(frame);
    video.addEventListener("click", toggleSound);
    sound.addEventListener("click", toggleSound);
    feed.appendChild(card);
    cards.push(card);
    observer.observe(card);
  }

  function speakerIcon() {
    // A speaker with sound waves; CSS hides the waves and shows a slash while muted.
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const paths = [
      ["speaker", "M4 9h4l5-4v14l-5-4H4z"],
      ["waves", "M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12"],
      ["slash", "M16 9l6 6M22 9l-6 6"],
    ];
    for (const [name, d] of paths) {
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      path.setAttribute("class", name);
      svg.appendChild(path);
    }
    return svg;
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

  function onVisibility(entries) {
    for (const entry of entries) {
      const card = entry.target;
      const video = card.querySelector("video");
      if (entry.intersectionRatio >= 0.6) {
        card.classList.add("active");
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
        card.classList.remove("active");
        if (!video.paused) video.pause();
      }
    }
  }

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
      const response = await fetch(api + "?cursor=" + encodeURIComponent(nextCursor), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (!response.ok) throw new Error("feed " + response.status);
      const page = await response.json();
      page.results.forEach(addCard);
      nextCursor = page.next_cursor;
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
