// The footer's pages: the accessibility statement (RGAA 4.1 model, from our own audit), the legal
// notice and the personal data page (with the retention periods the product really applies: see
// the comments next to each figure for where it comes from).
import { h } from "../dom.js";
import { CAISSE_URL, heading, page } from "../ui.js";

const external = (href, text) => h("a", { href, target: "_blank", rel: "noopener", title: `${text} - nouvelle fenêtre` }, text);
const section = (title, ...children) => [h("h2", { class: "fr-h4 fr-mt-5w" }, title), ...children];
const list = (...items) => h("ul", {}, ...items.map((item) => h("li", {}, ...[item].flat())));

// The screens audited (each has a browser test that runs axe-core on it: tests/browser/).
const AUDITED = [
  "Accueil (/)",
  "Je crée mon compte ameli : identité, ce qu'il faut avoir, qui ne peut pas créer son compte en ligne (/creer-mon-compte)",
  "Accédez immédiatement à votre compte : IBAN et numéro de série, erreurs, blocage 24 h (/creer-mon-compte/verification)",
  "Création de compte en ligne impossible (/creer-mon-compte/impossible)",
  "Étape 1 sur 3, conditions d'utilisation ; refus (/creer-mon-compte/conditions, /creer-mon-compte/abandon)",
  "Étape 2 sur 3, code personnel : règles et niveau indicatif (/creer-mon-compte/code-personnel)",
  "Étape 3 sur 3, informations personnelles (/creer-mon-compte/coordonnees)",
  "Consultez votre messagerie (/creer-mon-compte/messagerie)",
  "Activation du compte et ses suites : compte activé, lien expiré, autre adresse, lien invalide (/activation/...)",
  "Se connecter, code personnel oublié, adresse à confirmer, lien expiré, nouvelle adresse (/connexion/...)",
  "Mon compte ameli (/mon-compte)",
  "Retour de FranceConnect : vérification de l'identité transmise, ses cinq messages (/franceconnect/retour)",
  "Déclaration d'accessibilité, mentions légales, données personnelles, page non trouvée",
];

// RGAA 4.1 criteria checked by hand (keyboard, Chromium's accessibility tree, 360 px screen), on top of axe-core.
const CHECKED = [
  "1.1, 1.2 : images porteuses d'information avec une alternative (dessin de la carte Vitale), icônes décoratives ignorées",
  "3.2 : contrastes (couleurs du DSFR ; vérifiés aussi par axe-core)",
  "3.1 : l'information n'est pas donnée par la couleur seule (règles du code personnel et niveau de sécurité dits en mots)",
  "7.1 : boutons d'aide et de dépliage avec aria-expanded et aria-controls",
  "7.3 : chaque écran du parcours utilisable au clavier seul (test automatisé du parcours au clavier)",
  "7.5 : messages de statut restitués (règles du code personnel : région live polie ; erreurs : role=\"alert\")",
  "8.5, 8.6 : un titre de page par écran, pertinent",
  "8.7 : langue de la page (lang=\"fr\")",
  "9.1 : titres hiérarchisés, un h1 par écran, qui reçoit le focus à chaque changement d'écran",
  "10.7 : focus visible (celui du DSFR)",
  "10.11 : contenu lisible sans défilement horizontal sur un écran de 360 px de large",
  "11.1, 11.2 : chaque champ a une étiquette visible et pertinente ; 11.5, 11.6 : champs de même nature regroupés avec une légende",
  "11.10, 11.11 : erreurs affichées à côté de leur champ, avec une suggestion de correction ; récapitulatif qui reçoit le focus",
  "11.13 : finalité des champs d'identité et de contact (attribut autocomplete)",
  "12.7 : liens d'évitement vers le contenu et le pied de page",
  "13.1 : avertissement avant la fin de la session de 30 minutes de la création de compte",
  "Cibles tactiles d'au moins 44 x 44 px pour les boutons d'aide (critère WCAG 2.5.5, au-delà du RGAA)",
];

export const accessibility = {
  title: "Déclaration d'accessibilité",
  render() {
    return page(
      heading("Déclaration d'accessibilité"),
      h("p", {}, "L'Assurance Maladie s'engage à rendre ses services en ligne accessibles, conformément à l'article 47 de ",
        "la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité s'applique au service de création ",
        "et d'activation du compte ameli (ce site)."),
      ...section("État de conformité",
        h("p", {}, "Ce service est ", h("strong", {}, "partiellement conforme"), " avec le référentiel général ",
          "d'amélioration de l'accessibilité (RGAA), version 4.1, en raison des non-conformités énumérées ci-dessous."),
        h("p", {}, "Cet état vient d'un audit interne de l'équipe qui développe le service, et non d'un audit ",
          "complet des 106 critères par un organisme indépendant : aucun taux de conformité n'est donc annoncé.")),
      ...section("Pages auditées", list(...AUDITED)),
      ...section("Méthode",
        h("p", {}, "Chaque écran de la liste est vérifié automatiquement par axe-core 4.12 (aucune erreur), à chaque ",
          "modification, dans Chromium sur ordinateur et sur un écran de téléphone de 360 px de large. Les critères ",
          "suivants ont en plus été vérifiés à la main :"),
        list(...CHECKED),
        h("p", {}, "Technologies utilisées : HTML5, CSS, JavaScript, WAI-ARIA ; système de design de l'État (DSFR). ",
          "Outils : axe-core, Lighthouse, le navigateur Chromium et son arbre d'accessibilité, le clavier.")),
      ...section("Contenus non accessibles",
        h("h3", { class: "fr-h6" }, "Non-conformités"),
        list(
          "13.1 : la session de création de compte dure 30 minutes et ne peut pas être prolongée. Un avertissement "
            + "s'affiche 5 minutes avant la fin, mais il faut alors recommencer si le délai est dépassé.",
          "Les pages n'ont pas été vérifiées avec un lecteur d'écran (NVDA, JAWS, VoiceOver, TalkBack) ni à 320 px de large.",
          "L'email de confirmation n'a pas été audité."),
        h("h3", { class: "fr-h6" }, "Dérogations pour charge disproportionnée"),
        h("p", {}, "Aucune."),
        h("h3", { class: "fr-h6" }, "Contenus non soumis à l'obligation d'accessibilité"),
        h("p", {}, "Les pages de FranceConnect et des fournisseurs d'identité (impots.gouv.fr, L'Identité Numérique ",
          "La Poste, MSA...), qui relèvent de leurs propres déclarations d'accessibilité.")),
      ...section("Établissement de cette déclaration",
        h("p", {}, "Cette déclaration a été établie le 1er décembre 2026, à partir de l'audit interne décrit ci-dessus.")),
      ...section("Retour d'information et contact",
        h("p", {}, "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez-nous pour être orienté vers ",
          "une alternative accessible ou obtenir le contenu sous une autre forme : appelez le 36 46 (service gratuit + ",
          "prix de l'appel), ou adressez-vous à votre caisse d'assurance maladie (", external(CAISSE_URL, "trouver ma caisse sur ameli.fr"),
          ").")),
      ...section("Voies de recours",
        h("p", {}, "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une ",
          "fonctionnalité, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de notre part, ",
          "vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des droits :"),
        list(
          ["écrire un message au Défenseur des droits : ", external("https://formulaire.defenseurdesdroits.fr/", "formulaire en ligne")],
          ["contacter le délégué du Défenseur des droits dans votre région : ",
            external("https://www.defenseurdesdroits.fr/saisir/delegues", "liste des délégués")],
          "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre réponse 71120, "
            + "75342 Paris CEDEX 07.")));
  },
};

export const legalNotice = {
  title: "Mentions légales",
  render() {
    return page(
      heading("Mentions légales"),
      ...section("Éditeur",
        h("p", {}, "Caisse nationale de l'Assurance Maladie (Cnam), établissement public national à caractère ",
          "administratif, 50 avenue du Professeur André Lemierre, 75986 Paris cedex 20."),
        h("p", {}, "Directeur de la publication : le directeur général de la Caisse nationale de l'Assurance Maladie.")),
      ...section("Hébergement",
        h("p", {}, "Amazon Web Services EMEA SARL, 38 avenue John F. Kennedy, L-1855 Luxembourg. Les données du ",
          "service sont hébergées dans la région AWS Europe (Paris), en France.")),
      ...section("Propriété intellectuelle",
        h("p", {}, "Sauf mention explicite de propriété intellectuelle détenue par des tiers, les contenus de ce site sont ",
          "proposés sous licence etalab-2.0. La marque de l'État, le logo FranceConnect et la police Marianne sont ",
          "d'un usage réservé.")),
      ...section("Accessibilité", h("p", {}, h("a", { href: "/accessibilite" }, "Déclaration d'accessibilité"))),
      ...section("Données personnelles", h("p", {}, h("a", { href: "/donnees-personnelles" }, "Vos données personnelles et vos droits"))),
      ...section("Nous contacter",
        h("p", {}, "Par téléphone au 36 46 (service gratuit + prix de l'appel), ou dans votre caisse d'assurance maladie (",
          external(CAISSE_URL, "trouver ma caisse sur ameli.fr"), ").")));
  },
};

// Retention periods, as the code applies them:
// - signup session: SIGNUP_SESSION_DURATION (PT30M, template.yaml); records collected by DynamoDB TTL at
//   most GRACE (2 days, layers/shared/ameli/adapters/dynamodb/items.py) after their deadline;
// - proof attempts: PROOF_WINDOW and LOCK of 24 h (domain/proof.py); login failures: BLOCK 24 h (domain/login_throttle.py);
// - link valid CONFIRMATION_LINK_VALIDITY (P7D), unconfirmed address deleted at PENDING_EMAIL_RETENTION (P21D);
// - sessions: SESSION_DURATION (PT30M); the pending login's token: 15 minutes (domain/session.py);
// - FranceConnect state: 10 minutes (service/franceconnect.py); replay records of the contact step: 1 hour
//   (http/idempotency.py); logs: 180 days for the functions, 365 days for the API access logs (template.yaml).
const RETENTION = [
  ["Une création de compte commencée et non terminée (identité saisie ou transmise par FranceConnect, étape atteinte)",
    "30 minutes au plus, puis effacement automatique dans les 2 jours qui suivent"],
  ["Le nombre d'essais de vérification (IBAN et numéro de série) pour votre numéro de sécurité sociale",
    "24 heures après le dernier essai (blocage de 24 heures après 3 échecs), puis effacement dans les 2 jours. L'IBAN et le numéro de série saisis ne sont jamais enregistrés"],
  ["Votre compte : numéro de sécurité sociale, code personnel (transformé de façon irréversible, jamais en clair), adresse email, téléphones, consentements (avec leur date et la version du texte accepté), version acceptée des conditions d'utilisation",
    "tant que votre compte existe"],
  ["Une adresse email non confirmée", "le lien de confirmation est valable 7 jours ; sans confirmation, l'adresse est effacée 21 jours après l'envoi du dernier lien"],
  ["Une session de connexion", "30 minutes, puis effacement dans les 2 jours"],
  ["Les échecs de connexion", "24 heures après le dernier échec ou la fin du blocage, puis effacement dans les 2 jours"],
  ["Le passage par FranceConnect (état de la connexion)", "10 minutes"],
  ["La réponse à l'envoi de vos coordonnées (pour qu'un nouvel envoi après une coupure réseau ne crée pas de doublon)", "1 heure"],
  ["Les journaux techniques du service (sans numéro de sécurité sociale, email, téléphone ni code en clair)", "180 jours ; 365 jours pour le journal des accès à l'API"],
];

export const personalData = {
  title: "Données personnelles",
  render() {
    return page(
      heading("Vos données personnelles"),
      ...section("Responsable du traitement",
        h("p", {}, "Caisse nationale de l'Assurance Maladie (Cnam), 50 avenue du Professeur André Lemierre, 75986 Paris cedex 20.")),
      ...section("À quoi servent vos données",
        list(
          "vérifier votre identité et créer votre compte ameli (avec votre carte Vitale et votre RIB, ou avec FranceConnect) ;",
          "confirmer votre adresse email, puis vous y prévenir des documents déposés dans votre compte ;",
          "protéger votre compte : limiter les essais de vérification et de connexion ;",
          "si vous l'avez accepté, vous envoyer des informations sur les services de l'Assurance Maladie (email, SMS, appels).")),
      ...section("Base légale",
        h("p", {}, "La création et la gestion du compte relèvent de la mission d'intérêt public de l'Assurance Maladie ",
          "(article 6.1.e du règlement général sur la protection des données, RGPD). Les informations promotionnelles ",
          "reposent sur votre consentement (article 6.1.a), que vous pouvez retirer à tout moment.")),
      ...section("Durées de conservation",
        h("div", { class: "fr-table fr-table--no-caption" },
          h("table", {},
            h("caption", {}, "Durée de conservation de chaque donnée"),
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Données"), h("th", { scope: "col" }, "Durée"))),
            h("tbody", {}, ...RETENTION.map(([what, how]) => h("tr", {}, h("td", {}, what), h("td", {}, how))))))),
      ...section("Destinataires",
        h("p", {}, "Les services de l'Assurance Maladie habilités, et ses sous-traitants techniques pour l'hébergement ",
          "(Amazon Web Services, en France) et l'envoi des emails. FranceConnect reçoit la demande d'identification ",
          "si vous choisissez de l'utiliser.")),
      ...section("Vos droits",
        h("p", {}, "Vous pouvez accéder à vos données, les faire rectifier, demander leur limitation, vous opposer aux ",
          "informations promotionnelles et retirer votre consentement. Pour exercer ces droits, contactez le délégué à ",
          "la protection des données de l'Assurance Maladie : Cnam, Délégué à la protection des données, 50 avenue du ",
          "Professeur André Lemierre, 75986 Paris cedex 20, ou votre caisse (appel au 36 46, service gratuit + prix de l'appel)."),
        h("p", {}, "Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL (",
          external("https://www.cnil.fr/fr/plaintes", "cnil.fr"), ").")),
      ...section("Cookies et traceurs",
        h("p", {}, "Ce service n'utilise ni cookie de mesure d'audience ni traceur. Un seul cookie, strictement nécessaire, ",
          "est déposé le temps d'une identification avec FranceConnect (10 minutes au plus) : il lie le retour de ",
          "FranceConnect au navigateur qui l'a demandé. Les informations de la démarche en cours sont gardées dans ",
          "l'onglet de votre navigateur (stockage de session) et disparaissent quand vous le fermez.")));
  },
};
