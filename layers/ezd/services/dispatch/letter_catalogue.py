"""The city's starter templates: every unit has them from the start, by its kind, without
anything written (a unit's book stores a starter only once its administrator changes or
archives it; its first version is then this text).

The text of an entry is its version 1 for every unit: never change it — add an entry
with a new id instead (letters record the version they were made from).
"""

from __future__ import annotations

from ezd.models.letter_templates import LetterTemplate, TemplateContent

STANDARD_PREFIX = "std-"

_REPLY = TemplateContent(
    name="Odpowiedź na wniosek",
    description="Odpowiedź na pismo, które wszczęło sprawę.",
    subject="{{ sprawa.tytul }}",
    body=(
        "W odpowiedzi na pismo z dnia {{ pismo.z_dnia }} (data wpływu: {{ pismo.data_wplywu }}) "
        "w sprawie {{ sprawa.tytul }} uprzejmie informuję, że wniosek został rozpatrzony.\n\n"
        "[Treść odpowiedzi.]\n\n"
        "W razie pytań prosimy o kontakt z osobą prowadzącą sprawę: {{ sprawa.prowadzacy }}, "
        "z powołaniem się na znak sprawy {{ sprawa.znak }}."
    ),
)
_ART_36 = TemplateContent(
    name="Zawiadomienie o przedłużeniu terminu (art. 36 KPA)",
    description="Zawiadomienie strony o niezałatwieniu sprawy w terminie, z podaniem przyczyny i nowego terminu.",
    subject="zawiadomienie o niezałatwieniu sprawy w terminie",
    body=(
        "Na podstawie art. 36 § 1 ustawy z dnia 14 czerwca 1960 r. – Kodeks postępowania administracyjnego "
        "zawiadamiam, że sprawa {{ sprawa.tytul }} (znak sprawy {{ sprawa.znak }}), wszczęta "
        "{{ sprawa.data_wszczecia }}, nie zostanie załatwiona w terminie.\n\n"
        "Przyczyna zwłoki: [przyczyna].\n\n"
        "Nowy termin załatwienia sprawy: {{ sprawa.termin }}.\n\n"
        "Pouczenie: zgodnie z art. 37 § 1 KPA stronie służy prawo do wniesienia ponaglenia, jeżeli sprawa nie "
        "zostanie załatwiona w terminie."
    ),
)
_ART_65 = TemplateContent(
    name="Przekazanie wniosku według właściwości (art. 65 KPA)",
    description="Przekazanie pisma organowi właściwemu, z zawiadomieniem wnoszącego.",
    subject="przekazanie pisma według właściwości",
    body=(
        "Na podstawie art. 65 § 1 ustawy z dnia 14 czerwca 1960 r. – Kodeks postępowania administracyjnego "
        "przekazuję według właściwości pismo z dnia {{ pismo.z_dnia }} ({{ pismo.nadawca }}), które wpłynęło "
        "do {{ jednostka.nazwa }} {{ pismo.data_wplywu }}, w sprawie {{ sprawa.tytul }}.\n\n"
        "{{ jednostka.nazwa }} nie jest organem właściwym do rozpatrzenia tej sprawy.\n\n"
        "Do wiadomości:\n"
        "- {{ pismo.nadawca }}\n"
        "- a/a"
    ),
)
_SHEET = TemplateContent(
    name="Zatwierdzenie aneksu do arkusza organizacji",
    description="Zatwierdzenie aneksu do arkusza organizacji szkoły przez organ prowadzący.",
    subject="{{ sprawa.tytul }}",
    body=(
        "Organ prowadzący zatwierdza aneks do arkusza organizacji przedłożony pismem z dnia "
        "{{ pismo.z_dnia }}, znak {{ pismo.znak }}.\n\n"
        "Zatwierdzenie nastąpiło po zasięgnięciu opinii Lubelskiego Centrum Ewidencji i Administracji Oświaty."
    ),
)

_COMMON = (("odpowiedz-na-wniosek", _REPLY), ("przedluzenie-terminu-art-36", _ART_36),
           ("przekazanie-wg-wlasciwosci-art-65", _ART_65))
_BY_KIND = {"organ prowadzący": (("zatwierdzenie-aneksu-arkusza", _SHEET),)}


def starters(unit: str, kind: str | None) -> list[LetterTemplate]:
    """The unit's starter templates at version 1, in the catalogue's order."""
    entries = _COMMON + _BY_KIND.get(kind or "", ())
    return [LetterTemplate(**content.model_dump(), template_id=f"{STANDARD_PREFIX}{slug}", unit=unit, version=1,
                           status="active", standard=True) for slug, content in entries]


def starter(unit: str, kind: str | None, template_id: str) -> LetterTemplate | None:
    return next((t for t in starters(unit, kind) if t.template_id == template_id), None)
