#!/usr/bin/env python3
"""Deterministic generator of synthetic archival documents in the Wilson Center export layout.

    python benchmarks/generate.py OUT_DIR --count 15000 --seed 1

Every document is made from a ``random.Random`` seeded with (seed, index) only, so
document *i* is the same whatever ``--count`` is (a smaller corpus is a prefix of a
larger one) and the same on every run: there is no wall clock and no hash
randomization in it. The text is invented: names are built from syllable and
name-part lists, sentences from phrase lists; nothing is copied from real documents.

What the corpus has, so that the build and the server meet realistic data:

- five documentary forms (journal with dated entries, memorandum of conversation with
  a ``Participants:`` block and speaker labels, ciphered telegram signed at the end,
  minutes with ``Participating:``, letter), from Soviet, East German, Hungarian, Polish,
  Czechoslovak, Romanian and Chinese originators, each with its archive's references;
- sizes from about 2 KB to 20 KB, heavy-tailed (log-normal, clipped);
- people drawn from a Zipf-distributed pool of several thousand invented names
  (Russian with initials, Korean with a McCune-Reischauer variant in brackets,
  Chinese, Vietnamese, German, Polish, Hungarian, Czech, Romanian, Mongolian), so a few
  people appear in thousands of documents and most in a handful;
- meetings with dates, places and durations, heading blocks with classification, copy
  and outgoing numbers, stamps, handwritten notes and distribution lists;
- places and organizations from a small fixed list; citations with archival
  references and document URLs carrying a unique number.
"""
from __future__ import annotations

import argparse
import bisect
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

URL_BASE = "https://digitalarchive.wilsoncenter.org/document/"
FIRST_NUMBER = 300001  # document numbers (and file names) are FIRST_NUMBER + index

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

# --- name parts (combined, never used as whole real names) --------------------------------------

RU_INITIALS = "A B V G D E I K L M N O P S T F Ya Yu".split()
RU_ROOTS = ("Petr Kuzn Sokol Volk Bel Zhuk Orl Sorok Lebed Koval Grom Mel'nik Zaits Kozl Bogdan Tikhon Fedos Yermol "
            "Nikit Savel Gusev Vorob Shcherb Krasil Zakhar Polyak Rodion Serg Makar Kulik Dyach Pavl Zubk Medved Sych "
            "Tarasen Gorb Kalin Lazar Bystr Chernysh Lukin Ryab Shirok Mironen Puzyr Sheremet Gavril Yefim Kondrat "
            "Denis Trofim Ostap Kiril Samoil Ignat Kolesn Zuyev Danil Prokop Spiridon Arkhip Vasil Timofe Silant").split()
RU_SUFFIXES = ["ov", "ev", "in", "sky", "enko", "ovich", "yakov", "ikhin", "ukov", "nikov", "itsyn", "anov"]

KO_SURNAMES = [("Kim", "Kim"), ("Pak", "Pak"), ("Ri", "Ri"), ("Choe", "Ch'oe"), ("Jang", "Chang"), ("Han", "Han"),
               ("Kang", "Kang"), ("Jo", "Cho"), ("Yun", "Yun"), ("Hwang", "Hwang"), ("Ho", "Ho"), ("Jeong", "Chong"),
               ("Nam", "Nam"), ("Seo", "So"), ("Ryu", "Ryu"), ("Im", "Im"), ("Song", "Song"), ("Baek", "Paek"),
               ("Mun", "Mun"), ("Kwon", "Kwon"), ("Hong", "Hong"), ("Jon", "Chon"), ("O", "O"), ("Yang", "Yang")]
# (Revised-Romanization-like syllable, McCune-Reischauer-like syllable)
KO_SYLLABLES = [("jong", "chong"), ("su", "su"), ("cheol", "chol"), ("ho", "ho"), ("gwang", "kwang"),
                ("hyeop", "hyop"), ("myeong", "myong"), ("seok", "sok"), ("yeong", "yong"), ("il", "il"),
                ("ha", "ha"), ("nam", "nam"), ("dong", "tong"), ("gyu", "kyu"), ("taek", "taek"), ("u", "u"),
                ("bong", "pong"), ("sun", "sun"), ("won", "won"), ("man", "man"), ("hwan", "hwan"), ("chan", "chan"),
                ("seong", "song"), ("geun", "kun"), ("deok", "tok"), ("yong", "yong"), ("jun", "chun"),
                ("hui", "hui"), ("ok", "ok"), ("chang", "chang"), ("rim", "rim"), ("gil", "kil"), ("sik", "sik"),
                ("hyeon", "hyon"), ("jin", "chin"), ("bok", "pok"), ("cheon", "chon"), ("tae", "tae")]

ZH_SURNAMES = ("Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie "
               "Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding "
               "Ren Shen Yao Qiao Geng Lei Kang").split()
ZH_GIVEN_A = "Jian Zhi Guo Wei Hong Ming De Xiao Yong Hai Chun Qing Shao Bao Wen Jin Dong Xue Tie Zhen Shu Hua Ping Kai Rong Zhong Yi Fu Shi".split()
ZH_GIVEN_B = "guo xing min qiang ming hua jun ping lin sheng tao feng bo chen kang wu yuan zhang fang hui shan quan liang nan rui tian".split()

VN_SURNAMES = "Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ngo Duong Ly".split()
VN_MIDDLE = "Van Thi Duc Huu Xuan Quang Minh Dinh Cong".split()
VN_GIVEN = "Thanh Hung Long Dung Tuan Phong Hai Son Trung Khanh Binh Thuan Loc Vinh Hien".split()

DE_GIVEN = "Hermann Kurt Werner Gerhard Helmut Günter Klaus Horst Heinz Otto Walter Rudolf Ernst Manfred Dieter Gustav Wilhelm Joachim".split()
DE_A = "Schön Wein Hoff Stein Eich Lind Rosen Berg Wald Kessel Ober Brand Falken Hart Kirch Lauter Mohr Roth Sommer Winter Zimmer Grün".split()
DE_B = "mann berg feld hardt ner ler ert hof bach stein ig bauer wald schmidt".split()

PL_GIVEN = "Tadeusz Józef Stanisław Kazimierz Henryk Marian Jerzy Wiesław Bogdan Ryszard Andrzej Edward Zbigniew Czesław".split()
PL_ROOTS = "Wiśniew Kowal Zawadz Lewand Mazur Nowic Jabłoń Kaczm Pawl Sobcz Wróbl Dąbrow Zieliń Grabow Kozł Michal Ostrow Szymań".split()
PL_SUFFIXES = ["ski", "cki", "czyk", "czak", "ak", "ewicz", "owski"]

HU_GIVEN = "Imre Ferenc Gyula László István Zoltán Béla Lajos Sándor Tibor Gábor Miklós Károly Jenő".split()
HU_SURNAMES_A = "Kovács Szabó Tóth Horváth Varga Kiss Molnár Németh Farkas Balogh Papp Takács Juhász Mészáros Oláh Rácz Fekete Szalai Bíró Vadász".split()
HU_SUFFIXES = ["", "", "i", "falvi", "házi", "halmi"]

CZ_GIVEN = "Václav Jiří Jaroslav Zdeněk Antonín Ludvík Karel Miroslav Vladimír Bohumil Josef Oldřich".split()
CZ_ROOTS = "Novot Dvoř Svob Procház Kučer Vesel Horáč Něm Pokor Mar Bart Hrub Krejč Šťast Vlč".split()
CZ_SUFFIXES = ["ák", "ek", "ík", "ný", "ka", "ec"]

RO_GIVEN = "Gheorghe Ion Nicolae Constantin Vasile Mircea Petre Emil Dumitru Alexandru".split()
RO_ROOTS = "Pop Ion Dumitr Stan Rad Marin Neag Vlad Stoic Barb Manol Tudor Dobr Ghiț Sârb".split()
RO_SUFFIXES = ["escu", "eanu", "oiu", "ache"]

MN_ROOTS_A = "Tseden Batt Dash Sambu Luvsan Damdin Jamba Sodnom Tsend Gombo Ochir Dorj".split()
MN_ROOTS_B = "bal ulga dorj jav suren sambuu yn ochir gombo".split()

NATIONALITIES = [  # (key, share of the pool)
    ("ko", 0.34), ("ru", 0.30), ("zh", 0.10), ("de", 0.06), ("pl", 0.05), ("hu", 0.05), ("cz", 0.03),
    ("ro", 0.02), ("vn", 0.03), ("mn", 0.02)]

ROLES = {
    "ko": ["Minister of Foreign Affairs of the DPRK", "Deputy Minister of Foreign Affairs", "Vice-Premier of the DPRK Cabinet",
           "Chairman of the State Planning Committee", "head of the 1st Department of the MFA DPRK",
           "member of the KWP CC Presidium", "Minister of Foreign Trade", "Minister of National Defense",
           "chief of the KPA General Staff", "Chairman of the Korean Committee for Cultural Relations",
           "deputy chief of the International Department of the KWP CC", "Ambassador of the DPRK in the USSR",
           "Chairman of the Presidium of the Supreme People's Assembly", "Minister of Heavy Industry"],
    "ru": ["Soviet Ambassador in the DPRK", "Counselor of the Embassy", "First Secretary of the Embassy",
           "Military Attaché", "Trade Representative of the USSR", "TASS correspondent",
           "Second Secretary of the Embassy", "chief of the Far East Department of the MFA USSR",
           "Deputy Minister of Foreign Affairs of the USSR", "senior adviser", "Consul General in Chongjin"],
    "zh": ["Chinese Ambassador in the DPRK", "Counselor of the PRC Embassy", "commander of the Chinese People's Volunteers",
           "Deputy Minister of Foreign Affairs of the PRC", "Chinese Military Attaché", "Xinhua correspondent"],
    "vn": ["Vietnamese Ambassador in the DPRK", "Counselor of the DRV Embassy"],
    "de": ["GDR Ambassador in the DPRK", "Counselor of the GDR Embassy", "Trade Counselor of the GDR",
           "head of the Far East Department of the GDR MFA"],
    "pl": ["Polish Ambassador in the DPRK", "Counselor of the Polish Embassy", "Polish member of the NNSC"],
    "hu": ["Hungarian Ambassador in the DPRK", "Chargé d'Affaires of the Hungarian Embassy", "Hungarian Military Attaché"],
    "cz": ["Czechoslovak Ambassador in the DPRK", "Czechoslovak member of the NNSC", "Counselor of the Czechoslovak Embassy"],
    "ro": ["Romanian Ambassador in the DPRK", "Counselor of the Romanian Embassy"],
    "mn": ["Mongolian Ambassador in the DPRK", "Counselor of the Mongolian Embassy"],
}

PLACES = ["Pyongyang", "Moscow", "Beijing", "Berlin", "Warsaw", "Budapest", "Prague", "Bucharest", "Ulaanbaatar",
          "Hanoi", "Kaesong", "Sinuiju", "Wonsan", "Hamhung", "Panmunjom", "Shenyang", "Vladivostok", "Chongjin",
          "Nampo", "Haeju"]
COUNTRIES = ["the DPRK", "the USSR", "the PRC", "the GDR", "Poland", "Hungary", "Czechoslovakia", "Romania",
             "Mongolia", "Vietnam", "South Korea", "Japan", "the United States"]
ORGS = ["MFA DPRK", "CC CPSU", "KPA", "KWP CC", "MFA USSR", "Ministry of Foreign Trade", "State Planning Committee",
        "Chinese People's Volunteers", "Ministry of National Defense", "KWP CC Presidium", "Supreme People's Assembly",
        "Military Armistice Commission", "Korean Central News Agency", "Council of Ministers of the USSR",
        "State Committee for Foreign Economic Relations", "Ministry of Heavy Industry", "Academy of Sciences of the DPRK",
        "Neutral Nations Supervisory Commission", "General Staff of the KPA", "Ministry of Culture"]

TOPIC_PHRASES = [
    "military aid", "arms supply", "technical assistance", "economic aid", "foreign trade", "trade agreements",
    "the five-year plan", "the Chollima movement", "agriculture", "the food situation", "the armistice",
    "prisoners of war", "border security", "reunification of the country", "nuclear weapons", "nuclear energy",
    "industrialization", "the training of specialists", "students studying abroad", "propaganda",
    "cultural exchange", "the construction of the hydroelectric station", "the supply of oil products",
    "loans and debt", "postwar reconstruction", "military training", "air defence", "the fishing fleet",
    "the repatriation of Koreans from Japan", "the situation in South Korea", "Sino-Soviet relations",
    "the personality cult", "party purges", "the Vietnam War", "the non-aligned movement", "the Warsaw Pact",
]
PLANTS = ["machine-building plant", "chemical combine", "cement plant", "textile mill", "hydroelectric station",
          "steel works", "fertilizer plant", "oil refinery", "tractor plant", "shipyard"]
COMMODITIES = ["rolling stock", "fertilizer", "cotton", "wheat", "rice", "machine tools", "trucks", "coal", "steel",
               "oil products", "cement", "tractors", "electric motors", "textiles", "fish", "magnesite"]
SUBJECTS = ["the DPRK government", "the Party leadership", "the Korean comrades", "our specialists",
            "the Chinese friends", "the Ministry", "the delegation", "the Cabinet", "the trade mission",
            "the provincial Party committee", "the military command", "the embassies of fraternal countries"]
INTENTS = [("intends to", "intend to"), ("has decided to", "have decided to"), ("is preparing to", "are preparing to"),
           ("has asked for help to", "have asked for help to"), ("does not plan to", "do not plan to"),
           ("hopes to", "hope to"), ("is considering whether to", "are considering whether to"),
           ("has been instructed to", "have been instructed to"), ("proposes to", "propose to"),
           ("agreed to", "agreed to")]
PLURAL_SUBJECTS = {"the Korean comrades", "our specialists", "the Chinese friends", "the embassies of fraternal countries"}
ACTIONS = [
    "expand {topic} with {country}", "send a delegation to {place} to discuss {topic}",
    "complete the construction of the {plant} near {place} ahead of schedule",
    "raise the question of {topic} at the next session of the {org}",
    "purchase {n} thousand tons of {commodity} from {country}", "postpone the talks on {topic} until {month}",
    "reduce the deliveries of {commodity} to {country}", "study the experience of {country} in {topic}",
    "invite specialists from {country} to help with {topic}", "publish a statement on {topic}",
    "reorganize the work of the {org}", "receive a loan of {n} million rubles for {topic}",
]
ADJUNCTS = ["before the end of the year", "in the course of the next year", "as soon as possible",
            "in the coming months", "after the harvest", "by the anniversary of the liberation",
            "within the framework of the existing agreement", "without consulting the other side", "", "", ""]
OPINIONS = [
    "this question has not yet been settled", "the situation has become more complicated",
    "the results of the last year were better than expected", "the other side is not ready to make concessions",
    "the work is going slowly because of a shortage of specialists", "the matter requires further study",
    "the leadership is dissatisfied with the pace of the work", "the population supports these measures",
    "it would be expedient to consult with Moscow first", "the delays are caused by the lack of transport",
]
SPEECH = ["said", "noted", "stressed", "stated", "remarked", "pointed out", "added", "explained", "replied", "observed"]
DURATIONS = ["more than one and a half hours", "about two hours", "40 minutes", "one hour", "about an hour",
             "two and a half hours", "over three hours", "30 minutes", "more than an hour", "an hour and a half"]
CLASSIFICATIONS = ["TOP SECRET", "SECRET", "Secret", "Top Secret", "CONFIDENTIAL", "Strictly secret"]
FUNDERS = ["ROK Ministry of Unification", "Leon Levy Foundation", "Korea Foundation", "Henry Luce Foundation",
           "Carnegie Corporation of New York", "Blavatnik Family Foundation", "MacArthur Foundation"]
EN_GIVEN = "Eleanor Martin Ruth Gordon Alice Simon Helen Walter Laura Dennis Claire Philip Grace Oliver".split()
EN_SURNAMES = "Whitcombe Harrow Fairley Ashdown Pelham Radley Cresswell Marlowe Tennant Holloway Kingsley Birch".split()
PROJECTS = ["NKIDP", "CWIHP", "the Wilson Center"]
FOREIGN_SUMMARY_VERBS = ["discuss", "review", "exchange views on", "consider", "talk about", "assess"]

# originator: (key, nationality of author, issuing body, language, place written, reference maker)
ORIGINATORS = [
    ("su", "ru", "USSR EMBASSY IN THE DPRK", "Russian", "Pyongyang", 0.45),
    ("gdr", "de", "EMBASSY OF THE GDR IN THE DPRK", "German", "Pyongyang", 0.14),
    ("hu", "hu", "EMBASSY OF THE HUNGARIAN PEOPLE'S REPUBLIC", "Hungarian", "Pyongyang", 0.12),
    ("pl", "pl", "EMBASSY OF THE POLISH PEOPLE'S REPUBLIC IN PYONGYANG", "Polish", "Pyongyang", 0.10),
    ("cz", "cz", "CZECHOSLOVAK EMBASSY IN PYONGYANG", "Czech", "Pyongyang", 0.08),
    ("ro", "ro", "EMBASSY OF THE ROMANIAN PEOPLE'S REPUBLIC", "Romanian", "Pyongyang", 0.05),
    ("cn", "zh", "MINISTRY OF FOREIGN AFFAIRS OF THE PRC", "Chinese", "Beijing", 0.06),
]
DOC_TYPES = [("journal", 0.30), ("memorandum", 0.28), ("telegram", 0.20), ("minutes", 0.10), ("letter", 0.12)]


# --- people -----------------------------------------------------------------------------------

@dataclass
class Person:
    name: str  # the main form used in the text
    nationality: str
    role: str
    variant: str | None = None  # a bracketed variant (other romanization)
    surname: str = ""
    upper: str = ""  # as typed in capitals in a heading
    titled: str = ""  # with a title: "Cde. Petrov"


def _wade_giles(syllable: str) -> str:
    out = syllable
    for a, b in (("zh", "ch"), ("x", "hs"), ("q", "ch'"), ("z", "ts"), ("c", "ts'"), ("j", "ch"), ("r", "j")):
        if out.lower().startswith(a):
            out = b + out[len(a):]
            break
    return out


def make_person(rng: random.Random, nationality: str) -> Person:
    role = rng.choice(ROLES[nationality])
    if nationality == "ru":
        initials = " ".join(f"{rng.choice(RU_INITIALS)}." for _ in range(2))
        surname = rng.choice(RU_ROOTS) + rng.choice(RU_SUFFIXES)
        name = f"{initials} {surname}"
        return Person(name, nationality, role, None, surname, f"{initials} {surname.upper()}", f"Cde. {surname}")
    if nationality == "ko":
        (fam, fam_mr) = rng.choice(KO_SURNAMES)
        (a, a_mr), (b, b_mr) = rng.choice(KO_SYLLABLES), rng.choice(KO_SYLLABLES)
        name = f"{fam} {a.capitalize()}-{b}"
        variant = f"{fam_mr} {a_mr.capitalize()} {b_mr.capitalize()}"
        return Person(name, nationality, role, variant if variant.replace(" ", "-", 2) != name else None, fam,
                      name.upper(), name)
    if nationality == "zh":
        fam, a, b = rng.choice(ZH_SURNAMES), rng.choice(ZH_GIVEN_A), rng.choice(ZH_GIVEN_B)
        name = f"{fam} {a}{b}"
        variant = f"{_wade_giles(fam).capitalize()} {_wade_giles(a.lower()).capitalize()}-{_wade_giles(b)}"
        return Person(name, nationality, role, variant if variant != name else None, fam, name.upper(), name)
    if nationality == "vn":
        name = f"{rng.choice(VN_SURNAMES)} {rng.choice(VN_MIDDLE)} {rng.choice(VN_GIVEN)}"
        return Person(name, nationality, role, None, name.split()[0], name.upper(), f"Comrade {name}")
    if nationality == "mn":
        initial = rng.choice(RU_INITIALS)
        surname = rng.choice(MN_ROOTS_A) + rng.choice(MN_ROOTS_B)
        return Person(f"{initial}. {surname}", nationality, role, None, surname, f"{initial}. {surname.upper()}",
                      f"Cde. {surname}")
    given, surname = {
        "de": lambda: (rng.choice(DE_GIVEN), rng.choice(DE_A) + rng.choice(DE_B)),
        "pl": lambda: (rng.choice(PL_GIVEN), rng.choice(PL_ROOTS) + rng.choice(PL_SUFFIXES)),
        "hu": lambda: (rng.choice(HU_GIVEN), rng.choice(HU_SURNAMES_A) + rng.choice(HU_SUFFIXES)),
        "cz": lambda: (rng.choice(CZ_GIVEN), rng.choice(CZ_ROOTS) + rng.choice(CZ_SUFFIXES)),
        "ro": lambda: (rng.choice(RO_GIVEN), rng.choice(RO_ROOTS) + rng.choice(RO_SUFFIXES)),
    }[nationality]()
    name = f"{given} {surname}"
    return Person(name, nationality, role, None, surname, name.upper(), f"Comrade {surname}")


class PeoplePool:
    """Several thousand invented people; draws follow a Zipf law over a shuffled rank order."""

    def __init__(self, seed: int, size: int, exponent: float = 1.0, uniform_share: float = 0.5):
        rng = random.Random(f"people-{seed}")
        self.people: list[Person] = []
        seen: set[str] = set()
        nats = [n for n, _ in NATIONALITIES]
        weights = [w for _, w in NATIONALITIES]
        while len(self.people) < size:
            person = make_person(rng, rng.choices(nats, weights)[0])
            if person.name in seen:
                continue
            seen.add(person.name)
            self.people.append(person)
        rng.shuffle(self.people)  # rank order: who is famous does not depend on nationality
        self.uniform_share = uniform_share  # part of the draws that ignore fame (the long tail of minor officials)
        total, self.cumulative = 0.0, []
        for rank in range(1, size + 1):
            total += 1.0 / rank ** exponent
            self.cumulative.append(total)
        self.total = total
        self.by_nationality: dict[str, list[int]] = {}
        for i, p in enumerate(self.people):
            self.by_nationality.setdefault(p.nationality, []).append(i)

    def draw(self, rng: random.Random, nationality: str | None = None) -> Person:
        if rng.random() < self.uniform_share:
            indexes = self.by_nationality.get(nationality) if nationality else None
            return self.people[rng.choice(indexes)] if indexes else rng.choice(self.people)
        if nationality is None:
            return self.people[bisect.bisect_left(self.cumulative, rng.random() * self.total)]
        # Zipf within one nationality: a rank drawn from the global law, mapped onto that nationality's list
        indexes = self.by_nationality.get(nationality) or list(range(len(self.people)))
        pick = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[len(indexes) - 1])
        return self.people[indexes[min(pick, len(indexes) - 1)]]

    def distinct(self, rng: random.Random, n: int, exclude: set[str], nationality: str | None = None) -> list[Person]:
        out: list[Person] = []
        tries = 0
        while len(out) < n and tries < n * 20:
            tries += 1
            p = self.draw(rng, nationality)
            if p.name in exclude:
                continue
            exclude.add(p.name)
            out.append(p)
        return out


# --- text pieces --------------------------------------------------------------------------------

@dataclass
class Day:
    year: int
    month: int
    day: int

    def long(self) -> str:  # "May 27, 1958"
        return f"{MONTHS[self.month - 1]} {self.day}, {self.year}"

    def european(self) -> str:  # "27 May 1958"
        return f"{self.day} {MONTHS[self.month - 1]} {self.year}"

    def short(self) -> str:  # "27 May"
        return f"{self.day} {MONTHS[self.month - 1]}"

    def plus(self, days: int) -> "Day":
        y, m, d = self.year, self.month, self.day + days
        while d > DAYS_IN_MONTH[m - 1]:
            d -= DAYS_IN_MONTH[m - 1]
            m += 1
            if m > 12:
                m, y = 1, y + 1
        return Day(y, m, d)


def random_day(rng: random.Random) -> Day:
    # most documents from the 1950s and 1960s, a tail to 1989
    year = min(1989, max(1949, int(round(rng.gauss(1961, 7)))))
    month = rng.randint(1, 12)
    return Day(year, month, rng.randint(1, DAYS_IN_MONTH[month - 1]))


@dataclass
class Ctx:
    rng: random.Random
    pool: PeoplePool
    introduced: set[str] = field(default_factory=set)

    def mention(self, p: Person, with_role: bool = False) -> str:
        """First mention: full name (sometimes with its bracketed variant and role); later: the short form."""
        if p.name not in self.introduced:
            self.introduced.add(p.name)
            text = p.name
            if p.variant and self.rng.random() < 0.5:
                text += f" [{p.variant}]"
            if with_role or self.rng.random() < 0.4:
                text += f", {p.role},"
            return text
        r = self.rng.random()
        if p.nationality in ("ru", "mn") and r < 0.3:
            return p.titled
        if p.nationality in ("de", "pl", "hu", "cz", "ro") and r < 0.3:
            return p.titled
        return p.name

    def clause(self) -> str:
        rng = self.rng
        action = rng.choice(ACTIONS).format(
            topic=rng.choice(TOPIC_PHRASES), country=rng.choice(COUNTRIES), place=rng.choice(PLACES),
            commodity=rng.choice(COMMODITIES), plant=rng.choice(PLANTS), org=rng.choice(ORGS), n=rng.randint(2, 900),
            month=rng.choice(MONTHS))
        adj = rng.choice(ADJUNCTS)
        subject = rng.choice(SUBJECTS)
        intent = rng.choice(INTENTS)[subject in PLURAL_SUBJECTS]
        return f"{subject} {intent} {action}{' ' + adj if adj else ''}"

    def sentence(self) -> str:
        c = self.clause()
        return c[0].upper() + c[1:]

    def speech(self, speaker: str) -> str:
        rng = self.rng
        first = f"{speaker} {rng.choice(SPEECH)} that {self.clause()}."
        rest = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.random()
            if kind < 0.35:
                rest.append(f"In his opinion, {rng.choice(OPINIONS)}.")
            elif kind < 0.7:
                rest.append(f"He also {rng.choice(SPEECH)} that {self.clause()}.")
            else:
                rest.append(f"{self.sentence()}, and {rng.choice(OPINIONS)}.")
        return " ".join([first, *rest])

    def narrative(self) -> str:
        rng = self.rng
        sentences = [f"{self.sentence()}." for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.4:
            sentences.append(f"The question of {rng.choice(TOPIC_PHRASES)} was also touched upon, in connection with "
                             f"the decisions of the {rng.choice(ORGS)}.")
        return " ".join(sentences)


def stamp(rng: random.Random, day: Day) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"[faded stamp:\n\n{rng.randint(1000, 99999):05d}-gs\n\n{day.european()}]"
    if kind < 0.75:
        return (f"[MFA {rng.choice(['Far East', '1st Far East', 'Asia', 'Socialist Countries'])}\n\nDepartment stamp:\n\n"
                f"Incoming N° {rng.randint(100, 9999):05d}\n\n{day.european()}]")
    return f"[stamp: Secretariat, received {day.european()}, reg. N° {rng.randint(10, 999)}/{rng.randint(1, 9)}]"


def handwriting(ctx: Ctx) -> str:
    rng = ctx.rng
    who = ctx.pool.draw(rng, "ru" if rng.random() < 0.6 else None)
    signer = ctx.pool.draw(rng, who.nationality)
    note = rng.choice(["for implementation.", "for information.", "Report on this.", "To file.",
                       "Prepare a draft reply.", "Familiarize the department with this."])
    return f"[handwriting: to {who.titled}\n\n{note}\n\n{signer.name}]"


def distribution(ctx: Ctx) -> str:
    rng = ctx.rng
    people = ctx.pool.distinct(rng, rng.randint(2, 5), set())
    items = [f"{i + 1} - {p.titled if p.nationality in ('ru', 'de', 'pl', 'hu', 'cz', 'ro', 'mn') else p.name}"
             for i, p in enumerate(people)]
    items.append(f"{len(items) + 1} - to file")
    return "[distribution:\n\n" + "\n\n".join(items) + "]"


def archival_reference(rng: random.Random, originator: str, day: Day) -> str:
    if originator == "su":
        if rng.random() < 0.75:
            return (f"AVPRF fond 0102, opis {rng.randint(6, 40)}, delo {rng.randint(1, 80)}, "
                    f"papka {rng.randint(10, 120)}, listy {rng.randint(1, 200)}-{rng.randint(201, 300)}")
        return f"RGANI fond 5, opis {rng.randint(28, 60)}, delo {rng.randint(100, 600)}"
    if originator == "gdr":
        if rng.random() < 0.5:
            return f"PolA AA, MfAA, A {rng.randint(5000, 17000)}"
        return f"SAPMO-BA, DY 30, IV 2/2.035/{rng.randint(100, 160)}"
    if originator == "hu":
        return (f"MOL, XIX-J-1-j Korea, {day.year}, {rng.randint(1, 90)}. doboz, {rng.randint(1, 30)}/{rng.choice('abcdefg')}, "
                f"{rng.randint(1000, 9999):06d}/{day.year}")
    if originator == "pl":
        return f"AAN, KC PZPR, sygn. {rng.randint(100, 3000)}, p. {rng.randint(1, 40)}"
    if originator == "cz":
        return f"AMZV, TO-T {day.year // 10 * 10}-{day.year // 10 * 10 + 9}, KLDR, k. {rng.randint(1, 12)}"
    if originator == "ro":
        return f"AMVnR, Folder {rng.randint(1, 300)}/{day.year}, Issue 220/{day.year}"
    return f"PRC FMA {rng.randint(100, 118)}-{rng.randint(100, 1999):05d}-{rng.randint(1, 12):02d}"


# --- the documents ------------------------------------------------------------------------------

def target_size(rng: random.Random) -> int:
    """Log-normal around 4.5 KB with a long tail, clipped to 2-20 KB."""
    return int(min(20_000, max(2_000, rng.lognormvariate(math.log(4_500), 0.65))))


def _pick(rng: random.Random, table):
    return rng.choices([k for k, *_ in table], [row[-1] for row in table])[0]


MIN_BYTES = 2_048


def generate_document(index: int, seed: int, pool: PeoplePool) -> tuple[str, str]:
    """(file name, text) of document ``index``: the same for the same (seed, index), whatever else.

    The rare document that comes out under 2 KB is made again from a second seed with a longer body.
    """
    name, text = _generate_document(random.Random(seed * 1_000_003 + index), index, pool)
    if len(text.encode("utf-8")) < MIN_BYTES:
        name, text = _generate_document(random.Random(f"{seed}-{index}-longer"), index, pool, min_body=2_000)
    return name, text


def _generate_document(rng: random.Random, index: int, pool: PeoplePool, min_body: int = 1_300) -> tuple[str, str]:
    ctx = Ctx(rng, pool)
    number = FIRST_NUMBER + index
    origin_key = _pick(rng, ORIGINATORS)
    _, author_nat, issuer, language, place_written, _ = next(o for o in ORIGINATORS if o[0] == origin_key)
    doc_type = _pick(rng, DOC_TYPES)
    day = random_day(rng)
    author = pool.draw(rng, author_nat)
    ctx.introduced.add(author.name)
    host_nat = "ko" if rng.random() < 0.85 else rng.choice(["zh", "ru", "vn", "mn"])
    counterpart = pool.draw(rng, host_nat)
    while counterpart.name == author.name:
        counterpart = pool.draw(rng, host_nat)
    size = max(min_body, target_size(rng) - 900)  # the catalogue header takes about 900 characters
    builder = {"journal": _journal, "memorandum": _memorandum, "telegram": _telegram, "minutes": _minutes,
               "letter": _letter}[doc_type]
    title, body, summary_people = builder(ctx, day, author, counterpart, issuer, place_written, size)
    ref = archival_reference(rng, origin_key, day)
    translator = f"{rng.choice(EN_GIVEN)} {rng.choice(EN_SURNAMES)}"
    citation = (f'"{title}", {day.long()}, Wilson Center Digital Archive, {ref}. '
                f"Translated for {rng.choice(PROJECTS)} by {translator}. <{URL_BASE}{number}>")
    topics = rng.sample(TOPIC_PHRASES, 2)
    names = " and ".join(p.name for p in summary_people[:2])
    summary = (f"{names} {rng.choice(FOREIGN_SUMMARY_VERBS)} {topics[0]} and {topics[1]}."
               + (f" {ctx.sentence()}." if rng.random() < 0.5 else ""))
    chunks = ["", day.long(), f"**{title}**", "Citation:", citation, "Summary:", summary]
    if rng.random() < 0.9:
        chunks += ["Credits:", f"This document was made possible with support from {rng.choice(FUNDERS)}"]
    if rng.random() < 0.85:
        chunks += ["Original Language:", language]
    chunks += ["Contents:", f"Translation - English" if language != "English" else "English Transcription", body]
    return f"{number}.txt", "\n\n".join(chunks) + "\n"


def _heading(ctx: Ctx, issuer: str, day: Day, extra_stamps: int = 1) -> list[str]:
    rng = ctx.rng
    out = [rng.choice(CLASSIFICATIONS), f"Copy N° {rng.randint(1, 5)}", issuer, f"N° {rng.randint(1, 499)}",
           day.european()]
    for _ in range(extra_stamps):
        out.append(stamp(rng, day.plus(rng.randint(5, 20))))
    if rng.random() < 0.6:
        out.append(handwriting(ctx))
    return out


def _meeting_paragraphs(ctx: Ctx, author: Person, host: Person, place: str) -> tuple[list[str], list[Person]]:
    """One reported meeting: an opening cue, what was said, who else was present and how long it lasted."""
    rng = ctx.rng
    companion = ctx.pool.draw(rng, author.nationality)
    others = ctx.pool.distinct(rng, rng.randint(0, 3), {author.name, host.name, companion.name}, host.nationality)
    h = ctx.mention(host)
    opener = rng.choice([
        f"I visited {h} together with {companion.role} {ctx.mention(companion)}.",
        f"I received {h} at his request.",
        f"{h} visited me at the Embassy.",
        f"I had a conversation with {h} at the {rng.choice(ORGS)} in {place}.",
        f"I paid a visit to {h} in connection with {rng.choice(TOPIC_PHRASES)}.",
    ])
    paras = [opener]
    speakers = [host, *others]
    for _ in range(rng.randint(2, 5)):
        speaker = rng.choice(speakers) if rng.random() < 0.8 else author
        who = "I" if speaker is author else ctx.mention(speaker)
        if who == "I":
            paras.append(f"I told {ctx.mention(host)} that {ctx.clause()}. {ctx.narrative()}")
        else:
            paras.append(ctx.speech(who))
    duration = rng.choice(DURATIONS)
    if others:
        names = ", ".join(ctx.mention(p) for p in others[:-1])
        names = f"{names} and {ctx.mention(others[-1])}" if names else ctx.mention(others[-1])
        verb = "were" if len(others) > 1 else "was"
        paras.append(f"{names} {verb} present at the conversation, which lasted {duration}.")
    else:
        paras.append(f"The conversation lasted {duration}.")
    return paras, [host, companion, *others]


BODY_MAX = 18_500  # the header and the closing lines add up to about 1.5 KB more


def _fill(parts: list[str], size: int, more) -> None:
    """Add chunks from ``more()`` until the body reaches ``size`` characters (never past BODY_MAX)."""
    length = sum(len(p) + 2 for p in parts)
    size = min(size, BODY_MAX)
    while length < size:
        chunk = more()
        added = sum(len(p) + 2 for p in chunk)
        if length + added > BODY_MAX and length > 1000:
            break
        parts.extend(chunk)
        length += added


def _journal(ctx: Ctx, day: Day, author: Person, host: Person, issuer: str, place: str, size: int):
    rng = ctx.rng
    start = day.plus(-rng.randint(10, 20)) if day.day > 20 else day
    period_end = start.plus(rng.randint(10, 16))
    title_role = author.role if "Ambassador" in author.role or "Counselor" in author.role else f"{author.role}"
    title = f"Journal of {title_role} {author.name} for {day.european()}" if rng.random() < 0.5 else \
        f"Journal of {title_role} {author.name} for the Period {start.short()} through {period_end.european()}"
    parts = _heading(ctx, issuer, period_end.plus(1), rng.randint(1, 2))
    parts += ["JOURNAL", f"of {title_role} {author.upper} during the\nperiod {start.short()} through {period_end.european()}"]
    if rng.random() < 0.5:
        parts.append(handwriting(ctx))
    parts.append(place)
    seen = [host]
    entry_day = start

    def entry():
        nonlocal entry_day, host
        entry_day = entry_day.plus(rng.randint(1, 3))
        partner = host if rng.random() < 0.35 else ctx.pool.draw(rng, "ko" if rng.random() < 0.8 else None)
        if partner.name == author.name:
            partner = host
        paras, people = _meeting_paragraphs(ctx, author, partner, place)
        seen.extend(people)
        out = [entry_day.european(), *paras]
        if rng.random() < 0.15:
            out.append("[...]")
        return out

    _fill(parts, size, entry)
    parts += [f"SOVIET AMBASSADOR IN THE DPRK" if author.nationality == "ru" else author.role.upper(),
              f"({author.name})"]
    return title, "\n\n".join(parts), [author, *seen[:1]]


def _memorandum(ctx: Ctx, day: Day, author: Person, host: Person, issuer: str, place: str, size: int):
    rng = ctx.rng
    others = ctx.pool.distinct(rng, rng.randint(1, 4), {author.name, host.name})
    interpreter = ctx.pool.distinct(rng, 1, {author.name, host.name, *(p.name for p in others)}, host.nationality)[0]
    title = f"Memorandum of Conversation between {author.name} and {host.name}" if rng.random() < 0.6 else \
        f"Record of a Conversation with {host.role} {host.name}, {day.european()}"
    parts = _heading(ctx, issuer, day.plus(rng.randint(1, 5)), rng.randint(0, 2))
    parts += ["MEMORANDUM OF CONVERSATION", f"Date: {day.european()}",
              f"Place: {rng.choice(ORGS)}, {rng.choice(PLACES[:4])}", "Participants:"]
    parts.append("\n".join([f"{author.name}, {author.role}", f"{host.name}, {host.role}",
                            *(f"{p.name}, {p.role}" for p in others), f"Interpreter: {interpreter.name}"]))
    for p in [author, host, *others]:
        ctx.introduced.add(p.name)
    if rng.random() < 0.5:
        parts.append(distribution(ctx))
    speakers = [author, host, *others]

    def exchange():
        speaker = speakers[0] if rng.random() < 0.4 else rng.choice(speakers[1:])
        label = speaker.name
        text = ctx.speech(rng.choice(["He", "He"])) if rng.random() < 0.2 else \
            f"{ctx.sentence()}. {ctx.narrative()}"
        return [f"{label}: {text}"]

    _fill(parts, size - 120, exchange)
    parts.append(f"The conversation lasted {rng.choice(DURATIONS)}.")
    parts.append(f"Recorded by {ctx.pool.draw(rng, author.nationality).name}")
    return title, "\n\n".join(parts), [author, host]


def _telegram(ctx: Ctx, day: Day, author: Person, host: Person, issuer: str, place: str, size: int):
    rng = ctx.rng
    city = place if rng.random() < 0.7 else rng.choice(PLACES[:4])
    title = f"Ciphered Telegram from {author.role} {author.name} to {rng.choice(['the MFA USSR', 'the CC CPSU', 'the Center', 'the Foreign Ministry'])}"
    if rng.random() < 0.3:
        title = f"Telegram from {city}, {day.european()}"
    parts = [f"Ciphered telegram N° {rng.randint(100, 9999)}", rng.choice(CLASSIFICATIONS), f"From {city}",
             f"To {rng.choice(['Moscow', 'Berlin', 'Budapest', 'Warsaw', 'Prague', 'Bucharest', 'Beijing'])}, {rng.choice(ORGS)}",
             day.european()]
    if rng.random() < 0.5:
        parts.append(stamp(rng, day.plus(1)))
    seen = [host]
    first = True

    def report():
        nonlocal first
        partner = host if first else ctx.pool.draw(rng, "ko" if rng.random() < 0.8 else None)
        meeting_day = day.plus(-rng.randint(0, 3))
        opener = f"On {meeting_day.short()} I received {ctx.mention(partner)}." if rng.random() < 0.5 else \
            f"On {meeting_day.short()} I had a conversation with {ctx.mention(partner)}."
        first = False
        seen.append(partner)
        out = [opener, ctx.speech(ctx.mention(partner)), ctx.narrative()]
        if rng.random() < 0.5:
            out.append(f"The conversation lasted {rng.choice(DURATIONS)}.")
        return out

    _fill(parts, size - 80, report)
    parts += [rng.choice(["I request instructions.", "I consider it expedient to agree.", "Reporting for your information."]),
              author.upper, day.european()]
    return title, "\n\n".join(parts), [author, host]


def _minutes(ctx: Ctx, day: Day, author: Person, host: Person, issuer: str, place: str, size: int):
    rng = ctx.rng
    side_a = [host, *ctx.pool.distinct(rng, rng.randint(2, 4), {host.name, author.name}, host.nationality)]
    side_b = [author, *ctx.pool.distinct(rng, rng.randint(1, 3), {p.name for p in side_a} | {author.name},
                                         author.nationality)]
    title = f"Minutes of the Talks between the Delegations, {day.european()}" if rng.random() < 0.5 else \
        f"Minutes of Conversation between {host.name} and {author.name}"
    parts = [rng.choice(CLASSIFICATIONS), "MINUTES", f"of the talks held on {day.european()} in {rng.choice(PLACES[:4])}",
             "Participating: " + ", ".join(p.name for p in side_a) + " (Korean side); "
             + ", ".join(p.name for p in side_b) + " (other side)."]
    for p in side_a + side_b:
        ctx.introduced.add(p.name)
    speakers = side_a + side_b

    def turn():
        speaker = rng.choice(speakers)
        return [f"{speaker.name}: {ctx.sentence()}. {ctx.narrative()}"]

    _fill(parts, size - 120, turn)
    parts.append(f"The talks lasted {rng.choice(DURATIONS)}.")
    parts.append(f"Minutes taken by {ctx.pool.draw(rng, author.nationality).name}")
    return title, "\n\n".join(parts), [host, author]


def _letter(ctx: Ctx, day: Day, author: Person, host: Person, issuer: str, place: str, size: int):
    rng = ctx.rng
    title = f"Letter from {host.name} to {author.name}" if rng.random() < 0.5 else \
        f"Letter from {author.role} {author.name} to the {rng.choice(ORGS)}"
    parts = _heading(ctx, issuer, day, rng.randint(0, 1))
    parts += [f"To {rng.choice(['the Central Committee', 'the Ministry of Foreign Affairs', 'the Embassy'])}",
              f"Dear Comrade {host.surname},"]
    ctx.introduced.add(host.name)

    def paragraph():
        if rng.random() < 0.3:
            return [ctx.speech(ctx.mention(ctx.pool.draw(rng)))]
        return [ctx.narrative()]

    _fill(parts, size - 150, paragraph)
    parts += ["With communist greetings,", author.name, author.role, f"{place}, {day.european()}"]
    if rng.random() < 0.4:
        parts.append(distribution(ctx))
    return title, "\n\n".join(parts), [host, author]


# --- command line -------------------------------------------------------------------------------

def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def generate(out_dir: Path, count: int, seed: int = 1, pool_size: int = 5000) -> dict:
    """Write ``count`` documents into ``out_dir``; returns the summary (sizes, people)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pool = PeoplePool(seed, pool_size)
    sizes = []
    for i in range(count):
        name, text = generate_document(i, seed, pool)
        data = text.encode("utf-8")
        (out_dir / name).write_bytes(data)
        sizes.append(len(data))
    sizes.sort()
    return {"files": count, "seed": seed, "people_pool": pool_size, "total_bytes": sum(sizes),
            "total_mb": round(sum(sizes) / 1e6, 2),
            "size_percentiles_kb": {f"p{int(q * 100)}": round(percentile(sizes, q) / 1024, 1)
                                    for q in (0.0, 0.1, 0.5, 0.9, 0.99, 1.0)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Example: python benchmarks/generate.py benchmarks/.work/docs-15000 --count 15000 --seed 1")
    parser.add_argument("out_dir", type=Path, help="folder to write the .txt files into (created)")
    parser.add_argument("--count", type=int, default=15000, help="number of documents (default 15000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator (default 1)")
    parser.add_argument("--people", type=int, default=5000, help="size of the invented people pool (default 5000)")
    args = parser.parse_args(argv)
    summary = generate(args.out_dir, args.count, args.seed, args.people)
    p = summary["size_percentiles_kb"]
    print(f"wrote {summary['files']} files, {summary['total_mb']} MB, to {args.out_dir} (seed {args.seed}, "
          f"{args.people} people)")
    print("size KB: " + ", ".join(f"{k} {v}" for k, v in p.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
