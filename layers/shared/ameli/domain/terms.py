"""The terms of use (journey.md 2.3) and the wording of the marketing consents (2.5).

Each accepted version and each consent is stored with its wording version and time, so the
text a person agreed to can always be found again. Change the text => change the version.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Terms:
    version: str
    title: str
    text: str


CURRENT_TERMS = Terms(
    version="2020-04",
    title="Conditions générales d'utilisation du compte ameli",
    text="""\
Pour accéder aux services de votre compte, vous devez d'abord accepter les conditions d'utilisation.

En adhérant au compte ameli, vous acceptez de ne plus recevoir vos relevés de prestations \
(relevés de remboursements) par courrier postal au profit d'une consultation en ligne.

La saisie d'une adresse email est obligatoire pour bénéficier des services du compte. \
En renseignant et confirmant votre email, vous acceptez de recevoir dans la messagerie du compte \
tout ou partie des courriers et messages de l'Assurance Maladie. Un email vous avertit \
lorsqu'un nouveau document ou message est disponible dans votre compte.

Le compte ameli est un service gratuit de l'Assurance Maladie. Il vous permet notamment de suivre \
vos remboursements, de télécharger vos attestations, d'échanger avec votre caisse et d'effectuer \
des démarches en ligne.

Vous accédez à votre compte avec votre numéro de sécurité sociale et votre code personnel. \
Votre code personnel est confidentiel : ne le communiquez à personne, l'Assurance Maladie ne vous \
le demandera jamais par email ou par téléphone. Si vous pensez qu'une autre personne le connaît, \
changez-le sans attendre.

Vous vous engagez à fournir des informations exactes et à tenir à jour votre adresse email et vos \
numéros de téléphone. Une seule adresse email peut être associée à un compte ameli.

Vos données personnelles sont traitées par l'Assurance Maladie pour la gestion de votre compte, \
dans le respect du règlement général sur la protection des données (RGPD) et de la loi \
Informatique et Libertés. Vous pouvez exercer vos droits d'accès, de rectification et \
d'opposition auprès de votre caisse d'assurance maladie.

Vous pouvez à tout moment revenir sur vos choix concernant les informations promotionnelles \
depuis votre compte. Vous pouvez aussi demander à votre caisse de fermer votre compte : \
vos relevés vous seront alors de nouveau envoyés par courrier.
""",
)

CONSENT_WORDING_VERSION = "2020-04"

CONSENT_WORDINGS: dict[str, str] = {
    "email_marketing": (
        "J'autorise l'Assurance Maladie à m'envoyer par email des informations promotionnelles sur ses services."
    ),
    "mobile_marketing_call": (
        "J'autorise l'Assurance Maladie à me communiquer des informations promotionnelles sur ses services "
        "par téléphone, sur mon téléphone portable."
    ),
    "mobile_marketing_sms": (
        "J'autorise l'Assurance Maladie à me communiquer des informations promotionnelles sur ses services "
        "par SMS, sur mon téléphone portable."
    ),
    "landline_marketing_call": (
        "J'autorise l'Assurance Maladie à me communiquer des informations promotionnelles sur ses services "
        "par téléphone, sur mon téléphone fixe."
    ),
}
