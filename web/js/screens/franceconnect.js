// The return from FranceConnect: /franceconnect/retour#signup_id=..&signup_token=..&next_step=terms,
// or #error=CODE. The fragment is read once and removed from the address bar at once.
import { h } from "../dom.js";
import { STEP_PATHS, START_PATH } from "../flow.js";
import { comeBack } from "../router.js";
import { finished, memory, signup } from "../store.js";
import { buttons, franceConnectButton, heading, linkButton, needHelp, page } from "../ui.js";

const ERRORS = {
  FRANCECONNECT_CANCELLED: {
    title: "Identification avec FranceConnect annulée",
    text: ["Vous n'avez pas terminé votre identification avec FranceConnect : aucun compte n'a été créé.",
      "Vous pouvez réessayer, ou créer votre compte avec votre carte Vitale et votre RIB."],
    retry: true,
  },
  FRANCECONNECT_FAILED: {
    title: "L'identification avec FranceConnect n'a pas abouti",
    text: ["Une erreur s'est produite pendant votre identification avec FranceConnect.",
      "Réessayez dans quelques instants, ou créez votre compte avec votre carte Vitale et votre RIB."],
    retry: true,
  },
  ONLINE_SIGNUP_UNAVAILABLE: {
    title: "Création de compte en ligne impossible",
    text: ["Nous ne pouvons pas créer votre compte en ligne avec l'identité transmise par FranceConnect.",
      "Vous pouvez créer votre compte avec votre carte Vitale et votre RIB, ou contacter votre caisse d'assurance maladie."],
    retry: false,
    help: true,
  },
  ACCOUNT_ALREADY_EXISTS: {
    title: "Vous avez déjà un compte ameli",
    text: ["Un compte existe déjà pour vous. Connectez-vous avec votre numéro de sécurité sociale et votre code personnel."],
    login: true,
  },
};

/** Shown for the instant the client takes to step back over FranceConnect's pages. */
function returning() {
  return page(heading("Retour de FranceConnect"), h("p", {}, "Chargement de la suite de votre démarche…"));
}

export const franceConnectReturn = {
  title: "Retour de FranceConnect",
  render(ctx) {
    const fragment = window.location.hash.replace(/^#/, "");
    if (fragment) {
      window.history.replaceState(window.history.state, "", window.location.pathname);
      const params = new URLSearchParams(fragment);
      const id = params.get("signup_id");
      const token = params.get("signup_token");
      if (id && token) {
        signup.set({ id, token, method: "franceconnect" });
        finished.clear();
        memory.franceconnectError = null;
        const next = STEP_PATHS[params.get("next_step")] || STEP_PATHS.terms;
        if (comeBack(next)) return returning();
        ctx.redirect(next);
        return null;
      }
      memory.franceconnectError = params.get("error") || "FRANCECONNECT_FAILED";
      if (comeBack("/franceconnect/retour", { error: memory.franceconnectError })) return returning();
    }
    const code = memory.franceconnectError;
    if (!code) {
      ctx.redirect(signup.get() ? STEP_PATHS.terms : "/");
      return null;
    }
    const error = ERRORS[code] || ERRORS.FRANCECONNECT_FAILED;
    ctx.setTitle(error.title);
    return page(
      heading(error.title),
      ...error.text.map((text) => h("p", {}, text)),
      error.login
        ? buttons(linkButton("Se connecter", "/connexion"))
        : [
          buttons(linkButton("Je crée mon compte avec ma carte Vitale", START_PATH, { primary: !error.retry })),
          error.retry ? franceConnectButton() : null,
        ],
      error.help ? needHelp() : null);
  },
};
