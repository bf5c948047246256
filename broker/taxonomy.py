"""Every label of the domain (../shared/DOMAIN.md) as data, each with a stable slug.

One place, used everywhere: models validate against it, forms take their choices from it,
the search schema takes its facet values from it, import/export translate through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    slug: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms, looked up by slug or label (case-insensitive)."""

    name: str
    label: str
    terms: tuple[Term, ...]
    _lookup: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, Term] = {}
        for term in self.terms:
            for key in (term.slug, term.label):
                lookup[_key(key)] = term
        object.__setattr__(self, "_lookup", lookup)
        # Slugs as stored are looked up on every search: straight, without normalising.
        object.__setattr__(self, "_labels", {t.slug: t.label for t in self.terms})
        object.__setattr__(self, "_slugs", tuple(t.slug for t in self.terms))

    @property
    def slugs(self) -> tuple[str, ...]:
        return self._slugs  # type: ignore[attr-defined,no-any-return]

    def get(self, value: str) -> Term | None:
        """Return the term named by `value` (slug or label, any case), or None."""
        return self._lookup.get(_key(value))

    def __getitem__(self, value: str) -> Term:
        term = self.get(value)
        if term is None:
            raise KeyError(value)
        return term

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.get(value) is not None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def label_of(self, slug: str) -> str:
        label = self._labels.get(slug)  # type: ignore[attr-defined]
        if label is not None:
            return str(label)
        term = self.get(slug)
        return term.label if term else slug

    def choices(self) -> list[tuple[str, str]]:
        return [(t.slug, t.label) for t in self.terms]


def _key(value: str) -> str:
    return re.sub(r"[\s_]+", "-", value.strip().lower())


def slugify(label: str) -> str:
    """Turn a label into a slug: lower case, words joined by hyphens."""
    text = label.lower().replace("&", "and").replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _vocab(
    name: str, label: str, *entries: str | tuple[str, str] | tuple[str, str, str]
) -> Vocabulary:
    terms = []
    for entry in entries:
        if isinstance(entry, str):
            terms.append(Term(slugify(entry), entry))
        elif len(entry) == 2:
            terms.append(Term(entry[0], entry[1]))
        else:
            terms.append(Term(entry[0], entry[1], entry[2]))
    return Vocabulary(name, label, tuple(terms))


CATEGORIES = _vocab(
    "category",
    "Area of support",
    "Leadership and Management",
    "Teaching and Learning",
    (
        "curriculum-and-subject-support",
        "Curriculum and Subject Support",
        "Literacy, phonics, mathematics, science, ICT, 14-19 and other subjects",
    ),
    "Assessment, Data and Target Setting",
    "Inclusion, SEN and Vulnerable Groups",
    "Behaviour, Attendance and Safeguarding",
    "Governance",
    "Early Years",
    "Partnerships and School-to-School Support",
    (
        "every-child-matters-and-wider-services",
        "Every Child Matters and Wider Services",
        "Health, well-being, family support, children's services",
    ),
)

ECM_OUTCOMES = _vocab(
    "ecm",
    "Every Child Matters outcome",
    "Be healthy",
    "Stay safe",
    "Enjoy and achieve",
    "Make a positive contribution",
    "Achieve economic well-being",
)

PHASES = _vocab(
    "phase",
    "Phase",
    "Early years",
    "Primary",
    "Secondary",
    "Special",
    ("pru", "Pupil referral unit"),
    "Post-16",
    "All-through",
)

SEN_SPECIALISMS = _vocab(
    "sen",
    "SEN specialism",
    ("pmld", "PMLD", "Profound and multiple learning difficulties"),
    ("sld", "SLD", "Severe learning difficulties"),
    ("mld", "MLD", "Moderate learning difficulties"),
    ("besd", "BESD", "Behaviour, emotional and social difficulties"),
    ("asd", "ASD", "Autistic spectrum disorder"),
    ("slcn", "SLCN", "Speech, language and communication needs"),
    ("hi", "HI", "Hearing impairment"),
    ("vi", "VI", "Visual impairment"),
    ("msi", "MSI", "Multi-sensory impairment"),
    ("pd", "PD", "Physical disability"),
    ("spld", "SpLD", "Specific learning difficulties"),
)

PUPIL_GROUPS = _vocab(
    "pupil_group",
    "Pupil group",
    ("sen-and-disabilities", "SEN and disabilities"),
    ("bme", "BME", "Black and minority ethnic pupils"),
    ("eal", "EAL", "English as an additional language"),
    "Children in care",
    "Free school meals",
    "Gifted and talented",
    "Boys' achievement",
    "Underachieving groups",
)

PROVIDER_KINDS = _vocab(
    "kind",
    "Provider kind",
    "Independent consultant",
    "Company",
    "Charity or voluntary body",
    ("la-service", "LA service"),
    "Children's services team",
    (
        "school-to-school",
        "School-to-school",
        "A school, a National or Local Leader of Education",
    ),
    "National programme",
    "Free resource",
)

DELIVERY = _vocab(
    "delivery",
    "Delivery",
    "On-site consultancy",
    ("training-course-cpd", "Training course/CPD"),
    "Coaching or mentoring",
    "School-to-school partnership",
    "Network",
    ("online-remote", "Online/remote"),
    "Downloadable resource",
)

COSTS = _vocab(
    "cost",
    "Cost",
    "Free",
    ("funded", "Funded", "For example by a national programme"),
    ("traded-buy-back", "Traded/buy-back"),
    ("paid", "Paid", "With a price note"),
)

REGIONS = _vocab(
    "region",
    "Region",
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    ("east-of-england", "East of England"),
    "London",
    "South East",
    "South West",
)

SCHOOL_TYPES = _vocab(
    "school_type",
    "School type",
    "Community school",
    "Voluntary aided school",
    "Voluntary controlled school",
    "Foundation school",
    "Academy",
    "Nursery school",
    "Community special school",
    "Foundation special school",
    ("pru", "Pupil referral unit"),
)

SUPPORT_CATEGORIES = _vocab(
    "support_category",
    "Support category",
    ("universal", "Universal", "Light-touch SIP support"),
    ("targeted", "Targeted", "Additional SIP time and targeted support"),
    ("intensive", "Intensive", "More SIP time and closer follow-up"),
)

LISTING_STATUSES = _vocab(
    "status",
    "Status",
    ("draft", "Draft"),
    ("submitted", "Submitted for assurance"),
    ("changes-requested", "Changes requested"),
    ("assured", "Assured"),
    ("rejected", "Rejected"),
    ("suspended", "Suspended"),
    ("lapsed", "Lapsed"),
    ("withdrawn", "Withdrawn"),
    # Left the directory because withdrawals dropped its provider below two schools (issue 4).
    ("recommendations-needed", "Needs two recommendations"),
)

ROLES = _vocab(
    "role",
    "Role",
    ("provider", "Provider"),
    ("headteacher", "Headteacher"),
    # A deputy or business manager the head authorised to act for the school (issue 16).
    ("school_leader", "Authorised school leader"),
    ("sip", "School Improvement Partner"),
    ("qa_officer", "QA officer"),
    ("admin", "Administrator"),
)

#: The listing facets in the order the directory shows them (name -> vocabulary).
LISTING_FACETS: dict[str, Vocabulary] = {
    "category": CATEGORIES,
    "ecm": ECM_OUTCOMES,
    "phase": PHASES,
    "sen": SEN_SPECIALISMS,
    "pupil_group": PUPIL_GROUPS,
    "kind": PROVIDER_KINDS,
    "delivery": DELIVERY,
    "cost": COSTS,
    "region": REGIONS,
}

#: Assurance lasts this long unless renewed (DOMAIN.md).
ASSURANCE_MONTHS = 12
#: A recommendation counts for this many years (DOMAIN.md default).
RECOMMENDATION_VALID_YEARS = 3
#: Recommendations from this many different schools let a provider in.
SCHOOLS_NEEDED = 2

# --- diagnosis and brokerage (issue 5) ---------------------------------------------------

#: What a SIP looked at on a visit.
EVIDENCE = _vocab(
    "evidence",
    "Evidence looked at",
    ("sef", "Self-evaluation (SEF)"),
    ("pupil-data", "Pupil data (RAISEonline, CVA)"),
    ("ofsted", "Ofsted judgement"),
    ("attendance", "Attendance"),
    ("work-scrutiny", "Work scrutiny"),
    ("lesson-observation", "Lesson observation"),
    ("other", "Other"),
)

RAG_RATINGS = _vocab(
    "rag",
    "RAG rating",
    ("red", "Red", "Serious concern: needs action now"),
    ("amber", "Amber", "Some concern: needs attention"),
    ("green", "Green", "On track"),
)

#: A brokerage's states, in the order the work moves through them (declined ends it early).
BROKERAGE_STATES = _vocab(
    "brokerage_state",
    "Brokerage",
    ("suggested", "Shortlisted"),
    ("agreed", "Agreed"),
    ("engaged", "Engaged"),
    ("completed", "Completed"),
    ("evaluated", "Impact evaluated"),
    ("declined", "Declined"),
)

#: The head's rating of a brokered piece of work's impact on the priority; 3 and 4 are positive.
IMPACT_RATINGS = _vocab(
    "impact",
    "Impact",
    ("1", "1 – No noticeable impact"),
    ("2", "2 – Some impact"),
    ("3", "3 – Good impact"),
    ("4", "4 – Strong impact"),
)

# --- conflicts of interest (issue 16) --------------------------------------------------------

#: Interests SIPs and QA officers register in providers.
INTEREST_KINDS = _vocab(
    "interest",
    "Kind of interest",
    ("employment", "Employment", "You work, or worked, for the provider"),
    ("ownership", "Ownership", "You own, part-own or direct the provider"),
    ("family", "Family", "A member of your family or household works for or owns the provider"),
    ("paid-work", "Paid work", "The provider paid you for work, as an associate or contractor"),
)
#: An interest still counts for this many years after it ends.
INTEREST_YEARS = 2
