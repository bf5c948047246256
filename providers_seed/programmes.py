"""Hand-written national programmes and free resources: each names its own services.

Each entry is (provider name, primary area, [ListingTemplate, ...]). Facet values are slugs.
"""

from __future__ import annotations

from providers_seed.templates import (
    AD,
    ALL,
    BAS,
    COACH,
    CONTRIB,
    COURSE,
    CS,
    DOWNLOAD,
    ECM,
    ECON,
    ENJOY,
    EY,
    EYR,
    GOV,
    HEALTHY,
    INC,
    LM,
    NETWORK,
    ONLINE,
    ONSITE,
    P16,
    PRI,
    PRU,
    PSS,
    S2S,
    SAFE,
    SEC,
    SPE,
    TL,
    ListingTemplate,
)

T = ListingTemplate

NATIONAL_PROGRAMMES: tuple[tuple[str, tuple[ListingTemplate, ...]], ...] = (
    (
        "Every Child Reads Programme",
        (
            T(
                "np-ecr",
                (CS, INC),
                ("Every Child Reads: one-to-one reading intervention",),
                (
                    "Daily one-to-one reading lessons for the lowest-attaining Year 1 pupils, taught by a specially trained teacher, with most reaching age-related levels in 20 weeks.",
                ),
                (
                    "The school releases a teacher for a year of part-time training with an accredited teacher leader.",
                    "The trained teacher then leads lighter-touch interventions for other struggling readers and supports teaching assistants.",
                    "Pupils' progress is reported to a national data monitoring system, so schools can compare outcomes.",
                ),
                (ENJOY,),
                (PRI,),
                groups=("free-school-meals", "boys-achievement", "underachieving-groups"),
                delivery=(COURSE, COACH),
                unit="programme",
            ),
            T(
                "np-ecr-network",
                (CS, PSS),
                ("Every Child Reads: network for trained reading teachers",),
                (
                    "Termly professional development and peer observation for reading teachers already trained on the programme.",
                ),
                (
                    "Teachers observe each other teaching behind a one-way screen and discuss the lesson.",
                    "The network keeps practice sharp and brings in new research on early reading.",
                ),
                (ENJOY,),
                (PRI,),
                groups=("underachieving-groups",),
                delivery=(NETWORK,),
                unit="term",
            ),
        ),
    ),
    (
        "Counting Forward National Programme",
        (
            T(
                "np-counting",
                (CS,),
                ("Counting Forward: numeracy intervention for Year 2",),
                (
                    "A numeracy intervention for Year 2 children who find mathematics hardest, taught one-to-one or in pairs by a trained teacher.",
                ),
                (
                    "Children work with a trained teacher for three 30-minute sessions a week over a term.",
                    "The teacher assesses each child's number knowledge and plans practical activities with objects and number lines.",
                    "Class teachers receive guidance on keeping the progress going after the intervention ends.",
                ),
                (ENJOY, ECON),
                (PRI,),
                groups=("underachieving-groups", "free-school-meals"),
                delivery=(COURSE, COACH),
                unit="programme",
            ),
        ),
    ),
    (
        "Talk First Early Language Programme",
        (
            T(
                "np-talk-first",
                (EY, INC),
                ("Talk First: early language for two- to five-year-olds",),
                (
                    "A national programme training early years practitioners to spot language delay early and create talk-rich settings.",
                ),
                (
                    "Each setting has a lead practitioner trained by a local early language consultant.",
                    "Children's language is monitored termly with a simple tracking tool.",
                    "Families are encouraged to talk, sing and share books at home.",
                ),
                (ENJOY, HEALTHY),
                (EYR,),
                groups=("eal", "free-school-meals", "boys-achievement"),
                sen=("slcn",),
                delivery=(COURSE, NETWORK, ONSITE),
                unit="programme",
            ),
        ),
    ),
    (
        "Leading Schools Forward",
        (
            T(
                "np-lsf",
                (LM, PSS),
                ("Leading Schools Forward: improvement programme for schools below floor targets",),
                (
                    "A two-year programme for secondary schools below the floor target, combining leadership coaching, data support and a partner school.",
                ),
                (
                    "Each school is matched with a high-performing partner school and a leadership coach.",
                    "The programme funds additional intervention for pupils at the C/D borderline in English and mathematics.",
                    "Progress is reviewed each half term with the LA and the SIP.",
                ),
                (ENJOY, ECON),
                (SEC, ALL),
                groups=("underachieving-groups", "free-school-meals"),
                delivery=(S2S, COACH, ONSITE),
                unit="programme",
            ),
        ),
    ),
    (
        "National Middle Leaders Programme",
        (
            T(
                "np-middle-leaders",
                (LM, TL),
                ("Leading from the Middle: national programme for middle leaders",),
                (
                    "A blended national programme for subject and phase leaders, with online modules, a school-based project and a coach.",
                ),
                (
                    "Participants complete online learning modules and attend four face-to-face days with leaders from other schools.",
                    "Each participant leads an improvement project in their own school, supported by an in-school coach.",
                    "The programme is funded, with schools covering supply costs.",
                ),
                (ENJOY,),
                (PRI, SEC, SPE, ALL),
                delivery=(COURSE, ONLINE, COACH),
                unit="programme",
            ),
        ),
    ),
    (
        "Inclusion for All National Programme",
        (
            T(
                "np-inclusion",
                (INC, TL),
                ("Inclusion for All: raising the achievement of pupils with SEND",),
                (
                    "A two-year programme that helps schools raise the attainment of pupils with SEN and disabilities through structured conversations with parents.",
                ),
                (
                    "Teachers hold structured conversations with parents of pupils with SEN three times a year.",
                    "Schools track the progress of pupils with SEND and the impact of the programme on attendance and behaviour.",
                    "A programme coach visits each school half-termly.",
                ),
                (ENJOY, CONTRIB),
                (PRI, SEC, SPE, ALL),
                groups=("sen-and-disabilities", "underachieving-groups"),
                sen=("mld", "spld", "besd", "slcn"),
                delivery=(ONSITE, COACH, NETWORK),
                unit="programme",
            ),
            T(
                "np-inclusion-online",
                (INC,),
                ("Inclusion for All: online modules on dyslexia, autism and SLCN",),
                (
                    "Free online training modules for teachers and teaching assistants on dyslexia, autism and speech, language and communication needs.",
                ),
                (
                    "Each module takes about two hours and can be used for whole-staff training.",
                    "Modules include classroom video, self-assessment and reading.",
                ),
                (ENJOY,),
                (EYR, PRI, SEC, SPE),
                groups=("sen-and-disabilities",),
                sen=("spld", "asd", "slcn"),
                delivery=(ONLINE,),
                unit="programme",
            ),
        ),
    ),
    (
        "Gifted Futures Programme",
        (
            T(
                "np-gifted",
                (INC, CS),
                ("Gifted Futures: summer schools and masterclasses",),
                (
                    "Summer schools, masterclasses and online challenges for gifted and talented pupils aged 11 to 19, with places reserved for pupils on free school meals.",
                ),
                (
                    "Masterclasses are run by university departments and specialist schools.",
                    "Schools nominate pupils and receive a report on their participation.",
                ),
                (ENJOY, ECON),
                (SEC, P16, ALL),
                groups=("gifted-and-talented", "free-school-meals", "bme"),
                delivery=(COURSE, ONLINE),
                unit="programme",
            ),
        ),
    ),
    (
        "Better Attendance Partnership Programme",
        (
            T(
                "np-attendance",
                (BAS,),
                ("Better Attendance: persistent absence programme",),
                (
                    "A funded programme for secondary schools with high persistent absence, providing an attendance adviser and data tools.",
                ),
                (
                    "An adviser helps the school target persistent absentees and set up first-day contact.",
                    "Schools use the programme's data tool to spot patterns early.",
                    "Schools share practice at regional network meetings.",
                ),
                (ENJOY, SAFE),
                (SEC, ALL, PRU),
                groups=("free-school-meals", "underachieving-groups"),
                delivery=(ONSITE, NETWORK),
                unit="programme",
            ),
        ),
    ),
    (
        "National Governor Development Programme",
        (
            T(
                "np-governors",
                (GOV,),
                ("Chairs of governors' leadership development",),
                (
                    "A funded development programme for chairs and vice-chairs of governors on leading the board and challenging the head.",
                ),
                (
                    "Three face-to-face days are combined with online learning.",
                    "Participants complete a review of their own governing body.",
                    "The programme is delivered regionally by accredited facilitators.",
                ),
                (CONTRIB,),
                (PRI, SEC, SPE, PRU, ALL, EYR),
                delivery=(COURSE, ONLINE),
                unit="programme",
            ),
        ),
    ),
    (
        "Healthy Schools Plus Programme",
        (
            T(
                "np-healthy",
                (ECM,),
                ("Healthy Schools Plus: targeted health outcomes",),
                (
                    "Support for schools that already hold Healthy Schools status to target a specific health outcome such as obesity or emotional health.",
                ),
                (
                    "Schools choose an outcome using local health data and pupil surveys.",
                    "Local coordinators support schools to plan and measure the work.",
                ),
                (HEALTHY, SAFE),
                (PRI, SEC, SPE, PRU),
                groups=("free-school-meals",),
                delivery=(ONSITE, NETWORK),
                unit="programme",
            ),
        ),
    ),
    (
        "Secondary Catch-up Partnership",
        (
            T(
                "np-catch-up",
                (CS, INC),
                ("Catch-up in Year 7: literacy and numeracy",),
                (
                    "A funded programme for Year 7 pupils who arrive below the expected standard in English or mathematics, with small-group teaching and progress checks.",
                ),
                (
                    "Pupils are assessed in the first weeks of Year 7.",
                    "Trained staff teach small groups three times a week.",
                    "Schools receive a termly progress report.",
                ),
                (ENJOY,),
                (SEC, ALL),
                groups=("underachieving-groups", "free-school-meals", "boys-achievement"),
                delivery=(COURSE, ONSITE),
                unit="programme",
            ),
        ),
    ),
    (
        "Futures at Work Programme",
        (
            T(
                "np-futures",
                (ECM, CS),
                ("Futures at Work: enterprise and employability for 14-19",),
                (
                    "A national programme linking schools and colleges with employers for work experience, mentoring and enterprise challenges.",
                ),
                (
                    "Employers mentor young people at risk of becoming NEET.",
                    "Schools receive enterprise challenge packs for KS4 and post-16.",
                    "A coordinator helps arrange work placements.",
                ),
                (ECON, CONTRIB),
                (SEC, P16, PRU, SPE),
                groups=("underachieving-groups", "children-in-care"),
                delivery=(NETWORK, ONSITE, DOWNLOAD),
                unit="programme",
            ),
        ),
    ),
)

FREE_RESOURCES: tuple[tuple[str, tuple[ListingTemplate, ...]], ...] = (
    (
        "Phonics Planning Toolkit",
        (
            T(
                "fr-phonics",
                (CS, EY),
                ("Phonics planning toolkit for EYFS and KS1",),
                (
                    "Free downloadable daily phonics plans, assessment grids and decodable word lists for each phase.",
                ),
                (
                    "Plans follow the sequence of phases used by most schools, with a review, teach, practise, apply structure.",
                    "An assessment grid helps teachers regroup children every half term.",
                ),
                (ENJOY,),
                (EYR, PRI),
                groups=("boys-achievement", "eal"),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
    (
        "SEF Writing Companion",
        (
            T(
                "fr-sef",
                (LM, AD),
                ("SEF writing companion: evidence prompts for each section",),
                (
                    "A free guide with prompts, evidence checklists and examples for writing a concise self-evaluation form.",
                ),
                (
                    "Each SEF section has questions to answer, evidence to gather and common pitfalls.",
                    "Worked examples show how to write evaluatively rather than descriptively.",
                ),
                (ENJOY,),
                (PRI, SEC, SPE, PRU, ALL),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
    (
        "Governors' Data Handbook",
        (
            T(
                "fr-governor-data",
                (GOV, AD),
                ("Governors' guide to school data",),
                (
                    "A free handbook explaining RAISEonline, CVA and school tracking for governors, with the questions to ask.",
                ),
                (
                    "Written in plain English for governors without an education background.",
                    "Includes a glossary of common acronyms.",
                ),
                (ENJOY,),
                (PRI, SEC, SPE, ALL),
                delivery=(DOWNLOAD, ONLINE),
            ),
        ),
    ),
    (
        "APP Moderation Library",
        (
            T(
                "fr-app",
                (AD,),
                ("APP standards files: annotated writing and maths",),
                (
                    "Free annotated pupils' work at each level, for APP moderation in reading, writing and mathematics.",
                ),
                (
                    "Each piece of work shows the assessment criteria met and the next steps.",
                    "Schools use the files in staff meetings and cross-school moderation.",
                ),
                (ENJOY,),
                (PRI, SEC),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
    (
        "EAL Starter Kit",
        (
            T(
                "fr-eal",
                (INC,),
                ("EAL starter kit for new arrivals",),
                (
                    "A free pack of visual resources, first-language greetings and assessment forms for welcoming pupils new to English.",
                ),
                (
                    "The kit includes picture dictionaries and a survival phrases sheet in 20 languages.",
                    "A simple assessment form helps staff record what a new arrival can do in English.",
                ),
                (ENJOY, CONTRIB),
                (EYR, PRI, SEC),
                groups=("eal", "bme"),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
    (
        "School Attendance Toolkit",
        (
            T(
                "fr-attendance",
                (BAS,),
                ("Attendance toolkit: letters, panels and rewards",),
                (
                    "Free template letters, attendance panel scripts and ideas for rewards, with a spreadsheet for tracking persistent absence.",
                ),
                (
                    "Template letters are written in a supportive tone.",
                    "The spreadsheet highlights pupils approaching the persistent absence threshold.",
                ),
                (ENJOY, SAFE),
                (PRI, SEC, PRU, ALL),
                groups=("free-school-meals",),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
    (
        "ECM Outcomes Audit Tool",
        (
            T(
                "fr-ecm",
                (ECM, LM),
                ("Every Child Matters outcomes audit",),
                (
                    "A free self-review tool for mapping the school's provision against the five ECM outcomes.",
                ),
                (
                    "The tool produces a summary for the SEF section on personal development and well-being.",
                    "It can be completed by staff, governors and pupils.",
                ),
                (HEALTHY, SAFE, ENJOY, CONTRIB, ECON),
                (PRI, SEC, SPE, PRU, ALL),
                delivery=(DOWNLOAD, ONLINE),
            ),
        ),
    ),
    (
        "Safeguarding Induction Pack",
        (
            T(
                "fr-safeguarding",
                (BAS,),
                ("Safeguarding induction for new staff and volunteers",),
                (
                    "A free induction pack and short online course on safeguarding for new staff, supply teachers and volunteers.",
                ),
                (
                    "Covers signs of abuse, reporting concerns and keeping safe professional boundaries.",
                    "Schools add their own designated senior person's details.",
                ),
                (SAFE,),
                (EYR, PRI, SEC, SPE, PRU, P16, ALL),
                delivery=(DOWNLOAD, ONLINE),
            ),
        ),
    ),
    (
        "Boys' Writing Resource Bank",
        (
            T(
                "fr-boys-writing",
                (CS,),
                ("Writing units that engage boys",),
                ("Free KS2 writing units built around film, real events and non-fiction.",),
                (
                    "Each unit includes a model text, success criteria and a drama starter.",
                    "Units were written by teachers and tested in classes.",
                ),
                (ENJOY,),
                (PRI,),
                groups=("boys-achievement",),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
    (
        "Moving Up Transition Toolkit",
        (
            T(
                "fr-transition",
                (PSS, ECM),
                ("Year 6 to 7 transition toolkit",),
                (
                    "Free bridging units, pupil passports and a transition timeline for primary and secondary schools.",
                ),
                (
                    "Pupil passports are designed with pupils with SEN in mind.",
                    "Bridging units start in Year 6 and finish in Year 7.",
                ),
                (ENJOY, SAFE),
                (PRI, SEC),
                groups=("sen-and-disabilities", "children-in-care"),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
    (
        "Maths Misconceptions Library",
        (
            T(
                "fr-maths",
                (CS, TL),
                ("Common misconceptions in mathematics",),
                (
                    "A free online library of common misconceptions in number, with diagnostic questions and teaching activities.",
                ),
                (
                    "Each misconception has a short diagnostic question.",
                    "Teaching activities use models and images.",
                ),
                (ENJOY,),
                (PRI, SEC),
                groups=("underachieving-groups",),
                delivery=(ONLINE, DOWNLOAD),
            ),
        ),
    ),
    (
        "Sensory Learning Ideas Bank",
        (
            T(
                "fr-sensory",
                (INC,),
                ("Sensory stories and activities for pupils with PMLD",),
                (
                    "Free sensory stories, intensive interaction guidance and activity cards for pupils with PMLD, SLD and multi-sensory impairment.",
                ),
                (
                    "Written by special school teachers.",
                    "Each activity lists the sensory equipment needed.",
                ),
                (ENJOY, HEALTHY),
                (SPE,),
                groups=("sen-and-disabilities",),
                sen=("pmld", "sld", "msi", "vi", "hi", "pd"),
                delivery=(DOWNLOAD,),
            ),
        ),
    ),
)
