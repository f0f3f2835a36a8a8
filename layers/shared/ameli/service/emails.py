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
    url = escape(link_url)
    # Inline styles only (email clients drop <style>; the class only names the fallback for its test); the
    # raw link must wrap anywhere, or a 360 px phone scrolls sideways to read it (issue 13).
    html = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Activez votre compte ameli</title></head>"
        '<body style="margin:0;padding:16px;font-family:Arial, sans-serif;font-size:16px;line-height:1.5;'
        'color:#161616;">'
        '<div style="max-width:600px;">'
        "<p>Bonjour,</p>"
        "<p>Vous venez de créer votre compte ameli. Pour l'activer, confirmez votre adresse email "
        "en cliquant sur le bouton ci-dessous, puis sur « Activer mon compte ».</p>"
        f'<p><a href="{url}" style="background:#000091;color:#ffffff;padding:12px 20px;'
        'text-decoration:none;display:inline-block;max-width:100%;box-sizing:border-box;">'
        "Confirmer mon adresse email</a></p>"
        f"<p>Ce lien est valable jusqu'au {escape(deadline)}.</p>"
        "<p>Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :</p>"
        '<p style="word-break:break-all;overflow-wrap:anywhere;">'
        f'<a class="fallback-link" href="{url}" style="color:#000091;word-break:break-all;'
        f'overflow-wrap:anywhere;">{url}</a></p>'
        "<p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.</p>"
        "<p>L'Assurance Maladie</p></div></body></html>"
    )
    return OutgoingEmail(to=to, subject="Activez votre compte ameli", text=text, html=html)
