"""The divisions of the Common Procurement Vocabulary (CPV 2008, règlement
(CE) n° 213/2008), by their two first digits, with their French titles
(shortened where long): the domains of the observatory."""

from __future__ import annotations

DIVISIONS: dict[str, str] = {
    "03": "Produits agricoles, de l'élevage, de la pêche et de la sylviculture",
    "09": "Produits pétroliers, combustibles, électricité et autres énergies",
    "14": "Produits d'exploitation minière, métaux de base",
    "15": "Aliments, boissons, tabac et produits connexes",
    "16": "Machines agricoles",
    "18": "Vêtements, articles chaussants, bagages et accessoires",
    "19": "Cuir et textiles, plastiques et caoutchouc",
    "22": "Imprimés et produits connexes",
    "24": "Produits chimiques",
    "30": "Machines, matériel et fournitures informatiques et de bureau",
    "31": "Machines, appareils et consommables électriques ; éclairage",
    "32": "Équipements de radio, télévision et télécommunication",
    "33": "Matériels médicaux, pharmaceutiques et produits de soins",
    "34": "Équipements de transport et produits auxiliaires",
    "35": "Équipements de sécurité, de lutte contre l'incendie et de police",
    "37": "Instruments de musique, articles de sport, jeux et jouets",
    "38": "Équipements de laboratoire, d'optique et de précision",
    "39": "Meubles, aménagements, électroménager et produits de nettoyage",
    "41": "Eau collectée et purifiée",
    "42": "Machines industrielles",
    "43": "Machines pour l'exploitation minière, matériel de construction",
    "44": "Structures et matériaux de construction",
    "45": "Travaux de construction",
    "48": "Logiciels et systèmes d'information",
    "50": "Services de réparation et d'entretien",
    "51": "Services d'installation (hors logiciels)",
    "55": "Services d'hôtellerie, de restauration et de commerce de détail",
    "60": "Services de transport (hors transport des déchets)",
    "63": "Services de transport complémentaires ; agences de voyages",
    "64": "Services des postes et télécommunications",
    "65": "Services publics (eau, énergie)",
    "66": "Services financiers et d'assurance",
    "70": "Services immobiliers",
    "71": "Services d'architecture, d'ingénierie et d'inspection",
    "72": "Services informatiques : conseil, développement, internet",
    "73": "Services de recherche et développement",
    "75": "Services de l'administration publique et de la défense",
    "76": "Services relatifs à l'industrie du pétrole et du gaz",
    "77": "Services agricoles, forestiers et horticoles",
    "79": "Services aux entreprises : droit, marketing, conseil, impression",
    "80": "Services d'enseignement et de formation",
    "85": "Services de santé et services sociaux",
    "90": "Services d'assainissement, des déchets et de l'environnement",
    "92": "Services récréatifs, culturels et sportifs",
    "98": "Autres services communautaires, sociaux et personnels",
}


def label(division: str | None) -> str:
    if not division:
        return ""
    return DIVISIONS.get(division, division)
