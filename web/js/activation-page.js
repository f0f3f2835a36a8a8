// The page of the confirmation link, /activation#token=... (dist/activation.html, built from
// web/activation.src.html): what the mail app's browser opens, often with nothing cached, so it loads
// only this script, a stylesheet of its own and the system font (no Marianne, no DSFR scripts, none of
// the other screens). Opening it consumes nothing: the token is read from the fragment, removed from
// the address bar, and sent only when the person clicks "Activer mon compte". Activated: said here.
// Expired link, deleted address, invalid link: the single-page client's screens (/activation/...),
// which find the token in this tab's storage.
import { api } from "./api.js";
import { h } from "./dom.js";
import { problemText } from "./flow.js";
import { confirmation } from "./store.js";
import { PATHS, active, confirmationProblemPath, incomplete } from "./screens/activation.js";
import { button, buttons, heading, page, showAlert, whileBusy } from "./ui.js";

const SITE = "Compte ameli - L'Assurance Maladie";
const app = () => document.getElementById("app");

/** Reads `#token=...` once, keeps it for this tab, and removes the fragment from the address bar. */
function takeTokenFromFragment() {
  const fragment = window.location.hash.replace(/^#/, "");
  if (!fragment) return;
  const token = new URLSearchParams(fragment).get("token");
  window.history.replaceState(window.history.state, "", window.location.pathname);
  if (token) confirmation.set({ token });
}

function show(title, view, { focus = true } = {}) {
  app().replaceChildren(view);
  document.title = `${title} - ${SITE}`;
  if (focus) app().querySelector("h1").focus();
}

function confirmScreen(stored) {
  const slot = h("div", {});
  const activate = button("Activer mon compte", {
    onClick: () => whileBusy(activate, async () => {
      const answer = await api("POST", "/email-confirmations", { body: { token: stored.token } });
      if (answer.ok) {
        confirmation.clear();
        window.history.replaceState({}, "", PATHS.active); // a reload shows the same screen
        show(active.title, active.render());
        return;
      }
      const to = confirmationProblemPath(answer.problem);
      if (to) window.location.replace(to);
      else showAlert(slot, { title: answer.problem.title, text: problemText(answer.problem) });
    }),
  });
  return page(
    heading("Activer mon compte ameli"),
    slot,
    h("p", {}, "Vous avez ouvert le lien reçu par email. Pour terminer la création de votre compte, ",
      "cliquez sur le bouton ci-dessous."),
    buttons(activate));
}

function render({ focus }) {
  takeTokenFromFragment();
  const stored = confirmation.get();
  if (stored) show("Activer mon compte ameli", confirmScreen(stored), { focus });
  else show(incomplete.title, incomplete.render(), { focus });
}

// A link pasted into this open page changes only the fragment: read it as a new opening.
window.addEventListener("hashchange", () => {
  if (window.location.hash.length > 1) render({ focus: true });
});
render({ focus: false });
