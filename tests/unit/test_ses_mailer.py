"""What reaches SES: addresses in ASCII form (SES refuses a Unicode domain; issue 12, defect 4)."""

from ameli.adapters.aws import SesMailer
from ameli.ports import OutgoingEmail


class RecordingSes:
    def __init__(self) -> None:
        self.requests: list[dict] = []

    def send_email(self, **request) -> dict:
        self.requests.append(request)
        return {"MessageId": "1"}


def test_an_international_domain_reaches_ses_in_punycode():
    ses = RecordingSes()
    SesMailer(ses, "ne-pas-repondre@ameli.example").send(
        OutgoingEmail(to="Paul.Venturi@exemple-médical.fr", subject="s", text="t", html="h"))
    assert ses.requests[0]["Destination"] == {"ToAddresses": ["Paul.Venturi@xn--exemple-mdical-jkb.fr"]}


def test_an_ascii_address_reaches_ses_unchanged():
    ses = RecordingSes()
    SesMailer(ses, "ne-pas-repondre@ameli.example").send(OutgoingEmail(to="paul@example.fr", subject="s", text="t",
                                                                      html="h"))
    assert ses.requests[0]["Destination"] == {"ToAddresses": ["paul@example.fr"]}
