"""The HTML pages of the local FranceConnect: French, plain accessible HTML, no script, no external
resource (the machine may be offline). Every value is escaped."""

from __future__ import annotations

from html import escape

from .model import IDENTITY_PROVIDERS, Identity

SITE = "FranceConnect (simulateur local)"

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;color:#161616;
background:#f6f6f6;line-height:1.5}
.evitement{position:absolute;left:-10000px}.evitement:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header{background:#fff;border-bottom:1px solid #ddd;padding:1rem 1.5rem}
header p{margin:0;font-weight:700;font-size:1.25rem;color:#000091}
header small{display:block;font-weight:400;font-size:.875rem;color:#3a3a3a}
main{max-width:40rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border:1px solid #ddd}
h1{font-size:1.5rem;margin-top:0}
ul.fournisseurs{list-style:none;padding:0}ul.fournisseurs li{margin:.5rem 0}
button{font:inherit;cursor:pointer;border:1px solid #000091;padding:.5rem 1rem;background:#000091;color:#fff}
button.secondaire{background:#fff;color:#000091}
ul.fournisseurs button{width:100%;text-align:left;background:#fff;color:#000091}
button:focus,input:focus{outline:3px solid #0a76f6;outline-offset:2px}
label{display:block;font-weight:600;margin-top:1rem}
input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #666}
.erreur{border-left:4px solid #ce0500;padding:.5rem 1rem;background:#ffe9e9;color:#ce0500}
.actions{display:flex;gap:1rem;flex-wrap:wrap;margin-top:1.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
footer{text-align:center;font-size:.8rem;color:#666;padding:1rem}
"""

COUNTRIES = {"99100": "France"}


def layout(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)} - {SITE}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        '<a class="evitement" href="#contenu">Aller au contenu</a>\n'
        '<header role="banner"><p>FranceConnect<small>Simulateur local pour le développement et les'
        " tests : aucune donnée réelle</small></p></header>\n"
        f'<main id="contenu" role="main" tabindex="-1">\n{body}\n</main>\n'
        '<footer role="contentinfo">Ce service imite FranceConnect ; il ne vérifie aucune identité réelle.'
        "</footer>\n"
        "</body>\n</html>\n"
    )


def error_page(title: str, message: str) -> str:
    body = (
        f"<h1>{escape(title)}</h1>\n"
        f'<div class="erreur" role="alert"><p>{escape(message)}</p></div>\n'
        "<p>Retournez sur le site du service et recommencez la connexion.</p>"
    )
    return layout(title, body)


def choice_page(*, action: str, cancel_action: str, client_name: str) -> str:
    items = "\n".join(
        f'<li><button type="submit" name="identity_provider" value="{escape(value)}">'
        f"{escape(label)}</button></li>"
        for value, label in IDENTITY_PROVIDERS
    )
    body = (
        f"<h1>Je choisis un compte pour me connecter sur {escape(client_name)}</h1>\n"
        "<p>FranceConnect vous permet d’accéder à ce service avec un compte que vous possédez déjà.</p>\n"
        f'<form method="post" action="{escape(action)}">\n'
        '<fieldset><legend>Comptes proposés</legend>\n'
        f'<ul class="fournisseurs">\n{items}\n</ul>\n</fieldset>\n</form>\n'
        f'<form method="post" action="{escape(cancel_action)}">\n'
        f'<button type="submit" name="action" value="back" class="secondaire">Revenir sur {escape(client_name)}'
        "</button>\n</form>"
    )
    return layout("Choix du compte", body)


def login_page(*, action: str, provider_label: str, error: str | None, login: str, logins: list[str]) -> str:
    described = ' aria-describedby="erreur-connexion" aria-invalid="true"' if error else ""
    error_block = (
        f'<div class="erreur" role="alert" id="erreur-connexion"><p>{escape(error)}</p></div>\n' if error else ""
    )
    hint = ""
    if logins:
        hint = (
            "<p><small>Identifiants de démonstration (fichier de fixtures) : "
            + ", ".join(f"<code>{escape(name)}</code>" for name in logins)
            + ".</small></p>\n"
        )
    body = (
        f"<h1>Connexion avec {escape(provider_label)}</h1>\n"
        f"<p>Saisissez l’identifiant et le mot de passe de votre compte {escape(provider_label)}.</p>\n"
        f"{error_block}"
        f'<form method="post" action="{escape(action)}" novalidate>\n'
        '<label for="identifiant">Identifiant</label>\n'
        f'<input id="identifiant" name="login" type="text" autocomplete="username" required'
        f' value="{escape(login)}"{described}>\n'
        '<label for="mot_de_passe">Mot de passe</label>\n'
        f'<input id="mot_de_passe" name="password" type="password" autocomplete="current-password" required'
        f"{described}>\n"
        '<div class="actions"><button type="submit">Se connecter</button></div>\n'
        "</form>\n"
        f"{hint}"
    )
    title = "Erreur de connexion" if error else "Connexion"
    return layout(f"{title} - {provider_label}", body)


def _french_date(raw: str) -> str:
    year, month, day = raw.split("-")
    return f"{day}/{month}/{year}"


def _birthplace(identity: Identity) -> str:
    country = COUNTRIES.get(identity.birthcountry, f"pays de code {identity.birthcountry}")
    if identity.birthplace:
        return f"commune de code INSEE {identity.birthplace} ({country})"
    return f"né(e) à l’étranger : {country}"


def confirm_page(*, action: str, identity: Identity, provider_label: str, client_name: str) -> str:
    full_name = f"{identity.given_name} {identity.family_name}"
    usage = (
        f"<dt>Nom d’usage</dt><dd>{escape(identity.preferred_username)}</dd>\n"
        if identity.preferred_username
        else ""
    )
    body = (
        f"<h1>Vous allez vous connecter en tant que {escape(full_name)}</h1>\n"
        f"<p>Identité transmise par FranceConnect, via votre compte {escape(provider_label)} :</p>\n"
        "<dl>\n"
        f"<dt>Prénom(s)</dt><dd>{escape(identity.given_name)}</dd>\n"
        f"<dt>Nom de naissance</dt><dd>{escape(identity.family_name)}</dd>\n"
        f"{usage}"
        f"<dt>Sexe</dt><dd>{'Femme' if identity.gender == 'female' else 'Homme'}</dd>\n"
        f"<dt>Date de naissance</dt><dd>{escape(_french_date(identity.birthdate))}</dd>\n"
        f"<dt>Lieu de naissance</dt><dd>{escape(_birthplace(identity))}</dd>\n"
        "</dl>\n"
        f'<form method="post" action="{escape(action)}">\n<div class="actions">\n'
        f'<button type="submit" name="action" value="continue">Continuer sur {escape(client_name)}</button>\n'
        '<button type="submit" name="action" value="back" class="secondaire">Revenir</button>\n'
        "</div>\n</form>"
    )
    return layout("Confirmation de l’identité", body)


def home_page(*, issuer: str) -> str:
    endpoints = "".join(
        f"<li><code>{escape(issuer + path)}</code></li>"
        for path in (
            "/.well-known/openid-configuration",
            "/jwks",
            "/authorize",
            "/token",
            "/userinfo",
            "/session/end",
        )
    )
    body = (
        "<h1>FranceConnect, simulateur local</h1>\n"
        "<p>Fournisseur OpenID Connect local qui se comporte comme la plateforme d’intégration de "
        "FranceConnect (fcp-low, API v2).</p>\n"
        f"<h2>Points d’accès</h2>\n<ul>{endpoints}</ul>"
    )
    return layout("Accueil", body)
