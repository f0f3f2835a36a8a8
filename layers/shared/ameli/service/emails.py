"""The confirmation email, in French, as text and HTML. Pure: no sending here."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from ameli.ports import OutgoingEmail


def confirmation_url(web_base_url: str, token: str) -> str:
    """The web client's activation page. The token sits in the fragment: browsers never send a
    fragment to a server, so no access log or proxy ever records it."""
    return f"{web_base_url}/activation#token={token}"


def _paris_time(moment: datetime) -> str:
    try:
        local = moment.astimezone(ZoneInfo("Europe/Paris"))
        return local.strftime("%d/%m/%Y à %Hh%M") + " (heure de Paris)"
    except Exception:  # no tz database on the host: say UTC rather than lie
        return moment.strftime("%d/%m/%Y à %Hh%M") + " (UTC)"


def confirmation_email(to: str, link_url: str, expires_at: datetime) -> OutgoingEmail:
    deadline = _paris_time(expires_at)
    text = (
        "Bonjour,\n\n"
        "Vous venez de créer votre compte ameli. Pour l'activer, confirmez votre adresse email "
        "en ouvrant le lien ci-dessous, puis en cliquant sur « Activer mon compte » :\n\n"
        f"{link_url}\n\n"
        f"Ce lien est valable jusqu'au {deadline}.\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\n"
        "L'Assurance Maladie\n"
        "Ceci est un message automatique, merci de ne pas y répondre."
    )
    html = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Activez votre compte ameli</title></head>"
        '<body style="font-family: Arial, sans-serif; color: #161616;">'
        "<p>Bonjour,</p>"
        "<p>Vous venez de créer votre compte ameli. Pour l'activer, confirmez votre adresse email "
        "en cliquant sur le bouton ci-dessous, puis sur « Activer mon compte ».</p>"
        f'<p><a href="{escape(link_url)}" style="background:#000091;color:#fff;padding:12px 20px;'
        'text-decoration:none;display:inline-block;">Confirmer mon adresse email</a></p>'
        f"<p>Ce lien est valable jusqu'au {escape(deadline)}.</p>"
        "<p>Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :<br>"
        f"{escape(link_url)}</p>"
        "<p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.</p>"
        "<p>L'Assurance Maladie</p></body></html>"
    )
    return OutgoingEmail(to=to, subject="Activez votre compte ameli", text=text, html=html)
