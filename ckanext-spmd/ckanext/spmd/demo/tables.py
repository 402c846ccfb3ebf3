"""Generators of the demo tables, one per key named in ``catalogue.py``.

Each generator draws its rows from the random generator it is given, so
``build(key)`` returns the same table on every run. Values are plausible
orders of magnitude for a French metropolis, not real measures.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, timedelta

from . import files, territory
from .files import Table

Generator = Callable[[random.Random], Table]

TABLES: dict[str, Generator] = {}


def table(key: str) -> Callable[[Generator], Generator]:
    def register(generator: Generator) -> Generator:
        TABLES[key] = generator
        return generator

    return register


def build(key: str) -> Table:
    return TABLES[key](files.rng_for(key))


RIVEBELLE = territory.commune("35901")

# code, mode, terminus 1, terminus 2, length (km), peak headway (min), colour
LINES: tuple[tuple[str, str, str, str, float, int, str], ...] = (
    ("a", "métro", "Bellevue", "Moulin-Neuf", 9.4, 3, "#E2001A"),
    ("b", "métro", "Saint-Aubin - Bourg", "Cesson - Vallon", 12.1, 4, "#00893E"),
    ("C1", "bus", "Chantepie - Les Rives", "Vezin - La Lande", 13.8, 7, "#F39200"),
    ("C2", "bus", "Le Verger - Centre", "Montgermont - Bourg", 14.6, 8, "#F39200"),
    ("C3", "bus", "Champ-de-Foire", "Cesson - Les Landelles", 10.2, 8, "#F39200"),
    ("11", "bus", "Gare - Saint-Lazare", "Clos-Fleuri", 6.3, 12, "#0069B4"),
    ("12", "bus", "Les Tanneurs", "Beaulieu", 5.8, 12, "#0069B4"),
    ("14", "bus", "Les Prairies", "Moulin-Neuf", 7.1, 15, "#0069B4"),
    ("31", "bus", "Halles", "Chantepie - Centre", 8.9, 20, "#6F2C91"),
    ("32", "bus", "Halles", "Saint-Aubin - La Lande", 9.6, 20, "#6F2C91"),
    ("54", "bus", "Gare - Saint-Lazare", "Bréal - La Forêt", 11.7, 30, "#6F2C91"),
    ("61", "bus", "Moulin-Neuf", "Le Verger - Saint-Jacques", 7.4, 30, "#6F2C91"),
)

LANDMARKS = (
    "Mairie", "Église", "Collège Jules Ferry", "Lycée Anne de Bretagne", "Piscine",
    "Stade", "Médiathèque", "Cimetière", "Hôpital Sud", "Université", "Poste",
    "Zone d'activités", "Centre commercial", "Parc des Expositions", "Les Écoles",
    "Marché couvert", "Conservatoire", "Salle des fêtes", "Gymnase", "Résidence du Parc",
)


def _short_street(rng: random.Random) -> str:
    name = rng.choice(territory.STREETS)
    return name.split(" ", 1)[1].removeprefix("de la ").removeprefix("des ").removeprefix("du ")


def _stop_name(rng: random.Random, commune: territory.Commune) -> str:
    base = rng.choice(LANDMARKS) if rng.random() < 0.5 else _short_street(rng)
    if commune.code == RIVEBELLE.code:
        return base
    return f"{commune.name.split('-')[0]} - {base}"


def _yes_no(rng: random.Random, p_yes: float) -> str:
    return "oui" if rng.random() < p_yes else "non"


# Mobility

@table("arrets")
def arrets(rng: random.Random) -> Table:
    t = Table(("code_arret", "nom_arret", "commune", "code_insee", "lignes", "mobilier",
               "accessible_pmr", "latitude", "longitude"))
    for n in range(1, 91):
        commune = files.weighted_commune(rng)
        lat, lon = files.point_in(rng, commune)
        lines = sorted(rng.sample([line[0] for line in LINES], rng.randint(1, 3)))
        mobilier = rng.choice(("abri", "abri", "poteau", "station"))
        t.add((f"RVB{n:04d}", _stop_name(rng, commune), commune.name, commune.code,
               " ".join(lines), mobilier, _yes_no(rng, 0.82), lat, lon), files.point(lat, lon))
    return t


@table("lignes")
def lignes(rng: random.Random) -> Table:
    t = Table(("code_ligne", "nom_ligne", "mode", "terminus_1", "terminus_2", "longueur_km",
               "frequence_pointe_min", "couleur", "accessible_pmr"))
    for code, mode, first, last, length, headway, colour in LINES:
        name = f"{first} <> {last}"
        t.add((code, name, mode, first, last, length, headway, colour,
               "oui" if mode == "métro" else _yes_no(rng, 0.9)))
    return t


@table("frequentation_lignes")
def frequentation_lignes(rng: random.Random) -> Table:
    t = Table(("mois", "code_ligne", "mode", "validations"))
    season = (1.0, 1.04, 1.02, 0.97, 0.93, 0.95, 0.72, 0.58, 1.08, 1.05, 1.03, 0.9)
    for code, mode, *_rest in LINES:
        base = rng.uniform(1.1e6, 1.6e6) if mode == "métro" else rng.uniform(3.5e4, 2.2e5)
        for month, factor in zip(files.months(2024), season, strict=True):
            t.add((month, code, mode, int(base * factor * rng.uniform(0.95, 1.05))))
    return t


@table("stations_velo")
def stations_velo(rng: random.Random) -> Table:
    t = Table(("id_station", "nom_station", "commune", "nb_emplacements",
               "date_mise_en_service", "latitude", "longitude"))
    for n in range(1, 36):
        commune = RIVEBELLE if rng.random() < 0.75 else files.weighted_commune(rng)
        lat, lon = files.point_in(rng, commune)
        opened = date(2019, 3, 1) + timedelta(days=rng.randint(0, 1500))
        t.add((n, _stop_name(rng, commune), commune.name, rng.choice((12, 16, 20, 24, 30)),
               opened.isoformat(), lat, lon), files.point(lat, lon))
    return t


@table("comptages_velo")
def comptages_velo(rng: random.Random) -> Table:
    t = Table(("date", "id_compteur", "nom_compteur", "passages"))
    counters = ("Quai de la Belle", "Boulevard de la Liberté", "Pont du Moulin",
                "Avenue de la Gare", "Voie verte de Cesson", "Rue de Brest")
    bases = [rng.randint(900, 4200) for _ in counters]
    for day in files.days(date(2024, 9, 2), 30):
        weekday_factor = 0.55 if day.weekday() >= 5 else 1.0
        rain = rng.random() < 0.25
        for n, (name, base) in enumerate(zip(counters, bases, strict=True), start=1):
            passages = base * weekday_factor * (0.6 if rain else 1.0) * rng.uniform(0.9, 1.1)
            t.add((day.isoformat(), f"CV{n:02d}", name, int(passages)))
    return t


PARCS_RELAIS = (
    ("PR01", "Bellevue", "35901", 420, "a"),
    ("PR02", "Moulin-Neuf", "35901", 610, "a"),
    ("PR03", "Saint-Aubin", "35902", 380, "b"),
    ("PR04", "Cesson-Vallon", "35905", 550, "b"),
    ("PR05", "Chantepie", "35903", 260, "C1"),
)


@table("parcs_relais")
def parcs_relais(rng: random.Random) -> Table:
    t = Table(("id_parc", "nom", "commune", "capacite", "ligne_desservie", "latitude",
               "longitude"))
    for code, name, insee, capacity, line_code in PARCS_RELAIS:
        commune = territory.commune(insee)
        lat, lon = files.point_in(rng, commune)
        t.add((code, f"Parc relais {name}", commune.name, capacity, line_code, lat, lon),
              files.point(lat, lon))
    return t


@table("occupation_parcs_relais")
def occupation_parcs_relais(rng: random.Random) -> Table:
    t = Table(("id_parc", "heure", "taux_occupation_moyen_pct"))
    for code, *_rest in PARCS_RELAIS:
        peak = rng.uniform(78, 99)
        for hour in range(6, 23):
            # Commuters fill the car parks in the morning and leave them in the evening.
            shape = 1 / (1 + math.exp(-(hour - 8.0) * 1.6)) - 1 / (1 + math.exp(-(hour - 18.0)))
            rate = max(3.0, peak * shape * rng.uniform(0.95, 1.03))
            t.add((code, f"{hour:02d}:00", round(rate, 1)))
    return t


@table("zones_apaisees")
def zones_apaisees(rng: random.Random) -> Table:
    t = Table(("id_zone", "nom", "type_zone", "vitesse_max_kmh", "date_arrete"))
    kinds = (("zone 30", 30), ("zone 30", 30), ("zone de rencontre", 20), ("aire piétonne", 6))
    for n, iris in enumerate(territory.iris_of(RIVEBELLE.code), start=1):
        kind, speed = rng.choice(kinds)
        enacted = date(2016, 1, 1) + timedelta(days=rng.randint(0, 2900))
        t.add((f"ZA{n:03d}", iris.name, kind, speed, enacted.isoformat()),
              files.polygon_around(rng, iris.lat, iris.lon, 0.35))
    return t


@table("traces_mobilite")
def traces_mobilite(rng: random.Random) -> Table:
    t = Table(("id_deplacement", "participant", "date", "heure_depart", "mode", "motif",
               "iris_origine", "iris_destination", "distance_km", "duree_min"))
    speeds = {"marche": 4.5, "vélo": 14.0, "bus": 16.0, "métro": 28.0, "voiture": 24.0}
    motives = ("travail", "études", "achats", "loisirs", "accompagnement", "démarches")
    for n in range(1, 151):
        mode = rng.choices(list(speeds), weights=(25, 15, 20, 12, 28))[0]
        origin, destination = rng.sample(territory.IRIS, 2)
        distance = round(math.dist((origin.lat, origin.lon), (destination.lat, destination.lon))
                         * 95 * rng.uniform(1.1, 1.4), 1)
        day = date(2024, 3, 4) + timedelta(days=rng.randint(0, 27))
        t.add((n, f"P{rng.randint(1, 30):03d}", day.isoformat(),
               f"{rng.randint(6, 21):02d}:{rng.choice((0, 10, 15, 20, 30, 40, 45, 50)):02d}",
               mode, rng.choice(motives), origin.code, destination.code, distance,
               max(3, round(distance / speeds[mode] * 60 + rng.uniform(2, 9)))))
    return t


# Energy

@table("conso_elec_iris")
def conso_elec_iris(rng: random.Random) -> Table:
    t = Table(("annee", "code_iris", "nom_iris", "code_commune", "secteur",
               "nb_points_livraison", "consommation_mwh", "diffusion"))
    for iris in territory.IRIS:
        dwellings = int(iris.population / 2.1)
        sectors = (("résidentiel", dwellings, 4.6), ("professionnel", dwellings // 12, 21.0),
                   ("industrie", rng.randint(0, 14), 610.0))
        for sector, points, mwh_per_point in sectors:
            consumption = round(points * mwh_per_point * rng.uniform(0.85, 1.15), 1)
            # The operator's rule: no figure where there are 10 delivery points or fewer.
            if points <= 10:
                t.add((2023, iris.code, iris.name, iris.commune_code, sector, points, "",
                       "secret statistique"))
            else:
                t.add((2023, iris.code, iris.name, iris.commune_code, sector, points,
                       consumption, "diffusée"))
    return t


@table("conso_elec_journaliere")
def conso_elec_journaliere(rng: random.Random) -> Table:
    t = Table(("date", "code_insee", "commune", "consommation_mwh", "temperature_moyenne_c"))
    temperatures = [round(rng.uniform(-2.5, 11.0), 1) for _ in range(21)]
    for commune in territory.COMMUNES:
        per_day = territory.population(commune.code) * 0.0145
        daily = zip(files.days(date(2024, 1, 8), 21), temperatures, strict=True)
        for day, temperature in daily:
            heating = 1 + max(0.0, 15 - temperature) * 0.045
            weekend = 1.06 if day.weekday() >= 5 else 1.0
            t.add((day.isoformat(), commune.code, commune.name,
                   round(per_day * heating * weekend * rng.uniform(0.97, 1.03), 1), temperature))
    return t


@table("conso_gaz_iris")
def conso_gaz_iris(rng: random.Random) -> Table:
    t = Table(("annee", "code_iris", "nom_iris", "secteur", "nb_points_livraison",
               "consommation_mwh"))
    for iris in territory.IRIS:
        homes = int(iris.population / 2.1 * rng.uniform(0.25, 0.6))
        t.add((2023, iris.code, iris.name, "résidentiel", homes,
               round(homes * 9.8 * rng.uniform(0.9, 1.1), 1)))
        businesses = rng.randint(11, 60)
        t.add((2023, iris.code, iris.name, "tertiaire", businesses,
               round(businesses * 48 * rng.uniform(0.8, 1.2), 1)))
    return t


@table("sous_stations_chaleur")
def sous_stations_chaleur(rng: random.Random) -> Table:
    t = Table(("id_sous_station", "batiment", "type_batiment", "puissance_souscrite_kw",
               "latitude", "longitude"))
    kinds = ("logements sociaux", "copropriété", "groupe scolaire", "piscine", "hôpital",
             "bureaux", "gymnase", "EHPAD")
    for n in range(1, 16):
        kind = rng.choice(kinds)
        lat, lon = files.point_near(rng, 48.1010, -1.6690, 1.1)
        t.add((f"SST{n:02d}", f"{kind.capitalize()} {_short_street(rng)}", kind,
               rng.choice((150, 250, 400, 600, 900, 1200)), lat, lon), files.point(lat, lon))
    return t


@table("livraisons_chaleur")
def livraisons_chaleur(rng: random.Random) -> Table:
    t = Table(("mois", "id_sous_station", "energie_livree_mwh"))
    heating_season = (1.0, 0.9, 0.75, 0.5, 0.25, 0.12, 0.1, 0.1, 0.18, 0.42, 0.72, 0.95)
    for n in range(1, 16):
        winter = rng.uniform(60, 420)
        for month, factor in zip(files.months(2023), heating_season, strict=True):
            t.add((month, f"SST{n:02d}", round(winter * factor * rng.uniform(0.93, 1.07), 1)))
    return t


@table("photovoltaique")
def photovoltaique(rng: random.Random) -> Table:
    t = Table(("id_installation", "code_insee", "commune", "type_installation",
               "puissance_kwc", "injection", "date_raccordement"))
    kinds = (("toiture résidentielle", 3, 9), ("toiture tertiaire", 36, 250), ("ombrière", 100, 500),
             ("centrale au sol", 500, 4500))
    for n in range(1, 81):
        commune = files.weighted_commune(rng)
        kind, low, high = rng.choices(kinds, weights=(70, 18, 8, 2))[0]
        connected = date(2012, 1, 1) + timedelta(days=rng.randint(0, 4300))
        injection = "surplus" if kind == "toiture résidentielle" and rng.random() < 0.7 else "totale"
        t.add((f"PV{n:05d}", commune.code, commune.name, kind,
               round(rng.uniform(low, high), 1), injection, connected.isoformat()))
    return t


@table("bornes_irve")
def bornes_irve(rng: random.Random) -> Table:
    t = Table(("id_pdc_itinerance", "nom_station", "adresse", "commune", "puissance_nominale_kw",
               "prise_type_2", "prise_type_combo_ccs", "gratuit", "latitude", "longitude"))
    for n in range(1, 46):
        commune = files.weighted_commune(rng)
        lat, lon = files.point_in(rng, commune)
        power = rng.choices((7.4, 22.0, 50.0, 150.0), weights=(30, 45, 15, 10))[0]
        fast = power >= 50
        t.add((f"FRRVBE{n:05d}", f"{commune.name} - {rng.choice(LANDMARKS)}", files.address(rng),
               commune.name, power, "non" if fast else "oui", "oui" if fast else "non",
               _yes_no(rng, 0.1), lat, lon), files.point(lat, lon))
    return t


@table("defi_energie")
def defi_energie(rng: random.Random) -> Table:
    t = Table(("participant", "semaine", "consommation_kwh", "consommation_reference_kwh"))
    for n in range(1, 11):
        reference = rng.uniform(55, 180)
        saving = rng.uniform(0.02, 0.16)
        for week in range(2, 14):
            effort = saving * min(1.0, week / 6)
            t.add((f"FOYER-{n:02d}", f"2024-S{week:02d}",
                   round(reference * (1 - effort) * rng.uniform(0.92, 1.08), 1),
                   round(reference, 1)))
    return t


# Water

SAMPLING_POINTS = tuple(f"PP{n:02d}" for n in range(1, 15))


@table("points_prelevement")
def points_prelevement(rng: random.Random) -> Table:
    t = Table(("code_point", "nom", "type_point", "commune", "unite_distribution", "latitude",
               "longitude"))
    kinds = ("robinet public", "robinet public", "réservoir", "station de traitement")
    for code in SAMPLING_POINTS:
        commune = files.weighted_commune(rng)
        lat, lon = files.point_in(rng, commune)
        kind = rng.choice(kinds)
        unit = "UDI Rivebelle" if commune.code == RIVEBELLE.code else "UDI Belle Amont"
        t.add((code, f"{kind.capitalize()} {_short_street(rng)}", kind, commune.name, unit,
               lat, lon), files.point(lat, lon))
    return t


@table("qualite_eau")
def qualite_eau(rng: random.Random) -> Table:
    t = Table(("date_prelevement", "code_point", "parametre", "valeur", "unite",
               "limite_qualite", "conforme"))
    parameters = (("Nitrates", 18.0, 9.0, "mg/L", 50.0), ("pH", 7.6, 0.25, "unité pH", 9.0),
                  ("Turbidité", 0.25, 0.2, "NFU", 1.0), ("Chlore libre", 0.22, 0.08, "mg/L", None),
                  ("Escherichia coli", 0.0, 0.0, "n/100mL", 0.0),
                  ("Conductivité à 25°C", 410.0, 35.0, "µS/cm", 1100.0))
    for week in range(20):
        day = date(2024, 1, 3) + timedelta(days=7 * week + rng.randint(0, 2))
        point_code = rng.choice(SAMPLING_POINTS)
        for name, mean, spread, unit, limit in parameters:
            value = max(0.0, round(rng.gauss(mean, spread), 2))
            compliant = limit is None or value <= limit
            t.add((day.isoformat(), point_code, name, value, unit,
                   "" if limit is None else limit, "oui" if compliant else "non"))
    return t


@table("conso_eau_commune")
def conso_eau_commune(rng: random.Random) -> Table:
    t = Table(("annee", "code_insee", "commune", "nb_abonnes", "volume_consomme_m3",
               "litres_par_habitant_jour"))
    for commune in territory.COMMUNES:
        residents = territory.population(commune.code)
        for year in range(2019, 2024):
            litres = rng.uniform(128, 152) - (year - 2019) * 1.5
            volume = int(residents * litres * 365 / 1000)
            t.add((year, commune.code, commune.name, int(residents / 2.05), volume,
                   round(litres, 1)))
    return t


@table("fontaines")
def fontaines(rng: random.Random) -> Table:
    t = Table(("id_fontaine", "nom", "type", "adresse", "commune", "fonctionnement",
               "latitude", "longitude"))
    for n in range(1, 36):
        commune = RIVEBELLE if rng.random() < 0.7 else files.weighted_commune(rng)
        lat, lon = files.point_in(rng, commune)
        kind = rng.choice(("fontaine à boire", "fontaine à boire", "borne-fontaine",
                           "fontaine patrimoniale"))
        t.add((f"F{n:03d}", f"Fontaine {_short_street(rng)}", kind, files.address(rng),
               commune.name, rng.choice(("toute l'année", "d'avril à octobre")), lat, lon),
              files.point(lat, lon))
    return t


@table("hauteurs_belle")
def hauteurs_belle(rng: random.Random) -> Table:
    t = Table(("date", "hauteur_moyenne_m", "hauteur_max_m", "debit_moyen_m3s"))
    level = 1.45
    for day in files.days(date(2024, 1, 1), 91):
        level = min(3.6, max(0.8, level + rng.gauss(-0.01, 0.12)))
        flow = 4.2 * (level / 1.2) ** 1.8
        t.add((day.isoformat(), round(level, 2), round(level + rng.uniform(0.02, 0.3), 2),
               round(flow, 1)))
    return t


# Waste

WASTE_STREAMS = (("ordures ménagères résiduelles", 212), ("emballages", 52), ("verre", 33),
                 ("papiers", 18), ("biodéchets", 14))


@table("tonnages_dechets")
def tonnages_dechets(rng: random.Random) -> Table:
    t = Table(("annee", "code_insee", "commune", "flux", "tonnage_t", "kg_par_habitant"))
    for year in (2022, 2023):
        for commune in territory.COMMUNES:
            residents = territory.population(commune.code)
            for stream, kg in WASTE_STREAMS:
                per_head = kg * rng.uniform(0.88, 1.12) * (0.97 if year == 2023 else 1.0)
                t.add((year, commune.code, commune.name, stream,
                       round(residents * per_head / 1000, 1), round(per_head, 1)))
    return t


@table("points_apport")
def points_apport(rng: random.Random) -> Table:
    t = Table(("id_point", "flux", "adresse", "commune", "volume_m3", "enterre", "latitude",
               "longitude"))
    for n in range(1, 91):
        commune = files.weighted_commune(rng)
        lat, lon = files.point_in(rng, commune)
        stream = rng.choices(("verre", "papiers", "emballages", "textiles"),
                             weights=(40, 25, 25, 10))[0]
        t.add((f"PAV{n:04d}", stream, files.address(rng), commune.name,
               rng.choice((3, 4, 5)), _yes_no(rng, 0.35), lat, lon), files.point(lat, lon))
    return t


DECHETERIES = (("DEC01", "Déchèterie de la Lande", "35902"),
               ("DEC02", "Déchèterie des Rives", "35903"),
               ("DEC03", "Déchèterie de Bréal", "35904"),
               ("DEC04", "Déchèterie du Vallon", "35905"),
               ("DEC05", "Recyclerie du Moulin", "35901"))


@table("decheteries")
def decheteries(rng: random.Random) -> Table:
    t = Table(("id_decheterie", "nom", "adresse", "commune", "horaires", "dechets_acceptes",
               "latitude", "longitude"))
    for code, name, insee in DECHETERIES:
        commune = territory.commune(insee)
        lat, lon = files.point_in(rng, commune)
        hours = rng.choice(("lun-sam 9h-12h 14h-18h", "mar-sam 9h-18h", "lun-sam 10h-18h"))
        t.add((code, name, files.address(rng), commune.name, hours,
               "encombrants, déchets verts, gravats, bois, métaux, DEEE, cartons", lat, lon),
              files.point(lat, lon))
    return t


@table("frequentation_decheteries")
def frequentation_decheteries(rng: random.Random) -> Table:
    t = Table(("date", "id_decheterie", "visites"))
    for code, *_rest in DECHETERIES:
        base = rng.randint(180, 520)
        for day in files.days(date(2024, 4, 1), 28):
            if day.weekday() == 6:
                continue
            saturday = 1.7 if day.weekday() == 5 else 1.0
            t.add((day.isoformat(), code, int(base * saturday * rng.uniform(0.8, 1.2))))
    return t


@table("composteurs")
def composteurs(rng: random.Random) -> Table:
    t = Table(("id_site", "nom_site", "adresse", "commune", "nb_bacs", "date_installation",
               "latitude", "longitude"))
    for n in range(1, 41):
        commune = files.weighted_commune(rng)
        lat, lon = files.point_in(rng, commune)
        installed = date(2015, 5, 1) + timedelta(days=rng.randint(0, 3200))
        t.add((f"CP{n:03d}", f"Composteur {_short_street(rng)}", files.address(rng), commune.name,
               rng.randint(2, 5), installed.isoformat(), lat, lon), files.point(lat, lon))
    return t


# Environment

AIR_STATIONS = (("FR35001", "Rivebelle - Halles", "urbaine de fond", 48.1128, -1.6785),
                ("FR35002", "Rivebelle - Boulevard de la Liberté", "trafic", 48.1072, -1.6772),
                ("FR35003", "Cesson - Vallon", "périurbaine", 48.1285, -1.5861),
                ("FR35004", "Bréal - La Forêt", "rurale", 48.0668, -1.7603))


@table("stations_air")
def stations_air(rng: random.Random) -> Table:
    t = Table(("code_station", "nom", "typologie", "polluants_mesures", "mise_en_service",
               "latitude", "longitude"))
    for code, name, kind, lat, lon in AIR_STATIONS:
        pollutants = "NO2 PM10 PM2.5" + (" O3" if kind != "trafic" else "")
        t.add((code, name, kind, pollutants, f"{rng.randint(1998, 2016)}-01-01", lat, lon),
              files.point(lat, lon))
    return t


def _atmo_index(no2: float, pm10: float, pm25: float) -> str:
    # Sub-index thresholds of the 2021 ATMO index; the worst pollutant decides.
    labels = ("bon", "moyen", "dégradé", "mauvais", "très mauvais")
    steps = {"no2": (40, 90, 120, 230), "pm10": (20, 40, 50, 100), "pm25": (10, 20, 25, 50)}
    levels = [sum(value > limit for limit in steps[name])
              for name, value in (("no2", no2), ("pm10", pm10), ("pm25", pm25))]
    return labels[max(levels)]


@table("qualite_air")
def qualite_air(rng: random.Random) -> Table:
    t = Table(("date", "code_station", "no2_ugm3", "pm10_ugm3", "pm25_ugm3", "o3_ugm3",
               "indice_atmo"))
    weather = [rng.uniform(0.6, 1.8) for _ in range(31)]
    for code, _name, kind, _lat, _lon in AIR_STATIONS:
        traffic = {"trafic": 2.2, "urbaine de fond": 1.0, "périurbaine": 0.7, "rurale": 0.45}[kind]
        for day, stagnation in zip(files.days(date(2024, 1, 1), 31), weather, strict=True):
            no2 = round(18 * traffic * stagnation * rng.uniform(0.85, 1.15), 1)
            pm10 = round(14 * (0.6 + 0.4 * traffic) * stagnation * rng.uniform(0.8, 1.2), 1)
            pm25 = round(pm10 * rng.uniform(0.55, 0.7), 1)
            o3 = "" if kind == "trafic" else round(rng.uniform(25, 60) / stagnation, 1)
            t.add((day.isoformat(), code, no2, pm10, pm25, o3, _atmo_index(no2, pm10, pm25)))
    return t


SENSORS = tuple(f"RSP-{n:03d}" for n in (12, 17, 23, 31, 44, 58))


@table("capteurs_sites")
def capteurs_sites(rng: random.Random) -> Table:
    t = Table(("id_capteur", "emplacement", "hauteur_m", "latitude", "longitude"))
    for sensor in SENSORS:
        lat, lon = files.point_near(rng, RIVEBELLE.lat, RIVEBELLE.lon, 2.5)
        t.add((sensor, f"Balcon {_short_street(rng)}", rng.choice((2.5, 3.0, 4.5, 8.0)),
               lat, lon), files.point(lat, lon))
    return t


@table("capteurs_pm")
def capteurs_pm(rng: random.Random) -> Table:
    t = Table(("horodatage", "id_capteur", "pm25_ugm3", "pm10_ugm3", "humidite_pct"))
    start = date(2024, 11, 14)
    for sensor in SENSORS:
        bias = rng.uniform(0.85, 1.25)
        for hour in range(24):
            rush = 1.5 if hour in (8, 9, 18, 19) else 1.0
            pm25 = round(9 * bias * rush * rng.uniform(0.7, 1.3), 1)
            t.add((f"{start.isoformat()}T{hour:02d}:00:00+01:00", sensor, pm25,
                   round(pm25 * rng.uniform(1.4, 1.9), 1), rng.randint(62, 94)))
    return t


TREES = (
    ("Platanus", "x acerifolia", "Platane commun"),
    ("Tilia", "cordata", "Tilleul à petites feuilles"),
    ("Acer", "platanoides", "Érable plane"),
    ("Quercus", "robur", "Chêne pédonculé"),
    ("Carpinus", "betulus", "Charme commun"),
    ("Prunus", "avium", "Merisier"),
    ("Liquidambar", "styraciflua", "Copalme d'Amérique"),
    ("Ginkgo", "biloba", "Ginkgo"),
)


@table("arbres")
def arbres(rng: random.Random) -> Table:
    t = Table(("id_arbre", "genre", "espece", "nom_commun", "adresse", "hauteur_m",
               "circonference_cm", "annee_plantation", "latitude", "longitude"))
    for n in range(1, 151):
        genus, species, common = rng.choice(TREES)
        planted = rng.randint(1955, 2023)
        age = 2024 - planted
        lat, lon = files.point_in(rng, RIVEBELLE)
        t.add((f"A{n:05d}", genus, species, common, files.address(rng),
               round(min(28.0, 2 + age * 0.32 * rng.uniform(0.7, 1.2)), 1),
               int(10 + age * 3.1 * rng.uniform(0.7, 1.3)), planted, lat, lon),
              files.point(lat, lon))
    return t


@table("espaces_verts")
def espaces_verts(rng: random.Random) -> Table:
    t = Table(("id_espace", "nom", "type", "commune", "surface_ha"))
    kinds = (("parc", 0.35), ("square", 0.08), ("jardin partagé", 0.05), ("coulée verte", 0.25))
    for n in range(1, 21):
        commune = files.weighted_commune(rng)
        kind, radius = rng.choice(kinds)
        lat, lon = files.point_in(rng, commune)
        area_ha = round(math.pi * radius**2 * 100, 2)
        t.add((f"EV{n:03d}", f"{kind.capitalize()} {_short_street(rng)}", kind,
               commune.name, area_ha), files.polygon_around(rng, lat, lon, radius, 7))
    return t


@table("ilots_chaleur")
def ilots_chaleur(rng: random.Random) -> Table:
    t = Table(("periode", "code_iris", "nom_iris", "temperature_surface_moyenne_c",
               "ecart_moyenne_metropole_c", "part_vegetation_pct", "part_impermeabilisee_pct"))
    rows = []
    for iris in territory.IRIS:
        distance_km = math.dist((iris.lat, iris.lon), (RIVEBELLE.lat, RIVEBELLE.lon)) * 95
        vegetation = min(75.0, 12 + distance_km * 6 * rng.uniform(0.8, 1.2))
        temperature = 36.5 - vegetation * 0.11 + rng.uniform(-0.6, 0.6)
        rows.append((iris, vegetation, temperature))
    mean = sum(r[2] for r in rows) / len(rows)
    for iris, vegetation, temperature in rows:
        sealed = min(95.0, 100 - vegetation - rng.uniform(2, 8))
        t.add(("été 2023", iris.code, iris.name, round(temperature, 1),
               round(temperature - mean, 1), round(vegetation, 1), round(sealed, 1)))
    return t


# Urban planning

@table("adresses")
def adresses(rng: random.Random) -> Table:
    t = Table(("cle_interop", "commune_insee", "commune_nom", "voie_nom", "numero", "suffixe",
               "position", "long", "lat", "source", "date_der_maj", "certification_commune"))
    seen: set[tuple[str, int, int]] = set()
    while len(t.rows) < 200:
        commune = files.weighted_commune(rng)
        street = rng.randrange(len(territory.STREETS))
        number = rng.randint(1, 140)
        if (commune.code, street, number) in seen:
            continue
        seen.add((commune.code, street, number))
        lat, lon = files.point_in(rng, commune)
        suffix = "bis" if rng.random() < 0.05 else ""
        key = f"{commune.code}_{street + 1:04d}_{number:05d}" + (f"_{suffix}" if suffix else "")
        updated = date(2023, 1, 1) + timedelta(days=rng.randint(0, 600))
        t.add((key, commune.code, commune.name, territory.STREETS[street], number, suffix,
               "entrée", lon, lat, territory.METROPOLIS, updated.isoformat(),
               _yes_no(rng, 0.9)))
    t.rows.sort(key=lambda row: row[0])
    return t


@table("communes")
def communes(rng: random.Random) -> Table:
    t = Table(("code_insee", "nom", "code_postal", "population", "superficie_km2", "nb_iris"))
    for commune in territory.COMMUNES:
        geometry = files.polygon_around(rng, commune.lat, commune.lon, commune.radius_km, 12)
        t.add((commune.code, commune.name, commune.postcode, territory.population(commune.code),
               round(math.pi * commune.radius_km**2, 2), len(territory.iris_of(commune.code))),
              geometry)
    return t


@table("iris_contours")
def iris_contours(rng: random.Random) -> Table:
    t = Table(("code_iris", "nom_iris", "code_commune", "nom_commune", "typ_iris",
               "population"))
    for iris in territory.IRIS:
        commune = territory.commune(iris.commune_code)
        radius = 0.45 if commune.code == RIVEBELLE.code else 0.8
        t.add((iris.code, iris.name, commune.code, commune.name,
               rng.choices(("H", "A", "D"), weights=(85, 10, 5))[0], iris.population),
              files.polygon_around(rng, iris.lat, iris.lon, radius, 8))
    return t


ZONES = (("UA", "zone urbaine centrale"), ("UB", "zone urbaine mixte"),
         ("UE", "zone d'activités économiques"), ("UG", "zone d'équipements"),
         ("1AU", "zone à urbaniser"), ("A", "zone agricole"), ("N", "zone naturelle"))


@table("zonage_plui")
def zonage_plui(rng: random.Random) -> Table:
    t = Table(("id_zone", "libelle", "libelle_long", "commune", "date_approbation"))
    for n in range(1, 33):
        commune = territory.COMMUNES[n % len(territory.COMMUNES)]
        label, long_label = rng.choice(ZONES)
        lat, lon = files.point_in(rng, commune)
        t.add((f"Z{n:04d}", label, long_label, commune.name, "2019-12-16"),
              files.polygon_around(rng, lat, lon, rng.uniform(0.25, 0.7), 10))
    return t


@table("permis")
def permis(rng: random.Random) -> Table:
    t = Table(("numero", "date_depot", "date_decision", "decision", "nature_travaux",
               "adresse", "code_iris", "surface_plancher_m2", "nb_logements"))
    works = (("maison individuelle", 1, 90, 160), ("extension", 0, 15, 40),
             ("immeuble collectif", 12, 800, 4200), ("local commercial", 0, 120, 900))
    rivebelle_iris = territory.iris_of(RIVEBELLE.code)
    # Numbers follow the filing order, as in a real register.
    filings = sorted(date(2024, 1, 2) + timedelta(days=rng.randint(0, 300)) for _ in range(120))
    for n, filed in enumerate(filings, start=1):
        decided = filed + timedelta(days=rng.randint(45, 120))
        nature, dwellings, low, high = rng.choices(works, weights=(35, 40, 10, 15))[0]
        decision = rng.choices(("accordé", "refusé", "sans suite"), weights=(82, 12, 6))[0]
        if dwellings > 1:
            dwellings = rng.randint(8, 60)
        t.add((f"PC 035901 24 {n:05d}", filed.isoformat(), decided.isoformat(), decision,
               nature, files.address(rng), rng.choice(rivebelle_iris).code,
               rng.randint(low, high), dwellings))
    return t


@table("logements_commences")
def logements_commences(rng: random.Random) -> Table:
    t = Table(("annee", "code_insee", "commune", "logements_individuels",
               "logements_collectifs", "total"))
    for commune in territory.COMMUNES:
        size = territory.population(commune.code) / 1000
        for year in range(2014, 2024):
            individual = int(size * rng.uniform(0.8, 2.5))
            collective = int(size * rng.uniform(1.5, 9.0) * (1.4 if commune is RIVEBELLE else 1))
            t.add((year, commune.code, commune.name, individual, collective,
                   individual + collective))
    return t


# Social

AGE_BANDS = ("pop_0_14", "pop_15_29", "pop_30_44", "pop_45_59", "pop_60_74", "pop_75_plus")


@table("population_iris")
def population_iris(rng: random.Random) -> Table:
    t = Table(("annee", "code_iris", "nom_iris", "code_commune", "population", *AGE_BANDS))
    for iris in territory.IRIS:
        weights = [rng.uniform(0.8, 1.2) * w for w in (17, 21, 20, 18, 15, 9)]
        bands = [int(iris.population * w / sum(weights)) for w in weights]
        bands[1] += iris.population - sum(bands)  # rounding remainder, so bands add up
        t.add((2021, iris.code, iris.name, iris.commune_code, iris.population, *bands))
    return t


@table("revenus_iris")
def revenus_iris(rng: random.Random) -> Table:
    t = Table(("annee", "code_iris", "nom_iris", "revenu_disponible_median_uc_eur",
               "taux_pauvrete_pct", "part_menages_imposes_pct"))
    for iris in territory.IRIS:
        median = int(rng.gauss(23400, 3600))
        poverty = round(max(4.0, 14 - (median - 23400) / 600 + rng.uniform(-2, 2)), 1)
        taxed = round(min(85.0, 55 + (median - 23400) / 250 + rng.uniform(-4, 4)), 1)
        t.add((2021, iris.code, iris.name, median, poverty, taxed))
    return t


@table("equipements_sociaux")
def equipements_sociaux(rng: random.Random) -> Table:
    t = Table(("id_equipement", "nom", "categorie", "adresse", "commune", "gestionnaire",
               "latitude", "longitude"))
    kinds = (("centre social", "association"), ("maison de quartier", "ville"),
             ("EHPAD", "établissement public"), ("épicerie solidaire", "association"),
             ("point d'accès au droit", "ville"), ("CCAS", "ville"),
             ("résidence autonomie", "CCAS"))
    for n in range(1, 46):
        commune = files.weighted_commune(rng)
        kind, manager = rng.choice(kinds)
        lat, lon = files.point_in(rng, commune)
        name = f"{kind[0].upper()}{kind[1:]} {_short_street(rng)}"
        t.add((f"ES{n:03d}", name, kind, files.address(rng), commune.name, manager, lat, lon),
              files.point(lat, lon))
    return t


@table("petite_enfance")
def petite_enfance(rng: random.Random) -> Table:
    t = Table(("id_structure", "nom", "type_accueil", "commune", "places", "gestionnaire",
               "age_min_mois", "age_max_mois"))
    kinds = (("multi-accueil", 30, 60), ("crèche collective", 40, 60), ("micro-crèche", 10, 12),
             ("halte-garderie", 15, 20))
    for n in range(1, 31):
        commune = files.weighted_commune(rng)
        kind, low, high = rng.choice(kinds)
        manager = rng.choice(("ville", "ville", "association", "entreprise"))
        t.add((f"PE{n:03d}", f"{kind.capitalize()} {_short_street(rng)}", kind, commune.name,
               rng.randint(low, high), manager, rng.choice((2, 3, 10)), 48))
    return t


@table("aides_sociales")
def aides_sociales(rng: random.Random) -> Table:
    t = Table(("annee", "code_iris", "prestation", "nb_allocataires", "part_menages_pct"))
    benefits = (("RSA", 0.05), ("APL", 0.18), ("AAH", 0.03), ("prime d'activité", 0.1))
    for iris in territory.IRIS:
        households = iris.population / 2.1
        for benefit, rate in benefits:
            share = rate * rng.uniform(0.5, 1.8)
            t.add((2023, iris.code, benefit, int(households * share), round(share * 100, 1)))
    return t
