// Sign-in page: the password is the server token. `#token=…` in the address (never sent to the server) fills it in.
"use strict";
(function () {
  const form = document.getElementById("signin");
  const input = document.getElementById("password");
  const error = document.getElementById("error");
  async function signIn(password) {
    error.hidden = true;
    const res = await fetch("/api/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password }) });
    if (res.ok) {
      location.replace("/");
      return;
    }
    const body = await res.json().catch(() => ({}));
    error.textContent = body.error || "Sign-in failed (" + res.status + ")";
    error.hidden = false;
    input.select();
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(input.value).catch((e) => {
      error.textContent = "The daemon did not answer: " + e.message;
      error.hidden = false;
    });
  });
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromHash) {
    history.replaceState(null, "", location.pathname);
    input.value = decodeURIComponent(fromHash[1]);
    form.requestSubmit();
  }
})();
