import { t } from "./common.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

/** Only a path on this site: never an absolute URL or //host (an open redirect). */
function nextPath() {
  const next = new URLSearchParams(location.search).get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const res = await fetch("/v1/auth/login", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: data.get("username"), password: data.get("password") }),
  });
  if (res.ok) {
    location.assign(nextPath());
    return;
  }
  error.textContent = res.status === 401 ? t("login_failed") : `${t("error")} (${res.status})`;
  error.hidden = false;
});
