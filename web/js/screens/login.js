// Login (NIR + code personnel), the pending states a login can find (email not confirmed yet, link
// expired, address deleted: each with the short-lived pending_token) and the active account page.
import { api, fieldErrors } from "../api.js";
import { h } from "../dom.js";
import { problemText } from "../flow.js";
import { frenchDateTime, maskEmail, maskPhone } from "../format.js";
import { lastLink, pending, session } from "../store.js";
import {
  alert, button, buttons, emailPair, formErrors, heading, linkButton, needHelp, onCompleteSubmit, page, passwordField,
  requiredNotice, showAlert, textField, whileBusy,
} from "../ui.js";

export const PATHS = {
  login: "/connexion",
  notConfirmed: "/connexion/email-a-confirmer",
  expired: "/connexion/lien-expire",
  newAddress: "/connexion/nouvelle-adresse",
  account: "/mon-compte",
  sent: "/nouveau-lien-envoye",
  forgotten: "/connexion/code-oublie",
};

const PENDING_PATHS = {
  EMAIL_CONFIRMATION_PENDING: PATHS.notConfirmed,
  LINK_EXPIRED: PATHS.expired,
  EMAIL_REQUIRED: PATHS.newAddress,
};

const SESSION_OVER = {
  type: "warning", text: "Votre session a expiré. Connectez-vous de nouveau avec votre numéro de sécurité sociale et votre code personnel.",
};

export const login = {
  title: "Se connecter",
  render(ctx) {
    if (session.get()) {
      ctx.redirect(PATHS.account);
      return null;
    }
    const slot = h("div", {});
    const nir = textField({
      name: "nir", label: "Mon n° de sécurité sociale", hint: "13 caractères, ou 15 avec la clé",
      attrs: { autocomplete: "username", autocapitalize: "characters" },
    });
    const code = passwordField({ name: "password", label: "Mon code personnel", autocomplete: "current-password" });
    const errors = formErrors(slot, [nir, code]);
    const lockedHelp = h("div", {});
    const form = h("form", { novalidate: true }, requiredNotice(), nir.node, code.node,
      h("p", { class: "fr-mb-0" }, h("a", { class: "fr-link", href: PATHS.forgotten }, "Code personnel oublié ?")),
      buttons(button("Se connecter", { type: "submit" })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(form, async () => {
        const problems = [];
        if (!nir.value().trim()) problems.push({ field: "nir", message: "Indiquez votre numéro de sécurité sociale." });
        if (!code.value()) problems.push({ field: "password", message: "Indiquez votre code personnel." });
        if (problems.length) {
          errors.show(problems);
          return;
        }
        errors.clear();
        const answer = await api("POST", "/sessions", { body: { nir: nir.value(), password: code.value() } });
        if (answer.ok) {
          pending.clear();
          session.set({ token: answer.data.session_token, expires_at: answer.data.expires_at });
          ctx.navigate(PATHS.account, { replace: true });
          return;
        }
        const { problem } = answer;
        if (PENDING_PATHS[problem.code] && problem.pending_token) {
          pending.set({ token: problem.pending_token, code: problem.code, email_masked: problem.email_masked || null });
          ctx.navigate(PENDING_PATHS[problem.code]);
        } else if (fieldErrors(problem).length) {
          errors.show(fieldErrors(problem));
        } else {
          showAlert(slot, { title: problem.title, text: problemText(problem) });
          if (problem.code === "ACCOUNT_LOCKED") {
            lockedHelp.replaceChildren(needHelp({ intro: "Vous avez oublié votre code personnel ? Un conseiller peut vous aider." }));
          }
        }
      });
    });
    return page(
      heading("Se connecter à mon compte ameli"),
      ctx.takeFlash(),
      slot,
      lockedHelp,
      form,
      h("hr", { class: "fr-mt-4w" }),
      h("h2", { class: "fr-h5" }, "Vous n'avez pas encore de compte ?"),
      h("p", {}, h("a", { class: "fr-link", href: "/creer-mon-compte" }, "Je crée mon compte")));
  },
};

/** The pending login for a pending page, or redirects to the login page (any pending state may give another address). */
function pendingOr(ctx, code) {
  const current = pending.get();
  if (!current || (code && current.code !== code && code !== "EMAIL_REQUIRED")) {
    ctx.redirect(PATHS.login);
    return null;
  }
  return current;
}

/** POST /v1/account/email with the pending token; on success, the "new link sent" page. */
async function sendLink(ctx, current, body, { errors, slot } = {}) {
  const answer = await api("POST", "/account/email", { token: current.token, body });
  if (answer.ok) {
    pending.clear();
    lastLink.set({ email_masked: answer.data.email_masked, link_expires_at: answer.data.link_expires_at });
    ctx.navigate(PATHS.sent, { replace: true });
    return;
  }
  const { problem } = answer;
  if (problem.code === "AUTHENTICATION_REQUIRED" || answer.status === 401) {
    pending.clear();
    ctx.navigate(PATHS.login, { flash: SESSION_OVER });
  } else if (problem.code === "ACCOUNT_ALREADY_ACTIVE") {
    pending.clear();
    ctx.navigate(PATHS.login, { flash: { type: "info", text: problem.detail } });
  } else if (!body.email && fieldErrors(problem).some((e) => e.field === "email" && e.code === "REQUIRED")) {
    // The address was deleted meanwhile (its retention ended): ask for a new one.
    pending.set({ ...current, code: "EMAIL_REQUIRED", email_masked: null });
    ctx.navigate(PATHS.newAddress, { replace: true });
  } else if (problem.code === "EMAIL_ALREADY_USED" && errors) {
    errors.show([{ field: "email", message: problem.detail }]);
  } else if (fieldErrors(problem).length && errors) {
    errors.show(fieldErrors(problem));
  } else {
    showAlert(slot, { title: problem.title, text: problemText(problem) });
  }
}

export const notConfirmed = {
  title: "Votre adresse email n'est pas encore confirmée",
  render(ctx) {
    const current = pendingOr(ctx, "EMAIL_CONFIRMATION_PENDING");
    if (!current) return null;
    const slot = h("div", {});
    const resend = button("Recevoir un nouveau lien à la même adresse", {
      icon: "fr-icon-mail-line", onClick: () => whileBusy(resend, () => sendLink(ctx, current, {}, { slot })),
    });
    return page(
      heading("Votre adresse email n'est pas encore confirmée"),
      slot,
      h("p", {}, "Votre compte sera actif dès que vous aurez cliqué sur le lien envoyé à l'adresse ",
        h("strong", {}, current.email_masked || "indiquée"), "."),
      h("p", {}, "Vous ne trouvez pas l'email ? Vérifiez votre dossier de courriers indésirables (spam), ",
        "ou recevez un nouveau lien. Si l'adresse est erronée, recevez le lien à une autre adresse : elle remplacera ",
        "la précédente."),
      h("ul", { class: "fr-btns-group" },
        h("li", {}, resend),
        h("li", {}, linkButton("Recevoir le lien à une autre adresse", PATHS.newAddress, { primary: false }))),
      h("p", {}, h("a", { class: "fr-link", href: "/" }, "Retour à l'accueil")));
  },
};

export const expired = {
  title: "Ce lien n'est plus actif",
  render(ctx) {
    const current = pendingOr(ctx, "LINK_EXPIRED");
    if (!current) return null;
    const slot = h("div", {});
    const same = button("Recevoir un nouveau lien à la même adresse", {
      onClick: () => whileBusy(same, () => sendLink(ctx, current, {}, { slot })),
    });
    return page(
      heading("Ce lien n'est plus actif"),
      slot,
      h("p", {}, "Le lien de confirmation envoyé à l'adresse ", h("strong", {}, current.email_masked || "indiquée"),
        " a expiré. Vous pouvez recevoir un nouveau lien :"),
      h("ul", { class: "fr-btns-group" },
        h("li", {}, same),
        h("li", {}, linkButton("Recevoir le lien à une autre adresse", PATHS.newAddress, { primary: false }))));
  },
};

export const newAddress = {
  title: "Indiquer une adresse email",
  render(ctx) {
    const current = pendingOr(ctx, "EMAIL_REQUIRED");
    if (!current) return null;
    const deleted = current.code === "EMAIL_REQUIRED";
    const title = deleted ? "Indiquez une adresse email" : "Recevoir le lien à une autre adresse email";
    ctx.setTitle(title);
    const slot = h("div", {});
    const address = emailPair();
    const errors = formErrors(slot, address.fields);
    const form = h("form", { novalidate: true }, requiredNotice(), ...address.nodes,
      buttons(
        deleted ? null : linkButton("Retour", PENDING_PATHS[current.code] || PATHS.login, { primary: false }),
        button("Valider", { type: "submit" })));
    onCompleteSubmit(form, errors, address.missing, () => sendLink(ctx, current, address.body(), { errors, slot }));
    return page(
      heading(title),
      slot,
      deleted
        ? alert({ type: "warning", text: "Votre adresse email n'a pas été confirmée à temps et a été supprimée." })
        : null,
      h("p", {}, deleted
        ? "Indiquez une adresse email valide : nous vous enverrons un lien pour activer votre compte."
        : "Nous enverrons un nouveau lien d'activation à cette adresse. Elle remplacera l'adresse précédente."),
      h("p", {}, "Cette adresse doit être la vôtre : elle ne peut pas servir pour un autre compte ameli."),
      form);
  },
};

const METHODS = { carte_vitale: "carte Vitale et IBAN", franceconnect: "FranceConnect" };

export const account = {
  title: "Mon compte ameli",
  async render(ctx) {
    const current = session.get();
    if (!current) {
      ctx.redirect(PATHS.login);
      return null;
    }
    const answer = await api("GET", "/account", { token: current.token });
    if (!answer.ok) {
      if (answer.status === 401) {
        session.clear();
        ctx.redirect(PATHS.login, { flash: SESSION_OVER });
        return null;
      }
      return page(heading("Mon compte ameli"), alert({ type: "error", title: answer.problem.title, text: problemText(answer.problem) }));
    }
    const data = answer.data;
    const rows = [
      ["Adresse email", maskEmail(data.email)],
      ["Téléphone portable", data.mobile_phone ? maskPhone(data.mobile_phone) : "Non renseigné"],
      ["Téléphone fixe", data.landline_phone ? maskPhone(data.landline_phone) : "Non renseigné"],
      ["Compte créé avec", METHODS[data.signup_method] || data.signup_method],
    ];
    const slot = h("div", {});
    const logout = button("Se déconnecter", {
      primary: false, icon: "fr-icon-logout-box-r-line",
      onClick: () => whileBusy(logout, async () => {
        await api("DELETE", "/sessions/current", { token: current.token });
        session.clear();
        ctx.navigate("/", { replace: true, flash: { type: "info", text: "Vous êtes déconnecté de votre compte ameli." } });
      }),
    });
    return page(
      heading("Mon compte ameli"),
      slot,
      alert({ type: "success", text: "Votre compte est actif." }),
      h("h2", { class: "fr-h4" }, "Mes coordonnées"),
      h("dl", { class: "account-details" },
        ...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
      consentChoices(ctx, current, data),
      buttons(logout));
  },
};

// Each consent a DSFR toggle; a phone's consents only with that phone (the API refuses them otherwise).
const CONSENTS = [
  { name: "email_marketing", label: "Par email" },
  { name: "mobile_marketing_call", label: "Par téléphone, sur mon portable", phone: "mobile_phone" },
  { name: "mobile_marketing_sms", label: "Par SMS, sur mon portable", phone: "mobile_phone" },
  { name: "landline_marketing_call", label: "Par téléphone, sur mon fixe", phone: "landline_phone" },
];

function consentHint(consent) {
  return consent ? `${consent.given ? "Accepté" : "Refusé"} le ${frenchDateTime(consent.at)}` : "Pas encore de choix";
}

/** "Mes choix" on the account page: the toggles, saved together with "Enregistrer mes choix". */
function consentChoices(ctx, current, data) {
  const slot = h("div", { "aria-live": "polite" });
  const consents = { ...(data.consents || {}) };
  const toggles = CONSENTS.filter((c) => !c.phone || data[c.phone]).map((c) => {
    const id = `consent-${c.name}`;
    const input = h("input", { class: "fr-toggle__input", type: "checkbox", id, name: c.name,
      "aria-describedby": `${id}-hint` });
    input.checked = Boolean(consents[c.name] && consents[c.name].given);
    const hint = h("p", { class: "fr-hint-text", id: `${id}-hint` }, consentHint(consents[c.name]));
    const node = h("div", { class: "fr-fieldset__element" },
      h("div", { class: "fr-toggle" }, input,
        h("label", { class: "fr-toggle__label", for: id, "data-fr-checked-label": "Oui", "data-fr-unchecked-label": "Non" },
          c.label),
        hint));
    return { ...c, input, hint, node };
  });
  const save = button("Enregistrer mes choix", { type: "submit", primary: false });
  const form = h("form", { novalidate: true },
    h("fieldset", { class: "fr-fieldset", "aria-describedby": "consents-intro" },
      h("legend", { class: "fr-fieldset__legend" },
        "J'autorise l'Assurance Maladie à me communiquer des informations promotionnelles sur ses services :"),
      ...toggles.map((t) => t.node)),
    buttons(save));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(form, async () => {
      const changes = {};
      for (const t of toggles) {
        if (t.input.checked !== Boolean(consents[t.name] && consents[t.name].given)) changes[t.name] = t.input.checked;
      }
      if (!Object.keys(changes).length) {
        showAlert(slot, { type: "info", text: "Vos choix n'ont pas changé : il n'y a rien à enregistrer.", small: true });
        return;
      }
      const answer = await api("PATCH", "/account/consents", { token: current.token, body: changes });
      if (answer.ok) {
        Object.assign(consents, answer.data.consents);
        for (const t of toggles) t.hint.textContent = consentHint(consents[t.name]);
        showAlert(slot, { type: "success", text: "Vos choix sont enregistrés.", small: true });
      } else if (answer.status === 401) {
        session.clear();
        ctx.navigate(PATHS.login, { flash: SESSION_OVER });
      } else {
        showAlert(slot, { type: "error", title: answer.problem.title, text: problemText(answer.problem) });
      }
    });
  });
  return h("section", { class: "fr-mt-4w", "aria-labelledby": "consents-title" },
    h("h2", { class: "fr-h4", id: "consents-title" }, "Mes choix d'informations promotionnelles"),
    h("p", { id: "consents-intro" }, "Vous pouvez changer ces choix à tout moment. Ils ne concernent que les informations ",
      "promotionnelles : les messages sur vos remboursements et vos droits vous parviennent toujours."),
    slot,
    form);
}

/** Until the reset flow exists: how to get a new code personnel today, said plainly. */
export const forgotten = {
  title: "Code personnel oublié",
  render() {
    return page(
      heading("Vous avez oublié votre code personnel ?"),
      alert({
        type: "info",
        text: "Ce service ne permet pas encore de choisir un nouveau code personnel en ligne.",
      }),
      h("p", {}, "Pour obtenir un nouveau code personnel aujourd'hui :"),
      h("ul", {},
        h("li", {}, h("strong", {}, "appelez le 36 46"), " : un conseiller vérifie votre identité et vous explique ",
          "comment recevoir un nouveau code ;"),
        h("li", {}, "ou ", h("strong", {}, "rendez-vous à l'accueil de votre caisse d'assurance maladie"),
          ", avec une pièce d'identité et votre carte Vitale.")),
      h("p", {}, "Votre compte et vos informations restent tels quels : rien n'est perdu. ",
        "Ne créez pas un nouveau compte, ce n'est pas possible avec le même numéro de sécurité sociale."),
      needHelp(),
      buttons(linkButton("Retour à la connexion", PATHS.login, { primary: false, icon: "fr-icon-arrow-left-line" })));
  },
};
