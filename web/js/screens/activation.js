// The screens after the confirmation link. The link's own page, /activation#token=..., is not part of
// the single-page client: it is web/activation.html with js/activation-page.js, light for the mail
// app's browser, and it uses `active`, `incomplete` and `confirmationProblemPath` from here. Then:
// activated; link expired (same or other address); address deleted; invalid.
import { api, fieldErrors } from "../api.js";
import { h } from "../dom.js";
import { problemText } from "../flow.js";
import { confirmation, lastLink } from "../store.js";
import {
  alert, button, buttons, emailPair, formErrors, heading, linkButton, page, passwordField, requiredNotice, showAlert,
  whileBusy,
} from "../ui.js";

export const PATHS = {
  confirm: "/activation",
  active: "/activation/compte-active",
  expired: "/activation/lien-expire",
  otherAddress: "/activation/autre-adresse",
  deleted: "/activation/adresse-supprimee",
  invalid: "/activation/lien-invalide",
  sent: "/nouveau-lien-envoye",
};

/** Where a problem of the confirmation API leads (or null: show it here). */
export function confirmationProblemPath(problem) {
  switch (problem.code) {
    case "LINK_EXPIRED": return PATHS.expired;
    case "PENDING_EMAIL_DELETED": confirmation.clear(); return PATHS.deleted;
    case "LINK_INVALID": case "INVALID_REQUEST": confirmation.clear(); return PATHS.invalid;
    default: return null;
  }
}

function linkSent(ctx, data) {
  confirmation.clear();
  lastLink.set({ email_masked: data.email_masked, link_expires_at: data.link_expires_at });
  ctx.navigate(PATHS.sent, { replace: true });
}

/** The link's page opened without its token (a link copied in part). */
export const incomplete = {
  title: "Lien incomplet",
  render() {
    return page(
      heading("Ce lien est incomplet"),
      h("p", {}, "Nous n'avons pas trouvé le code d'activation dans l'adresse de la page."),
      h("p", {}, "Ouvrez de nouveau le lien reçu par email. Si vous l'avez copié, vérifiez que vous l'avez copié en entier."),
      buttons(linkButton("Se connecter", "/connexion", { primary: false })));
  },
};

export const active = {
  title: "Votre compte ameli est activé",
  render() {
    return page(
      heading("Votre compte ameli est activé"),
      alert({ type: "success", text: "Votre adresse email est confirmée : votre compte est actif." }),
      h("p", {}, "Vous pouvez maintenant vous connecter avec votre numéro de sécurité sociale et votre code personnel, ",
        "sur le site comme dans l'application ameli."),
      buttons(linkButton("Se connecter", "/connexion")));
  },
};

export const expired = {
  title: "Ce lien n'est plus actif",
  render(ctx) {
    const stored = confirmation.get();
    if (!stored) {
      ctx.redirect(PATHS.invalid);
      return null;
    }
    const slot = h("div", {});
    const same = button("Recevoir un nouveau lien à la même adresse", {
      onClick: () => whileBusy(same, async () => {
        const answer = await api("POST", "/email-confirmations/resend", { body: { token: stored.token } });
        if (answer.ok) return linkSent(ctx, answer.data);
        const to = confirmationProblemPath(answer.problem);
        if (to && to !== PATHS.expired) ctx.navigate(to, { replace: true });
        else showAlert(slot, { title: answer.problem.title, text: problemText(answer.problem) });
        return undefined;
      }),
    });
    return page(
      heading("Ce lien n'est plus actif"),
      slot,
      h("p", {}, "Le lien de confirmation a expiré. Vous pouvez recevoir un nouveau lien :"),
      h("ul", { class: "fr-btns-group" },
        h("li", {}, same),
        h("li", {}, linkButton("Recevoir le lien à une autre adresse", PATHS.otherAddress, { primary: false }))));
  },
};

export const otherAddress = {
  title: "Recevoir le lien à une autre adresse email",
  render(ctx) {
    const stored = confirmation.get();
    if (!stored) {
      ctx.redirect(PATHS.invalid);
      return null;
    }
    const slot = h("div", {});
    const address = emailPair({
      name: "new_email", label: "Saisissez votre nouvelle adresse email", confirmationLabel: "Je confirme ma nouvelle adresse email",
      missingMessage: "Saisissez votre nouvelle adresse email.",
      missingConfirmationMessage: "Saisissez de nouveau l'adresse email pour la confirmer.",
    });
    const code = passwordField({ name: "password", label: "Mon code personnel", hint: "Par sécurité, confirmez votre code personnel." });
    const errors = formErrors(slot, [...address.fields, code]);
    const form = h("form", { novalidate: true }, requiredNotice(), ...address.nodes, code.node,
      buttons(linkButton("Retour", PATHS.expired, { primary: false }), button("Valider", { type: "submit" })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(form, async () => {
        const problems = address.missing();
        if (!code.value()) problems.push({ field: "password", message: "Saisissez votre code personnel." });
        if (problems.length) {
          errors.show(problems);
          return;
        }
        errors.clear();
        const answer = await api("POST", "/email-confirmations/resend", {
          body: {
            token: stored.token, ...address.body(), password: code.value(),
          },
        });
        if (answer.ok) {
          linkSent(ctx, answer.data);
          return;
        }
        const { problem } = answer;
        if (problem.code === "INVALID_CREDENTIALS") errors.show([{ field: "password", message: problem.detail }]);
        else if (problem.code === "EMAIL_ALREADY_USED") errors.show([{ field: "new_email", message: problem.detail }]);
        else if (fieldErrors(problem).length) errors.show(fieldErrors(problem));
        else if (confirmationProblemPath(problem) && problem.code !== "LINK_EXPIRED") ctx.navigate(confirmationProblemPath(problem), { replace: true });
        else showAlert(slot, { title: problem.title, text: problemText(problem) });
      });
    });
    return page(
      heading("Recevoir le lien à une autre adresse email"),
      slot,
      h("p", {}, "Nous enverrons un nouveau lien d'activation à cette adresse. Elle remplacera l'adresse indiquée ",
        "lors de la création de votre compte."),
      form);
  },
};

export const deleted = {
  title: "Adresse email à renseigner de nouveau",
  render() {
    return page(
      heading("Adresse email à renseigner de nouveau"),
      alert({ type: "warning", text: "Votre adresse email n'a pas été confirmée à temps et a été supprimée." }),
      h("p", {}, "Connectez-vous avec votre numéro de sécurité sociale et votre code personnel pour indiquer une ",
        "adresse email valide : nous vous enverrons un nouveau lien pour activer votre compte."),
      buttons(linkButton("Se connecter", "/connexion")));
  },
};

export const invalid = {
  title: "Ce lien n'est pas valide",
  render() {
    return page(
      heading("Ce lien n'est pas valide"),
      h("p", {}, "Ce lien de confirmation n'est pas reconnu, ou il a été remplacé par un lien plus récent."),
      h("p", {}, "Utilisez le dernier lien reçu par email, ou connectez-vous pour en recevoir un nouveau."),
      buttons(linkButton("Se connecter", "/connexion")));
  },
};
