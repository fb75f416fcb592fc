from django.db import migrations

SECTORS = [
    ("e-payment-banking", "Paiement électronique et banque", "E-payment and banking"),
    ("devices-telecom", "Terminaux et télécoms", "Devices and telecom"),
    ("software", "Édition de logiciels", "Software"),
    ("it-consulting", "Conseil en systèmes d'information", "IT consulting"),
    ("offshoring-bpo", "Offshoring et BPO", "Offshoring and BPO"),
    ("cybersecurity", "Cybersécurité", "Cybersecurity"),
    ("cloud-datacentres", "Cloud et centres de données", "Cloud and data centres"),
    ("ai-data", "Intelligence artificielle et données", "AI and data"),
    ("e-government", "Administration électronique", "E-government"),
    ("training", "Formation et e-learning", "Training and e-learning"),
    (
        "systems-integration",
        "Intégration de systèmes et réseaux",
        "Systems and network integration",
    ),
    ("fintech-insurance", "Assurance et fintech", "Insurance and fintech"),
]


def add_sectors(apps, schema_editor):
    Sector = apps.get_model("companies", "Sector")
    for position, (slug, name_fr, name_en) in enumerate(SECTORS):
        Sector.objects.update_or_create(
            slug=slug, defaults={"name_fr": name_fr, "name_en": name_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]
    operations = [migrations.RunPython(add_sectors, migrations.RunPython.noop)]
