// The landing page, the "new link sent" page and the page for unknown paths.
import { h } from "../dom.js";
import { frenchDateTime } from "../format.js";
import { lastLink } from "../store.js";
import { buttons, heading, linkButton, page } from "../ui.js";

export const landing = {
  title: "Accueil",
  render(ctx) {
    return page(
      ctx.takeFlash(),
      heading("Le compte ameli"),
      h("p", { class: "fr-text--lead" },
        "Avec le compte ameli : suivez vos remboursements, effectuez vos démarches en ligne, téléchargez vos attestations…"),
      h("ul", { class: "fr-btns-group fr-btns-group--inline-md" },
        h("li", {}, linkButton("Je crée mon compte", "/creer-mon-compte")),
        h("li", {}, linkButton("Se connecter", "/connexion", { primary: false }))),
      h("h2", { class: "fr-mt-6w" }, "Je crée mon compte en moins de 5 minutes"),
      h("p", {}, "Vous n'avez pas encore de compte ameli ? Créez-le entièrement en ligne et accédez-y immédiatement :"),
      h("ul", {},
        h("li", {}, "avec votre ", h("strong", {}, "carte Vitale"), " et votre ", h("strong", {}, "RIB"),
          " (relevé d'identité bancaire) ;"),
        h("li", {}, "ou avec ", h("strong", {}, "FranceConnect"),
          ", si vous avez déjà un compte sur impots.gouv.fr, L'Identité Numérique La Poste, MSA ou France Identité.")),
      h("p", {}, "Vous aurez aussi besoin d'une adresse email que vous consultez facilement : ",
        "vos relevés de remboursements ne vous seront plus envoyés par courrier."));
  },
};

/** After a new link was sent (from the activation page or after a login). */
export const linkSent = {
  title: "Un nouveau lien vous a été envoyé",
  render() {
    const sent = lastLink.get();
    const until = sent ? frenchDateTime(sent.link_expires_at) : "";
    return page(
      heading("Un nouveau lien vous a été envoyé"),
      h("div", { class: "fr-alert fr-alert--success fr-mb-3w" },
        h("p", {}, sent
          ? ["Nous venons d'envoyer un lien d'activation à l'adresse ", h("strong", {}, sent.email_masked), "."]
          : "Nous venons de vous envoyer un lien d'activation par email.")),
      h("p", {}, "Ouvrez cet email et cliquez sur le lien qu'il contient pour activer votre compte ameli."),
      until ? h("p", {}, `Ce lien est valable jusqu'au ${until}.`) : null,
      h("p", {}, "Vous ne le trouvez pas ? Vérifiez votre dossier de courriers indésirables (spam)."),
      buttons(linkButton("Retour à l'accueil", "/", { primary: false })));
  },
};

export const notFound = {
  title: "Page non trouvée",
  render() {
    return page(
      heading("Page non trouvée"),
      h("p", { class: "fr-text--lead" }, "La page que vous cherchez est introuvable."),
      h("p", {}, "Si vous avez tapé l'adresse de la page, vérifiez qu'elle est correcte. ",
        "La page n'est peut-être plus disponible."),
      buttons(linkButton("Page d'accueil", "/")));
  },
};
