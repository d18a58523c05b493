from accompagnement.partners.addresses import (
    escalation_pk_from_token,
    escalation_reply_address,
    escalation_token,
)


def test_the_reply_address_names_its_escalation_and_is_signed(settings):
    settings.SUPPORT_MAILBOX = "support@chorus.example.org"
    address = escalation_reply_address(42)
    local, domain = address.split("@")
    assert domain == "chorus.example.org"
    assert local.startswith("support+esc42-")
    assert escalation_pk_from_token(local.split("+", 1)[1]) == 42


def test_an_edited_or_foreign_token_names_nothing():
    token = escalation_token(42)
    assert escalation_pk_from_token(token.replace("esc42", "esc43")) is None
    assert escalation_pk_from_token("esc42-" + "0" * 20) is None
    assert escalation_pk_from_token("bonjour") is None
