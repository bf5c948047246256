"""Hand-written listing templates: real content per area of support, with variants.

Facet values here are taxonomy slugs (broker/taxonomy.py); the builders turn them into labels.
A template offers several titles and summaries and a pool of description sentences, so two
providers offering the same kind of service read differently.
"""

from __future__ import annotations

from dataclasses import dataclass

LM = "leadership-and-management"
TL = "teaching-and-learning"
CS = "curriculum-and-subject-support"
AD = "assessment-data-and-target-setting"
INC = "inclusion-sen-and-vulnerable-groups"
BAS = "behaviour-attendance-and-safeguarding"
GOV = "governance"
EY = "early-years"
PSS = "partnerships-and-school-to-school-support"
ECM = "every-child-matters-and-wider-services"

AREAS = (LM, TL, CS, AD, INC, BAS, GOV, EY, PSS, ECM)

HEALTHY, SAFE, ENJOY, CONTRIB, ECON = (
    "be-healthy",
    "stay-safe",
    "enjoy-and-achieve",
    "make-a-positive-contribution",
    "achieve-economic-well-being",
)

PRI, SEC, SPE, PRU, P16, ALL, EYR = (
    "primary",
    "secondary",
    "special",
    "pru",
    "post-16",
    "all-through",
    "early-years",
)
MAINSTREAM = (PRI, SEC, ALL)

ONSITE, COURSE, COACH, S2S, NETWORK, ONLINE, DOWNLOAD = (
    "on-site-consultancy",
    "training-course-cpd",
    "coaching-or-mentoring",
    "school-to-school-partnership",
    "network",
    "online-remote",
    "downloadable-resource",
)

#: Provider kinds that offer general services (national programmes and free resources have their own).
GENERAL_KINDS = (
    "independent-consultant",
    "company",
    "charity-or-voluntary-body",
    "la-service",
    "childrens-services-team",
    "school-to-school",
)


@dataclass(frozen=True)
class ListingTemplate:
    """One kind of service, with wording variants and its facets (as slugs)."""

    key: str
    areas: tuple[str, ...]
    titles: tuple[str, ...]
    summaries: tuple[str, ...]
    body: tuple[str, ...]
    ecm: tuple[str, ...]
    phases: tuple[str, ...]
    groups: tuple[str, ...] = ()
    sen: tuple[str, ...] = ()
    delivery: tuple[str, ...] = (ONSITE,)
    #: How a paid version is priced: day, course (in school), place (one-day course), delegate, programme, term.
    unit: str = "day"
    #: Which provider kinds plausibly offer it; empty means any general kind.
    kinds: tuple[str, ...] = ()


T = ListingTemplate

TEMPLATES: tuple[ListingTemplate, ...] = (
    # --- Leadership and Management ------------------------------------------------------
    T(
        "leadership-review",
        (LM, AD),
        (
            "Leadership review and SEF challenge",
            "External review of leadership and management",
            "SEF validation and leadership review",
        ),
        (
            "A two-day external review of leadership at all levels that tests the school's self-evaluation (SEF) against the evidence.",
            "An experienced reviewer tests your SEF judgements against lessons, pupils' work and data, then reports to the head and governors.",
        ),
        (
            "The review looks at how well leaders at every level know the school: joint lesson observations with senior leaders, a scrutiny of pupils' work and a close reading of RAISEonline and the school's own tracking.",
            "It ends with a short written report setting out strengths, the two or three priorities that matter most, and whether the SEF grades are secure.",
            "Many schools use it in the term before an expected Ofsted inspection or when a new headteacher takes up post.",
            "The chair of governors is invited to the feedback meeting so that governors hear the findings first-hand.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE),
        delivery=(ONSITE,),
    ),
    T(
        "new-head-coaching",
        (LM,),
        (
            "Coaching for new and acting headteachers",
            "First-year headship coaching",
            "Headteacher coaching and supervision",
        ),
        (
            "Confidential one-to-one coaching for heads in their first two years, or acting heads steering a school through change.",
            "Half-termly coaching with an experienced former headteacher, focused on the decisions you are facing now.",
        ),
        (
            "Sessions are held in school or by phone and follow the head's own agenda: staffing, budget, difficult conversations, working with the SIP and with governors.",
            "The coach is a former headteacher trained in solution-focused coaching and sits outside the school's accountability line.",
            "Most heads take six sessions across the year; some continue into a second year as the school's priorities change.",
            "Nothing discussed is reported to the LA or the governing body without the head's agreement.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, PRU, ALL, EYR),
        delivery=(COACH, ONLINE),
        unit="programme",
    ),
    T(
        "middle-leaders",
        (LM, TL),
        (
            "Middle leaders development programme",
            "Leading from the middle: subject and phase leaders",
            "Developing effective subject leaders",
        ),
        (
            "A five-session course for subject, phase and key stage leaders on monitoring, leading change and holding colleagues to account.",
            "Helps middle leaders move from managing resources to leading improvement in their team.",
        ),
        (
            "Participants carry out a small improvement project in their own school between sessions and present its impact at the final session.",
            "Sessions cover lesson observation and feedback, book scrutiny, using data to challenge underperformance and writing a realistic action plan.",
            "Schools often send a pair of leaders so that the work carries on after the course ends.",
            "Each participant has a half-day visit from the course tutor to see the project in action.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL),
        delivery=(COURSE, COACH),
        unit="delegate",
    ),
    T(
        "improvement-planning",
        (LM, AD),
        (
            "Writing a sharper school improvement plan",
            "School development planning support",
            "From SEF to school improvement plan",
        ),
        (
            "Support to turn your self-evaluation into a short plan with measurable success criteria, costed actions and clear monitoring.",
            "Helps senior leaders cut a long development plan down to the few priorities that will move attainment.",
        ),
        (
            "We work alongside the head and senior team over two or three meetings, starting from the SEF and the priorities agreed with the SIP.",
            "Success criteria are written in terms of pupils' outcomes rather than activities, with interim milestones each term.",
            "Governors receive a one-page summary they can use to monitor progress at every full governing body meeting.",
            "The finished plan links each action to the budget and to the staff responsible.",
        ),
        (ENJOY, ECON),
        (PRI, SEC, SPE, PRU, ALL),
        delivery=(ONSITE,),
    ),
    T(
        "schools-causing-concern",
        (LM, PSS),
        (
            "Intensive support for schools in an Ofsted category",
            "Rapid improvement support after a notice to improve",
            "Support for schools in special measures",
        ),
        (
            "Hands-on support for schools judged inadequate or given a notice to improve, from the action plan to the monitoring visits.",
            "Experienced leaders work alongside the head and governors to secure rapid, visible improvement before the first HMI monitoring visit.",
        ),
        (
            "Support starts with a joint review of the inspection report and the LA statement of action, so that the school's plan answers every key issue.",
            "Consultants spend up to two days a week in school during the first term, modelling lesson observation, data analysis and pupil progress meetings.",
            "We prepare leaders and governors for HMI monitoring visits, including mock visits with feedback.",
            "Support reduces term by term as the school's own leaders take over.",
        ),
        (ENJOY, SAFE),
        (PRI, SEC, SPE, PRU),
        groups=("underachieving-groups",),
        delivery=(ONSITE, COACH),
        unit="day",
        kinds=("independent-consultant", "company", "la-service", "school-to-school"),
    ),
    T(
        "slt-development",
        (LM,),
        (
            "Senior leadership team development",
            "Building a high-performing senior team",
            "SLT away day facilitation",
        ),
        (
            "Facilitated days for senior leadership teams on roles, line management and working together on the school's priorities.",
            "A structured look at how your senior team divides its work, makes decisions and holds itself to account.",
        ),
        (
            "Each member completes a short questionnaire beforehand, and the day builds on the results.",
            "Teams leave with a revised distribution of responsibilities and an agreed way of monitoring the improvement plan together.",
            "A follow-up half day a term later checks what has changed.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "performance-management",
        (LM,),
        (
            "Performance management and appraisal for leaders",
            "Setting sharper performance management objectives",
            "Managing underperformance and capability",
        ),
        (
            "Training for heads and senior leaders on setting objectives linked to pupils' progress and handling underperformance fairly.",
            "Practical advice on performance management cycles, capability procedures and keeping good records.",
        ),
        (
            "The session works through real (anonymised) cases, from an informal support plan to the formal capability stage.",
            "Leaders learn to write objectives that can be measured against pupils' progress without becoming mechanical.",
            "Our HR adviser joins the session to answer questions on procedure and union consultation.",
        ),
        (ENJOY, ECON),
        (PRI, SEC, SPE, PRU, ALL),
        delivery=(COURSE, ONSITE),
        unit="course",
    ),
    T(
        "aspiring-heads",
        (LM,),
        (
            "Preparing deputies for headship",
            "Aspiring headteachers programme",
            "Deputy and assistant head development",
        ),
        (
            "A year-long programme for deputies and assistant heads thinking about headship, alongside or before NPQH.",
            "Placement, coaching and shadowing for senior leaders who want to become headteachers.",
        ),
        (
            "Participants spend five days in a contrasting school led by a National or Local Leader of Education.",
            "Monthly twilight sessions cover finance, governance, the single conversation with the SIP and leading an inspection.",
            "Each participant has a serving headteacher as mentor for the whole year.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE),
        delivery=(COURSE, COACH, S2S),
        unit="programme",
    ),
    T(
        "finance-review",
        (LM,),
        (
            "School finance and value for money review",
            "Budget planning support for heads and bursars",
            "School business management support",
        ),
        (
            "A review of the school's budget, staffing structure and spending against similar schools, with practical savings.",
            "Support for heads and school business managers with three-year budget planning and the Financial Management Standard in Schools.",
        ),
        (
            "We benchmark spending against similar schools and look at staffing costs, contracts and the use of grants such as the School Development Grant.",
            "The report sets out options with their costs and risks, ready for the finance committee.",
            "Schools with a deficit budget receive a recovery plan agreed with the LA finance team.",
        ),
        (ECON,),
        (PRI, SEC, SPE, PRU, ALL, EYR),
        delivery=(ONSITE,),
        kinds=("independent-consultant", "company", "la-service"),
    ),
    # --- Teaching and Learning ----------------------------------------------------------
    T(
        "joint-observation",
        (TL, LM),
        (
            "Joint lesson observation and moderation",
            "Quality of teaching review",
            "Moderating lesson observation judgements",
        ),
        (
            "Joint observations with senior leaders to check that the school's judgements of teaching match Ofsted's criteria.",
            "A two-day review of teaching and learning across the school, observing alongside leaders and moderating their grades.",
        ),
        (
            "Observations are followed by joint feedback, so leaders practise giving developmental feedback that teachers can act on.",
            "We look at pupils' books and talk to pupils as well as watching lessons, to judge learning over time rather than a single performance.",
            "The school receives a profile of teaching across the school and a list of strengths to share.",
            "Many schools repeat the review each year to check progress against the SEF.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE, PRU),
        delivery=(ONSITE,),
    ),
    T(
        "afl",
        (TL, AD),
        (
            "Assessment for learning in every classroom",
            "Assessment for learning (AfL) training",
            "Feedback and marking that moves learning on",
        ),
        (
            "Whole-staff training and follow-up on learning objectives, success criteria, questioning and marking that pupils act on.",
            "Practical AfL training that changes what happens in lessons, with coaching visits afterwards.",
        ),
        (
            "The programme starts with a staff meeting and continues with classroom visits where the trainer team-teaches alongside staff.",
            "Pupils are taught to use success criteria to assess their own and each other's work.",
            "A marking policy is drafted with staff so that feedback is consistent across the school.",
            "Teaching assistants are included, as they give much of the feedback pupils receive.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE),
        delivery=(COURSE, ONSITE),
        unit="day",
    ),
    T(
        "satisfactory-to-good",
        (TL,),
        (
            "From satisfactory to good: teacher development programme",
            "Improving teacher programme",
            "Moving teaching from satisfactory to good",
        ),
        (
            "A six-session programme for teachers whose lessons are judged satisfactory, with in-school coaching between sessions.",
            "Helps teachers plan pacier, better-matched lessons that move every group of pupils on.",
        ),
        (
            "Teachers observe good lessons, plan together and try one change at a time in their own classes.",
            "A coach from the school attends with each teacher and supports them between sessions.",
            "The programme ends with an observed lesson and a review of pupils' progress in the teacher's class.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL),
        groups=("underachieving-groups",),
        delivery=(COURSE, COACH),
        unit="delegate",
    ),
    T(
        "outstanding-teacher",
        (TL,),
        (
            "Outstanding teacher programme",
            "Good to outstanding: teaching that inspires",
            "Developing outstanding teaching",
        ),
        (
            "For good teachers ready to become outstanding: challenge, questioning and independent learning.",
            "A programme for strong teachers who will go on to coach colleagues in their own school.",
        ),
        (
            "Sessions are held in a school where outstanding lessons can be watched live.",
            "Participants film a lesson and analyse it with a coach against the outstanding criteria.",
            "Graduates of the programme often become lead practitioners or Advanced Skills Teachers.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL),
        groups=("gifted-and-talented",),
        delivery=(COURSE, S2S),
        unit="delegate",
    ),
    T(
        "peer-coaching",
        (TL, LM),
        (
            "Setting up peer coaching in your school",
            "In-school coaching for teachers",
            "Coaching skills for teaching staff",
        ),
        (
            "Trains a group of staff as coaches and helps leaders set up a coaching programme that lasts.",
            "Builds a coaching culture so that teachers improve each other's practice without top-down observation.",
        ),
        (
            "Two training days are followed by supervised coaching in school over a term.",
            "Leaders get help with timetabling, protecting coaching time and evaluating the impact on teaching.",
            "Coaches learn to use video and pupil work, not just observation notes.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE),
        delivery=(COURSE, COACH),
    ),
    T(
        "personalised-learning",
        (TL, INC),
        (
            "Personalised learning and differentiation",
            "Planning for every learner",
            "Challenge for all: differentiation that works",
        ),
        (
            "Helps teachers match work to pupils' needs, from those with SEN to the gifted and talented, without triple planning.",
            "Practical strategies for mixed-ability classes so that the most and least able both make good progress.",
        ),
        (
            "We look at a sample of lesson plans and books before the training so that it addresses the school's real practice.",
            "Teachers leave with strategies for grouping, questioning and open-ended tasks they can use the next day.",
            "A follow-up visit looks at how the ideas have been taken up in lessons.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL),
        groups=("sen-and-disabilities", "gifted-and-talented", "underachieving-groups"),
        delivery=(COURSE, ONSITE),
    ),
    T(
        "nqt-induction",
        (TL,),
        (
            "Support for newly qualified teachers",
            "NQT induction programme",
            "Induction tutor training and NQT support",
        ),
        (
            "A termly programme for NQTs and their induction tutors, covering behaviour, planning, assessment and working with parents.",
            "Central training for NQTs plus a visit to observe each NQT with their induction tutor.",
        ),
        (
            "NQTs meet colleagues from other schools, which many find the most valuable part.",
            "Induction tutors are trained to observe, set targets and write the termly assessment reports.",
            "Where an NQT is at risk of failing induction, we provide additional support and an external view.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, ALL),
        delivery=(COURSE, NETWORK),
        unit="delegate",
        kinds=("la-service", "school-to-school", "company"),
    ),
    T(
        "teaching-assistants",
        (TL, INC),
        (
            "Deploying teaching assistants effectively",
            "Training for teaching assistants",
            "Making the most of support staff",
        ),
        (
            "Training for teaching assistants and the teachers who work with them, so that adult support increases pupils' independence.",
            "Helps leaders review how teaching assistants are deployed and trains TAs to run well-evidenced interventions.",
        ),
        (
            "The review starts with a day observing TAs in lessons and interventions.",
            "TAs learn questioning and scaffolding techniques that avoid doing the work for the pupil.",
            "Teachers and TAs plan together in the second session, so the changes reach the classroom.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, ALL),
        groups=("sen-and-disabilities",),
        delivery=(COURSE, ONSITE),
        unit="course",
    ),
    # --- Curriculum and Subject Support -------------------------------------------------
    T(
        "phonics",
        (CS, EY),
        (
            "Phonics audit and Letters and Sounds training",
            "Systematic synthetic phonics in EYFS and KS1",
            "Phonics: from audit to daily practice",
        ),
        (
            "An audit of phonics teaching in Reception and KS1, training for all staff and follow-up coaching so that every child gets a daily, well-paced session.",
            "Training and coaching to make daily phonics sessions consistent, fast-paced and matched to children's phase.",
        ),
        (
            "The audit includes observing sessions, checking the tracking of phonic phases and listening to children read.",
            "Training covers blending and segmenting, the pace of a good session and matching reading books to the phonics children know.",
            "Teaching assistants who run catch-up groups are trained alongside teachers.",
            "A return visit half a term later checks that practice is consistent across classes.",
        ),
        (ENJOY,),
        (EYR, PRI, SPE),
        groups=("boys-achievement", "free-school-meals", "eal"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "ks2-reading",
        (CS,),
        (
            "Guided reading and comprehension in KS2",
            "Raising attainment in KS2 reading",
            "Reading for meaning: inference and comprehension",
        ),
        (
            "Training and in-class support to sharpen guided reading, so that more pupils reach the expected standard at the end of KS2.",
            "Focuses on inference, deduction and reading stamina for pupils in Years 3 to 6.",
        ),
        (
            "We analyse the school's test papers and teacher assessments to find the reading skills pupils struggle with.",
            "Teachers plan guided reading sessions that teach comprehension explicitly rather than just hearing pupils read.",
            "A book audit makes sure classes have high-quality texts that boys choose to read.",
            "Progress is checked with a short assessment at the start and the end of the term.",
        ),
        (ENJOY,),
        (PRI,),
        groups=("boys-achievement", "eal", "underachieving-groups"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "boys-writing",
        (CS, INC),
        (
            "Boys' writing: raising attainment in KS2",
            "Talk for writing",
            "Closing the gap in writing",
        ),
        (
            "Helps schools close the gap between boys' and girls' writing through talk, drama and real purposes for writing.",
            "Practical teaching sequences that take pupils from oral rehearsal to independent extended writing.",
        ),
        (
            "Teachers learn to use storytelling, role play and shared writing to build the language pupils need before they write.",
            "Each class works on a unit of writing with the consultant, from immersion to a published piece.",
            "Moderation of writing at the end shows staff the progress made against APP criteria.",
        ),
        (ENJOY,),
        (PRI, SEC),
        groups=("boys-achievement", "underachieving-groups"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "primary-maths",
        (CS,),
        (
            "Primary mathematics: calculation and problem solving",
            "Numeracy subject leader support",
            "Raising attainment in primary maths",
        ),
        (
            "Support for mathematics subject leaders and teachers on mental calculation, written methods and using and applying.",
            "An audit of maths teaching and a calculation policy that builds from Reception to Year 6.",
        ),
        (
            "The work begins with an analysis of test outcomes and a sample of books to find where progress stalls.",
            "Staff training covers models and images, progression in calculation and problem-solving lessons.",
            "The subject leader is coached to monitor numeracy and lead staff meetings.",
            "Parents' workshops explain the school's calculation methods so that homework helps.",
        ),
        (ENJOY, ECON),
        (PRI, EYR),
        groups=("underachieving-groups", "free-school-meals"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "secondary-maths",
        (CS, AD),
        (
            "KS3 and GCSE mathematics: closing the C/D borderline gap",
            "Mathematics department review",
            "Secondary maths: from KS3 to GCSE",
        ),
        (
            "A review of the mathematics department and intervention for pupils at the C/D borderline, with work on KS3 so fewer need it.",
            "Support for heads of maths on schemes of work, consistent teaching and targeted GCSE intervention.",
        ),
        (
            "We observe lessons, scrutinise books and interview pupils before agreeing priorities with the head of department.",
            "Revision sessions and mock-paper analysis target the topics where marks are lost.",
            "KS3 schemes of work are revised to secure number skills and reduce the need for Year 11 catch-up.",
        ),
        (ENJOY, ECON),
        (SEC, ALL, P16),
        groups=("underachieving-groups", "boys-achievement", "free-school-meals"),
        delivery=(ONSITE, COACH),
    ),
    T(
        "science",
        (CS,),
        (
            "Science investigations and practical work",
            "Science subject review",
            "Working scientifically: enquiry skills",
        ),
        (
            "Support for science leaders and teachers to put investigation and practical enquiry back at the heart of science lessons.",
            "A review of science provision with training on investigative skills and assessment.",
        ),
        (
            "Teachers take part in practical investigations they can use in class the following week.",
            "The science leader receives an action plan and resource audit.",
            "Progression in enquiry skills is mapped so that each year group builds on the last.",
        ),
        (ENJOY, HEALTHY),
        (PRI, SEC, ALL),
        groups=("gifted-and-talented", "boys-achievement"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "ict",
        (CS, TL),
        (
            "ICT across the curriculum",
            "Learning platforms and interactive whiteboards",
            "ICT subject leadership and the Self-review Framework",
        ),
        (
            "Helps schools use ICT to improve learning across subjects, not only in ICT lessons.",
            "Training on learning platforms, interactive whiteboards and ICT capability, linked to the Self-review Framework.",
        ),
        (
            "Staff work on short projects that combine ICT with literacy, numeracy and science.",
            "We help the ICT leader write an ICT development plan and assess pupils' ICT capability.",
            "Sessions can be delivered online for staff who cannot leave school.",
        ),
        (ENJOY, ECON),
        (PRI, SEC, SPE, ALL),
        delivery=(COURSE, ONLINE, ONSITE),
        unit="course",
    ),
    T(
        "fourteen-nineteen",
        (CS, ECM),
        (
            "14-19 pathways and Diplomas",
            "Vocational pathways and work-related learning at 14-19",
            "Planning a 14-19 curriculum",
        ),
        (
            "Support for secondary schools and colleges planning 14-19 pathways, Diplomas and vocational courses that keep young people engaged.",
            "Helps schools broaden the KS4 and post-16 offer with partners, so that more young people stay in learning.",
        ),
        (
            "We help schools analyse the destinations of their leavers and plan courses that lead somewhere.",
            "The work includes joint timetabling with partner schools, colleges and employers.",
            "Pupils at risk of becoming NEET are identified early and offered work-related courses.",
        ),
        (ECON, CONTRIB),
        (SEC, P16, PRU, SPE),
        groups=("underachieving-groups", "boys-achievement"),
        delivery=(ONSITE, NETWORK),
    ),
    T(
        "secondary-english",
        (CS,),
        (
            "English department review and KS4 English support",
            "Raising attainment in GCSE English",
            "KS3 English: reading and writing",
        ),
        (
            "A department review with follow-up training for English teachers, focused on reading analysis and extended writing.",
            "Support for heads of English on consistent assessment, controlled assessment and intervention.",
        ),
        (
            "We moderate a sample of coursework and controlled assessment with the department.",
            "Teachers plan together for reading analysis that all pupils can access.",
            "Pupils targeted for intervention work in small groups with a clear focus.",
        ),
        (ENJOY,),
        (SEC, ALL, P16),
        groups=("boys-achievement", "eal"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "primary-languages",
        (CS,),
        (
            "Primary languages (MFL) in KS2",
            "Introducing a modern foreign language in KS2",
        ),
        (
            "Training and resources for primary teachers introducing French or Spanish in KS2, including those with little language themselves.",
            "Helps schools plan a four-year KS2 languages scheme with games, songs and stories.",
        ),
        (
            "Sessions build teachers' own language and pronunciation as well as teaching methods.",
            "Schools receive planning for each year group and ideas for links with schools abroad.",
        ),
        (ENJOY, CONTRIB),
        (PRI,),
        groups=("eal",),
        delivery=(COURSE, DOWNLOAD),
        unit="course",
    ),
    T(
        "arts-music",
        (CS, ECM),
        (
            "Music, art and drama across the curriculum",
            "Creative curriculum development",
            "Whole-class instrumental and creative arts",
        ),
        (
            "Artists and music specialists work with staff to plan a creative curriculum that engages reluctant learners.",
            "Creative projects that link the arts to literacy and build pupils' confidence.",
        ),
        (
            "Each project ends with a performance or exhibition for parents.",
            "Teachers are trained alongside the artists so that the approach continues after the project.",
            "Schools often use the project to work towards Artsmark.",
        ),
        (ENJOY, CONTRIB),
        (PRI, SEC, SPE, ALL),
        groups=("boys-achievement", "gifted-and-talented"),
        delivery=(ONSITE, S2S),
    ),
    T(
        "pe-sport",
        (CS, ECM),
        (
            "PE and school sport development",
            "High-quality PE and sport",
            "Physical education subject support",
        ),
        (
            "Support for PE subject leaders to raise the quality of PE teaching and increase participation in school sport.",
            "Training and team-teaching for primary staff who lack confidence in teaching PE.",
        ),
        (
            "Work towards the national target of two hours of high-quality PE and sport a week.",
            "Competition and club links are set up through the local School Sport Partnership.",
            "Less active pupils are targeted for lunchtime and after-school activity.",
        ),
        (HEALTHY, ENJOY),
        (PRI, SEC, SPE),
        delivery=(ONSITE, NETWORK),
    ),
    # --- Assessment, Data and Target Setting --------------------------------------------
    T(
        "raiseonline",
        (AD, LM),
        (
            "Using RAISEonline and data for school improvement",
            "Data analysis for senior leaders",
            "Understanding your school's data",
        ),
        (
            "Helps senior leaders read RAISEonline, Fischer Family Trust and their own tracking, so that the SEF tells a clear story.",
            "A data session for senior leaders that turns RAISEonline into a short list of questions to act on.",
        ),
        (
            "We look at CVA, the progress of different groups and the gaps between them.",
            "Leaders learn to spot where data and teachers' judgements disagree, and what to do about it.",
            "The session ends with a one-page data summary for governors and the SIP.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE),
        groups=("free-school-meals", "bme", "sen-and-disabilities"),
        delivery=(ONSITE, COURSE, ONLINE),
    ),
    T(
        "app",
        (AD, TL),
        (
            "Assessing Pupils' Progress (APP) training and moderation",
            "Embedding APP in reading, writing and maths",
            "APP moderation for teachers",
        ),
        (
            "Training in APP for reading, writing and mathematics, with moderation sessions so that teachers' judgements are secure.",
            "Helps schools embed APP as everyday assessment rather than a termly paperwork exercise.",
        ),
        (
            "Teachers bring samples of pupils' work to moderate together against the assessment guidelines.",
            "Leaders learn to use APP outcomes in pupil progress meetings.",
            "Cross-school moderation with a partner school makes judgements more reliable.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL),
        delivery=(COURSE, NETWORK),
    ),
    T(
        "target-setting",
        (AD,),
        (
            "Setting challenging targets using FFT and CVA",
            "Target setting that raises expectations",
            "Pupil-level target setting",
        ),
        (
            "Helps schools set challenging but realistic targets for every pupil using Fischer Family Trust estimates and contextual value added.",
            "Support for leaders in agreeing statutory targets with governors and the SIP.",
        ),
        (
            "We compare the school's targets with FFT estimates and the progress of similar schools.",
            "Teachers learn to share targets with pupils in a way that motivates them.",
            "Targets are linked to the intervention plan so that the gap is closed in time.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL),
        groups=("underachieving-groups", "gifted-and-talented"),
        delivery=(ONSITE,),
    ),
    T(
        "tracking",
        (AD,),
        (
            "Pupil tracking: setting up a system that works",
            "Tracking pupils' progress across the school",
            "Assessment and tracking systems review",
        ),
        (
            "Support to set up or simplify a pupil tracking system so that leaders see who is falling behind each term.",
            "A review of the school's assessment calendar and tracking, with training for staff who enter and use the data.",
        ),
        (
            "We design the tracking around the questions leaders need to answer, not the software.",
            "Data entry is cut to the minimum, with clear points in the year when it is checked.",
            "Reports show the progress of groups such as FSM pupils, EAL pupils and children in care.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, PRU, ALL),
        groups=("free-school-meals", "children-in-care"),
        delivery=(ONSITE, ONLINE),
    ),
    T(
        "pupil-progress-meetings",
        (AD, LM),
        (
            "Pupil progress meetings that lead to action",
            "Running effective pupil progress meetings",
        ),
        (
            "Shows leaders how to run termly pupil progress meetings that end in named interventions for named pupils.",
            "Training and a model meeting cycle so that every teacher is accountable for the progress of their class.",
        ),
        (
            "The consultant leads the first round of meetings alongside the head or deputy.",
            "A simple record links each pupil's progress to the interventions they receive.",
            "The impact of interventions is checked at the next meeting, and unsuccessful ones are stopped.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, SPE),
        groups=("underachieving-groups",),
        delivery=(ONSITE, COACH),
    ),
    T(
        "p-scales",
        (AD, INC),
        (
            "P scales and small-steps assessment",
            "Assessing progress below level 1",
            "Measuring progress for pupils with SLD and PMLD",
        ),
        (
            "Training in P scales and moderation for special schools and mainstream SEN bases, so that small steps of progress are recorded reliably.",
            "Helps special schools show the progress of pupils working below national curriculum levels.",
        ),
        (
            "Staff moderate evidence together, including photographs and video of pupils' responses.",
            "We compare the school's progress data with national progression guidance.",
            "Leaders learn to present progress data for pupils with PMLD and SLD to governors and inspectors.",
        ),
        (ENJOY,),
        (SPE, PRI, PRU),
        groups=("sen-and-disabilities",),
        sen=("pmld", "sld", "mld"),
        delivery=(COURSE, NETWORK, S2S),
    ),
    # --- Inclusion, SEN and Vulnerable Groups -------------------------------------------
    T(
        "autism-outreach",
        (INC, PSS),
        (
            "Autism outreach to mainstream schools",
            "ASD outreach and training",
            "Including pupils on the autistic spectrum",
        ),
        (
            "Specialist advice and training for mainstream schools teaching pupils with autism (ASD), from diagnosis to transition.",
            "Outreach teachers visit to observe a pupil, advise staff and help set up a quieter, more predictable classroom.",
        ),
        (
            "Advice covers visual timetables, social stories, sensory needs and managing unstructured times.",
            "Whole-staff training helps everyone, including lunchtime staff, understand the pupil's needs.",
            "We support transition to secondary school with visits and a pupil passport.",
            "Parents are invited to a workshop on supporting their child at home.",
        ),
        (ENJOY, HEALTHY, SAFE),
        (PRI, SEC, EYR, ALL),
        groups=("sen-and-disabilities",),
        sen=("asd", "slcn"),
        delivery=(ONSITE, S2S, COURSE),
    ),
    T(
        "senco-network",
        (INC,),
        (
            "SENCO network and training",
            "Supporting the SENCO",
            "SEN coordinator development",
        ),
        (
            "Termly network meetings and training for SENCOs, with updates on SEN law, provision mapping and working with parents.",
            "Practical support for new and experienced SENCOs, including the national award for SEN coordination.",
        ),
        (
            "Each meeting covers a current issue, such as provision mapping, annual reviews or the Lamb Inquiry.",
            "New SENCOs receive a mentor from an experienced colleague.",
            "SENCOs share their provision maps and interventions with colleagues from similar schools.",
        ),
        (ENJOY, SAFE),
        (PRI, SEC, ALL, SPE),
        groups=("sen-and-disabilities",),
        sen=("mld", "spld", "slcn"),
        delivery=(NETWORK, COURSE),
        unit="term",
    ),
    T(
        "slcn",
        (INC, EY),
        (
            "Speech, language and communication needs in the classroom",
            "SLCN: supporting language in mainstream classes",
            "Talk-rich classrooms for pupils with SLCN",
        ),
        (
            "Speech and language therapists and advisory teachers help staff identify and support pupils with SLCN.",
            "Training on screening, vocabulary teaching and adapting classroom talk for pupils with speech, language and communication needs.",
        ),
        (
            "Staff learn to screen pupils and to tell language delay from a specific language impairment.",
            "Small-group language programmes are modelled and then handed over to teaching assistants.",
            "Visual supports and signing are introduced across the classroom.",
        ),
        (ENJOY, HEALTHY),
        (EYR, PRI, SPE),
        groups=("sen-and-disabilities", "eal"),
        sen=("slcn", "asd"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "hearing-impairment",
        (INC,),
        (
            "Advice for pupils with hearing impairment",
            "Teacher of the deaf advisory service",
        ),
        (
            "Qualified teachers of the deaf advise schools on teaching pupils with hearing impairment and on radio aids and acoustics.",
            "Specialist support for deaf and hearing-impaired pupils in mainstream schools, from the early years to post-16.",
        ),
        (
            "Visits include checking hearing aids and radio aids, and advice on seating and classroom acoustics.",
            "Staff are trained in deaf awareness and in checking that pupils have understood.",
            "Pupils can be taught signing and given pre-tutoring of new vocabulary.",
        ),
        (ENJOY, SAFE),
        (EYR, PRI, SEC, P16),
        groups=("sen-and-disabilities",),
        sen=("hi",),
        delivery=(ONSITE, COURSE),
        kinds=("la-service", "school-to-school", "charity-or-voluntary-body"),
    ),
    T(
        "visual-impairment",
        (INC,),
        (
            "Support for pupils with visual impairment",
            "Qualified teacher of visual impairment advice",
        ),
        (
            "Advice from qualified teachers of visual impairment (QTVI) on access to the curriculum, modified materials and mobility.",
            "Specialist teaching and advice for schools with pupils who are blind or partially sighted.",
        ),
        (
            "We assess the pupil's functional vision and recommend print size, lighting and equipment.",
            "Braille and touch-typing can be taught by our specialist teaching assistants.",
            "Staff receive training in making worksheets and tests accessible.",
        ),
        (ENJOY, SAFE),
        (EYR, PRI, SEC),
        groups=("sen-and-disabilities",),
        sen=("vi",),
        delivery=(ONSITE, COURSE),
        kinds=("la-service", "school-to-school", "charity-or-voluntary-body"),
    ),
    T(
        "multi-sensory",
        (INC,),
        (
            "Multi-sensory impairment and deafblind outreach",
            "Supporting pupils with MSI",
        ),
        (
            "Specialist outreach for pupils with multi-sensory impairment, including deafblind pupils, in special and mainstream schools.",
            "Advice on communication, mobility and a sensory curriculum for pupils with MSI and PMLD.",
        ),
        (
            "Our intervenors model communication methods such as objects of reference and on-body signing.",
            "We help staff plan a learning environment that reduces sensory overload.",
            "Families are supported at home as well as at school.",
        ),
        (HEALTHY, ENJOY, SAFE),
        (SPE, PRI, EYR),
        groups=("sen-and-disabilities",),
        sen=("msi", "pmld", "hi", "vi"),
        delivery=(ONSITE, S2S),
        kinds=("school-to-school", "charity-or-voluntary-body", "la-service"),
    ),
    T(
        "physical-disability",
        (INC, LM),
        (
            "Including pupils with physical disabilities",
            "Accessibility planning and physical disability advice",
        ),
        (
            "Advice on accessibility plans, adapted equipment and moving and handling, so that pupils with physical disabilities join in fully.",
            "Practical support for schools admitting a pupil with a physical disability or medical needs.",
        ),
        (
            "An occupational therapist and advisory teacher visit together to assess access to the building and the curriculum.",
            "Staff are trained in moving and handling and in intimate care procedures.",
            "We help the school write or update its accessibility plan under the Disability Discrimination Act.",
        ),
        (HEALTHY, SAFE, ENJOY),
        (PRI, SEC, EYR, SPE),
        groups=("sen-and-disabilities",),
        sen=("pd",),
        delivery=(ONSITE,),
        kinds=("la-service", "school-to-school", "charity-or-voluntary-body"),
    ),
    T(
        "dyslexia",
        (INC, CS),
        (
            "Dyslexia and specific learning difficulties (SpLD)",
            "Dyslexia-friendly schools",
            "Assessment and teaching for pupils with SpLD",
        ),
        (
            "Assessment, teaching programmes and whole-school training for pupils with dyslexia and other specific learning difficulties.",
            "Helps schools become dyslexia-friendly, with screening and structured literacy interventions.",
        ),
        (
            "Our specialist teachers assess pupils and write individual programmes for staff to follow.",
            "Whole-staff training covers marking, handouts and reading aloud in class.",
            "Access arrangements for tests and examinations are explained.",
        ),
        (ENJOY,),
        (PRI, SEC, ALL, P16),
        groups=("sen-and-disabilities", "boys-achievement"),
        sen=("spld", "mld"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "sld-pmld-curriculum",
        (INC, CS),
        (
            "Sensory curriculum for pupils with SLD and PMLD",
            "Teaching pupils with severe and profound learning difficulties",
        ),
        (
            "Support for special schools and resourced provision planning a sensory, communication-based curriculum for pupils with SLD and PMLD.",
            "Training on intensive interaction, sensory stories and communication aids.",
        ),
        (
            "Staff see the approach in action in our own classrooms before trying it in theirs.",
            "We help teams plan routines that build communication into every part of the day.",
            "Progress is recorded in small steps using P scales and video evidence.",
        ),
        (ENJOY, HEALTHY),
        (SPE, PRI),
        groups=("sen-and-disabilities",),
        sen=("sld", "pmld", "msi"),
        delivery=(S2S, COURSE, ONSITE),
        kinds=("school-to-school", "la-service", "independent-consultant"),
    ),
    T(
        "eal",
        (INC, CS),
        (
            "EAL: new arrivals and bilingual learners",
            "Supporting pupils with English as an additional language",
            "Induction for new arrivals with little English",
        ),
        (
            "Advice, training and bilingual support for schools with pupils learning English as an additional language, including new arrivals.",
            "Helps class teachers plan lessons that develop academic English while pupils learn the curriculum.",
        ),
        (
            "Bilingual assistants help assess new arrivals in their first language.",
            "Staff learn to plan for language as well as content in every subject.",
            "We set up an induction programme and buddy system for pupils arriving mid-year.",
            "Parents' meetings are held with interpreters so that families understand how the school works.",
        ),
        (ENJOY, CONTRIB),
        (EYR, PRI, SEC, ALL),
        groups=("eal", "bme"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "bme-achievement",
        (INC,),
        (
            "Raising the achievement of BME pupils",
            "Black pupils' achievement programme",
            "Minority ethnic achievement",
        ),
        (
            "Helps schools close the gap for underachieving black and minority ethnic pupils, using data, mentoring and work with families.",
            "A school-based programme to raise the attainment of Black Caribbean, Gypsy Roma and Traveller and other underachieving groups.",
        ),
        (
            "We start with an analysis of the attainment and exclusions of each ethnic group.",
            "Mentors from the community work with targeted pupils and their parents.",
            "The curriculum is reviewed so that pupils see their histories and cultures in it.",
        ),
        (ENJOY, CONTRIB),
        (PRI, SEC, ALL),
        groups=("bme", "underachieving-groups", "boys-achievement"),
        delivery=(ONSITE, COACH),
    ),
    T(
        "children-in-care",
        (INC, ECM),
        (
            "Children in care: personal education plans and designated teachers",
            "Raising the attainment of looked after children",
            "Support for designated teachers for children in care",
        ),
        (
            "Training and casework support for designated teachers, so that every child in care has a strong personal education plan (PEP).",
            "Helps schools use PEPs and extra funding to raise the attainment and attendance of children in care.",
        ),
        (
            "Our advisory teachers attend PEP meetings and help set targets that matter.",
            "One-to-one tuition can be funded for children in care who are behind.",
            "Designated teachers meet termly to share practice and hear from social care.",
        ),
        (ENJOY, SAFE, HEALTHY),
        (PRI, SEC, SPE, PRU, ALL),
        groups=("children-in-care",),
        delivery=(ONSITE, NETWORK, COURSE),
        kinds=("childrens-services-team", "la-service", "charity-or-voluntary-body"),
    ),
    T(
        "narrowing-the-gap",
        (INC, AD),
        (
            "Narrowing the gap for pupils on free school meals",
            "Closing the attainment gap for disadvantaged pupils",
            "Narrowing the gap: vulnerable groups",
        ),
        (
            "Helps schools find out why pupils eligible for free school meals fall behind and choose approaches that close the gap.",
            "A whole-school approach to raising the attainment of FSM pupils, from data to parents' engagement.",
        ),
        (
            "We track the progress of FSM pupils separately and look at their attendance, behaviour and access to trips and clubs.",
            "Staff choose interventions with strong evidence and stop those without it.",
            "Family workers help parents support reading and homework at home.",
        ),
        (ENJOY, ECON),
        (PRI, SEC, ALL),
        groups=("free-school-meals", "underachieving-groups", "children-in-care"),
        delivery=(ONSITE, NETWORK),
    ),
    T(
        "gifted-and-talented",
        (INC, TL),
        (
            "Gifted and talented provision",
            "Challenging more able pupils",
            "Gifted and talented coordinator training",
        ),
        (
            "Helps schools identify gifted and talented pupils and plan stretching provision in lessons and beyond.",
            "Training for G&T coordinators on identification, the quality standards and enrichment.",
        ),
        (
            "Schools review their provision against the institutional quality standards.",
            "Masterclasses for pupils are run with local universities and partner schools.",
            "Teachers learn questioning techniques that extend the most able without separate worksheets.",
        ),
        (ENJOY, CONTRIB),
        (PRI, SEC, ALL, P16),
        groups=("gifted-and-talented",),
        delivery=(COURSE, NETWORK),
    ),
    T(
        "mld-provision",
        (INC,),
        (
            "Provision mapping and interventions for MLD",
            "Supporting pupils with moderate learning difficulties",
        ),
        (
            "Support for SENCOs and teachers to plan, cost and evaluate interventions for pupils with moderate learning difficulties.",
            "Helps mainstream schools meet the needs of pupils with MLD in class and in small groups.",
        ),
        (
            "Provision maps are built with the SENCO and linked to pupils' progress data.",
            "Teachers learn to adapt tasks and resources so that pupils with MLD can work independently.",
            "Interventions are reviewed each term and the least effective replaced.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE),
        groups=("sen-and-disabilities",),
        sen=("mld", "spld"),
        delivery=(ONSITE, S2S),
    ),
    T(
        "besd-outreach",
        (INC, BAS),
        (
            "BESD outreach and behaviour support",
            "Supporting pupils with behavioural, emotional and social difficulties",
            "Outreach for pupils at risk of exclusion",
        ),
        (
            "Outreach teachers from a specialist BESD setting work with staff and pupils at risk of exclusion in mainstream schools.",
            "Individual behaviour plans, staff coaching and short placements for pupils with BESD.",
        ),
        (
            "The outreach teacher observes the pupil across the day and agrees a plan with staff and parents.",
            "Staff are coached in de-escalation and in keeping routines consistent.",
            "Where needed, the pupil spends part of the week in our setting before reintegration.",
        ),
        (SAFE, ENJOY, CONTRIB),
        (PRI, SEC, PRU, SPE),
        groups=("sen-and-disabilities", "boys-achievement", "children-in-care"),
        sen=("besd",),
        delivery=(ONSITE, S2S),
    ),
    # --- Behaviour, Attendance and Safeguarding ------------------------------------------
    T(
        "behaviour-review",
        (BAS,),
        (
            "Whole-school behaviour review",
            "Behaviour for learning",
            "Consistent behaviour management across the school",
        ),
        (
            "An audit of behaviour and a review of the behaviour policy, with staff training so that expectations are consistent in every classroom.",
            "Helps schools move from managing poor behaviour to teaching behaviour for learning.",
        ),
        (
            "The audit includes lesson observations, lunchtime visits and a pupil questionnaire.",
            "Staff agree a small number of rules, routines and consequences used by everyone.",
            "Senior leaders learn to analyse behaviour logs to spot patterns by pupil, time and place.",
        ),
        (SAFE, ENJOY, CONTRIB),
        (PRI, SEC, ALL, PRU, SPE),
        groups=("boys-achievement",),
        sen=("besd",),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "attendance",
        (BAS, ECM),
        (
            "Improving attendance and reducing persistent absence",
            "Attendance casework and strategy",
            "Persistent absence: a whole-school approach",
        ),
        (
            "Helps schools analyse absence, target persistent absentees and work with families before legal action is needed.",
            "Education welfare casework and advice on first-day calling, attendance panels and rewards.",
        ),
        (
            "We analyse registers to find patterns by year group, day of the week and pupil group.",
            "An education welfare officer works with the families of persistent absentees.",
            "Attendance panels with parents are modelled, and legal action is used where necessary.",
            "Leaders learn to set and monitor attendance targets with governors.",
        ),
        (ENJOY, SAFE),
        (PRI, SEC, PRU, SPE, ALL),
        groups=("free-school-meals", "children-in-care", "underachieving-groups"),
        delivery=(ONSITE,),
        kinds=("la-service", "childrens-services-team", "independent-consultant", "company"),
    ),
    T(
        "safeguarding-dsp",
        (BAS,),
        (
            "Safeguarding training for designated senior persons",
            "Child protection: whole-staff training",
            "Safeguarding audit and training",
        ),
        (
            "Training for designated senior persons and all staff on recognising and reporting concerns, with a safeguarding audit for leaders.",
            "Keeps the school's child protection training up to date, meeting Local Safeguarding Children Board requirements.",
        ),
        (
            "Whole-staff training covers signs of abuse, making a referral and keeping records.",
            "The audit checks policies, the single central record and training records.",
            "Designated senior persons attend a full-day course every two years.",
        ),
        (SAFE,),
        (EYR, PRI, SEC, SPE, PRU, P16, ALL),
        delivery=(COURSE, ONSITE),
        unit="course",
    ),
    T(
        "safer-recruitment",
        (BAS, GOV),
        (
            "Safer recruitment training",
            "Safer recruitment for heads and governors",
        ),
        (
            "Accredited safer recruitment training so that every appointment panel includes someone trained.",
            "A one-day course for heads, governors and school business managers on safer recruitment.",
        ),
        (
            "The course follows the national safer recruitment programme.",
            "Participants practise scrutinising application forms and references.",
            "Certificates are issued on completion and recorded on the single central record.",
        ),
        (SAFE,),
        (EYR, PRI, SEC, SPE, PRU, P16, ALL),
        delivery=(COURSE, ONLINE),
        unit="place",
    ),
    T(
        "anti-bullying",
        (BAS, ECM),
        (
            "Anti-bullying programme",
            "Tackling bullying, including cyber-bullying",
            "Peer mentoring against bullying",
        ),
        (
            "Helps schools prevent and respond to bullying, including homophobic, racist and cyber-bullying, with pupils leading the work.",
            "Trains pupils as peer mentors and staff in responding consistently to bullying.",
        ),
        (
            "A survey of pupils and parents shows where and when bullying happens.",
            "Pupil anti-bullying ambassadors are trained and supported through the year.",
            "The anti-bullying policy is rewritten with pupils.",
        ),
        (SAFE, CONTRIB),
        (PRI, SEC, SPE, ALL),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "nurture-groups",
        (BAS, INC),
        (
            "Setting up a nurture group",
            "Nurture groups for pupils with social and emotional needs",
        ),
        (
            "Training and support to set up a nurture group for young pupils with social, emotional and behavioural needs.",
            "Helps schools run nurture groups that return pupils to class ready to learn.",
        ),
        (
            "Staff are trained in nurture principles and the Boxall Profile.",
            "We visit in the first term to support the group and its links with class teachers.",
            "Pupils' progress is tracked using the Boxall Profile and attendance.",
        ),
        (HEALTHY, ENJOY),
        (EYR, PRI, SPE),
        groups=("sen-and-disabilities", "children-in-care"),
        sen=("besd", "slcn"),
        delivery=(COURSE, ONSITE),
        unit="course",
    ),
    T(
        "exclusions",
        (BAS, INC),
        (
            "Reducing exclusions and managed moves",
            "Alternative provision and reintegration",
        ),
        (
            "Helps schools reduce fixed-term and permanent exclusions through early intervention, managed moves and good use of alternative provision.",
            "Advice on reintegrating pupils from a PRU or alternative provision into mainstream school.",
        ),
        (
            "We look at the school's exclusion data and the groups most affected.",
            "A reintegration plan is agreed with the pupil, parents and receiving teachers.",
            "Staff from the PRU support the pupil in their first weeks back.",
        ),
        (SAFE, ENJOY, CONTRIB),
        (SEC, PRU, PRI),
        groups=("boys-achievement", "children-in-care", "bme"),
        sen=("besd",),
        delivery=(ONSITE, S2S),
    ),
    T(
        "restorative",
        (BAS,),
        (
            "Restorative approaches in schools",
            "Restorative practice training",
        ),
        (
            "Trains staff to use restorative conversations and conferences to resolve conflict and repair harm.",
            "Helps schools reduce repeat incidents and exclusions through restorative practice.",
        ),
        (
            "Training is followed by coaching in real situations in school.",
            "Lunchtime staff and pupils are trained as well as teachers.",
            "Incidents are logged so that the school can measure repeat behaviour.",
        ),
        (SAFE, CONTRIB),
        (PRI, SEC, PRU, SPE),
        delivery=(COURSE, COACH),
    ),
    T(
        "e-safety",
        (BAS, CS),
        (
            "E-safety for pupils, staff and parents",
            "Staying safe online",
        ),
        (
            "Training and resources so that pupils, staff and parents understand the risks online and what to do.",
            "Helps schools write an e-safety policy and teach e-safety in every year group.",
        ),
        (
            "Pupil sessions use age-appropriate scenarios about social networking and chat.",
            "Parents' evenings explain filtering, privacy settings and reporting.",
            "Staff learn to protect their own professional reputation online.",
        ),
        (SAFE,),
        (PRI, SEC, SPE, ALL),
        delivery=(COURSE, ONLINE, DOWNLOAD),
    ),
    # --- Governance ---------------------------------------------------------------------
    T(
        "governor-induction",
        (GOV,),
        (
            "Governor induction training",
            "New governors' course",
            "Induction for new school governors",
        ),
        (
            "A three-session course for new governors on the role, the law, school data and asking challenging questions.",
            "Helps new governors understand their role and contribute from their first meeting.",
        ),
        (
            "Sessions are held in the evening at a central venue, or online.",
            "New governors receive a handbook and a mentor from an experienced governing body.",
            "The course covers strategic direction, accountability and the line between governance and management.",
        ),
        (ENJOY, CONTRIB),
        (EYR, PRI, SEC, SPE, PRU, ALL),
        delivery=(COURSE, ONLINE),
        unit="delegate",
        kinds=("la-service", "company", "charity-or-voluntary-body", "independent-consultant"),
    ),
    T(
        "clerking",
        (GOV,),
        (
            "Clerking service for governing bodies",
            "Professional clerk to governors",
        ),
        (
            "Experienced clerks prepare agendas, take minutes and advise the governing body on procedure and the law.",
            "A professional clerking service so that governing body meetings are focused and properly recorded.",
        ),
        (
            "Clerks attend full governing body meetings and up to three committee meetings a term.",
            "Advice on constitution, elections and statutory policies is included.",
            "Minutes are circulated within ten working days.",
        ),
        (CONTRIB,),
        (EYR, PRI, SEC, SPE, PRU, ALL),
        delivery=(ONSITE,),
        unit="term",
        kinds=("la-service", "company"),
    ),
    T(
        "governing-body-review",
        (GOV, LM),
        (
            "Governing body self-review",
            "Effective governance: a review for the governing body",
            "Developing the chair and vice-chair",
        ),
        (
            "A facilitated review of how well the governing body challenges and supports the school, with an action plan.",
            "Support for chairs of governors to lead an effective board that holds the head to account.",
        ),
        (
            "Governors complete a self-review questionnaire before a facilitated session.",
            "We observe a full governing body meeting and give feedback on the level of challenge.",
            "The committee structure is reviewed so that governors spend time on what matters.",
        ),
        (CONTRIB, ENJOY),
        (PRI, SEC, SPE, PRU, ALL, EYR),
        delivery=(ONSITE, COACH),
    ),
    T(
        "head-performance-review",
        (GOV, LM),
        (
            "Headteacher performance management: adviser to governors",
            "Headteacher appraisal for governing bodies",
        ),
        (
            "An experienced external adviser supports governors in the headteacher's performance management, as required by the regulations.",
            "Helps governors set the headteacher's objectives and review them fairly.",
        ),
        (
            "The adviser meets the head and the governors' panel and drafts objectives for agreement.",
            "Objectives link to the school improvement plan and the SIP's report.",
            "A mid-year review checks progress.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, PRU, ALL),
        delivery=(ONSITE,),
        kinds=("independent-consultant", "la-service", "company"),
    ),
    T(
        "governors-data",
        (GOV, AD),
        (
            "Understanding school data for governors",
            "RAISEonline for governors",
        ),
        (
            "A session for governors on reading the school's data and asking the right questions about progress.",
            "Helps governors understand RAISEonline, targets and the achievement of different groups.",
        ),
        (
            "Governors work with an anonymised data set before looking at their own school's.",
            "A list of key questions helps governors challenge the head's report.",
            "Sessions can be delivered in school to the whole governing body.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, ALL),
        delivery=(COURSE, ONSITE, ONLINE),
        unit="course",
    ),
    T(
        "federation",
        (GOV, PSS),
        (
            "Federation and collaboration: options for governing bodies",
            "Moving to a federation or shared headship",
        ),
        (
            "Advice for governing bodies considering federation, shared headship or another formal collaboration.",
            "Guides governors through the legal steps and consultation for a federation.",
        ),
        (
            "We explain the options, from soft collaboration to a federated governing body.",
            "Governors are supported through consultation with staff and parents.",
            "Examples from successful federations show what changed for pupils.",
        ),
        (ENJOY, ECON),
        (PRI, SEC, SPE, EYR, ALL),
        delivery=(ONSITE,),
        kinds=("la-service", "independent-consultant", "school-to-school"),
    ),
    # --- Early Years ---------------------------------------------------------------------
    T(
        "eyfs-environment",
        (EY,),
        (
            "EYFS curriculum and learning environment",
            "Continuous provision in the Early Years Foundation Stage",
            "Improving EYFS practice",
        ),
        (
            "Support for nursery and Reception staff to plan continuous provision, indoors and out, that meets the EYFS.",
            "An audit of EYFS practice with training on observation, planning and child-initiated learning.",
        ),
        (
            "The audit uses the EYFS principles and the school's own profile data.",
            "Practitioners are coached in observation and planning next steps for individual children.",
            "Leaders learn to monitor EYFS practice and improve the learning environment.",
        ),
        (ENJOY, HEALTHY),
        (EYR, PRI),
        groups=("boys-achievement", "eal"),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "early-language",
        (EY, INC),
        (
            "Early language and communication",
            "Every child a talker: early language development",
            "Talk in the early years",
        ),
        (
            "Training for early years practitioners on developing children's speaking and listening from the age of two.",
            "Helps settings identify children with language delay and support them early.",
        ),
        (
            "An early language consultant works with each setting for a term.",
            "Practitioners learn to monitor children's language and to plan for talk.",
            "Parents are involved through stay-and-play sessions.",
        ),
        (ENJOY, HEALTHY),
        (EYR,),
        groups=("eal", "free-school-meals", "boys-achievement"),
        sen=("slcn",),
        delivery=(ONSITE, NETWORK),
    ),
    T(
        "outdoor-learning",
        (EY, CS),
        (
            "Outdoor learning and Forest School",
            "Making the most of outdoor provision",
        ),
        (
            "Training and support to develop outdoor learning and Forest School in the early years and KS1.",
            "Helps settings make outdoor space a place for learning across the EYFS areas.",
        ),
        (
            "Staff take part in Forest School sessions before running their own.",
            "We help plan outdoor areas on a small budget.",
            "Risk-benefit assessment is covered.",
        ),
        (HEALTHY, ENJOY),
        (EYR, PRI),
        groups=("boys-achievement",),
        delivery=(COURSE, ONSITE),
    ),
    T(
        "reception-year1",
        (EY, TL),
        (
            "Transition from Reception to Year 1",
            "Smoothing the move from EYFS to KS1",
        ),
        (
            "Helps schools plan Year 1 so that children continue to learn through play while moving into the KS1 curriculum.",
            "Joint work for Reception and Year 1 teachers on a smooth transition.",
        ),
        (
            "Year 1 teachers visit Reception and use the EYFS profile to plan.",
            "Continuous provision is extended into Year 1 for the autumn term.",
            "Children's well-being is checked at key points in the first term.",
        ),
        (ENJOY, HEALTHY),
        (EYR, PRI),
        groups=("boys-achievement",),
        delivery=(ONSITE, COURSE),
    ),
    T(
        "children-centre-leadership",
        (EY, LM),
        (
            "Leadership for nursery schools and children's centres",
            "Leading integrated early years services",
        ),
        (
            "Support for leaders of nursery schools and children's centres on leading integrated services and improving outcomes.",
            "Coaching for early years leaders managing teams from education, health and family support.",
        ),
        (
            "Leaders are coached on joint working with health visitors and family support.",
            "We help with self-evaluation ahead of inspection.",
            "Peer visits with other centres share good practice.",
        ),
        (HEALTHY, SAFE, ENJOY),
        (EYR,),
        groups=("free-school-meals", "children-in-care"),
        delivery=(COACH, NETWORK),
    ),
    T(
        "eyfs-profile",
        (EY, AD),
        (
            "EYFS profile moderation",
            "Assessing children in the EYFS",
        ),
        (
            "Training and moderation for Reception teachers on accurate EYFS profile judgements.",
            "Helps early years staff gather evidence of children's learning and make secure judgements.",
        ),
        (
            "Moderation visits check judgements against evidence.",
            "Staff practise writing observations that show what children can do.",
            "Profile results are used to plan Year 1.",
        ),
        (ENJOY,),
        (EYR, PRI),
        delivery=(COURSE, NETWORK),
        unit="course",
    ),
    # --- Partnerships and School-to-School Support --------------------------------------
    T(
        "nle-support",
        (PSS, LM),
        (
            "National Leader of Education support",
            "NLE deployment to a school in difficulty",
            "National Support School partnership",
        ),
        (
            "A National Leader of Education and their staff work with a school facing challenges, sharing leadership and teaching expertise.",
            "School-to-school support from a National Support School, matched to the receiving school's priorities.",
        ),
        (
            "The NLE agrees a support plan with the head, governors and the LA.",
            "Staff from the National Support School work alongside colleagues in the partner school.",
            "Support is typically for one or two years, funded by the National College.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, ALL),
        groups=("underachieving-groups",),
        delivery=(S2S, COACH),
        kinds=("school-to-school",),
    ),
    T(
        "lle-support",
        (PSS, LM),
        (
            "Local Leader of Education: headteacher-to-headteacher support",
            "LLE coaching for headteachers",
        ),
        (
            "A serving headteacher and LLE works with another head to improve the school's leadership and results.",
            "Headteacher-to-headteacher support from a Local Leader of Education.",
        ),
        (
            "The LLE visits regularly and is available by phone between visits.",
            "Support might include observing leadership meetings and reviewing plans.",
            "The partnership is agreed with the SIP.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, PRU, ALL),
        delivery=(S2S, COACH),
        kinds=("school-to-school",),
    ),
    T(
        "executive-headship",
        (PSS, LM),
        (
            "Executive headship and federation support",
            "Interim and executive headship",
        ),
        (
            "An experienced headteacher leads a second school as executive head, with a head of school day to day.",
            "Interim leadership for schools between headteachers, with continuity of improvement.",
        ),
        (
            "The arrangement is agreed with both governing bodies and the LA.",
            "A head of school is trained and supported to take on day-to-day leadership.",
            "Staff from both schools share training and moderation.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, ALL),
        delivery=(S2S,),
        kinds=("school-to-school", "independent-consultant"),
    ),
    T(
        "cluster-network",
        (PSS,),
        (
            "School improvement network",
            "Cluster network for leaders",
            "Collaborative school improvement network",
        ),
        (
            "Termly meetings for leaders from a group of schools, sharing priorities, moderation and training.",
            "Brings schools together to tackle common priorities and share expertise.",
        ),
        (
            "Each network agrees a shared focus for the year.",
            "Meetings rotate around member schools with learning walks.",
            "A network coordinator keeps the work going between meetings.",
        ),
        (ENJOY, CONTRIB),
        (PRI, SEC, SPE, EYR, ALL),
        delivery=(NETWORK,),
        unit="term",
    ),
    T(
        "special-outreach",
        (PSS, INC),
        (
            "Special school outreach to mainstream schools",
            "Outreach from a specialist school",
            "Specialist school support for inclusion",
        ),
        (
            "Staff from a special school share expertise with mainstream colleagues through visits, training and joint planning.",
            "Outreach teachers help mainstream schools include pupils with complex SEN.",
        ),
        (
            "Mainstream staff can visit the special school to see approaches in use.",
            "Outreach teachers model strategies in the mainstream classroom.",
            "Pupils may attend the special school part-time as part of a planned programme.",
        ),
        (ENJOY, HEALTHY, SAFE),
        (PRI, SEC, SPE, EYR),
        groups=("sen-and-disabilities",),
        sen=("asd", "mld", "slcn", "besd"),
        delivery=(S2S, ONSITE),
        kinds=("school-to-school",),
    ),
    T(
        "open-classrooms",
        (PSS, TL),
        (
            "Open classrooms: see good practice in action",
            "Lead practitioner visits",
        ),
        (
            "Visits to classrooms where strong practice can be seen, followed by a discussion with the teacher.",
            "Teachers from other schools observe our lead practitioners at work.",
        ),
        (
            "Visits are arranged around a focus such as guided reading, AfL or behaviour.",
            "Visitors leave with planning and resources.",
            "Follow-up visits to the visitor's school can be arranged.",
        ),
        (ENJOY,),
        (PRI, SEC, SPE, EYR, ALL),
        delivery=(S2S,),
        kinds=("school-to-school",),
    ),
    T(
        "transition",
        (PSS, ECM),
        (
            "Transition partnership from Year 6 to Year 7",
            "Primary to secondary transition",
        ),
        (
            "Joint work between primary and secondary schools so that pupils' progress does not dip after transition.",
            "A transition programme shared by a secondary school and its feeder primaries.",
        ),
        (
            "Bridging units started in Year 6 are completed in Year 7.",
            "Vulnerable pupils receive extra visits and a named adult.",
            "Teachers observe each other across phases.",
        ),
        (ENJOY, SAFE, HEALTHY),
        (PRI, SEC, ALL),
        groups=("children-in-care", "sen-and-disabilities", "underachieving-groups"),
        delivery=(S2S, NETWORK),
    ),
    # --- Every Child Matters and Wider Services -----------------------------------------
    T(
        "healthy-schools",
        (ECM,),
        (
            "Healthy Schools status",
            "Healthy Schools and school food",
            "Healthy Schools enhancement model",
        ),
        (
            "Support to achieve and keep National Healthy Schools status, covering PSHE, healthy eating, physical activity and emotional health.",
            "Helps schools use health data to choose priorities for healthy eating and physical activity.",
        ),
        (
            "A healthy schools adviser works with the school's coordinator against the national criteria.",
            "Schools look at their own health data to choose a focus for the enhancement model.",
            "Cooking and growing projects involve parents.",
        ),
        (HEALTHY,),
        (PRI, SEC, SPE, PRU, ALL),
        groups=("free-school-meals",),
        delivery=(ONSITE, NETWORK),
    ),
    T(
        "seal",
        (ECM, BAS),
        (
            "Social and emotional aspects of learning (SEAL)",
            "Emotional health and well-being in school",
            "Targeted mental health in schools",
        ),
        (
            "Helps schools teach social and emotional skills and support pupils with emerging mental health needs.",
            "Training on SEAL and small-group work for pupils who need more support with feelings and friendships.",
        ),
        (
            "SEAL themes are planned across the school year.",
            "Staff learn to run small groups for anxious or withdrawn pupils.",
            "Referral routes to CAMHS are explained.",
        ),
        (HEALTHY, SAFE),
        (PRI, SEC, SPE, PRU),
        groups=("sen-and-disabilities", "children-in-care"),
        sen=("besd",),
        delivery=(COURSE, ONSITE),
    ),
    T(
        "extended-services",
        (ECM, PSS),
        (
            "Extended services and study support",
            "After-school and holiday activities",
        ),
        (
            "Helps schools offer the core extended services: activities, parenting support, swift referral and community use.",
            "Coordinates study support, clubs and holiday activities across a cluster of schools.",
        ),
        (
            "A cluster coordinator maps what is on offer.",
            "Activities are subsidised for pupils on free school meals.",
            "Uptake is monitored by pupil group.",
        ),
        (ENJOY, CONTRIB, HEALTHY),
        (PRI, SEC, SPE),
        groups=("free-school-meals",),
        delivery=(NETWORK, ONSITE),
    ),
    T(
        "parent-support",
        (ECM,),
        (
            "Parent support advisers and family learning",
            "Family support in school",
            "Parenting programmes",
        ),
        (
            "Family support workers based in school help parents with attendance, routines and their children's learning.",
            "Evidence-based parenting programmes delivered in school.",
        ),
        (
            "Referrals are discussed weekly with the school's inclusion leader.",
            "Family learning courses help parents support reading and maths at home.",
            "The worker links families to health and social care.",
        ),
        (HEALTHY, SAFE, ENJOY),
        (EYR, PRI, SEC, SPE),
        groups=("free-school-meals", "eal", "children-in-care"),
        delivery=(ONSITE,),
        kinds=("childrens-services-team", "charity-or-voluntary-body", "la-service"),
    ),
    T(
        "pupil-voice",
        (ECM,),
        (
            "Pupil voice and school councils",
            "Pupils as researchers",
        ),
        (
            "Helps schools give pupils a real voice through school councils, pupil researchers and student governors.",
            "Training for school councils and the staff who lead them.",
        ),
        (
            "Pupils are trained to run meetings and consult their classmates.",
            "Pupil researchers investigate a school priority and present to governors.",
            "Schools share examples through a network.",
        ),
        (CONTRIB,),
        (PRI, SEC, SPE, PRU, ALL),
        delivery=(COURSE, NETWORK),
    ),
    T(
        "enterprise",
        (ECM, CS),
        (
            "Enterprise education and work-related learning",
            "Enterprise and financial capability",
        ),
        (
            "Enterprise projects that give pupils real business challenges and develop financial capability.",
            "Helps schools plan enterprise education and links with local employers.",
        ),
        (
            "Pupils run a business project with a local employer.",
            "Teachers receive resources on financial capability.",
            "Enterprise days are run across year groups.",
        ),
        (ECON, CONTRIB),
        (PRI, SEC, P16, SPE, PRU),
        groups=("underachieving-groups",),
        delivery=(ONSITE, DOWNLOAD),
    ),
    T(
        "caf",
        (ECM, BAS),
        (
            "Common Assessment Framework (CAF) training",
            "Early intervention and the CAF",
        ),
        (
            "Training for school staff on using the CAF and acting as lead professional for families who need support.",
            "Helps schools identify needs early and coordinate services through team around the child meetings.",
        ),
        (
            "Staff practise completing a CAF with a case study.",
            "Our workers support the first team around the child meetings.",
            "Schools learn to access local services quickly.",
        ),
        (SAFE, HEALTHY),
        (EYR, PRI, SEC, SPE, PRU),
        groups=("children-in-care", "free-school-meals"),
        delivery=(COURSE,),
        unit="course",
        kinds=("childrens-services-team", "la-service"),
    ),
    T(
        "drugs-education",
        (ECM,),
        (
            "Drug, alcohol and tobacco education",
            "Sex and relationships education and PSHE",
        ),
        (
            "Resources and training for PSHE on drugs, alcohol, tobacco and relationships, with advice on handling incidents.",
            "Helps schools plan a PSHE programme that pupils take seriously.",
        ),
        (
            "Teachers receive lesson plans for each key stage.",
            "A drugs incident policy is written with the school.",
            "Specialist workers can deliver sessions.",
        ),
        (HEALTHY, SAFE),
        (PRI, SEC, PRU, P16),
        delivery=(COURSE, DOWNLOAD, ONSITE),
    ),
    T(
        "young-carers",
        (ECM, INC),
        (
            "Supporting young carers in school",
            "Young carers awareness",
        ),
        (
            "Helps schools identify and support young carers, whose attendance and attainment often suffer unseen.",
            "Training and a drop-in service for young carers in school.",
        ),
        (
            "A young carers worker trains staff to recognise signs.",
            "Young carers meet in lunchtime groups.",
            "Schools agree flexible arrangements for homework.",
        ),
        (HEALTHY, ENJOY, SAFE),
        (PRI, SEC, P16),
        groups=("underachieving-groups", "free-school-meals"),
        delivery=(ONSITE, NETWORK),
        kinds=("charity-or-voluntary-body", "childrens-services-team"),
    ),
    T(
        "careers",
        (ECM, CS),
        (
            "Careers education and impartial guidance",
            "Information, advice and guidance for young people",
        ),
        (
            "Careers education and impartial IAG so that young people choose courses and careers with confidence.",
            "Personal advisers work with pupils at risk of becoming NEET.",
        ),
        (
            "Advisers see pupils one-to-one.",
            "Schools get help to review careers education.",
            "Destinations are tracked after leaving.",
        ),
        (ECON, CONTRIB),
        (SEC, P16, SPE, PRU),
        groups=("underachieving-groups", "children-in-care"),
        delivery=(ONSITE, ONLINE),
    ),
)

TEMPLATES_BY_KEY: dict[str, ListingTemplate] = {t.key: t for t in TEMPLATES}
