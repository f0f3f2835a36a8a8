// The signup's steps: their paths, the state each step's answer gives the next one, resuming after a
// reload (GET /v1/signups/{id}), and the answers every step shares (session invalid or expired, step
// out of order, too many attempts).
import { api } from "./api.js";
import { retrySentence } from "./format.js";
import { h } from "./dom.js";
import { finished, memory, signup } from "./store.js";
import { alert } from "./ui.js";

export const STEP_PATHS = {
  proof: "/creer-mon-compte/verification",
  terms: "/creer-mon-compte/conditions",
  password: "/creer-mon-compte/code-personnel",
  contact: "/creer-mon-compte/coordonnees",
  done: "/creer-mon-compte/messagerie",
};

export const START_PATH = "/creer-mon-compte";

/** `/v1/signups/{id}` + suffix for the stored signup. */
export function signupPath(current, suffix = "") {
  return `/signups/${encodeURIComponent(current.id)}${suffix}`;
}

// What the API said of the signup in its last answer, in memory only: `{ id, step, expiresAt, terms }`. Each
// step's POST answers the next step and the session's end (the proof's also the terms to show), so the screen
// it leads to needs no GET; a reload or Back/Forward onto a step find nothing here (or another step) and ask.
let known = null;

/** Keeps the API's answer `data` about the signup (`next_step`, `expires_at`, `terms`) for its next step's screen. */
export function remember(current, data) {
  known = { id: current.id, step: data.next_step, expiresAt: data.expires_at, terms: data.terms };
}

/** Goes to the step the API's answer `data` names, without asking again there. */
export function advance(ctx, current, data, { fallback = START_PATH, ...options } = {}) {
  remember(current, data);
  ctx.navigate(STEP_PATHS[data.next_step] || fallback, options);
}

/** Keeps what GET /v1/signups/{id} said of FranceConnect's address (it only prefills the email field). */
export function keepEmailSuggestion(current, status) {
  memory.emailSuggestion = { id: current.id, email: status.email_suggestion || "" };
}

/** What the last GET said of FranceConnect's address: `{ id, email }`. */
function emailSuggestion(current) {
  const kept = memory.emailSuggestion;
  return kept && kept.id === current.id ? kept.email : "";
}

/**
 * For a step's screen: the stored signup if this is its next step (as the previous step's answer said, or
 * else as GET /v1/signups/{id} says), with the terms in force when that answer gave them (at the terms
 * step); otherwise redirects (to the right step, or to the start with a message) and returns null.
 */
export async function resumeSignup(ctx, step) {
  const current = signup.get();
  const told = known;
  known = null; // good for one screen: the one the answer led to
  if (!current || !current.id || !current.token) {
    // Back or Forward after the end of the signup: the page of what comes next, not an empty form.
    ctx.redirect(finished.get() ? STEP_PATHS.done : START_PATH);
    return null;
  }
  if (told && told.id === current.id && told.step === step) {
    watchSignupEnd(told.expiresAt);
    return { ...current, emailSuggestion: emailSuggestion(current), terms: told.terms };
  }
  const answer = await api("GET", signupPath(current), { token: current.token });
  if (answer.ok) {
    const next = answer.data.next_step;
    keepEmailSuggestion(current, answer.data);
    if (next !== step) {
      if (next === "done") {
        signup.clear();
        ctx.redirect("/");
      } else if (next === "proof" && !current.proof) {
        signup.clear();
        ctx.redirect(START_PATH);
      } else {
        if (STEP_PATHS[next]) remember(current, answer.data);
        ctx.redirect(STEP_PATHS[next] || START_PATH);
      }
      return null;
    }
    watchSignupEnd(answer.data.expires_at);
    // FranceConnect's address, if any, only prefills the email field.
    return { ...current, emailSuggestion: emailSuggestion(current), terms: answer.data.terms };
  }
  const handled = signupProblemRedirect(answer.problem);
  if (handled) {
    ctx.redirect(handled.to, handled.options);
    return null;
  }
  return current; // e.g. the network: the screen shows, and its action will tell
}

/**
 * Where to go for the problems every step shares, or null when the screen must show it itself.
 * 401 SIGNUP_SESSION_INVALID / 410 SIGNUP_EXPIRED: back to the start, with the API's explanation.
 * 409 STEP_NOT_ALLOWED: to the step the API names.
 */
export function signupProblemRedirect(problem) {
  if (!problem) return null;
  if (problem.code === "SIGNUP_SESSION_INVALID" || problem.code === "SIGNUP_EXPIRED") {
    signup.clear();
    return { to: START_PATH, options: { flash: { type: "warning", title: problem.title, text: problem.detail } } };
  }
  if (problem.code === "STEP_NOT_ALLOWED" && STEP_PATHS[problem.next_step]) {
    return { to: STEP_PATHS[problem.next_step], options: {} };
  }
  return null;
}

/** The text of a problem for an alert: its detail, plus when to retry for a 429. */
export function problemText(problem) {
  if (problem && problem.retry_after !== undefined) {
    const detail = (problem.detail || "").replace(/\s*Réessayez plus tard\.?\s*$/, ""); // said more precisely below
    return `${detail} ${retrySentence(problem.retry_after)}`.trim();
  }
  return problem ? problem.detail : "";
}

// -- the end of the signup session (30 minutes): said 5 minutes before, and when it is over ----------------

export const WARN_BEFORE_MS = 5 * 60 * 1000;
let warnTimer = null;
let endTimer = null;

/** Shows the notice at the top of the current screen, if a signup step is still on screen. */
function sessionNotice(kind, end) {
  const app = document.getElementById("app");
  if (!app || !signup.get() || !Object.values(STEP_PATHS).includes(window.location.pathname)) return;
  const old = document.getElementById("avis-fin-session");
  if (old) old.remove();
  const minutes = Math.max(1, Math.round((end - Date.now()) / 60000));
  const node = kind === "warning"
    ? alert({
      type: "warning", announce: true, title: `Il vous reste ${minutes} minute${minutes > 1 ? "s" : ""} pour terminer`,
      text: "Pour votre sécurité, la création de votre compte doit se terminer dans les 30 minutes qui suivent son début. "
        + "Au-delà, les informations saisies sont effacées et il faudra recommencer.",
    })
    : alert({
      type: "error", announce: true, title: "Le délai de 30 minutes est dépassé",
      text: "Pour votre sécurité, la création de compte en cours a été arrêtée et les informations saisies effacées.",
      children: [h("p", {}, h("a", { href: START_PATH }, "Recommencer la création de mon compte"))],
    });
  node.id = "avis-fin-session";
  app.prepend(node);
}

/** Sets the two notices for a signup session ending at `expiresAt` (RFC 3339); replaces older ones. */
export function watchSignupEnd(expiresAt) {
  window.clearTimeout(warnTimer);
  window.clearTimeout(endTimer);
  const end = Date.parse(expiresAt);
  if (!Number.isFinite(end)) return;
  const now = Date.now();
  if (end - now > WARN_BEFORE_MS) warnTimer = window.setTimeout(() => sessionNotice("warning", end), end - WARN_BEFORE_MS - now);
  endTimer = window.setTimeout(() => sessionNotice("over", end), Math.max(0, end - now));
}
