// Profile page: follow / unfollow, and more of the grid by cursor.
(function () {
  "use strict";
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  const follow = document.getElementById("follow");
  if (follow) {
    follow.addEventListener("click", async function () {
      const following = follow.dataset.following === "1";
      follow.disabled = true;
      const response = await fetch(follow.dataset.url, {
        method: following ? "DELETE" : "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
      follow.disabled = false;
      if (!response.ok) return;
      const data = await response.json();
      follow.dataset.following = data.following ? "1" : "0";
      follow.textContent = data.following ? gettext("Following") : gettext("Follow");
      const count = document.getElementById("followers-count");
      if (data.following !== following) count.textContent = Number(count.textContent) + (data.following ? 1 : -1);
    });
  }
  const grid = document.getElementById("profile-grid");
  const more = document.getElementById("grid-more");
  if (grid && more) {
    more.addEventListener("click", async function () {
      const response = await fetch(grid.dataset.api + "?cursor=" + encodeURIComponent(grid.dataset.next), { credentials: "same-origin" });
      if (!response.ok) return;
      const page = await response.json();
      for (const item of page.results) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = item.page_url;
        a.title = item.prompt;
        const img = document.createElement("img");
        img.src = item.poster_url;
        img.alt = item.prompt.slice(0, 120);
        img.loading = "lazy";
        const likes = document.createElement("span");
        likes.textContent = "♥ " + item.like_count;
        a.append(img, likes);
        li.appendChild(a);
        grid.appendChild(li);
      }
      grid.dataset.next = page.next_cursor || "";
      if (!page.next_cursor) more.remove();
    });
  }
})();
