// The return from FranceConnect: /franceconnect/retour#signup_id=..&signup_token=..&next_step=terms,
// or #error=CODE. The fragment is read once and removed from the address bar at once.
// A signup opened by FranceConnect first shows the identity FranceConnect sent, for the person to check
// it is theirs (FranceConnect's rule for its partners), with a way out: "Ce n'est pas moi" cancels the
// signup and logs out of FranceConnect.
import { api } from "../api.js";
import { h } from "../dom.js";
import {
  keepEmailSuggestion, problemText, remember, signupPath, signupProblemRedirect, STEP_PATHS, START_PATH, watchSignupEnd,
} from "../flow.js";
import { comeBack, leaveFor } from "../router.js";
import { finished, logoutState, memory, signup } from "../store.js";
import {
  alert, button, buttons, franceConnectButton, heading, linkButton, needHelp, page, showAlert, whileBusy,
} from "../ui.js";

export const RETURN_PATH = "/franceconnect/retour";
/** The reason kept with the logout's state when the person said the identity was not theirs. */
export const IDENTITY_REFUSED = "IDENTITY_REFUSED";

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
  [IDENTITY_REFUSED]: {
    title: "Vous êtes déconnecté de FranceConnect",
    text: ["Vous nous avez indiqué que l'identité transmise par FranceConnect n'est pas la vôtre : la création de "
      + "compte a été annulée, aucun compte n'a été créé, et votre session FranceConnect est terminée.",
    "Si vous vous étiez identifié avec le compte d'une autre personne (sur un appareil partagé, par exemple), "
      + "identifiez-vous de nouveau avec FranceConnect en choisissant votre propre compte, ou créez votre compte "
      + "avec votre carte Vitale et votre RIB.",
    "Si ce sont bien vos informations mais qu'elles sont inexactes, elles se corrigent auprès du compte avec "
      + "lequel vous vous êtes identifié (impots.gouv.fr, ameli.fr, L'Identité Numérique La Poste, MSA, France Identité)."],
    retry: true,
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
        // Back over FranceConnect's pages to this screen, which shows the identity received.
        if (comeBack(RETURN_PATH)) return returning();
        return identityCheck(ctx, signup.get());
      }
      memory.franceconnectError = params.get("error") || "FRANCECONNECT_FAILED";
      if (comeBack("/franceconnect/retour", { error: memory.franceconnectError })) return returning();
    }
    const code = memory.franceconnectError;
    if (!code) {
      const current = signup.get();
      if (current && current.method === "franceconnect") return identityCheck(ctx, current);
      ctx.redirect(current ? STEP_PATHS.terms : "/");
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

// -- "Vérifiez votre identité": what FranceConnect sent -----------------------------------------------

const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
  "novembre", "décembre"];

/** FranceConnect's birth date (YYYY-MM-DD, an unknown day or month sent as 01) as the person would say it. */
export function birthDateText(isoDate, precision) {
  const [year, month, day] = isoDate.split("-");
  if (precision === "year") return `${year} (jour et mois inconnus)`;
  if (precision === "month") return `${MONTHS[Number(month) - 1]} ${year} (jour inconnu)`;
  return `${day}/${month}/${year}`;
}

// INSEE's departments, by the first characters of a COG commune code: enough for a person to recognise a
// birth place whose commune name FranceConnect does not send (only its code).
const DEPARTMENTS = {
  "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence", "05": "Hautes-Alpes",
  "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes", "09": "Ariège", 10: "Aube", 11: "Aude",
  12: "Aveyron", 13: "Bouches-du-Rhône", 14: "Calvados", 15: "Cantal", 16: "Charente", 17: "Charente-Maritime",
  18: "Cher", 19: "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse", 21: "Côte-d'Or", 22: "Côtes-d'Armor",
  23: "Creuse", 24: "Dordogne", 25: "Doubs", 26: "Drôme", 27: "Eure", 28: "Eure-et-Loir", 29: "Finistère",
  30: "Gard", 31: "Haute-Garonne", 32: "Gers", 33: "Gironde", 34: "Hérault", 35: "Ille-et-Vilaine", 36: "Indre",
  37: "Indre-et-Loire", 38: "Isère", 39: "Jura", 40: "Landes", 41: "Loir-et-Cher", 42: "Loire", 43: "Haute-Loire",
  44: "Loire-Atlantique", 45: "Loiret", 46: "Lot", 47: "Lot-et-Garonne", 48: "Lozère", 49: "Maine-et-Loire",
  50: "Manche", 51: "Marne", 52: "Haute-Marne", 53: "Mayenne", 54: "Meurthe-et-Moselle", 55: "Meuse",
  56: "Morbihan", 57: "Moselle", 58: "Nièvre", 59: "Nord", 60: "Oise", 61: "Orne", 62: "Pas-de-Calais",
  63: "Puy-de-Dôme", 64: "Pyrénées-Atlantiques", 65: "Hautes-Pyrénées", 66: "Pyrénées-Orientales", 67: "Bas-Rhin",
  68: "Haut-Rhin", 69: "Rhône", 70: "Haute-Saône", 71: "Saône-et-Loire", 72: "Sarthe", 73: "Savoie",
  74: "Haute-Savoie", 75: "Paris", 76: "Seine-Maritime", 77: "Seine-et-Marne", 78: "Yvelines", 79: "Deux-Sèvres",
  80: "Somme", 81: "Tarn", 82: "Tarn-et-Garonne", 83: "Var", 84: "Vaucluse", 85: "Vendée", 86: "Vienne",
  87: "Haute-Vienne", 88: "Vosges", 89: "Yonne", 90: "Territoire de Belfort", 91: "Essonne", 92: "Hauts-de-Seine",
  93: "Seine-Saint-Denis", 94: "Val-de-Marne", 95: "Val-d'Oise", 971: "Guadeloupe", 972: "Martinique",
  973: "Guyane", 974: "La Réunion", 975: "Saint-Pierre-et-Miquelon", 976: "Mayotte",
};

/** The birth place as FranceConnect sent it (INSEE codes), with the department when born in France. */
export function birthPlaceText(identity) {
  if (!identity.birthplace) return `À l'étranger (pays de code INSEE ${identity.birthcountry})`;
  const code = identity.birthplace;
  const department = DEPARTMENTS[code.startsWith("97") ? code.slice(0, 3) : code.slice(0, 2)];
  return department ? `${department}, commune de code INSEE ${code}` : `Commune de code INSEE ${code}`;
}

function identityList(identity) {
  const rows = [
    ["Prénoms", identity.given_names],
    ["Nom de naissance", identity.birth_name],
    identity.usage_name ? ["Nom d'usage", identity.usage_name] : null,
    ["Sexe", identity.gender === "female" ? "Féminin" : "Masculin"],
    ["Date de naissance", birthDateText(identity.birth_date, identity.birth_date_precision)],
    ["Lieu de naissance", birthPlaceText(identity)],
  ].filter(Boolean);
  return h("dl", { class: "received-identity" },
    ...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/** The identity received, to check, with "C'est bien moi" (on to the next step) and "Ce n'est pas moi". */
async function identityCheck(ctx, current) {
  const answer = await api("GET", signupPath(current), { token: current.token });
  if (!answer.ok) {
    const handled = signupProblemRedirect(answer.problem);
    if (handled) {
      ctx.redirect(handled.to, handled.options);
      return null;
    }
    return page(heading("Retour de FranceConnect"),
      alert({ type: "error", title: answer.problem.title, text: problemText(answer.problem) }),
      buttons(button("Réessayer", { onClick: () => ctx.navigate(RETURN_PATH, { replace: true }) })));
  }
  const status = answer.data;
  keepEmailSuggestion(current, status);
  const next = STEP_PATHS[status.next_step] || STEP_PATHS.terms;
  if (!status.franceconnect_identity) {
    remember(current, status);
    ctx.redirect(next);
    return null;
  }
  watchSignupEnd(status.expires_at);
  ctx.setTitle("Vérifiez votre identité");
  const slot = h("div", {});
  const notMe = button("Ce n'est pas moi : me déconnecter de FranceConnect", {
    primary: false, icon: "fr-icon-logout-box-r-line",
    onClick: () => whileBusy(notMe, async () => {
      const cancelled = await api("DELETE", signupPath(current), { token: current.token });
      // Already ended (expired, or cancelled in another tab): nothing left to cancel, the logout still matters.
      const gone = cancelled.problem && signupProblemRedirect(cancelled.problem);
      if (!cancelled.ok && !gone) {
        showAlert(slot, { title: cancelled.problem.title, text: problemText(cancelled.problem) });
        return;
      }
      signup.clear();
      const logout = status.franceconnect_logout_url;
      if (!logout) {
        memory.franceconnectError = IDENTITY_REFUSED;
        ctx.navigate(RETURN_PATH, { replace: true });
        return;
      }
      // FranceConnect comes back to the "check your mailbox" page with this state, which sends the person here.
      logoutState.set({ state: new URL(logout).searchParams.get("state"), reason: IDENTITY_REFUSED });
      leaveFor(logout);
    }),
  });
  // This answer is the next step's too (with the terms to show): that screen need not ask again.
  const itIsMe = linkButton("C'est bien moi, continuer", next);
  itIsMe.addEventListener("click", () => remember(current, status));
  return page(
    heading("Vérifiez votre identité"),
    slot,
    h("p", {}, "Vous vous êtes identifié avec FranceConnect. Voici l'identité que FranceConnect nous a transmise : "
      + "vérifiez qu'il s'agit bien de vous avant de continuer."),
    h("div", { class: "fr-callout fr-mb-3w" },
      h("h2", { class: "fr-callout__title fr-h5" }, "Identité transmise par FranceConnect"),
      identityList(status.franceconnect_identity)),
    h("p", { class: "fr-text--sm" }, "Ce n'est pas vous ? Déconnectez-vous de FranceConnect : la création de compte "
      + "en cours sera annulée, et personne ne pourra la poursuivre depuis cet appareil."),
    buttons(notMe, itIsMe));
}
