"""Reading operator lists sent by partner associations and embassies (CSV or XLSX).

``import_preview`` reads a file and returns every row with its errors and what importing it
would do; nothing is saved. Headings may be in French or English, in any order and case.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries
from openpyxl.utils import column_index_from_string

from accounts.models import User
from companies.models import OperatorKind, Sector

from .models import Mission

MB = 1024 * 1024
MAX_ROWS = 2000
MAX_BYTES = 5 * MB  # the file as uploaded
MAX_COLUMNS = 50
MAX_CELL = 5000  # characters in one cell
# Blank rows are skipped, but reading stops at this row: nothing may lie beyond it.
MAX_SHEET_ROWS = 10 * MAX_ROWS
# An XLSX is a zip: what it unzips to is capped too, in all and per member.
MAX_UNZIPPED = 50 * MB
MAX_SHEET_XML = 20 * MB
MAX_OTHER_XML = 10 * MB  # shared strings (openpyxl keeps them all), and parts it does not read
# The parts openpyxl parses whole into objects (content types, relationships, the workbook; styles,
# theme and properties, which are not read here): a real file's are a few hundred KB at most.
MAX_SMALL_XML = 1 * MB
SMALL_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml")
SMALL_FOLDERS = ("xl/theme/", "docProps/")
MAX_MEMBERS = 1000
MAX_ROW_CELLS = 16384  # a spreadsheet's last column

# accepted heading (lower case, accents kept) -> field
HEADINGS = {
    "organisation": "name",
    "organization": "name",
    "organisme": "name",
    "name": "name",
    "nom de l'organisation": "name",
    "entreprise": "name",
    "société": "name",
    "kind": "kind",
    "type": "kind",
    "catégorie": "kind",
    "country": "country",
    "pays": "country",
    "city": "city",
    "ville": "city",
    "website": "website",
    "site web": "website",
    "site": "website",
    "sectors": "sectors",
    "secteurs": "sectors",
    "sector": "sectors",
    "secteur": "sectors",
    "needs": "needs",
    "besoins": "needs",
    "contact": "full_name",
    "contact name": "full_name",
    "nom du contact": "full_name",
    "full name": "full_name",
    "nom": "full_name",
    "nom complet": "full_name",
    "email": "email",
    "e-mail": "email",
    "courriel": "email",
    "adresse e-mail": "email",
    "phone": "phone",
    "téléphone": "phone",
    "telephone": "phone",
    "tél": "phone",
    "language": "language",
    "langue": "language",
}
REQUIRED = ("name", "kind", "country", "city", "full_name", "email")
# Names that lists often use but that are not the ISO short names.
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "united states": "US", "états-unis": "US", "etats-unis": "US",
    "uk": "GB", "united kingdom": "GB", "royaume-uni": "GB",
    "cote d'ivoire": "CI", "ivory coast": "CI", "burkina": "BF",
}  # fmt: skip


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


class RowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Organisation"), max_length=200)
    kind = forms.CharField(label=gettext_lazy("Kind"))
    country = forms.CharField(label=gettext_lazy("Country"))
    city = forms.CharField(label=gettext_lazy("City"), max_length=100)
    website = forms.URLField(label=gettext_lazy("Website"), required=False, assume_scheme="https")
    sectors = forms.CharField(label=gettext_lazy("Sectors"), required=False)
    needs = forms.CharField(label=gettext_lazy("Needs"), required=False)
    full_name = forms.CharField(label=gettext_lazy("Contact"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    language = forms.CharField(label=gettext_lazy("Language"), required=False)

    def __init__(self, *args, sectors: list[Sector], **kwargs):
        super().__init__(*args, **kwargs)
        self._sectors = sectors

    def clean_kind(self):
        value = self.cleaned_data["kind"].strip().lower()
        for kind in OperatorKind:
            names = {kind.value}
            for language in dict(settings.LANGUAGES):  # lists come in any of the site's languages
                with translation.override(language):
                    label = str(kind.label).lower()
                names |= {label} | {part.strip() for part in label.split("/")}
            if value in names:
                return kind.value
        raise ValidationError(_("Unknown kind “%(value)s”.") % {"value": value})

    def clean_country(self):
        value = self.cleaned_data["country"].strip().replace("’", "'")
        if len(value) == 2 and value.upper() in dict(countries):
            return value.upper()
        code = (
            COUNTRY_ALIASES.get(value.lower())
            or countries.by_name(value, language="fr")
            or countries.by_name(value, language="en")
            or countries.by_name(value, language="ar")
        )
        if not code:
            raise ValidationError(_("Unknown country “%(value)s”.") % {"value": value})
        return code

    def clean_sectors(self):
        wanted = [
            p.strip().lower() for p in self.cleaned_data["sectors"].replace(";", ",").split(",")
        ]
        found, unknown = [], []
        for name in filter(None, wanted):
            match = next(
                (
                    s
                    for s in self._sectors
                    if name in {s.slug, s.name_fr.lower(), s.name_en.lower(), s.name_ar}
                ),
                None,
            )
            (found if match else unknown).append(match or name)
        if unknown:
            raise ValidationError(
                ngettext("Unknown sector: %(names)s.", "Unknown sectors: %(names)s.", len(unknown))
                % {"names": ", ".join(unknown)}
            )
        return [s.pk for s in found]

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean_language(self):
        value = self.cleaned_data["language"].strip().lower()[:2]
        return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@dataclass
class ImportRow:
    number: int  # as the user sees it in the spreadsheet (heading is row 1)
    values: dict
    errors: list[str] = field(default_factory=list)
    action: str = ""  # create / register / skip
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


ACTION_LABELS = {
    "create": gettext_lazy("New operator and contact, registered and invited"),
    "register": gettext_lazy("Known contact: registered for this mission"),
    "skip": gettext_lazy("Skipped"),
}


class _Refused(Exception):
    """The file breaks a limit while it is read; carries the message for the user."""


def _archive(content: bytes) -> zipfile.ZipFile:
    """The XLSX's zip, once its declared sizes are within the limits. ``zipfile`` never gives
    more than a member's declared size (a member that holds more fails its CRC check), so the
    declared sizes bound what openpyxl can unpack."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ImportFileError(_("This XLSX file cannot be read.")) from exc
    too_big = _("This XLSX file is too large once unzipped (more than %(max)s MB).")
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(_("This XLSX file cannot be read."))
    if sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise ImportFileError(too_big % {"max": MAX_UNZIPPED // MB})
    for member in members:
        if member.file_size > _member_cap(member.filename):
            raise ImportFileError(too_big % {"max": _member_cap(member.filename) // MB})
    return archive


def _member_cap(name: str) -> int:
    if name.startswith("xl/worksheets/"):
        return MAX_SHEET_XML
    if name in SMALL_PARTS or name.startswith(SMALL_FOLDERS) or name.endswith(".rels"):
        return MAX_SMALL_XML
    if name.endswith(".xml"):
        return MAX_OTHER_XML
    return MAX_UNZIPPED  # images and the like, which openpyxl does not read here


def _scan_sheet(stream) -> None:
    """Read a sheet's XML as a stream (a few kilobytes at a time) and refuse, before openpyxl
    builds anything, a value beyond the last row or column read, or a row of more cells than
    a spreadsheet can hold (openpyxl keeps a whole row in memory)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    row = column = cells = 0
    in_cell = False  # a value counts inside a cell only (an extension may hold an <xm:f>)

    def start(name, attrs):
        nonlocal row, column, cells, in_cell
        tag = name.rpartition(" ")[2]
        if tag == "row":
            row = int(attrs["r"]) if attrs.get("r", "").isdigit() else row + 1
            column = cells = 0
        elif tag == "c":
            in_cell = True
            cells += 1
            if cells > MAX_ROW_CELLS:
                raise _Refused(_("At most %(max)s columns per file.") % {"max": MAX_COLUMNS})
            letters = "".join(ch for ch in attrs.get("r", "") if ch.isalpha())
            column = column_index_from_string(letters) if letters else column + 1
        elif in_cell and tag in ("v", "is", "f") and (row > MAX_SHEET_ROWS or column > MAX_COLUMNS):
            if column > MAX_COLUMNS:
                raise _Refused(_("At most %(max)s columns per file.") % {"max": MAX_COLUMNS})
            raise _Refused(
                _("The sheet goes beyond row %(last)s: at most %(max)s rows per file.")
                % {"last": MAX_SHEET_ROWS, "max": MAX_ROWS}
            )

    def end(name):
        nonlocal in_cell
        if name.rpartition(" ")[2] == "c":
            in_cell = False

    def doctype(*args):
        raise _Refused(_("This XLSX file cannot be read."))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    while chunk := stream.read(64 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _active_sheet(content: bytes, archive: zipfile.ZipFile):
    """The workbook's active sheet, read as openpyxl reads it in read-only mode, less what the
    import does not need: styles (a few thousand formats already take openpyxl seconds), theme,
    properties, external links and the other sheets. Without styles a date comes as a number,
    which no column here holds. These are the steps of ``ExcelReader.read`` (openpyxl 3.1)
    that a sheet needs; the sheet is found the way openpyxl finds it (the workbook's
    relationships may place it anywhere, as ``xl/sheet1.xml``) and scanned before it is read."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader, _find_workbook_part
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    too_big = _("This XLSX file is too large once unzipped (more than %(max)s MB).")
    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    reader.read_manifest()
    # The content types may name the workbook anything: whatever its name, it is read whole.
    if archive.getinfo(_find_workbook_part(reader.package).PartName[1:]).file_size > MAX_SMALL_XML:
        raise _Refused(too_big % {"max": MAX_SMALL_XML // MB})
    reader.read_workbook()
    found = [(s, r) for s, r in reader.parser.find_sheets() if r.target in reader.valid_files]
    try:
        sheet, rel = found[reader.wb._active_sheet_index]
    except IndexError:
        raise _Refused(_("This XLSX file cannot be read.")) from None
    if "chartsheet" in rel.Type:
        raise _Refused(_("This XLSX file cannot be read."))
    if archive.getinfo(rel.target).file_size > MAX_SHEET_XML:
        raise _Refused(too_big % {"max": MAX_SHEET_XML // MB})
    with archive.open(rel.target) as stream:
        _scan_sheet(stream)
    strings = reader.package.find(SHARED_STRINGS)  # which may be named anything too
    if strings and archive.getinfo(strings.PartName[1:]).file_size > MAX_OTHER_XML:
        raise _Refused(too_big % {"max": MAX_OTHER_XML // MB})
    reader.read_strings()
    return ReadOnlyWorksheet(reader.wb, sheet.name, rel.target, reader.shared_strings)


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    archive = _archive(content)
    try:
        sheet = _active_sheet(content, archive)
        rows = sheet.iter_rows(max_row=MAX_SHEET_ROWS, max_col=MAX_COLUMNS, values_only=True)
        for row in rows:
            if row.count(None) == len(row):  # a blank row, or one openpyxl pads in
                yield []
            else:
                yield ["" if c is None else str(c) for c in row]
    except _Refused as exc:
        raise ImportFileError(str(exc)) from exc
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds on a broken file
        raise ImportFileError(_("This XLSX file cannot be read.")) from exc


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("This file is neither CSV nor XLSX."))
    if "\x00" in text:
        raise ImportFileError(_("This file is neither CSV nor XLSX."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_SHEET_ROWS:
                raise ImportFileError(
                    _("The sheet goes beyond row %(last)s: at most %(max)s rows per file.")
                    % {"last": MAX_SHEET_ROWS, "max": MAX_ROWS}
                )
            if any(row[MAX_COLUMNS:]):
                raise ImportFileError(_("At most %(max)s columns per file.") % {"max": MAX_COLUMNS})
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise ImportFileError(_("This CSV file cannot be read.")) from exc


def _read_rows(name: str, content: bytes) -> list[list[str]]:
    """The rows that hold something, each cell stripped. Read as a stream, so that the limits
    stop a file as soon as it breaks one: the size of the file and, for an XLSX, of what it
    unzips to; the rows, the columns and the length of a cell."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."))
    xlsx = name.lower().endswith(".xlsx") or content[:2] == b"PK"
    rows = []
    for number, raw in enumerate(_xlsx_rows(content) if xlsx else _csv_rows(content), start=1):
        row = [c.strip() for c in raw]
        if not any(row):
            continue
        if any(len(c) > MAX_CELL for c in row):
            raise ImportFileError(
                _("Row %(row)s: a cell holds more than %(max)s characters.")
                % {"row": number, "max": MAX_CELL}
            )
        if len(rows) > MAX_ROWS:  # the heading and MAX_ROWS rows are in already
            raise ImportFileError(_("At most %(max)s rows per file.") % {"max": MAX_ROWS})
        rows.append(row)
    return rows


def import_preview(*, mission: Mission, name: str, content: bytes) -> list[ImportRow]:
    rows = _read_rows(name, content)
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = [HEADINGS.get(h.strip().lower()) for h in rows[0]]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise ImportFileError(
            ngettext(
                "Missing column: %(columns)s. Expected headings: organisation, kind, country, "
                "city, contact name, email (and optionally website, sectors, needs, phone, "
                "language).",
                "Missing columns: %(columns)s. Expected headings: organisation, kind, country, "
                "city, contact name, email (and optionally website, sectors, needs, phone, "
                "language).",
                len(missing),
            )
            % {"columns": ", ".join(str(RowForm.base_fields[f].label) for f in missing)}
        )
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("At most %(max)s rows per file.") % {"max": MAX_ROWS})

    sectors = list(Sector.objects.all())
    users = {
        u.email: u
        for u in User.objects.filter(
            email__in=[
                r[header.index("email")].strip().lower()
                for r in rows[1:]
                if len(r) > header.index("email")
            ]
        ).select_related("operator")
    }
    registered = set(mission.operator_registrations.values_list("operator_id", flat=True))
    seen: dict[str, int] = {}
    result = []
    for number, raw in enumerate(rows[1:], start=2):
        data = {f: (raw[i] if i < len(raw) else "") for i, f in enumerate(header) if f}
        form = RowForm(data, sectors=sectors)
        row = ImportRow(number=number, values=data)
        if not form.is_valid():
            row.errors = [
                _("%(field)s: %(errors)s") % {"field": form.fields[f].label, "errors": " ".join(e)}
                for f, e in form.errors.items()
            ]
            row.action = "skip"
            result.append(row)
            continue
        clean = form.cleaned_data
        row.values = clean
        email = clean["email"]
        user = users.get(email)
        if email in seen:
            row.action, row.note = (
                "skip",
                _("Same e-mail as row %(row)s: duplicate.") % {"row": seen[email]},
            )
        elif user and not user.operator_id:
            row.action = "skip"
            row.errors = [_("This e-mail belongs to an account that is not an operator contact.")]
        elif user and user.operator_id in registered:
            row.action, row.note = "skip", _("Already registered for this mission.")
        elif user:
            row.action, row.note = "register", user.operator.name
        else:
            row.action = "create"
        seen.setdefault(email, number)
        result.append(row)
    return result


def importable(rows: list[ImportRow]) -> list[dict]:
    """The cleaned rows that an import would act on, ready to be kept in the session."""
    return [dict(row.values, action=row.action) for row in rows if row.ok and row.action != "skip"]


def operator_fields(values: dict) -> dict:
    return {f: values[f] for f in ("name", "kind", "country", "city", "website", "needs")}
