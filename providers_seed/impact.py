"""Impact statements as a headteacher would write them, with measured outcomes.

Placeholders: {p0}/{p1} a percentage that rose, {d0}/{d1} a figure that fell, {a0}/{a1} attendance,
{h0}/{h1} a survey percentage, {n} a small count,
{yr} a year group, {who} how the school refers to the provider. render_impact() fills them.
"""

from __future__ import annotations

import random
import re

from providers_seed.templates import AD, BAS, CS, ECM, EY, GOV, INC, LM, PSS, TL

#: Template keys of the specialist SEN and inclusion services, which several statements fit.
SEN_SERVICES = (
    "autism-outreach",
    "senco-network",
    "slcn",
    "hearing-impairment",
    "visual-impairment",
    "multi-sensory",
    "physical-disability",
    "dyslexia",
    "sld-pmld-curriculum",
    "mld-provision",
    "besd-outreach",
    "special-outreach",
    "teaching-assistants",
    "personalised-learning",
    "np-inclusion",
    "np-inclusion-online",
    "p-scales",
)

#: Template keys of the behaviour services, which several statements fit.
BEHAVIOUR_SERVICES = (
    "behaviour-review",
    "restorative",
    "nurture-groups",
    "exclusions",
    "besd-outreach",
    "anti-bullying",
    "seal",
)

#: Area slug -> (statement, template keys it fits); an empty key tuple fits any service in the area.
IMPACT: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    LM: (
        (
            "The support arrived when we needed it most, after an unexpected change of head. Standards held up through the transition and {yr} results rose from {p0}% to {p1}%.",
            (),
        ),
        (
            "The work was matched to our priorities rather than a package off the shelf. Our SIP's latest report notes 'rapid and sustained improvement in leadership', and {yr} outcomes rose from {p0}% to {p1}%.",
            (),
        ),
        (
            "Leaders at every level now take responsibility for standards. We were judged good at our last inspection, having been satisfactory twice before.",
            (),
        ),
        (
            "Practical, challenging and well informed. Within a year our senior team was monitoring teaching rigorously and the proportion of pupils making expected progress went from {p0}% to {p1}%.",
            (),
        ),
        (
            "Our SEF had been too generous. {who} helped us regrade three sections honestly and rewrite the plan around two priorities; at our inspection the leadership judgement matched our own, and the proportion of good or better teaching rose from {p0}% to {p1}% over the year.",
            ("leadership-review", "improvement-planning", "fr-sef"),
        ),
        (
            "As a new head I had no one to think aloud with. The sessions gave me the confidence to restructure the senior team and tackle long-standing underperformance in {yr}; progress in that year group is now in line with the rest of the school ({p0}% to {p1}% making expected progress).",
            ("new-head-coaching", "lle-support"),
        ),
        (
            "Our middle leaders now monitor their own areas. Every subject leader completed a book scrutiny and led a staff meeting this year, and the share of lessons judged good or better in our own monitoring went from {p0}% to {p1}%.",
            ("middle-leaders", "np-middle-leaders", "slt-development"),
        ),
        (
            "We came out of a notice to improve at the first re-inspection. The support was practical and honest, and the {n} actions in our plan were all signed off by HMI.",
            ("schools-causing-concern", "nle-support", "np-lsf"),
        ),
        (
            "The finance review found savings of about £{n},000 a year without losing a single teaching post, and governors now approve a three-year budget they understand.",
            ("finance-review",),
        ),
        (
            "Staff absence fell by a third once capability and support plans were handled properly; two difficult cases were resolved fairly and without grievance.",
            ("performance-management",),
        ),
        (
            "We now have a plan of four pages instead of forty. Governors monitor it every meeting and the SIP described our self-evaluation as 'accurate and sharp' at the autumn visit.",
            ("improvement-planning", "leadership-review", "fr-sef", "slt-development"),
        ),
        (
            "Two of our deputies secured headships within eighteen months of the programme, and our own leadership team was strengthened by the coaching they brought back.",
            ("aspiring-heads",),
        ),
    ),
    TL: (
        (
            "Lessons now start promptly with a clear purpose, and pupils can explain what they are learning and why; our {yr} data shows {p1}% on track, up from {p0}%.",
            (),
        ),
        (
            "The training changed what happens in classrooms, not just what staff say in meetings. Lesson observations this year show {p1}% good or better, up from {p0}%.",
            (),
        ),
        (
            "Staff were sceptical at first, but the follow-up visits won them over. Pupils in {yr} are now more confident and independent learners, and their progress shows it.",
            (),
        ),
        (
            "Excellent value: {n} teachers took part, and every one has changed something lasting in their teaching.",
            (),
        ),
        (
            "Teaching judged good or better in our joint observations rose from {p0}% to {p1}% in a year, and our judgements are now moderated rather than guessed.",
            ("joint-observation", "peer-coaching", "open-classrooms"),
        ),
        (
            "Marking is now consistent across the school: pupils respond to feedback in every book we sampled, and {yr} pupils making good progress in writing rose from {p0}% to {p1}%.",
            ("afl", "app"),
        ),
        (
            "All {n} teachers on the programme moved from satisfactory to good in their final observation, and two have since led staff training themselves.",
            ("satisfactory-to-good", "outstanding-teacher"),
        ),
        (
            "Our coaching trios are still running two years on. Staff say it is the most useful professional development they have had, and lesson observations show a clear rise in pupil independence.",
            ("peer-coaching",),
        ),
        (
            "Teaching assistants now lead interventions with real impact: pupils in the reading catch-up groups made an average of {n} months' progress in a term.",
            ("teaching-assistants", "np-ecr", "np-catch-up"),
        ),
        (
            "Our NQTs all passed induction, and both said the central sessions and the visit from {who} were what kept them in teaching.",
            ("nqt-induction",),
        ),
        (
            "More able pupils are now stretched in lessons rather than given extra work: {yr} pupils reaching the higher standard rose from {p0}% to {p1}%.",
            ("personalised-learning", "outstanding-teacher", "gifted-and-talented"),
        ),
        (
            "Lessons are better paced and better matched; pupil questionnaires show {h1}% now say lessons are interesting, up from {h0}%.",
            ("personalised-learning", "satisfactory-to-good", "ict"),
        ),
    ),
    CS: (
        (
            "The subject leader now has the knowledge to lead colleagues; lessons are more consistent and {yr} outcomes rose from {p0}% to {p1}% in the subject.",
            (),
        ),
        (
            "Standards in the subject have risen steadily: {yr} attainment went from {p0}% to {p1}% in eighteen months, and our subject leader now leads confidently.",
            (),
        ),
        (
            "The consultancy was rooted in our own data and our own classrooms. Staff confidence rose and so did results, from {p0}% to {p1}% at the expected level.",
            (),
        ),
        (
            "Our curriculum is now planned and progressive rather than a collection of topics; pupils are more engaged and {yr} outcomes improved from {p0}% to {p1}%.",
            (),
        ),
        (
            "Year 6 reading at the expected standard rose from {p0}% to {p1}% in one year, with the biggest gains among boys.",
            ("ks2-reading", "np-ecr", "fr-boys-writing"),
        ),
        (
            "Phonics is now taught daily and consistently in every class. The proportion of Year 1 pupils meeting the phonics standard went from {p0}% to {p1}%.",
            ("phonics", "fr-phonics", "np-ecr"),
        ),
        (
            "Our maths results improved markedly: pupils at the expected standard in KS2 mathematics rose from {p0}% to {p1}%, and our calculation policy is now used by every teacher.",
            ("primary-maths", "np-counting", "fr-maths"),
        ),
        (
            "GCSE English and maths passes at A*-C went from {p0}% to {p1}%, with the C/D borderline group doing particularly well after the targeted sessions.",
            ("secondary-maths", "np-lsf", "np-catch-up"),
        ),
        (
            "Boys' writing was our weakest area. After a term of talk for writing, the gap between boys and girls in {yr} halved and boys now choose to write at home.",
            ("boys-writing", "fr-boys-writing"),
        ),
        (
            "Science lessons are now practical and investigative. Pupils talk about fair tests with confidence, and the science leader has rewritten our scheme of work.",
            ("science",),
        ),
        (
            "Our ICT leader now runs training herself. Every class uses the learning platform weekly and {p1}% of parents have logged in, up from {p0}%.",
            ("ict",),
        ),
        (
            "Our 14-19 offer has widened: {n} new vocational courses run with partners, and the number of Year 11 leavers not in education or training fell from {d0} to {d1}.",
            ("fourteen-nineteen", "np-futures"),
        ),
        (
            "Guided reading has been transformed. Reading comprehension scores in {yr} rose by an average of {n} months in two terms.",
            ("ks2-reading", "np-ecr-network"),
        ),
        (
            "Attainment in GCSE English rose from {p0}% to {p1}% at grade C or above, and our department moderation is now accurate.",
            ("secondary-english",),
        ),
        (
            "Children are enthusiastic about the new language lessons, and every KS2 class now has a weekly French lesson taught with confidence by its own teacher.",
            ("primary-languages",),
        ),
        (
            "Participation in after-school sport rose from {p0}% to {p1}% of pupils, and we achieved the two-hour PE target for every class.",
            ("pe-sport", "extended-services"),
        ),
    ),
    AD: (
        (
            "Leaders now use assessment information to act rather than simply to report. {yr} pupils on track rose from {p0}% to {p1}% because we spotted those falling behind early.",
            (),
        ),
        (
            "Our data is accurate, timely and understood by staff and governors alike. The SIP no longer has to unpick our figures at the autumn visit.",
            (),
        ),
        (
            "Assessment is now part of teaching rather than a bolt-on: staff moderate together each half term and our judgements match external results.",
            (),
        ),
        (
            "We now understand our own data. Governors and the SIP get a one-page summary each term, and we spotted a dip in {yr} early enough to put it right.",
            ("raiseonline", "governors-data", "fr-governor-data"),
        ),
        (
            "Our teacher assessments are now accurate: the difference between our APP judgements and test results fell from {d0} to {d1} percentage points.",
            ("app", "fr-app"),
        ),
        (
            "Targets are now genuinely challenging. CVA rose from below average to above, and {yr} pupils making two levels of progress went from {p0}% to {p1}%.",
            ("target-setting",),
        ),
        (
            "Our tracking was a spreadsheet nobody read. It is now simple, termly and used in every pupil progress meeting; interventions are stopped when they do not work.",
            ("tracking",),
        ),
        (
            "Pupil progress meetings now end with named actions for named pupils, and the proportion of pupils on track rose from {p0}% to {p1}% in a year.",
            ("pupil-progress-meetings",),
        ),
        (
            "Our small-steps assessment is now moderated with two other special schools, and we can show inspectors the progress of every pupil with PMLD.",
            ("p-scales",),
        ),
        (
            "EYFS profile judgements were moderated as accurate at the LA check for the first time, and our Year 1 teachers now plan from them.",
            ("eyfs-profile",),
        ),
    ),
    INC: (
        (
            "We now identify needs earlier and plan support that works: the number of pupils on School Action Plus fell from {d0} to {d1} as needs were met sooner.",
            SEN_SERVICES,
        ),
        (
            "Our inclusion leader says this was the most useful support she has had in ten years. Staff know the pupils better, and {yr} pupils in the target group made {n} months' extra progress.",
            (),
        ),
        (
            "The work helped us see the pupils behind the label. Annual reviews are now meaningful, and parents of pupils with SEN rated our communication {h1}% good, up from {h0}%.",
            SEN_SERVICES,
        ),
        (
            "Teaching assistants and teachers now plan together for pupils with additional needs; the gap between the group and their peers in {yr} narrowed from {d0} to {d1} points.",
            (),
        ),
        (
            "Pupils with SEN are now fully included and making good progress: the proportion making expected progress rose from {p0}% to {p1}%, in line with their peers.",
            SEN_SERVICES,
        ),
        (
            "The advice was specialist, practical and delivered with real warmth; staff now feel able to meet needs they found daunting a year ago.",
            (),
        ),
        (
            "Our most vulnerable pupils are better known and better supported. Attendance of the group rose from {a0}% to {a1}% and exclusions fell from {d0} to {d1}.",
            (),
        ),
        (
            "Parents tell us they feel listened to for the first time. Pupils in the target group made {n} months' more progress than expected this year.",
            (),
        ),
        (
            "A pupil with autism who had been on a part-time timetable is now in school full-time and has not had a fixed-term exclusion since the outreach work began.",
            ("autism-outreach", "special-outreach"),
        ),
        (
            "Our SENCO has grown enormously. The provision map is costed, reviewed termly and shows that pupils with SEN made {n} months' more progress than the year before.",
            ("senco-network", "mld-provision", "np-inclusion"),
        ),
        (
            "Staff now screen for speech and language difficulties in Reception. {n} children were picked up early, and their language scores rose from {p0}% to {p1}% of age-expected.",
            ("slcn", "early-language", "np-talk-first"),
        ),
        (
            "The teacher of the deaf's advice on acoustics and radio aids made an immediate difference: our hearing-impaired pupil is now working at the expected standard in writing.",
            ("hearing-impairment",),
        ),
        (
            "With the modified materials and training from {who}, our blind pupil accessed the whole KS2 curriculum and sat the tests in braille.",
            ("visual-impairment",),
        ),
        (
            "Pupils with EAL who arrive mid-year now settle within weeks. Attainment of EAL pupils in {yr} rose from {p0}% to {p1}% at the expected standard.",
            ("eal", "fr-eal"),
        ),
        (
            "The gap between our FSM pupils and others narrowed from {d0} to {d1} percentage points in reading and maths combined.",
            ("narrowing-the-gap",),
        ),
        (
            "Every child in care on our roll now has a strong PEP with targets that matter, and their attendance rose from {a0}% to {a1}%.",
            ("children-in-care",),
        ),
        (
            "Black Caribbean boys' attainment was our most stubborn gap. After the mentoring programme, their results at KS4 rose from {p0}% to {p1}% A*-C including English and maths.",
            ("bme-achievement",),
        ),
        (
            "Our dyslexia screening picked up {n} pupils who had been missed. Their reading ages rose by an average of {n} months in two terms.",
            ("dyslexia", "np-inclusion-online"),
        ),
        (
            "The sensory curriculum has changed our classrooms. Pupils with PMLD are more alert and communicative, and parents have noticed the difference at home.",
            ("sld-pmld-curriculum", "multi-sensory", "fr-sensory"),
        ),
        (
            "Our gifted and talented register is now accurate and every pupil on it has a plan; {n} attended masterclasses and two won places on national summer schools.",
            ("gifted-and-talented", "np-gifted"),
        ),
        (
            "Pupils with MLD now work more independently in class. Teaching assistant time is better targeted and the number of pupils making expected progress rose from {p0}% to {p1}%.",
            ("mld-provision", "teaching-assistants", "special-outreach"),
        ),
        (
            "Adapting the building and training staff in moving and handling meant a pupil with cerebral palsy could join her local school with her friends; she is thriving.",
            ("physical-disability",),
        ),
        (
            "The outreach teacher's work kept a Year {n} pupil with BESD in school. Fixed-term exclusions across the school fell from {d0} to {d1} in a year.",
            ("besd-outreach",),
        ),
    ),
    BAS: (
        (
            "Staff feel supported and consistent. Behaviour incidents logged fell from {d0} to {d1} a week, and the proportion of lessons lost to disruption is now negligible.",
            BEHAVIOUR_SERVICES,
        ),
        (
            "Our policies and procedures were tightened with real care; the LA audit found no actions outstanding and staff confidence has grown.",
            (),
        ),
        (
            "Pupils arrive on time and ready to learn: late marks fell from {d0} to {d1} a week, and attendance rose from {a0}% to {a1}%.",
            ("attendance", "np-attendance", "fr-attendance"),
        ),
        (
            "The school is calmer and safer. Incidents recorded at lunchtime fell from {d0} to {d1} a week, and pupils say adults deal with problems fairly.",
            BEHAVIOUR_SERVICES,
        ),
        (
            "Clear, practical advice that staff could use straight away. Our behaviour and safety were judged good at inspection for the first time.",
            (),
        ),
        (
            "Attendance and punctuality are both better: persistent absence fell from {d0}% to {d1}% of pupils, and fewer lessons start late.",
            ("attendance", "np-attendance", "fr-attendance"),
        ),
        (
            "Behaviour in lessons is now consistently good. Fixed-term exclusions fell from {d0} to {d1} in a year, and staff say the new routines are easy to apply.",
            ("behaviour-review",),
        ),
        (
            "Attendance rose from {a0}% to {a1}% and persistent absence more than halved. The first-day calling and panels with parents made the difference.",
            ("attendance", "np-attendance", "fr-attendance"),
        ),
        (
            "Our safeguarding audit found gaps in the single central record that we fixed before inspection. Every member of staff now knows exactly what to do with a concern.",
            ("safeguarding-dsp", "fr-safeguarding"),
        ),
        (
            "Every appointment panel now includes someone trained in safer recruitment, and our procedures were judged exemplary by the LA audit.",
            ("safer-recruitment",),
        ),
        (
            "Reported bullying fell by half after the anti-bullying ambassadors started; {h1}% of pupils now say they feel safe at school, up from {h0}%.",
            ("anti-bullying",),
        ),
        (
            "The nurture group has been a turning point for {n} children who could not cope in class. All have returned full-time and their Boxall scores improved markedly.",
            ("nurture-groups",),
        ),
        (
            "Restorative conversations are now how we deal with conflict. Repeat incidents fell from {d0} to {d1} a term, and lunchtimes are calmer.",
            ("restorative",),
        ),
        (
            "We have had no permanent exclusions this year, against {n} in the year before, and two pupils returned successfully from the PRU.",
            ("exclusions", "besd-outreach"),
        ),
        (
            "Pupils, staff and parents now understand e-safety. Parents' evening was packed, and the number of online incidents reported to us fell from {d0} to {d1}.",
            ("e-safety",),
        ),
    ),
    GOV: (
        (
            "Governors' visits now have a clear focus and their reports come back to the full governing body; challenge is recorded in every set of minutes.",
            (),
        ),
        (
            "The clerk's advice kept us on the right side of the law during a difficult staffing restructure.",
            (),
        ),
        (
            "Governors are now clear about their role and hold us to account properly. Meetings are shorter and more focused on pupils' progress.",
            (),
        ),
        (
            "The governing body is more confident and better informed; the chair now meets the SIP after each visit and asks the right questions.",
            (),
        ),
        (
            "Training was pitched just right for governors from business and parent backgrounds, and {n} of them now take part in monitoring visits.",
            (),
        ),
        (
            "Our new governors contributed from their first meeting. The induction course gave them the confidence to ask about data and to visit with a focus.",
            ("governor-induction",),
        ),
        (
            "Having a professional clerk has changed our meetings: agendas are focused, minutes record challenge properly, and we finish on time.",
            ("clerking",),
        ),
        (
            "The self-review showed we were supportive but not challenging. Governors now ask sharper questions, and Ofsted described governance as a strength.",
            ("governing-body-review", "np-governors"),
        ),
        (
            "The headteacher's objectives are now linked to pupils' progress and the improvement plan, and the governors' panel feels properly equipped.",
            ("head-performance-review",),
        ),
        (
            "Governors now read our data for themselves. At the last meeting they spotted the dip in {yr} before I mentioned it.",
            ("governors-data", "fr-governor-data"),
        ),
        (
            "We completed our federation in eighteen months. Governors understood every step, and staff and parents were consulted properly.",
            ("federation",),
        ),
    ),
    EY: (
        (
            "Children's learning in the EYFS is now planned from careful observation. A good level of development rose from {p0}% to {p1}% in one year.",
            (),
        ),
        (
            "Our early years staff are more confident and reflective. Parents comment on how much more their children talk about what they have learned.",
            (),
        ),
        (
            "The learning environment was transformed on a small budget, and boys in particular now choose to read, write and count in their play.",
            (),
        ),
        (
            "Our Reception class has been transformed. Children reaching a good level of development rose from {p0}% to {p1}%, with boys' writing improving most.",
            ("eyfs-environment",),
        ),
        (
            "Practitioners now observe and plan next steps for each child. The outdoor area is used in all weathers and children choose it for writing and maths.",
            ("eyfs-environment", "outdoor-learning"),
        ),
        (
            "Children's language on entry is weak. After the early language work, {p1}% of children were at age-expected levels by the end of nursery, up from {p0}%.",
            ("early-language", "np-talk-first"),
        ),
        (
            "Year 1 no longer feels like a cliff edge. Continuous provision runs into the autumn term and behaviour in Year 1 is much calmer.",
            ("reception-year1",),
        ),
        (
            "Our children's centre leadership team works as one now, with health visitors based in the centre and {n} more families using our services.",
            ("children-centre-leadership",),
        ),
        (
            "Our EYFS profile judgements were moderated as accurate, and our Year 1 teacher uses them to plan from the first week.",
            ("eyfs-profile",),
        ),
    ),
    PSS: (
        (
            "Working with another school gave us capacity we could not buy. Our staff learned from colleagues facing the same challenges, and {yr} results rose from {p0}% to {p1}%.",
            (),
        ),
        (
            "The partnership was respectful and practical: support was shaped around our priorities, and it has continued as a genuine two-way relationship.",
            (),
        ),
        (
            "Our staff saw excellent practice with their own eyes and brought it back. Teaching judged good or better rose from {p0}% to {p1}% across the partnership year.",
            (),
        ),
        (
            "The support from the National Support School turned our school round. We moved out of special measures in {n} terms and results rose from {p0}% to {p1}%.",
            ("nle-support",),
        ),
        (
            "Having another serving head to talk to was invaluable. Our LLE helped me restructure the leadership team and rebuild governors' confidence.",
            ("lle-support",),
        ),
        (
            "As an executive head partnership, both schools have improved: shared moderation, shared training and a head of school who is now ready to lead.",
            ("executive-headship",),
        ),
        (
            "Our cluster network has sustained moderation across {n} schools; writing judgements are now consistent and the SIP uses our network as an example.",
            ("cluster-network", "np-ecr-network"),
        ),
        (
            "The outreach from the special school has given our staff confidence. A pupil with complex needs is now included full-time with the right support.",
            ("special-outreach",),
        ),
        (
            "Our staff visited classrooms where guided reading was outstanding, came back and changed practice the next week. Reading results rose from {p0}% to {p1}%.",
            ("open-classrooms",),
        ),
        (
            "Transition has improved markedly: the dip in Year 7 has gone and {yr} attendance has held up at {a1}%.",
            ("transition", "fr-transition"),
        ),
    ),
    ECM: (
        (
            "Pupils now have a trusted adult and somewhere to go. Referrals to outside agencies are quicker, and attendance of the families supported rose from {a0}% to {a1}%.",
            (),
        ),
        (
            "The work reached families we had struggled to engage for years. {n} parents now attend our coffee mornings regularly and homework completion has risen.",
            (),
        ),
        (
            "Our pupils' voice is heard in a way it was not before, and the ECM evidence in our SEF is now specific and measured.",
            (),
        ),
        (
            "Pupils' well-being has improved measurably: our pupil survey shows {h1}% feel happy at school, up from {h0}%, and attendance is up too.",
            (),
        ),
        (
            "The service has strengthened our links with families and other agencies; support now reaches children before problems escalate.",
            (),
        ),
        (
            "Pupils are healthier, more confident and more involved in school life, and the ECM section of our SEF now has the evidence it lacked.",
            (),
        ),
        (
            "We achieved Healthy Schools status and the proportion of pupils eating school meals rose from {p0}% to {p1}%.",
            ("healthy-schools", "np-healthy"),
        ),
        (
            "SEAL is now part of every class's week. Pupils can name their feelings, and referrals for lunchtime incidents fell from {d0} to {d1} a term.",
            ("seal",),
        ),
        (
            "Our extended services offer now reaches the pupils who need it: {p1}% of FSM pupils attend at least one club, up from {p0}%.",
            ("extended-services",),
        ),
        (
            "The family support worker has been the best investment we have made. Attendance of the {n} families she worked with rose sharply, and two children came off child protection plans.",
            ("parent-support",),
        ),
        (
            "Our school council now has real influence: pupils researched the playground, presented to governors and the changes have cut lunchtime incidents.",
            ("pupil-voice",),
        ),
        (
            "Enterprise projects have raised aspirations. Year 9 pupils ran a business with a local employer and {n} went on to work experience they arranged themselves.",
            ("enterprise", "np-futures"),
        ),
        (
            "Staff now use the CAF with confidence. We have led {n} team around the child meetings this year, and families got help far sooner than before.",
            ("caf",),
        ),
        (
            "The PSHE programme is now taught consistently and pupils speak knowledgeably about risks; the drugs incident policy was tested and worked well.",
            ("drugs-education",),
        ),
        (
            "We identified {n} young carers we did not know about. Their attendance and homework completion have both improved since the group started.",
            ("young-carers",),
        ),
        (
            "Every Year 11 pupil had impartial guidance, and our NEET figure fell from {d0} to {d1} in a year.",
            ("careers",),
        ),
    ),
}

#: Closing remarks a head sometimes adds; they also keep two similar statements apart.
CLOSINGS = (
    "I would recommend them to any school.",
    "We have bought the service again this year.",
    "Excellent value for money.",
    "I would not hesitate to use them again.",
    "Our SIP has asked us to share the approach with other schools.",
    "Staff still talk about it.",
    "Highly recommended.",
    "The impact has lasted well beyond the end of the work.",
    "Worth every penny of the budget we set aside.",
    "Governors have asked for a follow-up next year.",
    "Reliable, well prepared and easy to work with.",
    "We would be happy to talk to any school considering it.",
)

#: How a head refers to each kind of provider in an impact statement.
WHO: dict[str, tuple[str, ...]] = {
    "independent-consultant": ("the consultant", "our consultant", "the adviser"),
    "company": ("the team", "their consultant", "the trainers"),
    "charity-or-voluntary-body": ("the charity", "their workers", "the trust"),
    "la-service": ("the LA team", "the advisory team", "the service"),
    "childrens-services-team": ("the team", "the children's services team", "their workers"),
    "school-to-school": ("our partner school", "their staff", "the partner school"),
    "national-programme": ("the programme", "the programme's coach", "the trained teacher"),
    "free-resource": ("the toolkit", "the resource", "the materials"),
}

YEARS_BY_PHASE: dict[str, tuple[str, ...]] = {
    "early-years": ("Reception", "nursery"),
    "primary": ("Year 2", "Year 4", "Year 5", "Year 6", "KS2", "KS1"),
    "secondary": ("Year 7", "Year 8", "Year 9", "Year 10", "Year 11", "KS3"),
    "all-through": ("Year 6", "Year 9", "Year 11", "KS3"),
    "post-16": ("Year 12", "Year 13"),
    "special": ("KS2", "KS3", "KS4"),
    "pru": ("KS3", "KS4", "Year 10", "Year 11"),
}


def render_impact(template: str, rng: random.Random, kind: str, phase: str) -> str:
    """Fill one impact template with plausible, consistent numbers."""
    p0 = rng.randint(38, 78)
    p1 = min(p0 + rng.randint(7, 21), 97)
    d0 = rng.randint(9, 28)
    d1 = rng.randint(2, max(3, d0 // 2))
    # Attendance and survey figures live in a narrow, high band.
    a0 = rng.randint(880, 935) / 10
    a1 = min(a0 + rng.randint(8, 45) / 10, 97.8)
    h0 = rng.randint(58, 80)
    h1 = min(h0 + rng.randint(6, 18), 98)
    text = template.format(
        p0=p0,
        p1=p1,
        d0=d0,
        d1=d1,
        a0=f"{a0:.1f}",
        a1=f"{a1:.1f}",
        h0=h0,
        h1=h1,
        n=rng.randint(3, 9),
        yr=rng.choice(YEARS_BY_PHASE.get(phase, YEARS_BY_PHASE["primary"])),
        who=rng.choice(WHO.get(kind, ("the provider",))),
    )
    # {who} may open a sentence: capitalise every sentence start.
    return re.sub(r"(^|[.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def impact_choices(
    area: str, template_key: str, other_areas: tuple[str, ...] = ()
) -> tuple[list[str], list[str]]:
    """Return (statements written for this service, general statements for its main area)."""
    specific = [text for text, keys in IMPACT[area] if template_key in keys]
    for other in other_areas:
        specific += [
            text for text, keys in IMPACT[other] if template_key in keys and text not in specific
        ]
    general = [text for text, keys in IMPACT[area] if not keys]
    return specific, general
