"""The study codebook, codebooks/asymmetries.yaml: complete, valid, passing its own examples,
generalising to talk it was not written from, and precise on everyday words."""

from __future__ import annotations

import pytest
from lxml import etree

from asymmetry_qda.cli import main
from asymmetry_qda.codebook import RuleMatcher, load_codebook
from asymmetry_qda.codebook.examples import run_examples, summarise_examples
from asymmetry_qda.pipelines import analysis_pipeline
from asymmetry_qda.refi import import_qdc_bytes, qdc_bytes

from .conftest import REPO, requires_model

STUDY = REPO / "codebooks" / "asymmetries.yaml"
XSD = REPO.parent / "shared" / "refi-qda" / "schema" / "Codebook.xsd"

REQUIRED = [
    "agency", "agency.responsibility", "agency.control",
    "response", "response.blame", "response.blame.hindsight", "response.praise", "response.praise.near_miss",
    "response.praise.best_practice", "reason", "reason.personal_fault", "reason.complexity",
    "failure.preventable", "failure.tolerable", "failure.intelligent",
    "failure.preventable.deviation", "failure.preventable.inattention", "failure.preventable.lack_of_skill",
    "failure.tolerable.complexity", "failure.intelligent.innovation",
    "remedy.discipline", "remedy.retraining", "remedy.capability_review", "remedy.acknowledge_complexity",
    "remedy.promising_practice",
    "stakeholder.oversight", "stakeholder.media", "stakeholder.community", "stakeholder.own_officers",
    "stakeholder.victims_families", "experience.loneliness", "experience.defensiveness", "experience.wellbeing",
]


@pytest.fixture(scope="module")
def study():
    return load_codebook(STUDY)


def test_the_study_codebook_has_every_theme_pole_and_table_one_row(study):
    assert [c for c in REQUIRED if c not in study] == []
    poles = {c.id: (c.poles.heavy, c.poles.light) for c in study.themes}
    assert poles == {"agency": ("agency.responsibility", "agency.control"),
                     "response": ("response.blame", "response.praise"),
                     "reason": ("reason.personal_fault", "reason.complexity")}
    fits = {c.id: c.fits for c in study.children("remedy")}
    assert fits == {"remedy.discipline": ("failure.preventable.deviation",),
                    "remedy.retraining": ("failure.preventable.inattention",),
                    "remedy.capability_review": ("failure.preventable.lack_of_skill",),
                    "remedy.acknowledge_complexity": ("failure.tolerable.complexity",),
                    "remedy.promising_practice": ("failure.intelligent.innovation",)}
    for code in study.codes:
        assert len(code.definition) > 40, code.id
        if code.rules:
            assert len(code.examples) >= 3 and len(code.counter_examples) >= 3, code.id


def test_the_study_codebook_validates_from_the_command_line(capsys):
    assert main(["codebook", "validate", str(STUDY)]) == 0
    assert "valid" in capsys.readouterr().out


@requires_model
def test_every_code_passes_its_own_examples(study):
    summary = summarise_examples(run_examples(study), study)
    assert summary[summary["status"] == "fail"]["code_id"].tolist() == []


@requires_model
def test_codebook_test_command_exits_zero(capsys):
    assert main(["codebook", "test", str(STUDY)]) == 0


# Sentences written for this test only (not in the codebook or the sample corpus), as police
# leaders talk: each must be suggested for the code named.
HELD_OUT = [
    ("agency.responsibility", "At the end of the day it's my borough, so whatever goes on out there comes back to me."),
    ("agency.responsibility", "Anything that happens on my watch, I'm the one who answers for it."),
    ("agency.responsibility", "The buck stops with me, whether I knew about it or not."),
    ("agency.control", "Half the time it's completely out of my hands what happens on the ground."),
    ("agency.control", "I can't control what an officer says on a doorstep when I'm not there."),
    ("response.blame", "When it went wrong they hung him out to dry."),
    ("response.blame", "You know the knives will come out the minute something goes wrong."),
    ("response.blame", "It'll be my head on the block."),
    ("response.blame", "I ended up carrying the can for a decision I never made."),
    ("response.blame.hindsight", "It's easy to be wise with hindsight, sitting in a review six months later."),
    ("response.praise.ceremonial", "You get a commendation at some awards night a year later."),
    ("response.praise.near_miss", "It was a close shave, honestly, and it got written up as a success."),
    ("response.praise.best_practice", "Best practice round here just means nothing's gone wrong with it yet."),
    ("reason.personal_fault", "The first question is always whose fault it was."),
    ("reason.personal_fault", "She got served a misconduct notice over a paperwork error."),
    ("reason.complexity", "It wasn't a person failing, it was the system."),
    ("failure.preventable.inattention", "He'd done four nights on the trot, he was exhausted and he forgot to book it in."),
    ("failure.preventable.lack_of_skill", "She'd never had the training, she just didn't know how to do it."),
    ("failure.preventable.deviation", "He deliberately falsified the statement."),
    ("failure.intelligent.innovation", "We ran a pilot and it didn't work, but we learnt a lot from it."),
    ("remedy.discipline", "He went to a gross misconduct hearing and was dismissed."),
    ("remedy.retraining", "We did a refresher session for the whole shift."),
    ("remedy.capability_review", "We've put mentoring in place for the new detectives."),
    ("remedy.acknowledge_complexity", "We can't promise it will never go wrong again."),
    ("remedy.promising_practice", "I'd rather we called it promising practice than best practice."),
    ("stakeholder.oversight", "It got referred to the IOPC."),
    ("stakeholder.media", "It was all over social media by the morning."),
    ("stakeholder.community", "The residents' association were furious with us."),
    ("stakeholder.victims_families", "The victim's family wanted answers."),
    ("stakeholder.conflicting", "You can't please everyone; whatever you decide, someone's unhappy."),
    ("experience.loneliness", "At four in the morning it's your call and there's nobody to ask."),
    ("experience.defensiveness", "People write things down to cover themselves rather than to help."),
    ("experience.wellbeing", "Two of my team are off with stress."),
]

# A second set, written after the codebook's first draft and run once before any rule was
# changed for it (first run: 29 of 41 suggested, 2 of 14 traps fired); rules were then added
# for the general phrasings it exposed. Two cases stay as known limits (xfail below).
KNOWN_MISS = "Everyone copies it because it's never blown up in anybody's face."
HELD_OUT += [
    ("agency.responsibility", "If a custody suite on my area has a death, that is mine to answer for."),
    ("agency.responsibility", "Whatever happens across the command, my name is above the door."),
    ("agency.responsibility", "You're accountable for every single thing your officers do, even when you're asleep."),
    ("agency.control", "I've got very little influence over what actually happens out there on a Saturday night."),
    ("agency.control", "Most of it is beyond my control, frankly."),
    ("agency.failure_inevitable", "Things are going to go wrong in this job, that's just the nature of policing."),
    ("response.blame", "The minute it goes pear-shaped, everyone's looking for someone to blame."),
    ("response.blame", "I got a real kicking from the chief over that."),
    ("response.blame", "They threw her under the bus to save themselves."),
    ("response.blame", "It all came down on me."),
    ("response.blame", "I was in the firing line for weeks."),
    ("response.blame.hindsight", "In hindsight, sure, but nobody knew that at the time."),
    ("response.blame.hindsight", "They judged the decision on how it turned out, not on what we knew then."),
    ("response.praise", "The superintendent actually rang to say thank you, which was lovely."),
    ("response.praise.ceremonial", "There's a medal ceremony once a year and that's about it."),
    ("response.praise.near_miss", "We got away with it, really, it could have been so much worse."),
    ("reason.personal_fault", "The instinct is always to find an individual to pin it on."),
    ("reason.personal_fault", "He was put on restricted duties while they investigated him."),
    ("reason.complexity", "It's the processes and the IT that let us down, not the people."),
    ("reason.complexity", "We just didn't have the staff that night to cover it."),
    ("failure.preventable.deviation", "She knowingly broke the rules and lied about it afterwards."),
    ("failure.preventable.inattention", "It was a genuine mistake, he just missed it at the end of a twelve-hour shift."),
    ("failure.preventable.lack_of_skill", "He was out of his depth, he'd never dealt with a case like that."),
    ("failure.tolerable.complexity", "You could follow every policy to the letter and it would still go wrong."),
    ("failure.intelligent.innovation", "The trial didn't deliver, but we learned what doesn't work."),
    ("remedy.discipline", "He got a final written warning."),
    ("remedy.retraining", "We gave the whole team a refresher on the new procedure."),
    ("remedy.capability_review", "We need to look at how we recruit and train detectives."),
    ("remedy.acknowledge_complexity", "We have to accept that you will never get it to zero risk."),
    ("remedy.promising_practice", "We agreed as a group to try it and review it together in three months."),
    ("stakeholder.oversight", "Professional standards are looking at it now."),
    ("stakeholder.oversight", "It'll end up at an inquest."),
    ("stakeholder.media", "The local rag ran it on the front page."),
    ("stakeholder.community", "The community were up in arms about it."),
    ("stakeholder.own_officers", "My first thought was for my officers, they'd had a horrible night."),
    ("stakeholder.victims_families", "The mother of the boy kept asking why we hadn't done more."),
    ("stakeholder.conflicting", "You're stuck between what the family want and what the law allows."),
    ("experience.loneliness", "When you're Gold, it's a lonely place to be."),
    ("experience.defensiveness", "Everyone's covering their backs."),
    ("experience.wellbeing", "I wasn't sleeping, I was anxious all the time."),
]
HELD_OUT += [  # anticipated blame and a list of stakeholders, added after checking the domain note's phrasings
    ("response.blame", "If this goes wrong it'll be me in front of the IOPC."),
    ("stakeholder.conflicting", "You can't please the family, the community and the press all at once."),
]
HELD_OUT.append(pytest.param("response.praise.best_practice", KNOWN_MISS, marks=pytest.mark.xfail(
    strict=True, reason="'best practice' said without the words: needs the surrounding talk")))

# Everyday talk that looks like a code's words but is not that code.
TRAPS = [
    ("agency.control", "I'll ring the control room and get a unit to attend."),
    ("agency.responsibility", "I'm responsible for the rota this month."),
    ("agency.responsibility", "My watch stopped, so I was late for the briefing."),
    ("reason.personal_fault", "There was a fault on the radio so we swapped handsets."),
    ("stakeholder.media", "Press the button twice to start the recording."),
    ("stakeholder.oversight", "The inspector will be here at ten."),
    ("remedy.retraining", "Briefing starts at seven, so grab a coffee first."),
    ("experience.wellbeing", "I'm covering sick leave on the rota next week."),
]
TRAPS += [
    ("agency.control", "The control room sent us to the wrong address."),
    ("agency.control", "Can you pass me the remote control?"),
    ("agency.responsibility", "I'm responsible for ordering the stationery."),
    ("response.blame", "I can't blame the weather for everything."),
    ("response.praise", "Thanks for the tea."),
    ("stakeholder.media", "I pressed the lift button."),
    ("stakeholder.oversight", "I did my inspector's exam last year."),
    ("reason.personal_fault", "The engine fault light came on."),
    ("failure.preventable.inattention", "I'm tired of the same old debate."),
    ("experience.wellbeing", "The stress test on the bridge was fine."),
    ("remedy.discipline", "We dismissed the idea straight away."),
    ("failure.intelligent.innovation", "The trial starts at Crown Court on Monday."),
    ("experience.loneliness", "It's my call whether we get pizza."),
]
TRAPS += [
    ("response.blame", "I was in front of the board last week for my promotion."),
    ("stakeholder.conflicting", "I can't keep the car clean and tidy."),
]
TRAPS.append(pytest.param("stakeholder.community", "I live in a small community in the hills.", marks=pytest.mark.xfail(
    strict=True, reason="'community' as the head noun is suggested (weight 0.6) whatever the sense")))


@pytest.fixture(scope="module")
def suggest(study):
    nlp = analysis_pipeline("auto")
    matcher = RuleMatcher(study, nlp)
    return lambda text: {m.code_id for m in matcher(nlp(text))}


@requires_model
@pytest.mark.parametrize(("code_id", "text"), HELD_OUT)
def test_rules_generalise_to_talk_they_were_not_written_from(suggest, code_id, text):
    assert code_id in suggest(text)


@requires_model
@pytest.mark.parametrize(("code_id", "text"), TRAPS)
def test_everyday_words_do_not_fire(suggest, code_id, text):
    assert code_id not in suggest(text)


@pytest.mark.skipif(not XSD.exists(), reason="shared/refi-qda is not beside the repository")
def test_the_study_codebook_exports_to_valid_qdc_and_round_trips(study):
    data = qdc_bytes(study)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.fromstring(data)), schema.error_log
    back = import_qdc_bytes(data, source="asymmetries.qdc").codebook
    assert [(c.id, c.label, c.definition, c.colour) for c in back.codes] == \
           [(c.id, c.label, c.definition, c.colour) for c in study.codes]
    assert [c.parent_id for c in back.codes] == [c.parent_id for c in study.codes]


# A negation suppresses only the code whose match it covers; what the speaker asserts beside it is still
# coded; a claim the speaker reports and rejects is negated; "nobody tells you" asserts. Invented sentences.
NEGATION = [
    ("We didn't go down the disciplinary route, it was a sit-down and some retraining.",
     {"remedy.retraining"}, {"remedy.discipline"}),
    ("I'd never hang my sergeant out to dry.", set(), {"response.blame"}),
    ("They hung my sergeant out to dry.", {"response.blame"}, set()),
    ("I won't throw my officers under the bus.", {"stakeholder.own_officers"}, {"response.blame"}),
    ("Some say it was beyond our control, but that isn't what happened.", set(), {"agency.control"}),
    ("I don't buy the 'out of my hands' excuse.", set(), {"agency.control"}),
    ("Extra staff aren't in my gift.", {"agency.control"}, set()),
    ("It was in our gift to sort out.", set(), {"agency.control"}),
    ("Nobody tells you how lonely the job gets.", {"experience.loneliness"}, set()),
    ("I never felt on my own in that job.", set(), {"experience.loneliness"}),
    ("You can't make a custody suite failure-free.", {"agency.failure_inevitable"}, set()),
]


@requires_model
@pytest.mark.parametrize(("text", "asserted", "denied"), NEGATION)
def test_a_negation_suppresses_only_the_code_it_negates(study, text, asserted, denied):
    from asymmetry_qda.tagging.evidence import judge_units

    judged = judge_units([("k", text, [0])], study)
    suggested = set(judged.loc[judged["status"] == "suggested", "code"])
    assert asserted <= suggested and not denied & suggested

