"""Geography of the fictional demo territory, the Métropole de Rivebelle.

Eight communes on the banks of the Belle, split into IRIS (INSEE's
statistical units of about 2,000 residents). Commune codes use the unused
35901-35908 range of the Ille-et-Vilaine numbering so that they look like
INSEE codes without colliding with a real commune; an IRIS code is its
commune code followed by four digits, as INSEE's are.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

METROPOLIS = "Métropole de Rivebelle"
CITY = "Rivebelle"


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    lat: float
    lon: float
    radius_km: float
    postcode: str


@dataclass(frozen=True)
class Iris:
    code: str
    name: str
    lat: float
    lon: float
    population: int

    @property
    def commune_code(self) -> str:
        return self.code[:5]


COMMUNES: tuple[Commune, ...] = (
    Commune("35901", "Rivebelle", 48.1120, -1.6800, 3.2, "35900"),
    Commune("35902", "Saint-Aubin-des-Landes", 48.1520, -1.7180, 1.8, "35910"),
    Commune("35903", "Chantepie-sur-Belle", 48.0850, -1.6120, 1.9, "35920"),
    Commune("35904", "Bréal-la-Forêt", 48.0720, -1.7500, 1.7, "35930"),
    Commune("35905", "Cesson-Vallon", 48.1230, -1.5960, 2.0, "35940"),
    Commune("35906", "Montgermont-les-Prés", 48.1600, -1.6600, 1.4, "35950"),
    Commune("35907", "Le Verger-Saint-Jacques", 48.0600, -1.6820, 1.9, "35960"),
    Commune("35908", "Vezin-la-Lande", 48.1200, -1.7650, 1.6, "35970"),
)

IRIS: tuple[Iris, ...] = (
    Iris("359010101", "Centre - Halles", 48.1125, -1.6790, 2420),
    Iris("359010102", "Quai de la Belle", 48.1092, -1.6852, 2135),
    Iris("359010103", "Gare - Saint-Lazare", 48.1035, -1.6735, 2610),
    Iris("359010104", "Les Tanneurs", 48.1162, -1.6905, 2240),
    Iris("359010201", "Beaulieu", 48.1212, -1.6522, 2715),
    Iris("359010202", "La Croix-Verte", 48.1266, -1.6700, 2318),
    Iris("359010203", "Bellevue", 48.1291, -1.6881, 2504),
    Iris("359010204", "Clos-Fleuri", 48.1340, -1.6602, 2206),
    Iris("359010301", "Les Ormeaux", 48.0986, -1.6951, 2388),
    Iris("359010302", "Moulin-Neuf", 48.0951, -1.6641, 2842),
    Iris("359010303", "Champ-de-Foire", 48.1061, -1.7080, 1987),
    Iris("359010304", "Les Prairies", 48.1181, -1.7148, 1912),
    Iris("359020101", "Saint-Aubin - Bourg", 48.1525, -1.7175, 2391),
    Iris("359020102", "Saint-Aubin - La Lande", 48.1580, -1.7290, 1804),
    Iris("359030101", "Chantepie - Centre", 48.0855, -1.6118, 2560),
    Iris("359030102", "Chantepie - Les Rives", 48.0800, -1.6010, 2233),
    Iris("359040101", "Bréal - Bourg", 48.0722, -1.7495, 2104),
    Iris("359040102", "Bréal - La Forêt", 48.0660, -1.7610, 1650),
    Iris("359050101", "Cesson - Centre", 48.1231, -1.5962, 2877),
    Iris("359050102", "Cesson - Vallon", 48.1290, -1.5850, 2516),
    Iris("359050103", "Cesson - Les Landelles", 48.1170, -1.5870, 2293),
    Iris("359060101", "Montgermont - Bourg", 48.1602, -1.6598, 1733),
    Iris("359070101", "Le Verger - Centre", 48.0603, -1.6822, 2481),
    Iris("359070102", "Le Verger - Saint-Jacques", 48.0540, -1.6930, 2399),
    Iris("359080101", "Vezin - Bourg", 48.1198, -1.7648, 2011),
    Iris("359080102", "Vezin - La Lande", 48.1260, -1.7760, 1547),
)

STREETS: tuple[str, ...] = (
    "Rue de la Monnaie",
    "Boulevard de la Liberté",
    "Avenue Jean Jaurès",
    "Rue Victor Hugo",
    "Quai de la Belle",
    "Rue Saint-Michel",
    "Place des Halles",
    "Rue du Moulin",
    "Avenue de la Gare",
    "Rue des Tanneurs",
    "Boulevard Gambetta",
    "Rue Jules Ferry",
    "Rue de la République",
    "Allée des Tilleuls",
    "Rue Pasteur",
    "Avenue du Général de Gaulle",
    "Rue des Écoles",
    "Chemin de la Lande",
    "Rue de Brest",
    "Rue Émile Zola",
    "Impasse des Lilas",
    "Rue du Champ de Foire",
    "Boulevard de Bellevue",
    "Rue Anne de Bretagne",
    "Rue des Prairies",
    "Rue de la Croix-Verte",
    "Avenue des Ormeaux",
    "Rue Jean Moulin",
    "Place de l'Église",
    "Rue du Stade",
)


def commune(code: str) -> Commune:
    return next(c for c in COMMUNES if c.code == code)


@cache
def iris_of(commune_code: str) -> tuple[Iris, ...]:
    return tuple(i for i in IRIS if i.commune_code == commune_code)


@cache
def population(commune_code: str) -> int:
    return sum(i.population for i in iris_of(commune_code))
