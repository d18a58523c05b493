"""Demonstration canned answers: the replies the team writes every week, about Chorus.

Used by `manage.py seed_demo`; idempotent (each answer is created once by title, whatever
the case, and never overwritten: the team may have edited it). Written by the demo SGG
member, so `seed_demo_people` must have run first.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Lower

from accompagnement.accounts.models import User
from accompagnement.axes.models import Axis, Category
from accompagnement.demo.articles import DEMO_ARTICLE_AUTHOR
from accompagnement.demo.people import MissingReferenceData
from accompagnement.support.services.canned import canned_response_create
from accompagnement.support.team_models import CannedResponse

SIGNATURE = "Bien cordialement,\n\nL'équipe interministérielle d'accompagnement"


@dataclass(frozen=True)
class DemoCannedResponse:
    title: str
    body: str
    axis: str = ""
    category: str = ""  # a category code
    usage_count: int = 0  # as if the team had used it for a while


DEMO_CANNED_RESPONSES = (
    DemoCannedResponse(
        "Demande de précisions : numéro d'EJ",
        "Bonjour {demandeur},\n\n"
        "Pour analyser votre demande {reference}, nous avons besoin du **numéro de "
        "l'engagement juridique (EJ)** concerné : 10 chiffres, par exemple 2104410702 "
        "(ou 2104410702/00001 pour un poste).\n\n"
        "Vous le trouvez sur le bon de commande, dans Chorus Formulaires sur la demande "
        "d'achat validée, ou dans la restitution des EJ de votre centre financier.\n\n"
        "Dès votre réponse, {attribuee_a} reprend l'analyse.\n\n" + SIGNATURE,
        Axis.PROCESS,
        "chaine-depense",
        14,
    ),
    DemoCannedResponse(
        "Habilitation : circuit de demande",
        "Bonjour {demandeur},\n\n"
        "Les habilitations Chorus ne sont pas attribuées par notre équipe : la demande suit "
        "le circuit de votre ministère.\n\n"
        "1. Votre responsable valide le besoin : profil demandé et périmètre (centre "
        "financier, service prescripteur).\n"
        "2. Le correspondant habilitations de votre ministère transmet la demande au "
        "gestionnaire des habilitations Chorus.\n"
        "3. Vous recevez vos accès par courriel ; comptez quelques jours ouvrés.\n\n"
        "Si votre demande est déjà partie depuis plus de deux semaines, répondez-nous en "
        "précisant à qui et quand elle a été envoyée : nous relancerons.\n\n" + SIGNATURE,
        Axis.TOOL,
        "habilitations",
        9,
    ),
    DemoCannedResponse(
        "Réorientation vers le CSP",
        "Bonjour {demandeur},\n\n"
        "Votre question porte sur le traitement d'une pièce par votre centre de services "
        "partagés (CSP) : c'est lui qui saisit les engagements et les demandes de paiement "
        "pour la {ddi}. Nous vous invitons à le contacter directement, en rappelant le "
        "numéro de la pièce concernée.\n\n"
        "Si le CSP ne peut pas vous répondre, répondez à ce message : nous reprendrons la "
        "demande {reference} avec lui.\n\n" + SIGNATURE,
        Axis.PROCESS,
        "roles-prescripteur-csp",
        6,
    ),
    DemoCannedResponse(
        "Paiement bloqué : éléments à transmettre",
        "Bonjour {demandeur},\n\n"
        "Pour retrouver la cause du blocage, merci de nous indiquer :\n\n"
        "- le numéro de la demande de paiement (DP) ou, à défaut, de l'EJ ;\n"
        "- le fournisseur (nom et SIRET) ;\n"
        "- la date de la constatation du service fait (SF) ;\n"
        "- le message affiché dans Chorus, s'il y en a un (une capture d'écran suffit).\n\n"
        "Nous visons une réponse avant le {echeance}.\n\n" + SIGNATURE,
        Axis.PROCESS,
        "paiement-bloque",
        4,
    ),
    DemoCannedResponse(
        "Tiers : création ou modification d'une fiche",
        "Bonjour {demandeur},\n\n"
        "La création ou la modification d'une fiche tiers (coordonnées, RIB, SIRET) se "
        "demande au CSP, avec les justificatifs : relevé d'identité bancaire au nom du "
        "fournisseur et avis de situation au répertoire SIRENE.\n\n"
        "Tant que la fiche n'est pas validée, l'EJ ou la DP qui l'utilise reste bloqué : "
        "signalez-nous la demande {reference} si la validation tarde.\n\n" + SIGNATURE,
        Axis.TOOL,
        "tiers",
        3,
    ),
    DemoCannedResponse(
        "Fin de gestion : dates butoirs",
        "Bonjour {demandeur},\n\n"
        "Les dates butoirs de fin de gestion (derniers engagements, derniers services faits, "
        "charges à payer) sont dans le **Calendrier** du portail, avec les rappels envoyés "
        "aux DDI. Les dates de votre CSP peuvent être plus précoces : vérifiez sa note de "
        "fin de gestion.\n\n" + SIGNATURE,
        Axis.YEAR_END,
        "calendrier-fin-gestion",
        2,
    ),
    DemoCannedResponse(
        "Clôture : solution apportée",
        "Bonjour {demandeur},\n\n"
        "Nous considérons la demande {reference} comme résolue. Si la solution ne convient "
        "pas, répondez simplement à ce message : la demande sera rouverte et reprise par "
        "l'équipe.\n\n" + SIGNATURE,
    ),
)


@transaction.atomic
def seed_demo_canned_responses() -> dict[str, int]:
    """Create the demonstration answers whose title is not taken yet."""
    author = User.objects.filter(email=DEMO_ARTICLE_AUTHOR).first()
    if author is None:
        raise MissingReferenceData
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    taken = set(
        CannedResponse.objects.annotate(lower=Lower("title")).values_list("lower", flat=True)
    )
    counts = {"created": 0, "existing": 0}
    for demo in DEMO_CANNED_RESPONSES:
        if demo.title.lower() in taken:
            counts["existing"] += 1
            continue
        category = categories.get(demo.category)
        answer = canned_response_create(
            author=author,
            title=demo.title,
            body=demo.body,
            axis=demo.axis,
            category=category,
        )
        if demo.usage_count:
            CannedResponse.objects.filter(pk=answer.pk).update(usage_count=demo.usage_count)
        counts["created"] += 1
    return counts
