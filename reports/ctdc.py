"""The anonymised individual-level export for the Counter-Trafficking Data Collaborative.

One row per case, with the CTDC codebook's variable names (DOMAIN.md, "Reporting and
the CTDC"): the quasi-identifiers ``gender``, ``ageBroad``, ``citizenship``,
``CountryOfExploitation`` and ``yearOfRegistration`` (with ``majorityStatus``, derived
from the age band alone so that it never narrows a group), then one 0/1 column per type
of exploitation, means of control and recruiter relation. No code, no date finer than
the year, nothing sealed.

Only cases whose consent to use in statistics is live are included (given, not
withdrawn, not expired).

**k-anonymity** (k = ``AMPARO_CTDC_K``, at least 11, as CTDC publishes): every
combination of the five quasi-identifiers in the file is shared by at least k rows. As
CTDC does, by generalisation, then suppression:

1. One aggregate query counts the cases per combination (the number of combinations is
   bounded by the vocabularies, not by the number of cases).
2. The quasi-identifiers are generalised one level at a time — rare citizenships and
   countries become "Other", the age band becomes minor/adult, the year is dropped,
   citizenship and country are dropped — until at most ``MAX_WITHHELD_SHARE`` of the
   rows would fall in groups smaller than k (or the last level is reached). The same
   level applies to every row (global recoding), so the counts of step 1 are exactly the
   group sizes of the file.
3. Rows whose group is still smaller than k are withheld.

The rows are then streamed from the database in chunks: memory stays flat in the
number of cases (``bench/statistics.py`` measures it).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone

from cases import vocabularies as cv
from cases.models import Case, Consent, RouteStop

QUASI_IDENTIFIERS = ("gender", "age", "citizenship", "country", "year")
# Not exported: the place of identification (``Case.identification_place``). HTCDS has no
# field for it, so it is not among the quasi-identifiers above whose combinations the
# k-anonymity is computed over; adding a region of Peru to each row would split every
# class into ~28 smaller ones, and a region unchecked by k would single women out. It
# is counted on the statistics page instead, in bands.
MAX_WITHHELD_SHARE = 0.05
CHUNK = 2000

GENDER = {
    cv.Gender.FEMALE: "Female",
    cv.Gender.MALE: "Male",
    cv.Gender.TRANSGENDER: "Transgender/NonConforming",
    cv.Gender.NON_BINARY: "Transgender/NonConforming",
}
MINOR_BANDS = {cv.AgeBand.CHILD, cv.AgeBand.ADOLESCENT}
# Citizenships and countries common enough in this network to stay named at level 1.
COMMON_COUNTRIES = {"VE", "CO", "PE", "EC"}

EXPLOITATION = {
    "isForcedLabour": {cv.ExploitationType.FORCED_LABOUR, cv.ExploitationType.CHILD_LABOUR,
                       cv.ExploitationType.DOMESTIC_SERVITUDE},
    "isSexualExploit": {cv.ExploitationType.SEXUAL_PROSTITUTION,
                        cv.ExploitationType.SEXUAL_PORNOGRAPHY,
                        cv.ExploitationType.SEXUAL_REMOTE, cv.ExploitationType.SEXUAL_PRIVATE},
    "isForcedMarriage": {cv.ExploitationType.FORCED_MARRIAGE},
    "isOrganRemoval": {cv.ExploitationType.ORGAN_REMOVAL},
    "isOtherExploit": {cv.ExploitationType.FORCED_CRIMINALITY,
                       cv.ExploitationType.FORCED_BEGGING, cv.ExploitationType.OTHER},
    "typeOfSexProstitution": {cv.ExploitationType.SEXUAL_PROSTITUTION},
    "typeOfSexPornography": {cv.ExploitationType.SEXUAL_PORNOGRAPHY},
    "typeOfSexRemoteInteractiveServices": {cv.ExploitationType.SEXUAL_REMOTE},
    "typeOfSexPrivateSexualServices": {cv.ExploitationType.SEXUAL_PRIVATE},
}
M = cv.MeansOfControl
MEANS_OF_CONTROL = {
    "meansOfControlDebtBondage": {M.DEBT_BONDAGE},
    "meansOfControlTakesEarnings": {M.TAKES_EARNINGS},
    "meansOfControlThreats": {M.THREATS_FAMILY, M.THREATS_SURVIVOR},
    "meansOfControlPsychologicalAbuse": {M.PSYCHOLOGICAL_ABUSE},
    "meansOfControlPhysicalAbuse": {M.PHYSICAL_ABUSE},
    "meansOfControlSexualAbuse": {M.SEXUAL_ABUSE},
    "meansOfControlFalsePromises": {M.FALSE_PROMISES},
    "meansOfControlPsychoactiveSubstances": {M.SUBSTANCES},
    "meansOfControlRestrictsMovement": {M.RESTRICTED_MOVEMENT, M.ISOLATION,
                                        M.MOVED_LOCATIONS},
    "meansOfControlRestrictsMedicalCare": {M.RESTRICTS_MEDICAL},
    "meansOfControlExcessiveWorkingHours": {M.EXCESSIVE_HOURS},
    "meansOfControlThreatOfLawEnforcement": {M.THREATS_AUTHORITIES},
    "meansOfControlWithholdsNecessities": {M.WITHHOLDS_NECESSITIES},
    "meansOfControlWithholdsDocuments": {M.WITHHOLDS_DOCUMENTS},
    "meansOfControlOther": {M.MONITORS_PHONE, M.SURVEILLANCE, M.OTHER},
}
RECRUITER = ("recruiterRelationIntimatePartner", "recruiterRelationFriend",
             "recruiterRelationFamily", "recruiterRelationOther", "recruiterRelationUnknown")

HEADER = (
    "yearOfRegistration", "gender", "ageBroad", "majorityStatus", "citizenship",
    "CountryOfExploitation", *EXPLOITATION, "isSexAndLabour", *MEANS_OF_CONTROL,
    "meansOfControlNotSpecified", *RECRUITER,
)

Key = tuple[str, str, str, str, str]  # gender, age band, citizenship, country, year


def consenting_cases(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases whose consent to use in statistics is live today."""
    today = timezone.localdate()
    live = Consent.objects.filter(
        case=OuterRef("pk"), purpose=cv.ConsentPurpose.STATISTICS, given=True,
        withdrawn_at__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return cases.filter(Exists(live))


def _with_quasi_identifiers(cases: QuerySet[Case]) -> QuerySet[Case]:
    exploitation_country = (
        RouteStop.objects.filter(case=OuterRef("pk"), kind=cv.RouteStopKind.EXPLOITATION)
        .exclude(country="")
        .order_by("position")
        .values("country")[:1]
    )
    return cases.order_by().annotate(
        q_gender=F("survivor__gender"),
        q_age=F("survivor__age_band"),
        q_citizenship=F("survivor__nationality"),
        q_country=Subquery(exploitation_country),
        q_year=ExtractYear("opened_on"),
    )


def _key(row: dict) -> Key:
    return (
        row["q_gender"] or "", row["q_age"] or "", row["q_citizenship"] or "",
        row["q_country"] or "", str(row["q_year"] or ""),
    )


def generalise(key: Key, level: int) -> Key:
    """The quasi-identifiers of one row at a level of generalisation (0: as recorded)."""
    gender, age, citizenship, country, year = key
    if level >= 1:
        citizenship = citizenship if citizenship in COMMON_COUNTRIES else "other"
        country = country if country in COMMON_COUNTRIES else "other"
    if level >= 2:
        age = _majority(age)
    if level >= 3:
        year = ""
    if level >= 4:
        citizenship = country = ""
    return gender, age, citizenship, country, year


LEVELS = 5


def _majority(age_band: str) -> str:
    if age_band in MINOR_BANDS or age_band == "minor":
        return "minor"
    if not age_band or age_band in (cv.AgeBand.UNKNOWN, "unknown"):
        return "unknown"
    return "adult"


@dataclass(frozen=True)
class Plan:
    """How the export generalises and what it withholds, decided before any row is read."""

    level: int
    group_sizes: Counter
    k: int
    total: int

    @property
    def withheld(self) -> int:
        return sum(n for n in self.group_sizes.values() if n < self.k)

    @property
    def exported(self) -> int:
        return self.total - self.withheld

    def keeps(self, key: Key) -> bool:
        return self.group_sizes[generalise(key, self.level)] >= self.k


def plan(cases: QuerySet[Case], *, k: int | None = None) -> Plan:
    """Count the cases per combination in one query and choose the level."""
    rows = (
        _with_quasi_identifiers(cases)
        .values("q_gender", "q_age", "q_citizenship", "q_country", "q_year")
        .annotate(n=Count("pk"))
    )
    exact: Counter = Counter()
    for row in rows:
        exact[_key(row)] += row["n"]
    return plan_for(exact, k=settings.AMPARO_CTDC_K if k is None else k)


def plan_for(exact: Counter, *, k: int) -> Plan:
    """The lowest level that withholds at most ``MAX_WITHHELD_SHARE`` of the rows (or the
    last level), for these group sizes as recorded."""
    total = sum(exact.values())
    chosen = None
    for level in range(LEVELS):
        sizes: Counter = Counter()
        for key, n in exact.items():
            sizes[generalise(key, level)] += n
        chosen = Plan(level, sizes, k, total)
        if chosen.withheld <= MAX_WITHHELD_SHARE * total:
            break
    return chosen


class _Echo:
    def write(self, value: str) -> str:
        return value


def _flag(codes: list, wanted: set) -> str:
    return "1" if any(code in wanted for code in codes or []) else "0"


def output_row(key: Key, row: dict) -> list[str]:
    gender, age, citizenship, country, year = key
    exploitation = row["exploitation_types"] or []
    means = row["means_of_control"] or []
    flags = [_flag(exploitation, wanted) for wanted in EXPLOITATION.values()]
    sex_and_labour = _flag(exploitation, EXPLOITATION["isSexualExploit"]) == "1" and _flag(
        exploitation, EXPLOITATION["isForcedLabour"]) == "1"
    means_flags = [_flag(means, wanted) for wanted in MEANS_OF_CONTROL.values()]
    relation = _recruiter(row["recruitment_methods"], row["recruiter_relationship"])
    majority = _majority(age)
    return [
        year,
        GENDER.get(gender, "") if gender else "",
        "" if age in ("minor", "adult", "unknown", cv.AgeBand.UNKNOWN) else age.replace("-", "--"),
        {"minor": "Minor", "adult": "Adult"}.get(majority, ""),
        "" if citizenship in ("", "unknown") else ("Other" if citizenship == "other"
                                                   else citizenship),
        "" if country in ("", "unknown") else ("Other" if country == "other" else country),
        *flags,
        "1" if sex_and_labour else "0",
        *means_flags,
        "0" if means else "1",
        *["1" if name == relation else "0" for name in RECRUITER],
    ]


def _recruiter(methods: list, relationship: str) -> str:
    if cv.RecruitmentMethod.INTIMATE_PARTNER in (methods or []):
        return "recruiterRelationIntimatePartner"
    return {
        cv.RecruiterRelationship.FAMILY: "recruiterRelationFamily",
        cv.RecruiterRelationship.ACQUAINTED: "recruiterRelationFriend",
        cv.RecruiterRelationship.UNACQUAINTED: "recruiterRelationOther",
    }.get(relationship, "recruiterRelationUnknown")


def stream(cases: QuerySet[Case], export_plan: Plan) -> Iterator[str]:
    """The CSV, line by line: the header, then every row the plan keeps."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    rows = (
        _with_quasi_identifiers(cases)
        .values("q_gender", "q_age", "q_citizenship", "q_country", "q_year",
                "exploitation_types", "means_of_control", "recruitment_methods",
                "recruiter_relationship")
        .iterator(chunk_size=CHUNK)
    )
    for row in rows:
        key = _key(row)
        if export_plan.keeps(key):
            yield writer.writerow(output_row(generalise(key, export_plan.level), row))
