import pytest

from asymmetry_qda.ranks import OFFICER_RANKS, UnknownRankError, normalise_rank


@pytest.mark.parametrize(
    ("raw", "rank", "level", "leader"),
    [
        ("PC", "constable", 1, False),
        ("Student officer", "constable", 1, False),
        ("Trainee Constable", "constable", 1, False),
        ("DC", "constable", 1, False),
        ("Sgt.", "sergeant", 2, False),
        ("Detective Sergeant", "sergeant", 2, False),
        ("Insp", "inspector", 3, True),
        ("DI", "inspector", 3, True),
        ("Ch. Insp.", "chief inspector", 4, True),
        ("DCI", "chief inspector", 4, True),
        ("Supt", "superintendent", 5, True),
        ("Det Supt", "superintendent", 5, True),
        ("Ch Supt", "chief superintendent", 6, True),
        ("DCS", "chief superintendent", 6, True),
        ("Commander", "commander", 7, True),
        ("ACC", "assistant chief constable", 7, True),
        ("DAC", "deputy assistant commissioner", 8, True),
        ("Chief Constable", "chief constable", 9, True),
        ("Commissioner", "commissioner", 11, True),
    ],
)
def test_officer_ranks_land_on_the_ordered_scale(raw, rank, level, leader):
    r = normalise_rank(raw)
    assert (r.rank, r.level, r.track, r.leader) == (rank, level, "officer", leader)


def test_scale_is_ordered_and_met_titles_sit_beside_county_ranks():
    levels = [level for _, level, _ in OFFICER_RANKS]
    assert levels == sorted(levels)
    assert normalise_rank("Commander").level == normalise_rank("ACC").level


@pytest.mark.parametrize("raw", ["Police staff", "PCSO", "civilian"])
def test_police_staff_are_a_separate_track(raw):
    r = normalise_rank(raw)
    assert (r.rank, r.level, r.track, r.band, r.leader) == ("police staff", None, "staff", "police staff", False)


@pytest.mark.parametrize("raw", ["A/Insp", "T/DCI", "Acting Sergeant", "temporary superintendent"])
def test_acting_and_temporary_ranks_keep_the_rank_held(raw):
    assert normalise_rank(raw).acting is True


@pytest.mark.parametrize("raw", ["", "mixed", "n/a", None])
def test_blank_and_mixed_ranks_are_unknown(raw):
    r = normalise_rank(raw)
    assert r.rank is None and r.leader is None


def test_nonsense_rank_is_an_error():
    with pytest.raises(UnknownRankError):
        normalise_rank("Admiral")
