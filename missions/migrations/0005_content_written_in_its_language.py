"""The texts written before missions spoke several languages become the version of the language
they were written in: French for most, English for a mission written in English (San
Francisco's). The language is told by the commonest small words of each, title and description
together; a text that shows neither is taken as French, the agency's first language."""

import re

from django.db import migrations

FRENCH = {"de", "des", "du", "la", "le", "les", "et", "à", "au", "aux", "en", "pour", "avec",
          "une", "un", "sur", "mission", "rencontres", "séminaire", "visite", "salle"}  # fmt: skip
ENGLISH = {"the", "of", "and", "to", "in", "with", "for", "on", "a", "an", "meet", "meetings",
           "mission", "investors", "workshop", "visit", "room"}  # fmt: skip


def written_in(*texts: str) -> str:
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", " ".join(texts).lower())
    french = sum(w in FRENCH for w in words) + sum(c in "éèàçêâ" for c in " ".join(words))
    english = sum(w in ENGLISH for w in words)
    return "en" if english > french else "fr"


FIELDS = {"Mission": ("title", "description", "city"), "ProgrammeItem": ("title", "place",
          "description")}  # fmt: skip


def forwards(apps, schema_editor):
    Mission = apps.get_model("missions", "Mission")
    ProgrammeItem = apps.get_model("missions", "ProgrammeItem")
    for mission in Mission.objects.all():
        language = written_in(mission.title, mission.description)
        for name in FIELDS["Mission"]:
            if not getattr(mission, f"{name}_{language}"):
                setattr(mission, f"{name}_{language}", getattr(mission, name))
        mission.save(update_fields=[f"{name}_{language}" for name in FIELDS["Mission"]])
        for item in ProgrammeItem.objects.filter(mission=mission):
            for name in FIELDS["ProgrammeItem"]:
                if not getattr(item, f"{name}_{language}"):
                    setattr(item, f"{name}_{language}", getattr(item, name))
            item.save(update_fields=[f"{name}_{language}" for name in FIELDS["ProgrammeItem"]])


def backwards(apps, schema_editor):
    """The original columns still hold the texts: nothing to undo."""


class Migration(migrations.Migration):
    dependencies = [("missions", "0004_content_in_every_language")]

    operations = [migrations.RunPython(forwards, backwards)]
