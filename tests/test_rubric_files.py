"""Rubric files: the real folder loads; a broken file is refused naming the file, field and
reason; a team lead's change to a threshold changes what the engine does."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.config import ROOT, Settings
from app.engine.rubric_set import RubricSet
from app.pipeline.analyze import analyze_transcript
from app.pipeline.callfile import CallFile
from app.pipeline.resources import Resources
from app.rubrics.config import RUBRIC_IDS, RubricFileError, load_rubric_file

REAL_RUBRICS = ROOT / "rubrics"


@pytest.fixture
def rubrics_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rubrics"
    shutil.copytree(REAL_RUBRICS, target)
    return target


def edit(folder: Path, rubric_id: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """Load `<rubric_id>.yaml`, let `change` alter it, write it back; return its path."""
    path = folder / f"{rubric_id}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refused(folder: Path) -> RubricFileError:
    with pytest.raises(RubricFileError) as info:
        RubricSet.load(folder)
    return info.value


def assert_names(err: RubricFileError, path: Path, field: str, *reason_words: str) -> None:
    assert Path(err.path) == path
    assert err.field == field
    for word in reason_words:
        assert word.lower() in err.reason.lower(), err.reason
    # the message a team lead sees carries all three
    assert str(err) == f"{path}: {field}: {err.reason}"


# --- the real folder --------------------------------------------------------------------------


def test_real_folder_loads_cleanly() -> None:
    rubrics = RubricSet.load(REAL_RUBRICS)
    assert set(rubrics.specs) == set(RUBRIC_IDS)
    assert rubrics.settings["listen_first"].backchannel_max_s == 1.0
    assert rubrics.settings["kind_rant_interrupt"].nudge_after_s == 120
    assert rubrics.settings["kind_rant_interrupt"].remind_after_s == 180
    assert rubrics.settings["offer_limit"].max_offers == 2
    for rubric_id in RUBRIC_IDS:
        spec = load_rubric_file(REAL_RUBRICS / f"{rubric_id}.yaml")
        assert spec.id == rubric_id
        assert spec.title.en and spec.title.he


def test_copied_folder_loads_cleanly(rubrics_dir: Path) -> None:
    assert set(RubricSet.load(rubrics_dir).specs) == set(RUBRIC_IDS)


# --- the file itself --------------------------------------------------------------------------


def test_invalid_yaml(rubrics_dir: Path) -> None:
    path = rubrics_dir / "listen_first.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("settings:\n", "settings: [unclosed\n", 1), encoding="utf-8")
    err = refused(rubrics_dir)
    assert_names(err, path, "(file)", "not valid YAML", "at line")


def test_top_level_list(rubrics_dir: Path) -> None:
    path = rubrics_dir / "no_reselling.yaml"
    path.write_text("- id: no_reselling\n- title: x\n", encoding="utf-8")
    assert_names(refused(rubrics_dir), path, "(file)", "mapping")


def test_empty_file(rubrics_dir: Path) -> None:
    path = rubrics_dir / "cs_leads.yaml"
    path.write_text("", encoding="utf-8")
    assert_names(refused(rubrics_dir), path, "(file)", "mapping")


def test_unknown_top_level_field(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "cs_leads", lambda r: r.update(owner="dana"))
    assert_names(refused(rubrics_dir), path, "owner", "extra")


def test_missing_rubric_file(rubrics_dir: Path) -> None:
    path = rubrics_dir / "cs_leads.yaml"
    path.unlink()
    assert_names(refused(rubrics_dir), path, "(file)", "missing")


def test_missing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "nope"
    assert_names(refused(folder), folder, "(folder)", "does not exist")


def test_id_not_matching_file_name(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "listen_first", lambda r: r.update(id="no_reselling"))
    assert_names(refused(rubrics_dir), path, "id", "'no_reselling'", "file name")


def test_unknown_id(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "listen_first", lambda r: r.update(id="listen_harder"))
    err = refused(rubrics_dir)
    assert_names(err, path, "id", "listen_first")


def test_empty_hebrew_text(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "no_reselling", lambda r: r["title"].update(he=""))
    assert_names(refused(rubrics_dir), path, "title.he", "at least 1 character")


def test_missing_hebrew_nudge_text(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "listen_first", lambda r: r["nudges"]["take_over"]["text"].pop("he"))
    assert_names(refused(rubrics_dir), path, "nudges.take_over.text.he", "required")


def test_cooldown_out_of_range(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "offer_limit", lambda r: r.update(cooldown_s=-5))
    assert_names(refused(rubrics_dir), path, "cooldown_s", "greater than or equal to 0")


def test_empty_phrase_in_a_list(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "no_reselling", lambda r: r["phrases"]["pitch"]["he"].append("   "))
    assert_names(refused(rubrics_dir), path, "phrases.pitch.he", "non-empty")


def test_example_set_decides_must_be_a_yes_or_no(rubrics_dir: Path) -> None:
    path = edit(
        rubrics_dir, "no_defensiveness", lambda r: r["examples"]["blame"].update(decides="maybe")
    )
    assert_names(refused(rubrics_dir), path, "examples.blame.decides", "boolean")


# --- a detector's settings, phrase lists and nudges --------------------------------------------


def test_threshold_out_of_range(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "listen_first", lambda r: r["settings"].update(backchannel_max_s=-1))
    assert_names(refused(rubrics_dir), path, "settings.backchannel_max_s", "greater than 0")


def test_threshold_of_the_wrong_type(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "no_reselling", lambda r: r["settings"].update(fail_pitches="two"))
    assert_names(refused(rubrics_dir), path, "settings.fail_pitches", "integer")


def test_unknown_setting(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "cs_leads", lambda r: r["settings"].update(exec_max_turns=3))
    assert_names(refused(rubrics_dir), path, "settings.exec_max_turns", "extra")


def test_missing_phrase_list(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "listen_first", lambda r: r["phrases"].pop("not_heard"))
    assert_names(refused(rubrics_dir), path, "phrases.not_heard", "missing phrase list")


def test_unknown_phrase_list(rubrics_dir: Path) -> None:
    path = edit(
        rubrics_dir,
        "no_reselling",
        lambda r: r["phrases"].update(upsell={"en": ["buy more"], "he": ["תקנה עוד"]}),
    )
    assert_names(
        refused(rubrics_dir), path, "phrases.upsell", "unknown phrase list for no_reselling"
    )


def test_missing_nudge_text(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "kind_rant_interrupt", lambda r: r["nudges"].pop("rant_reminder"))
    assert_names(refused(rubrics_dir), path, "nudges.rant_reminder", "missing nudge text")


def test_unknown_nudge(rubrics_dir: Path) -> None:
    path = edit(
        rubrics_dir,
        "cs_leads",
        lambda r: r["nudges"].update(hush={"text": {"en": "Hush", "he": "שקט"}}),
    )
    assert_names(refused(rubrics_dir), path, "nudges.hush", "unknown nudge for cs_leads")


@pytest.mark.parametrize("remind", [120, 100])
def test_rant_reminder_must_come_after_the_nudge(rubrics_dir: Path, remind: int) -> None:
    path = edit(
        rubrics_dir, "kind_rant_interrupt", lambda r: r["settings"].update(remind_after_s=remind)
    )
    err = refused(rubrics_dir)
    assert Path(err.path) == path
    assert err.field.startswith("settings")
    assert "remind_after_s must be later than nudge_after_s" in err.reason
    assert str(path) in str(err)


def test_rant_reminder_error_names_a_settings_field(rubrics_dir: Path) -> None:
    edit(rubrics_dir, "kind_rant_interrupt", lambda r: r["settings"].update(remind_after_s=100))
    assert "(file)" not in refused(rubrics_dir).field


def test_unbuilt_rubric_checked_for_common_fields(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "satisfaction_check", lambda r: r.update(source=["009"]))
    assert_names(refused(rubrics_dir), path, "source.0", "'000'")


def test_resources_refuse_a_bad_folder(rubrics_dir: Path) -> None:
    path = edit(rubrics_dir, "listen_first", lambda r: r["settings"].update(backchannel_max_s=-1))
    with pytest.raises(RubricFileError) as info:
        Resources(Settings(rubrics_dir=rubrics_dir))
    assert info.value.field == "settings.backchannel_max_s"
    assert Path(info.value.path) == path


# --- a team lead's change changes behaviour -----------------------------------------------------


def rant_call(language: str) -> CallFile:
    """A customer holding the floor 75 s (10.4 → 85.4), then a kind step-in."""
    text = {
        "en": (
            "It has been down again and again and nobody tells us anything at all.",
            "I'm sorry, that sounds exhausting. Let me make sure I've got this right.",
        ),
        "he": (
            "זה שוב נפל ואף אחד לא מעדכן אותנו בכלום, אני כבר לא יודע מה לעשות.",
            "אני מצטערת, זה באמת מתיש. רק לוודא שהבנתי נכון את מה שקרה.",
        ),
    }[language]
    utterances = [{"speaker": "a1", "start": 0.5, "end": 9.0, "text": text[1].split(".")[0]}]
    start = 10.4
    while start < 80:
        utterances.append({"speaker": "c1", "start": start, "end": start + 13.0, "text": text[0]})
        start += 15.0
    utterances[-1]["end"] = 85.4
    utterances.append({"speaker": "a1", "start": 86.2, "end": 95.0, "text": text[1]})
    return CallFile.model_validate(
        {
            "id": f"rant-{language}",
            "language": language,
            "participants": [
                {"id": "c1", "role": "customer", "name": "C"},
                {"id": "a1", "role": "cs", "name": "A"},
            ],
            "utterances": utterances,
        }
    )


@pytest.mark.parametrize("language", ["en", "he"])
def test_threshold_change_moves_the_rant_nudge(
    rubrics_dir: Path, resources: Resources, language: str
) -> None:
    call = rant_call(language)

    default = analyze_transcript(resources, call)
    assert [n for n in default.nudges if n.rubric == "kind_rant_interrupt"] == []
    assert default.verdicts["kind_rant_interrupt"].verdict == "na"
    assert default.verdicts["kind_rant_interrupt"].reason == "no rant reached 120 s"

    edit(rubrics_dir, "kind_rant_interrupt", lambda r: r["settings"].update(nudge_after_s=60))
    changed = Resources(Settings(rubrics_dir=rubrics_dir))
    try:
        card = analyze_transcript(changed, call)
    finally:
        changed.close()
    rant = [n for n in card.nudges if n.rubric == "kind_rant_interrupt"]
    assert [(n.kind, n.to) for n in rant] == [("rant", "a1")]
    assert rant[0].at == pytest.approx(10.4 + 60, abs=0.01)
    assert card.verdicts["kind_rant_interrupt"].verdict == "pass"
    assert card.verdicts["kind_rant_interrupt"].evidence[0].start == 86.2


def test_nudge_text_change_reaches_the_nudge(rubrics_dir: Path) -> None:
    edit(
        rubrics_dir,
        "kind_rant_interrupt",
        lambda r: r["nudges"]["rant"]["text"].update(he="עצרי בעדינות וסכמי"),
    )
    edit(rubrics_dir, "kind_rant_interrupt", lambda r: r["settings"].update(nudge_after_s=60))
    changed = Resources(Settings(rubrics_dir=rubrics_dir))
    try:
        card = analyze_transcript(changed, rant_call("he"))
    finally:
        changed.close()
    assert [n.text for n in card.nudges if n.rubric == "kind_rant_interrupt"] == [
        "עצרי בעדינות וסכמי"
    ]
