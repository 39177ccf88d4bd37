"""Coded vocabularies from the Human Trafficking Case Data Standard v2, with local additions.

Coded values are stored in clear so that filters and statistics work without opening
anyone's record (DESIGN §3). None of them identifies a survivor on its own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    TRANSGENDER = "transgender", _("Transgender")
    NON_BINARY = "non_binary", _("Non-binary")
    NOT_SAID = "not_said", _("Prefers not to say")


class Nationality(models.TextChoices):
    """The nationalities this network sees most, then the rest of South America."""

    VENEZUELA = "VE", _("Venezuela")
    COLOMBIA = "CO", _("Colombia")
    PERU = "PE", _("Peru")
    ECUADOR = "EC", _("Ecuador")
    BOLIVIA = "BO", _("Bolivia")
    BRAZIL = "BR", _("Brazil")
    CHILE = "CL", _("Chile")
    ARGENTINA = "AR", _("Argentina")
    PARAGUAY = "PY", _("Paraguay")
    DOMINICAN_REPUBLIC = "DO", _("Dominican Republic")
    HAITI = "HT", _("Haiti")
    CHINA = "CN", _("China")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")
    PORTUGUESE = "pt", _("Portuguese")
    QUECHUA = "qu", _("Quechua")
    AYMARA = "ay", _("Aymara")
    WAYUU = "guc", _("Wayuunaiki")
    HAITIAN_CREOLE = "ht", _("Haitian Creole")
    CHINESE = "zh", _("Chinese")
    OTHER = "other", _("Other")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    FOREIGNER_CARD = "foreigner_card", _("Foreigner's card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    TEMPORARY_PERMIT = "temporary_permit", _("Temporary stay permit")
    OTHER = "other", _("Other document")


class AgeBand(models.TextChoices):
    CHILD = "0-12", _("0–12")
    ADOLESCENT = "13-17", _("13–17")
    YOUNG_ADULT = "18-24", _("18–24")
    ADULT_25 = "25-34", _("25–34")
    ADULT_35 = "35-49", _("35–49")
    ADULT_50 = "50+", _("50+")
    UNKNOWN = "unknown", _("Unknown")


class TraffickingStatus(models.TextChoices):
    POSSIBLE = "possible", _("Possible victim")
    CONFIRMED = "confirmed", _("Confirmed victim")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")


class DeterminedBy(models.TextChoices):
    NGO = "ngo", _("NGO")
    POLICE = "police", _("Police")
    COURT = "court", _("Court or prosecution")
    OTHER_GOVERNMENT = "other_government", _("Other government body")


class ExploitationType(models.TextChoices):
    SEXUAL_PROSTITUTION = "sexual_prostitution", _("Sexual exploitation: prostitution")
    SEXUAL_PORNOGRAPHY = "sexual_pornography", _("Sexual exploitation: pornography")
    SEXUAL_REMOTE = "sexual_remote", _("Sexual exploitation: remote interactive services")
    SEXUAL_PRIVATE = "sexual_private", _("Sexual exploitation: private sexual services")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    CHILD_LABOUR = "child_labour", _("Child labour")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")


class LabourIndustry(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    MINING = "mining", _("Mining")
    CONSTRUCTION = "construction", _("Construction")
    FISHING = "fishing", _("Fishing")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    HOSPITALITY = "hospitality", _("Bars, restaurants and hotels")
    DOMESTIC_WORK = "domestic_work", _("Domestic work")
    STREET_VENDING = "street_vending", _("Street vending")
    OTHER = "other", _("Other")


class RecruitmentMethod(models.TextChoices):
    JOB_OFFER = "job_offer", _("Job offer")
    RELATIVE = "relative", _("Relative")
    FRIEND = "friend", _("Friend or acquaintance")
    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner")
    VICTIM_RECRUITER = "victim_recruiter", _("Another victim recruiting for the network")
    ONLINE_SOCIAL = "online_social", _("Online social network or messaging app")
    ONLINE_AD = "online_ad", _("Online advertisement")
    PRINT_AD = "print_ad", _("Print or broadcast advertisement")
    ABDUCTION = "abduction", _("Abduction")
    OTHER = "other", _("Other")


class RecruitmentPlatform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    TIKTOK = "tiktok", "TikTok"
    OTHER = "other", _("Other")


class RecruiterRelationship(models.TextChoices):
    FAMILY = "family", _("Family")
    ACQUAINTED = "acquainted", _("Acquainted")
    UNACQUAINTED = "unacquainted", _("Unacquainted")


class MeansOfControl(models.TextChoices):
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage (“fines”)")
    TAKES_EARNINGS = "takes_earnings", _("Takes earnings")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Withholds documents")
    MONITORS_PHONE = "monitors_phone", _("Confiscates or monitors phone")
    THREATS_FAMILY = "threats_family", _("Threats against family")
    THREATS_SURVIVOR = "threats_survivor", _("Threats against her")
    THREATS_AUTHORITIES = "threats_authorities", _("Threats of police or deportation")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    SURVEILLANCE = "surveillance", _("Surveillance")
    MOVED_LOCATIONS = "moved_locations", _("Moved between locations")
    ISOLATION = "isolation", _("Isolation")
    RESTRICTED_MOVEMENT = "restricted_movement", _("Restricted movement")
    WITHHOLDS_NECESSITIES = "withholds_necessities", _("Withholds necessities")
    RESTRICTS_MEDICAL = "restricts_medical", _("Restricts medical care")
    SUBSTANCES = "substances", _("Psychoactive substances")
    EXCESSIVE_HOURS = "excessive_hours", _("Excessive working hours")
    FALSE_PROMISES = "false_promises", _("False promises")
    OTHER = "other", _("Other")


class Currency(models.TextChoices):
    USD = "USD", _("US dollars")
    PEN = "PEN", _("Peruvian soles")
    VES = "VES", _("Venezuelan bolívares")
    COP = "COP", _("Colombian pesos")
    OTHER = "other", _("Other")


class RouteStopKind(models.TextChoices):
    RECRUITMENT = "recruitment", _("Recruitment")
    TRANSIT = "transit", _("Transit")
    EXPLOITATION = "exploitation", _("Exploitation")


class ServiceType(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    PROTECTION = "protection", _("Protection")
    FAMILY_SUPPORT = "family_support", _("Family support")
    RETURN = "return", _("Return and reintegration")
    DOCUMENTATION = "documentation", _("Documentation")
    LIVELIHOOD = "livelihood", _("Livelihood and education")
    INTERPRETATION = "interpretation", _("Interpretation")
    OTHER = "other", _("Other")


class ConsentRecipientType(models.TextChoices):
    """Who may receive what she agreed to share, when no organisation is named: a type of
    service, or an authority (consent to share with the authorities names police or a
    prosecutor, which are not services a referral goes to)."""

    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    PROTECTION = "protection", _("Protection")
    FAMILY_SUPPORT = "family_support", _("Family support")
    RETURN = "return", _("Return and reintegration")
    DOCUMENTATION = "documentation", _("Documentation")
    LIVELIHOOD = "livelihood", _("Livelihood and education")
    INTERPRETATION = "interpretation", _("Interpretation")
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Public prosecutor")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    CLOSED_REFERRED = "closed_referred", _("Closed – referred")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    TRANSFERRED = "transferred", _("Transferred")
    MOVED_AWAY = "moved_away", _("Moved away")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    SURVIVOR_WITHDREW = "survivor_withdrew", _("Survivor withdrew")
    DECEASED = "deceased", _("Deceased")


class ContactChannel(models.TextChoices):
    PHONE_CALL = "phone_call", _("Phone call")
    SMS = "sms", _("Text message")
    WHATSAPP = "whatsapp", "WhatsApp"
    SIGNAL = "signal", "Signal"
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    THROUGH_CONTACT = "through_contact", _("Through a trusted person")
    THROUGH_OFFICE = "through_office", _("Only through the organisation's office")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class RiskFactor(models.TextChoices):
    THREATS_TO_FAMILY_ABROAD = "threats_family_abroad", _("Threats to family abroad")
    PERPETRATORS_KNOW_LOCATION = "perpetrators_know_location", _("Perpetrators know her location")
    OUTSTANDING_DEBT = "outstanding_debt", _("Outstanding debt")
    PREVIOUS_ESCAPE_ATTEMPTS = "previous_escape_attempts", _("Previous escape attempts")
    PREGNANCY = "pregnancy", _("Pregnancy")
    INJURY_OR_ILLNESS = "injury_or_illness", _("Injury or illness")
    SUBSTANCE_DEPENDENCE = "substance_dependence", _("Substance dependence")
    NO_SAFE_HOUSING = "no_safe_housing", _("No safe place to stay")
    COOPERATING_WITH_PROSECUTION = (
        "cooperating_with_prosecution",
        _("Cooperating with the prosecution"),
    )
    CONTACT_WITH_NETWORK = "contact_with_network", _("Still in contact with the network")
    UNDOCUMENTED = "undocumented", _("No documents / irregular status")


class ConsentPurpose(models.TextChoices):
    DATA_PROCESSING = "data_processing", _("Processing of her data")
    REFERRAL = "referral", _("Referral to a service")
    AUTHORITIES = "authorities", _("Sharing with authorities")
    STATISTICS = "statistics", _("Use in statistics")


class ConsentScope(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    AGE = "age", _("Age or birth date")
    LANGUAGES = "languages", _("Languages")
    SAFE_CONTACT = "safe_contact", _("Safe contact")
    NEEDS = "needs", _("Needs")
    RISK = "risk", _("Risk summary")
    NARRATIVE = "narrative", _("Her account")
    HEALTH = "health", _("Health information")
    DOCUMENTS = "documents", _("Documents")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")


class ConsentGivenBy(models.TextChoices):
    SURVIVOR = "survivor", _("The survivor")
    GUARDIAN_WITH_ASSENT = "guardian_with_assent", _("A guardian, with the child's assent")


class ConsentWithdrawalReason(models.TextChoices):
    SURVIVOR_REQUEST = "survivor_request", _("The survivor asked")
    GUARDIAN_REQUEST = "guardian_request", _("The guardian asked")
    RECORDED_IN_ERROR = "recorded_in_error", _("Recorded in error")
    SAFETY = "safety", _("Safety concern")
    # Set by shredding, never chosen: nothing of hers may be relied on once it is gone.
    SHREDDED = "shredded", _("Her data was shredded")


# The reasons a person may choose when she withdraws a consent (not the shredding one).
CHOSEN_WITHDRAWAL_REASONS = tuple(
    reason for reason in ConsentWithdrawalReason if reason != ConsentWithdrawalReason.SHREDDED
)


class FollowUpKind(models.TextChoices):
    CHECK_IN = "check_in", _("Check-in")
    RETRAFFICKING_CHECK_IN = "retrafficking_check_in", _("Re-trafficking check-in")
    MEDICAL = "medical", _("Medical appointment")
    LEGAL = "legal", _("Legal step")
    DOCUMENTS = "documents", _("Documents")
    RISK_REVIEW = "risk_review", _("Risk review")
    OTHER = "other", _("Other")


class FollowUpOutcome(models.TextChoices):
    REACHED_SAFE = "reached_safe", _("Reached, safe")
    REACHED_CONCERN = "reached_concern", _("Reached, with a concern")
    NOT_REACHED = "not_reached", _("Not reached")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class AttachmentKind(models.TextChoices):
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    MEDICAL = "medical", _("Medical record")
    LEGAL = "legal", _("Legal document")
    PHOTO = "photo", _("Photo")
    CONSENT_FORM = "consent_form", _("Signed consent form")
    OTHER = "other", _("Other")


class ShredReason(models.TextChoices):
    SURVIVOR_REQUEST = "survivor_request", _("The survivor asked for deletion")
    RETENTION_ENDED = "retention_ended", _("The retention period ended")
    RECORDED_IN_ERROR = "recorded_in_error", _("Recorded in error")


class ReopenReason(models.TextChoices):
    """Why a closed case is opened again (stored as the purpose of the audit event)."""

    RETRAFFICKED = "retrafficked", _("She was trafficked again")
    NEW_NEED = "new_need", _("A new need for support")
    RISK_INCREASED = "risk_increased", _("Her risk increased")
    CLOSED_IN_ERROR = "closed_in_error", _("Closed in error")


class IdentificationPlace(models.TextChoices):
    """Where she was identified as a (possible) victim: a region of Peru by its ISO 3166-2:PE
    code, or another country. A region, never a city or an address, so it is coded and
    counted in clear like her nationality (docs/security.md); the places of her route,
    which may be a street or a house, stay sealed."""

    AMAZONAS = "PE-AMA", _("Amazonas")
    ANCASH = "PE-ANC", _("Ancash")
    APURIMAC = "PE-APU", _("Apurimac")
    AREQUIPA = "PE-ARE", _("Arequipa")
    AYACUCHO = "PE-AYA", _("Ayacucho")
    CAJAMARCA = "PE-CAJ", _("Cajamarca")
    CALLAO = "PE-CAL", _("Callao")
    CUSCO = "PE-CUS", _("Cusco")
    HUANCAVELICA = "PE-HUV", _("Huancavelica")
    HUANUCO = "PE-HUC", _("Huanuco")
    ICA = "PE-ICA", _("Ica")
    JUNIN = "PE-JUN", _("Junin")
    LA_LIBERTAD = "PE-LAL", _("La Libertad")
    LAMBAYEQUE = "PE-LAM", _("Lambayeque")
    LIMA_METROPOLITAN = "PE-LMA", _("Metropolitan Lima")
    LIMA_REGION = "PE-LIM", _("Lima Region (outside Metropolitan Lima)")
    LORETO = "PE-LOR", _("Loreto")
    MADRE_DE_DIOS = "PE-MDD", _("Madre de Dios")
    MOQUEGUA = "PE-MOQ", _("Moquegua")
    PASCO = "PE-PAS", _("Pasco")
    PIURA = "PE-PIU", _("Piura")
    PUNO = "PE-PUN", _("Puno")
    SAN_MARTIN = "PE-SAM", _("San Martin")
    TACNA = "PE-TAC", _("Tacna")
    TUMBES = "PE-TUM", _("Tumbes")
    UCAYALI = "PE-UCA", _("Ucayali")
    OTHER_COUNTRY = "other_country", _("Another country")
    UNKNOWN = "unknown", _("Unknown")


class RetentionKeepReason(models.TextChoices):
    """Why a closed case is kept past its retention period. Coded on purpose: a free
    text written about a survivor's case tends to carry her story, and this decision
    needs none (the retention review's record is read by supervisors and auditors)."""

    LEGAL_PROCEEDINGS = "legal_proceedings", _("Legal proceedings are still running")
    SURVIVOR_ASKED = "survivor_asked", _("She asked us to keep her record")
    RECENT_CONTACT = "recent_contact", _("She has been in contact recently")
    RISK_REMAINS = "risk_remains", _("Her risk remains: we may need the record")
    DONOR_OR_LAW = "donor_or_law", _("A law or a funding agreement requires it")
