"""Hostile spreadsheets, built small: each unpacks or pads to far more than it weighs."""

import io
import zipfile

from openpyxl import Workbook

HEADING = ["Organisation", "Kind", "Country", "City", "Contact name", "Email"]
ROW = ["Golden Gate Ventures", "Investor", "US", "San Francisco", "Ann Lee", "ann@ggv.example"]


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _replace(members: dict[str, bytes | None]) -> bytes:
    """A valid small workbook (heading and one row) whose members are replaced by these
    (streamed: a member given as None is left to the caller through ``stream``)."""
    book = Workbook()
    book.active.append(HEADING)
    book.active.append(ROW)
    source = io.BytesIO()
    book.save(source)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in original.infolist():
            if info.filename not in members:
                bomb.writestr(info.filename, original.read(info.filename))
        for name, content in members.items():
            bomb.writestr(name, content)
    return out.getvalue()


def _sheet(rows: str, dimension: str = "A1:F2") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _row(number: int, values: list[str]) -> str:
    cells = "".join(_inline(f"{chr(65 + i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def declared_dimension(*, far_value: bool) -> bytes:
    """A sheet that declares A1:XFD1048576 (openpyxl pads every row it reads to 16,384 cells,
    and the rows up to 1,048,576) with cells in the far corner: empty, or holding a value."""
    far = _inline("XFD1048576", "x") if far_value else '<c r="XFD1048576" s="0"/>'
    rows = _row(1, HEADING) + _row(2, ROW) + f'<row r="1048576">{far}</row>'
    return _replace({"xl/worksheets/sheet1.xml": _sheet(rows, "A1:XFD1048576")})


def huge_cell(megabytes: int = 300) -> bytes:
    """One shared string of ``megabytes`` MB, streamed into the zip: the file stays small."""
    book = Workbook()
    book.active.append(HEADING)
    source = io.BytesIO()
    book.save(source)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                    b"openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
                    b'"/></Relationships>',
                )
            if info.filename == "xl/worksheets/sheet1.xml":
                cells = "".join(_inline(f"{chr(65 + i)}1", v) for i, v in enumerate(HEADING))
                content = _sheet(
                    f'<row r="1">{cells}</row><row r="2"><c r="A2" t="s"><v>0</v></c></row>'
                )
            bomb.writestr(info.filename, content)
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
            )
            chunk = b"x" * (1024 * 1024)
            for _ in range(megabytes):
                strings.write(chunk)
            strings.write(b"</t></si></sst>")
    return out.getvalue()


def _parts() -> dict[str, bytes]:
    """The members of a valid small workbook (heading and one row), by name."""
    book = Workbook()
    book.active.append(HEADING)
    book.active.append(ROW)
    source = io.BytesIO()
    book.save(source)
    with zipfile.ZipFile(source) as original:
        return {name: original.read(name) for name in original.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def styles(formats: int) -> bytes:
    """A styles.xml of ``formats`` empty cell formats (``<xf/>``, 5 bytes each; 2,000,000 make
    the 9.9 MB of the penetration test, under the old 10 MB cap): openpyxl builds an object
    for each, 92 s and 1.2 GB for those. Zipped, a few KB."""
    parts = _parts()
    head, tag, tail = parts["xl/styles.xml"].partition(b"<cellXfs")
    opened, close, rest = tail.partition(b">")
    parts["xl/styles.xml"] = head + tag + opened + close + b"<xf/>" * formats + rest
    return _zip(parts)


def sheet_outside_worksheets(cells: int) -> bytes:
    """The sheet stored at xl/sheet1.xml (the workbook's relationships and the content types
    say so, which openpyxl follows), with a third row of ``cells`` empty cells: a scan of
    xl/worksheets/ alone never saw it (2.4M cells took 14.9 s and 475 MB)."""
    parts = _parts()
    sheet = parts.pop("xl/worksheets/sheet1.xml")
    row = b'<row r="3">' + b"<c/>" * cells + b"</row>" if cells else b""
    parts["xl/sheet1.xml"] = sheet.replace(b"</sheetData>", row + b"</sheetData>")
    for name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        parts[name] = parts[name].replace(b"worksheets/sheet1.xml", b"sheet1.xml")
    return _zip(parts)
