// Screens by path with the History API. Each screen is `{ title, render(ctx) }`; `render` returns a
// node (or a promise of one), or calls `ctx.redirect(path)` and returns nothing.
// On navigation: the new screen replaces the old one, the page title changes, focus moves to the h1.
import { h } from "./dom.js";
import { alert } from "./ui.js";
import { away, memory, session } from "./store.js";

const SITE = "Compte ameli - L'Assurance Maladie";
const routes = new Map();
let notFound = null;
let rendering = 0;
let shownPath = null;

export function register(path, screen) {
  routes.set(path, screen);
}

export function registerNotFound(screen) {
  notFound = screen;
}

function normalise(path) {
  const clean = path.replace(/\/+$/, "");
  return clean === "" ? "/" : clean;
}

export function isClientPath(path) {
  return routes.has(normalise(path));
}

/**
 * Goes to `path` (no query string, no fragment: nothing personal in URLs).
 * options: replace (no new history entry), flash ({ type, title, text } shown once on arrival).
 */
export function navigate(path, { replace = false, flash = null } = {}) {
  if (flash) memory.flash = flash;
  if (replace) window.history.replaceState({}, "", path);
  else window.history.pushState({}, "", path);
  return show({ focus: true });
}

/** The one-shot message left for this screen by the previous one, as an alert node (or null). */
function takeFlash() {
  const flash = memory.flash;
  memory.flash = null;
  if (!flash) return null;
  return alert({ type: flash.type || "info", title: flash.title, text: flash.text, small: !flash.title });
}

const app = () => document.getElementById("app");

async function show({ focus }) {
  const ticket = ++rendering;
  const path = normalise(window.location.pathname);
  const screen = routes.get(path) || notFound;
  let redirected = null;
  let title = screen.title;
  const ctx = {
    path,
    navigate,
    takeFlash,
    redirect: (to, options = {}) => { redirected = { to, options }; },
    setTitle: (text) => { title = text; },
  };
  app().setAttribute("aria-busy", "true");
  let view;
  try {
    view = await screen.render(ctx);
  } catch (error) {
    console.error(error); // eslint-disable-line no-console
    title = "Une erreur s'est produite";
    view = h("div", {}, h("h1", { tabindex: "-1" }, "Une erreur s'est produite"),
      alert({ type: "error", text: "L'affichage de cette page a échoué. Rechargez la page ou revenez à l'accueil." }),
      h("p", {}, h("a", { href: "/" }, "Revenir à l'accueil")));
  }
  if (ticket !== rendering) return; // a newer navigation started meanwhile
  if (redirected) {
    await navigate(redirected.to, { replace: true, ...redirected.options });
    return;
  }
  shownPath = path;
  app().replaceChildren(view);
  app().removeAttribute("aria-busy");
  document.title = `${title} - ${SITE}`;
  updateHeader();
  if (focus) {
    const target = app().querySelector("h1") || document.getElementById("contenu");
    target.setAttribute("tabindex", "-1");
    target.focus();
    window.scrollTo(0, 0);
  }
}

/** The header's tool link: "Se connecter" or, with a session, "Mon compte". */
function updateHeader() {
  const signedIn = Boolean(session.get());
  for (const link of document.querySelectorAll("[data-account-link]")) {
    link.textContent = signedIn ? "Mon compte" : "Se connecter";
    link.setAttribute("href", signedIn ? "/mon-compte" : "/connexion");
  }
}

/** Closes the DSFR header menu (phones) when one of its links was followed. */
function closeMenu() {
  const menu = document.getElementById("menu-principal");
  if (menu && menu.classList.contains("fr-modal--opened")) {
    const close = menu.querySelector(".fr-btn--close");
    if (close) close.click();
  }
}

// -- trips to another site (FranceConnect) kept out of the back history --------------------------------
// Before leaving, the current entry is duplicated (pushState: forward entries dropped) and the history
// length noted. Back on one of our pages, the client goes back to that duplicate (history.go) and
// pushes the page to show from there: the other site's entries are dropped as forward entries, so
// Back never lands on an expired FranceConnect page. Chromium caps history.length at 50: beyond, or
// when anything looks off, the client simply stays where it is.
const HISTORY_CAP = 50;
const TRIP_MAX_MS = 30 * 60 * 1000; // an older trip is stale: its history length means nothing now

/** Leaves for `url` (another site), coming back later through `comeBack`. */
export function leaveFor(url) {
  window.history.pushState({}, "", window.location.pathname);
  away.set({ length: window.history.length, stage: "away", at: Date.now() });
  window.location.assign(url);
}

/**
 * On the page the other site sent the person back to: returns true when the client is going back
 * to the departure entry (which will then show `resume`); false when it stays here.
 */
export function comeBack(resume, { error = null } = {}) {
  const trip = away.get();
  if (!trip || trip.stage !== "away") return false;
  const steps = window.history.length - trip.length;
  const recent = Date.now() - (trip.at || 0) < TRIP_MAX_MS;
  if (steps <= 0 || steps > 20 || !recent || window.history.length >= HISTORY_CAP) {
    away.clear();
    return false;
  }
  away.set({ ...trip, stage: "returning", resume, error });
  window.history.go(-steps);
  // If the browser did not move (still here after 1.5 s), show the page here.
  window.setTimeout(() => {
    const now = away.get();
    if (now && now.stage === "returning") {
      away.clear();
      navigate(resume, { replace: true });
    }
  }, 1500);
  return true;
}

/** At the departure entry again: drops the other site's entries by pushing the page to show. */
function arrivedBack() {
  const trip = away.get();
  if (!trip || trip.stage !== "returning") return false;
  away.clear();
  if (trip.error) memory.franceconnectError = trip.error;
  window.history.pushState({}, "", trip.resume);
  return true;
}

/** Starts the router: renders the current path, follows clicks on internal links and Back/Forward. */
export function start() {
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || link.dataset.external === "true") return;
    const href = link.getAttribute("href");
    if (href && href.startsWith("#")) {
      // In-page links (skip links): move focus without touching the URL (the fragment may hold a token).
      const target = document.getElementById(decodeURIComponent(href.slice(1)));
      if (target) {
        event.preventDefault();
        if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
          target.setAttribute("tabindex", "-1");
        }
        target.focus();
      }
      return;
    }
    if (!href) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.search || url.hash) return;
    if (!isClientPath(url.pathname)) return;
    event.preventDefault();
    closeMenu();
    if (normalise(url.pathname) === normalise(window.location.pathname)) return;
    navigate(url.pathname);
  });
  // A new fragment on the same path (a confirmation link pasted into an open activation page) is a new
  // screen too: the screen reads the fragment and removes it.
  const changed = () => normalise(window.location.pathname) !== shownPath || window.location.hash.length > 1;
  window.addEventListener("popstate", () => {
    if (changed()) show({ focus: true });
  });
  window.addEventListener("hashchange", () => {
    if (changed()) show({ focus: true });
  });
  // Restored from the back-forward cache (the departure entry of a trip): the same check as a load.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && arrivedBack()) show({ focus: true });
  });
  const back = arrivedBack();
  return show({ focus: back });
}
