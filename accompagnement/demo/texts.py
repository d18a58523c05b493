"""What the bulk demo requests are drawn from: fictional names, the texts of requests,
replies and notes, and the distributions (categories, priorities, months, years, DDI kinds,
statuses by age, Chorus objects) that make the volumes realistic.

The seeding itself is described in `requests.py`.
"""

from accompagnement.support.enums import Priority, Status

# ---------------------------------------------------------------------------- content

FIRST_NAMES = (  # noqa: SIM905 (a list of names reads better as text)
    "Agnès Alain Amandine Anne Arnaud Audrey Bernard Brigitte Céline Christian Christine "
    "Claire Damien David Delphine Didier Dominique Emmanuel Éric Fabienne Florence Franck "
    "Frédéric Gilles Guillaume Hervé Isabelle Jacques Jean-Luc Jérôme Karine Laurence "
    "Laurent Marc Marie Martine Michel Monique Nathalie Olivier Pascal Patricia Philippe "
    "Sandrine Sébastien Stéphane Sylvie Valérie Véronique Xavier Yves"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list of names reads better as text)
    "Arnaud Barbier Bertin Blanchard Bonnet Boyer Brun Caron Clément Colin Collet David "
    "Denis Deschamps Dupuis Durand Fleury Fontaine Fournier Gaillard Gauthier Girard "
    "Guérin Henry Hoarau Jacob Joly Lacroix Lefèvre Legrand Lemoine Leroy Lucas Marchal "
    "Martin Masson Mathieu Meunier Michel Moreau Morin Nicolas Noël Perrot Picard Renard "
    "Richard Robin Roche Roux Schmitt Vidal"
).split()

# Per category code: titles ({p} programme, {csp} CSP, {ej}/{dp}/{tiers} Chorus numbers,
# {y}/{y1} fiscal years) and one line of detail for the description.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "restitutions": (
        (
            "Restitution INF-BUD-53 incomplète sur le programme {p}",
            "Écart entre la restitution des AE et notre tableau de suivi (P{p})",
            "Impossible d'exporter la restitution des EJ non soldés",
            "Restitution des DP en anomalie vide depuis la mise à jour",
            "Quelle restitution pour suivre la consommation des CP du BOP {p} ?",
        ),
        (
            "Les montants affichés ne correspondent pas à ceux de notre suivi local.",
            "La restitution ne fait pas apparaître les EJ basculés de l'année précédente.",
            "Le fichier exporté est vide alors que la requête renvoie des lignes à l'écran.",
        ),
    ),
    "chorus-formulaires": (
        (
            "Demande d'achat rejetée sans motif dans Chorus Formulaires",
            "Constatation de service fait bloquée au statut « à valider »",
            "Formulaire de DA introuvable après validation",
            "Circuit de validation Chorus Formulaires : valideur absent",
            "Pièce jointe refusée par Chorus Formulaires",
        ),
        (
            "Le formulaire revient rejeté sans commentaire du valideur.",
            "Le formulaire n'apparaît plus dans la corbeille après son envoi au CSP.",
            "Le valideur habituel est absent pour plusieurs semaines.",
        ),
    ),
    "habilitations": (
        (
            "Accès refusé à Chorus Formulaires pour un nouvel agent",
            "Profil valideur à créer pour l'intérim du chef de service",
            "Habilitation à retirer après un départ",
            "Droits insuffisants pour consulter les EJ du programme {p}",
        ),
        (
            "Le message « profil inconnu » s'affiche à la connexion.",
            "La demande d'habilitation a été envoyée il y a trois semaines sans réponse.",
        ),
    ),
    "tiers": (
        (
            "Fiche tiers {tiers} bloquée : RIB à mettre à jour",
            "Création d'un tiers associatif : SIRET non reconnu",
            "Tiers en doublon dans Chorus",
            "Paiement rejeté : coordonnées bancaires du tiers invalides",
        ),
        (
            "Le fournisseur a changé de banque et la fiche tiers n'est pas à jour.",
            "La création du tiers est en attente de validation au CSP.",
        ),
    ),
    "outil-autre": (
        (
            "Lenteurs dans Chorus Formulaires en fin de matinée",
            "Message d'erreur à la connexion à Chorus",
            "Export des données vers le tableur impossible",
        ),
        ("Le problème touche plusieurs agents du service depuis lundi.",),
    ),
    "chaine-depense": (
        (
            "EJ {ej} : service fait impossible à saisir",
            "Engagement juridique à modifier après un avenant",
            "Ordre de la chaîne EJ, SF et DP pour une dépense récurrente",
            "DP {dp} en attente depuis trois semaines",
        ),
        (
            "Le service fait est refusé car l'EJ serait soldé, ce qui n'est pas le cas.",
            "Nous ne savons pas qui, de la DDI ou du CSP, doit saisir la modification.",
        ),
    ),
    "paiement-bloque": (
        (
            "Paiement d'un fournisseur bloqué depuis plus de 30 jours",
            "Facture d'un prestataire en retard de paiement : intérêts moratoires ?",
            "DP {dp} rejetée par le CSP {csp}",
            "Relance d'un fournisseur : paiement non reçu",
        ),
        (
            "Le fournisseur nous relance et menace de suspendre ses prestations.",
            "Le CSP indique un rejet mais nous n'en trouvons pas le motif.",
        ),
    ),
    "roles-prescripteur-csp": (
        (
            "Qui saisit le service fait : la DDI ou le CSP ?",
            "Répartition des tâches avec le CSP {csp} pour les marchés",
            "Le CSP demande des pièces déjà transmises",
        ),
        ("Les consignes reçues du CSP et de notre ministère ne concordent pas.",),
    ),
    "credits-bop": (
        (
            "Crédits de fonctionnement insuffisants sur le programme 333",
            "Mise à disposition des crédits du BOP {p} non reçue",
            "Virement de crédits entre UO : quelle procédure ?",
        ),
        ("Sans ces crédits, nous ne pouvons plus engager les dépenses courantes.",),
    ),
    "notions": (
        (
            "Différence entre AE et CP pour un marché pluriannuel",
            "Choix du domaine fonctionnel pour une subvention",
            "Centre financier à utiliser pour les dépenses mutualisées",
        ),
        ("Nous souhaitons éviter une erreur d'imputation avant la fin de gestion.",),
    ),
    "organisation-csp": (
        (
            "Délais de traitement du CSP {csp} pour les DP",
            "Circuit d'échange des pièces justificatives avec le CSP",
            "Point d'organisation avec le CSP {csp} après sa réorganisation",
        ),
        ("Les délais se sont allongés depuis le changement d'interlocuteur.",),
    ),
    "plusieurs-csp": (
        (
            "Plusieurs CSP selon les programmes : à qui s'adresser ?",
            "Dépense imputée sur deux programmes relevant de CSP différents",
        ),
        ("Chaque CSP nous renvoie vers l'autre.",),
    ),
    "bonnes-pratiques": (
        (
            "Partage d'un tableau de suivi des EJ entre services",
            "Bonne pratique pour anticiper la fin de gestion",
            "Modèle de note de procédure interne pour Chorus",
        ),
        ("D'autres DDI ont-elles mis en place un outil commun ?",),
    ),
    "calendrier-fin-gestion": (
        (
            "Date limite de saisie des EJ pour la fin de gestion {y}",
            "Calendrier de fin de gestion du CSP {csp}",
        ),
        ("Les dates communiquées par le CSP et par le ministère diffèrent.",),
    ),
    "charges-a-payer": (
        (
            "Charges à payer : quels EJ recenser ?",
            "Travaux d'inventaire : service fait non constaté au 31 décembre",
        ),
        ("Nous n'avons pas reçu la liste des EJ à examiner.",),
    ),
    "bascule-ej": (
        (
            "EJ {ej} non basculé sur la gestion {y1}",
            "Bascule des EJ non soldés : liste à vérifier",
        ),
        ("Le reste à payer n'apparaît pas sur la nouvelle gestion.",),
    ),
    "reports-credits": (
        (
            "Demande de report de crédits sur le programme {p}",
            "Reports de crédits non visibles au démarrage de la gestion {y1}",
        ),
        ("Nous avons besoin de ces crédits pour payer des factures de décembre.",),
    ),
    "demarrage-gestion": (
        (
            "Premières mises à disposition de crédits {y1} non reçues",
            "Impossible de saisir un EJ en début de gestion {y1}",
        ),
        ("Les dépenses obligatoires de janvier sont en attente.",),
    ),
}
GENERIC_TOPIC = (
    ("Question sur Chorus (programme {p})", "Difficulté avec le CSP {csp}"),
    ("Nous avons besoin d'un éclairage de l'équipe.",),
)
OPENINGS = (
    "Bonjour,",
    "Bonjour à l'équipe,",
    "Madame, Monsieur,",
    "Bonjour, je me permets de vous solliciter.",
)
ASKS = (
    "Pouvez-vous nous indiquer la marche à suivre ?",
    "Merci de votre aide.",
    "Le sujet devient urgent pour notre service.",
    "Merci de nous dire à qui nous adresser.",
    "Nous restons disponibles pour tout complément.",
)
TEAM_FIRST_REPLIES = (
    "Bonjour,\n\nMerci pour votre demande, que nous étudions avec le CSP concerné.",
    "Bonjour,\n\nNous avons bien pris en compte votre demande. Le cas est connu : voici "
    "comment procéder.\n\n1. Vérifiez le statut de l'EJ.\n2. Relancez le traitement.",
    "Bonjour,\n\nNous interrogeons le référent ministériel et revenons vers vous rapidement.",
    "Bonjour,\n\nVoici un premier élément de réponse : la **restitution** doit être lancée "
    "sur l'exercice en cours, pas sur l'exercice précédent.",
)
TEAM_QUESTIONS = (
    "Pouvez-vous nous transmettre une copie d'écran du message d'erreur ?",
    "Pouvez-vous préciser le numéro de l'EJ concerné ?",
    "Merci de nous indiquer le CSP qui vous a répondu et la date de sa réponse.",
    "Pouvez-vous confirmer que le service fait a bien été saisi ?",
)
AGENT_REPLIES = (
    "Voici la copie d'écran demandée.",
    "Le numéro de l'EJ est indiqué dans la description ; le problème persiste.",
    "Le CSP nous a répondu hier sans solution.",
    "Merci, la manipulation n'a pas suffi : le message d'erreur est toujours le même.",
    "Je vous confirme que le service fait a été saisi la semaine dernière.",
)
AGENT_ADDENDA = (
    "Je complète ma demande : le problème concerne aussi deux autres EJ.",
    "Précision : le fournisseur nous a relancés ce matin.",
    "Pièce jointe : l'extraction de la restitution.",
)
INTERNAL_NOTES = (
    "Cas déjà vu avec une autre DDI : voir la fiche pratique sur ce sujet.",
    "J'ai appelé le CSP, retour attendu demain.",
    "Anomalie connue de l'AIFE, correctif annoncé.",
    "À regrouper avec les demandes similaires de la semaine.",
    "Le référent ministériel est absent cette semaine, je prends le relais.",
)
RESOLUTIONS = (
    "Le CSP a corrigé l'anomalie : le paiement est parti ce matin.",
    "La restitution est désormais disponible ; la procédure est décrite dans la fiche "
    "pratique correspondante.",
    "L'habilitation a été créée, l'agent peut se connecter.",
    "Le tiers a été mis à jour par le CSP, vous pouvez relancer la DP.",
    "Nous vous confirmons la règle applicable : voir la réponse détaillée ci-dessus.",
)
REDIRECT_CONTACTS = (
    "Assistance Chorus du ministère de l'Agriculture : assistance-chorus@example.org",
    "Support Chorus des ministères sociaux : support-chorus-social@example.org",
    "Pôle formation Chorus du ministère de l'Écologie : formation-chorus@example.org",
    "Centre d'assistance de l'AIFE : assistance-aife@example.org",
)

# ---------------------------------------------------------------------------- distributions

# Relative weights of the categories (unknown categories, added later: 2).
CATEGORY_WEIGHTS = {
    "restitutions": 9,
    "chorus-formulaires": 8,
    "habilitations": 6,
    "tiers": 6,
    "outil-autre": 3,
    "chaine-depense": 9,
    "paiement-bloque": 10,
    "roles-prescripteur-csp": 4,
    "credits-bop": 5,
    "notions": 4,
    "organisation-csp": 4,
    "plusieurs-csp": 3,
    "bonnes-pratiques": 2,
}
YEAR_END_MONTHS = {10, 11, 12, 1, 2}
PRIORITIES = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
PRIORITY_WEIGHTS = (15, 60, 20, 5)
PRIORITY_WEIGHTS_YEAR_END = (5, 45, 35, 15)
MONTH_WEIGHTS = {1: 1.4, 2: 1.1, 3: 1.0, 4: 0.9, 5: 0.8, 6: 0.9, 7: 0.7, 8: 0.4}
# Requests per day, relative: the first years of Chorus in the DDIs were the hardest.
YEAR_INTENSITY = {2011: 2.5, 2012: 2.0, 2013: 1.4}
DDI_KIND_WEIGHTS = {"DDT": 1.4, "DDTM": 1.5, "DDCS": 0.8, "DDPP": 0.8, "DDCSPP": 1.0}
DEMO_DDI_WEIGHT = 12.0
# Status by age in days (upper bound, (status, weight) …): open requests are recent.
STATUS_BY_AGE = (
    (
        2,
        (
            (Status.NEW, 45),
            (Status.IN_PROGRESS, 40),
            (Status.WAITING_DDI, 10),
            (Status.ESCALATED, 5),
        ),
    ),
    (
        10,
        (
            (Status.NEW, 4),
            (Status.IN_PROGRESS, 34),
            (Status.WAITING_DDI, 20),
            (Status.ESCALATED, 8),
            (Status.RESOLVED, 26),
            (Status.CLOSED, 6),
            (Status.REDIRECTED, 2),
        ),
    ),
    (
        45,
        (
            (Status.IN_PROGRESS, 4),
            (Status.WAITING_DDI, 4),
            (Status.ESCALATED, 4),
            (Status.RESOLVED, 10),
            (Status.CLOSED, 74),
            (Status.REDIRECTED, 4),
        ),
    ),
    (
        180,
        (
            (Status.ESCALATED, 1),
            (Status.CLOSED, 95),
            (Status.REDIRECTED, 4),
        ),
    ),
    (None, ((Status.CLOSED, 96), (Status.REDIRECTED, 4))),
)
# Chorus object and reference by category.
CHORUS_OBJECTS = {
    "chaine-depense": "ej",
    "bascule-ej": "ej",
    "paiement-bloque": "dp",
    "tiers": "tiers",
    "restitutions": "restitution",
    "chorus-formulaires": "formulaire",
    "habilitations": "habilitation",
}
